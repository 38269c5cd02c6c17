# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fake connections for the tests of the module-or-PowerShell action plugins.

* :class:`WindowsHarness`: ``_low_level_execute_command`` is replaced by a recorder that hands
  each script (standard input) to a simulated host (``run(argv, data) -> (rc, out, err)``);
  executing a module is an error.
* :func:`linux_action`: a POSIX shell connection whose module execution returns a canned result;
  a raw (PowerShell) command is an error.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Type
from unittest.mock import MagicMock

from ansible.parsing.dataloader import DataLoader
from ansible.playbook.task import Task
from ansible.plugins.action import ActionBase


def make_task(args: Dict[str, Any], check_mode: bool = False, async_val: int = 0) -> Task:
    task = Task()
    task.args = args
    task.check_mode = check_mode
    task.async_val = async_val
    return task


def load_name(action_class: Type[ActionBase]) -> str:
    """The name the plugin loader gives an action plugin (ansible-core 2.17/2.18 use it in their messages)."""
    return "webedge.https." + action_class.__module__.rsplit(".", 1)[-1]


class WindowsHarness:
    """An action plugin on a PowerShell connection (its ``port`` option set when given) to ``host``."""

    def __init__(
        self, action_class: Type[ActionBase], args: Dict[str, Any], host: Any, port: Any = None, **task_options: Any
    ) -> None:
        self.host = host
        self.commands: List[Dict[str, Any]] = []
        connection = MagicMock()
        connection._shell.SHELL_FAMILY = "powershell"
        connection._shell.tmpdir = None
        if port is not None:
            connection.get_option.side_effect = lambda name: port if name == "port" else None
        self.action = action_class(make_task(args, **task_options), connection, MagicMock(), DataLoader(), None, None)
        self.action._load_name = load_name(action_class)
        self.action._low_level_execute_command = self._execute  # type: ignore[method-assign]
        self.action._execute_module = MagicMock(side_effect=AssertionError("no module on Windows"))  # type: ignore[method-assign]

    def _execute(self, cmd: str, sudoable: bool = True, in_data: Optional[bytes] = None, **_kw: Any) -> Dict[str, Any]:
        self.commands.append({"cmd": cmd, "sudoable": sudoable, "in_data": in_data})
        assert in_data is not None
        rc, out, err = self.host.run([], in_data.decode("ascii"))
        return {"rc": rc, "stdout": out, "stderr": err}

    def run(self) -> Dict[str, Any]:
        return self.action.run(task_vars={})


def linux_action(
    action_class: Type[ActionBase], args: Dict[str, Any], module_result: Dict[str, Any], **task_options: Any
) -> Any:
    connection = MagicMock()
    connection._shell.SHELL_FAMILY = "sh"
    connection._shell.tmpdir = "/tmp/ansible-tmp-1"
    connection.has_native_async = False
    plugin = action_class(make_task(args, **task_options), connection, MagicMock(), DataLoader(), None, None)
    plugin._load_name = load_name(action_class)
    plugin._execute_module = MagicMock(return_value=dict(module_result))  # type: ignore[method-assign]
    plugin._remove_tmp_path = MagicMock()  # type: ignore[method-assign]
    plugin._low_level_execute_command = MagicMock(side_effect=AssertionError)  # type: ignore[method-assign]
    return plugin
