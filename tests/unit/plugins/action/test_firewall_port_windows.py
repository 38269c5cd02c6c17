# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The firewall_port action plugin on a Windows host: validation, one read, at most one write.

The connection is fake: ``_low_level_execute_command`` is replaced by a recorder that hands
the script (standard input) to a simulated host (windows_host.py) and returns its answer.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional
from unittest.mock import MagicMock

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.task import Task

from ansible_collections.webedge.https.plugins.action import firewall_port as action
from ansible_collections.webedge.https.plugins.action.firewall_port import ActionModule
from ansible_collections.webedge.https.plugins.module_utils.firewall import windows_ps
from ansible_collections.webedge.https.tests.unit.plugins.module_utils.firewall.windows_host import (
    FakeWindowsHost,
    fixture,
)


class WindowsHarness:
    def __init__(
        self,
        args: Dict[str, Any],
        host: Optional[FakeWindowsHost] = None,
        check_mode: bool = False,
        port: Any = 5986,
    ) -> None:
        task = Task()
        task.args = args
        task.check_mode = check_mode
        self.host = host or FakeWindowsHost()
        self.commands: List[Dict[str, Any]] = []
        self.connection = MagicMock()
        self.connection._shell.SHELL_FAMILY = "powershell"
        self.connection._shell.tmpdir = None
        self.connection.get_option.side_effect = lambda name: port if name == "port" else None
        self.action = ActionModule(task, self.connection, MagicMock(), DataLoader(), None, None)
        self.action._low_level_execute_command = self._execute  # type: ignore[method-assign]
        self.action._execute_module = self._no_module  # type: ignore[method-assign]

    def _execute(self, cmd: str, sudoable: bool = True, in_data: Optional[bytes] = None, **_kw: Any) -> Dict[str, Any]:
        self.commands.append({"cmd": cmd, "sudoable": sudoable, "in_data": in_data})
        assert in_data is not None
        rc, out, err = self.host.run([], in_data.decode("ascii"))
        return {"rc": rc, "stdout": out, "stderr": err}

    @staticmethod
    def _no_module(*args: Any, **kwargs: Any) -> Dict[str, Any]:
        raise AssertionError("no module may run on a Windows host")

    @property
    def kinds(self) -> List[str]:
        return [entry[0] for entry in self.host.scripts]

    def run(self, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        return self.action.run(task_vars=task_vars or {})


def test_open_is_one_read_and_one_write_over_the_connection():
    h = WindowsHarness({"port": [443]})
    result = h.run()
    assert result["changed"] is True and result["backend"] == "windows"
    assert h.kinds == ["read", "write"] and len(h.commands) == 2
    for command in h.commands:
        # the command line is only the stub; the script travels on stdin, become is not used
        assert command["cmd"] == windows_ps.encode_command(windows_ps.STUB)
        assert command["sudoable"] is False
    assert h.host.scripts[0][1] == {"group": "webedge.https", "ports": [5986]}
    assert "diff" in result and "webedge.https" in result["diff"]["after_header"]


def test_second_run_reads_once_and_writes_nothing():
    h = WindowsHarness({"port": [443]})
    h.run()
    again = WindowsHarness({"port": [443]}, host=h.host).run()
    assert again["changed"] is False
    assert h.kinds == ["read", "write", "read"]


def test_check_mode_reads_once_and_writes_nothing():
    h = WindowsHarness({"port": [443], "source": ["10.0.0.0/8"]}, check_mode=True)
    result = h.run()
    assert result["changed"] is True
    assert h.kinds == ["read"] and h.host.names == []
    assert result["added"] == [{"family": "ipv4", "protocol": "tcp", "port": "443", "source": "10.0.0.0/8"}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"port": [443], "protocol": "sctp"}, "protocol"),
        ({"port": [443], "bogus": 1}, "bogus"),
        ({}, "port"),
        ({"port": ["443-80"]}, "443-80"),
        ({"port": [443], "backend": "ufw"}, "backend 'ufw' manages a Linux firewall"),
        ({"port": [443], "zone": "public"}, "zone 'public'"),
        ({"port": [443], "persist": False}, "persist=false"),
        ({"port": [443], "confirm_timeout": 30}, "confirm_timeout"),
    ],
)
def test_bad_input_fails_before_any_command(args, message):
    h = WindowsHarness(args)
    result = h.run()
    assert result["failed"] is True and message in result["msg"]
    assert h.commands == []


def test_lockout_refusal_is_a_failed_result_after_the_read_only():
    host = FakeWindowsHost(fixture("read-empty.json"))
    WindowsHarness({"port": [5986]}, host=host).run()
    result = WindowsHarness({"port": [5986], "state": "closed"}, host=host).run()
    assert result["failed"] is True and "192.0.2.10 to port 5986" in result["msg"]
    assert [entry[0] for entry in host.scripts] == ["read", "write", "read"]


def test_failed_write_is_a_failed_result():
    h = WindowsHarness({"port": [443]}, host=FakeWindowsHost(fail_on_add="webedge.https tcp/443 ipv4 from any"))
    result = h.run()
    assert result["failed"] is True and "undone" in result["msg"]
    assert h.host.names == []


def test_linux_hosts_still_run_the_module():
    task = Task()
    task.args = {"port": [443]}
    connection = MagicMock()
    connection._shell.tmpdir = None
    plugin = ActionModule(task, connection, MagicMock(), DataLoader(), None, None)
    plugin._execute_module = MagicMock(return_value={"changed": False})  # type: ignore[method-assign]
    plugin._low_level_execute_command = MagicMock(side_effect=AssertionError)  # type: ignore[method-assign]
    assert plugin.run(task_vars={"ansible_connection": "ssh"})["changed"] is False
    assert plugin._execute_module.call_count == 1


@pytest.mark.parametrize(
    ("option", "task_vars", "expected"),
    [
        (5986, {}, (5986,)),
        ("5985", {}, (5985,)),
        (None, {"ansible_port": 2222}, (2222,)),
        (None, {"ansible_connection": "winrm"}, (5985, 5986)),
        (None, {"ansible_connection": "ansible.builtin.ssh"}, (22,)),
    ],
)
def test_connection_ports(option, task_vars, expected):
    connection = MagicMock()
    connection.get_option.return_value = option
    connection.transport = "unknown"
    assert action.connection_ports(connection, task_vars) == expected


@pytest.mark.parametrize(
    ("family", "task_vars", "expected"),
    [
        ("powershell", {}, True),
        ("sh", {"ansible_connection": "psrp"}, True),
        ("sh", {"ansible_connection": "ssh"}, False),
    ],
)
def test_windows_is_recognised_by_shell_or_connection(family, task_vars, expected):
    connection = MagicMock()
    connection._shell.SHELL_FAMILY = family
    assert action.is_windows(connection, task_vars) is expected


def test_runner_refuses_non_ascii_scripts():
    runner = action.PowerShellRunner(MagicMock())
    with pytest.raises(action.PowerShellError):
        runner.run([], "Write-Output 'caf\u00e9'")
