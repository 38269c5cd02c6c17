# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin building blocks shared by the collection's modules (controller side).

* :func:`run_module_as_normal`: run the task's module exactly as ``ansible.builtin.normal``
  does (async wrapping, temporary directory removed afterwards), for action plugins that only
  sometimes do the work themselves.
* :class:`ModuleOrPowerShellAction`: the module on Linux (and every host Ansible does not talk
  PowerShell to); on Windows no module runs: the options are validated with the module's own
  spec (``module_utils/specs/<module>.py``), then the subclass's :meth:`_windows` does the work
  from the controller with PowerShell over the task's connection (``plugin_utils/windows``).
  Invalid options and the errors a user can fix come back as a failed result, so ``register``
  and ``failed_when`` see them. ``become`` does not apply there (the scripts run as the
  connection user): a task with become gets a warning saying so, never silence.
"""

from __future__ import annotations

import abc
from typing import Any, Dict, Optional, Tuple, Type

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import (
    PowerShellError,
    PowerShellRunner,
    is_windows,
)

__all__ = ["ModuleOrPowerShellAction", "run_module_as_normal"]


def run_module_as_normal(
    action: ActionBase, result: Dict[str, Any], task_vars: Optional[Dict[str, Any]], module_name: Optional[str] = None
) -> Dict[str, Any]:
    """Execute the module where the task runs, as ``ansible.builtin.normal`` would."""
    wrap_async = bool(action._task.async_val) and not action._connection.has_native_async
    answer = action._execute_module(module_name=module_name, task_vars=task_vars, wrap_async=wrap_async)
    result = merge_hash(result, answer)
    if not wrap_async:
        action._remove_tmp_path(action._connection._shell.tmpdir)
    return result


def _failed(msg: str) -> Dict[str, Any]:
    return {"failed": True, "changed": False, "msg": msg}


class ModuleOrPowerShellAction(ActionBase):
    """Subclasses set ``MODULE_NAME``, ``SPEC`` and ``USER_ERRORS`` and implement :meth:`_windows`.

    ``SPEC`` is the module's spec module (``module_utils/specs/<module>.py``). A subclass whose
    Linux path is more than running the module overrides :meth:`_linux`.
    """

    MODULE_NAME = ""
    SPEC: Any = None
    USER_ERRORS: Tuple[Type[Exception], ...] = ()
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = True  # on Linux; refused on Windows, where the controller does the work

    def run(self, tmp: Any = None, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        result = super().run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        task_vars = task_vars or {}
        if not is_windows(self._connection, task_vars):
            return self._linux(result, task_vars)
        answer = self._windows_guarded(task_vars)
        warning = self._become_warning()
        if warning:
            answer["warnings"] = [*answer.get("warnings", []), warning]
        result.update(answer)
        return result

    def _become_warning(self) -> Optional[str]:
        """become cannot apply here: the controller's PowerShell runs as the connection user; say so."""
        play_context = self._play_context
        if getattr(play_context, "become", False) is not True:
            return None
        short_name = self.MODULE_NAME.rsplit(".", 1)[-1]
        method = getattr(play_context, "become_method", None) or "runas"
        user = getattr(play_context, "become_user", None) or "the become user"
        return (
            f"become ({method} as {user}) is not used by {short_name} on Windows hosts: its PowerShell runs as the "
            "connection user, which must be a local administrator; set become: false on this task to silence this"
        )

    def _linux(self, result: Dict[str, Any], task_vars: Dict[str, Any]) -> Dict[str, Any]:
        """Every host that is not Windows: run the module."""
        return run_module_as_normal(self, result, task_vars, self.MODULE_NAME)

    def _windows_guarded(self, task_vars: Dict[str, Any]) -> Dict[str, Any]:
        short_name = self.MODULE_NAME.rsplit(".", 1)[-1]
        if self._task.async_val:
            return _failed(
                f"async is not supported for {short_name} on Windows hosts (the controller does the work);"
                " run the task without async"
            )
        try:
            _validation, args = self.validate_argument_spec(**self.SPEC.module_kwargs())
            return self._windows(args, PowerShellRunner(self._low_level_execute_command), task_vars)
        except AnsibleActionFail as exc:
            return _failed(to_text(exc.message))
        except (PowerShellError, *self.USER_ERRORS) as exc:
            return _failed(str(exc))

    @abc.abstractmethod
    def _windows(self, args: Dict[str, Any], runner: PowerShellRunner, task_vars: Dict[str, Any]) -> Dict[str, Any]:
        """With the validated options, read (and act) with PowerShell through ``runner``; the module's result."""
