# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ``webedge.https.firewall_port``: confirm a change over a NEW connection.

Without ``confirm_timeout`` (or in check mode) the module simply runs. With it:

1. The module runs with a fresh ``rollback_id``: it arms the host's automatic revert
   (a systemd timer), then applies the change (``module_utils/firewall/rollback.py``).
2. The connection is reset (SSH: the ControlMaster is stopped, so the next command
   opens a new TCP connection, the very thing the new rules could block) and the
   saved launcher confirms (``revert.py confirm`` through ``ansible.builtin.command``),
   retried until the host's timer would fire.
3. Unconfirmed, the host restores the previous rules by itself. The plugin waits
   for that moment, reconnects, asks what happened (``revert.py status``) and fails
   with ``rolled_back: true``.

The decisions are pure functions (:func:`outcome`) so they are unit-tested as tables.

On a Windows host (a Windows shell or a WinRM/PSRP connection) no module runs: the plugin
validates the options with the module's own argument spec (``module_utils/specs/firewall_port.py``),
then hands the Windows Defender Firewall backend (``plugin_utils/windows/firewall.py``, bound to
the task's ``profiles``) and a PowerShell runner to the same orchestrator the module runs
(``module_utils/firewall/engine.run``): ONE read script, the plan in Python and, unless in check
mode, at most ONE more script. With ``confirm_timeout`` the same three steps as on Linux, with
Windows' parts (``plugin_utils/windows/rollback.py``): the orchestrator's guard arms a scheduled
task that restores the previous rules just before the write; the confirmation (and, unconfirmed,
the status) is a script sent over a new connection (WinRM: a new shell and HTTP session).
"""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any, Callable, Dict, Mapping, Optional

from ansible.errors import AnsibleConnectionFailure, AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.connection import ConnectionBase

from ansible_collections.webedge.https.plugins.module_utils.firewall import engine, rollback
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError, ValidationError
from ansible_collections.webedge.https.plugins.module_utils.specs import firewall_port as spec
from ansible_collections.webedge.https.plugins.plugin_utils.actions import ModuleOrPowerShellAction
from ansible_collections.webedge.https.plugins.plugin_utils.windows import rollback as windows_rollback
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall import registry as windows_registry
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import (
    PowerShellError,
    PowerShellRunner,
    call,
    connection_ports,
)

MODULE_NAME = "webedge.https.firewall_port"
COMMAND = "ansible.builtin.command"
RETRY_PAUSE = 2.0  # seconds between attempts to reach the host
SETTLE = 5.0  # seconds granted to the host's revert after its timer fired
STATUS_WINDOW = 60.0  # keep trying to reach the host this long after the revert should have run


def rolled_back_message(timeout: int, status: Mapping[str, Any]) -> str:
    elapsed = status.get("elapsed")
    after = f"{elapsed:g} s" if isinstance(elapsed, (int, float)) else f"{timeout} s"
    return (
        f"the new rules cut this controller off; the host restored the previous rules after {after} "
        f"(confirm_timeout={timeout}, rollback {status.get('rollback_id', '?')})"
    )


def outcome(
    first: Mapping[str, Any],
    confirm: Mapping[str, Any],
    status: Optional[Mapping[str, Any]],
    rollback_id: str,
    timeout: int,
) -> Dict[str, Any]:
    """The task result from the three steps' results (``status`` is None when it was not needed)."""
    result: Dict[str, Any] = {k: v for k, v in first.items() if k not in ("unreachable", "failed", "msg")}
    result.update(rollback_id=rollback_id, changed=bool(first.get("changed", True)))
    if confirm.get("confirmed"):
        result.update(confirmed=True, rolled_back=False)
        return result
    final = confirm if confirm.get("rolled_back") or confirm.get("error") else (status or {})
    result.update(confirmed=False, failed=True)
    if final.get("rolled_back"):
        record = {k: v for k, v in final.items() if k not in ("found", "rolled_back", "changed", "invocation")}
        result.update(
            rolled_back=True, rollback=record, msg=rolled_back_message(timeout, {**record, "rollback_id": rollback_id})
        )
    elif final.get("error"):
        result.update(rolled_back=False, msg=f"the change was not confirmed and the host's {final['error']}")
    elif final.get("unreachable") or not final:
        result.update(
            rolled_back=None,
            msg=(
                f"the change was not confirmed and the host is still unreachable {int(SETTLE + STATUS_WINDOW)} s "
                f"after its automatic rollback was due (rollback {rollback_id}): {final.get('msg', 'no answer')}"
            ),
        )
    elif final.get("found") is False:
        result.update(rolled_back=None, msg=f"the host no longer knows rollback {rollback_id} (rebooted?)")
    else:
        result.update(rolled_back=None, msg=f"rollback {rollback_id}: unexpected answer from the host: {dict(final)}")
    return result


def parse_launcher(answer: Mapping[str, Any]) -> Dict[str, Any]:
    """``ansible.builtin.command``'s result of ``revert.py confirm|status`` -> the launcher's JSON answer."""
    if answer.get("unreachable"):
        return dict(answer)
    if answer.get("rc") == 0:
        try:
            return dict(json.loads(str(answer.get("stdout", "")).strip().splitlines()[-1]))
        except (ValueError, IndexError, TypeError):
            pass
    text = " ".join(str(answer.get(k) or "") for k in ("msg", "stderr", "stdout")).strip()
    if "No such file or directory" in text:
        return {"found": False, "rolled_back": False}  # confirmed and removed, or never armed
    return {"failed": True, "msg": text or "no answer"}


class ActionModule(ModuleOrPowerShellAction):
    MODULE_NAME = MODULE_NAME
    SPEC = spec
    USER_ERRORS = (FirewallError,)
    _supports_async = False  # a change must not outlive its task (nor its confirmation)

    clock: Callable[[], float] = staticmethod(time.monotonic)  # type: ignore[assignment]
    sleep: Callable[[float], None] = staticmethod(time.sleep)  # type: ignore[assignment]

    def _linux(self, result: Dict[str, Any], task_vars: Dict[str, Any]) -> Dict[str, Any]:
        """The module; with ``confirm_timeout`` (not in check mode), confirmed over a new connection."""
        args = dict(self._task.args)
        if args.get("profiles") is not None:
            result.update(
                failed=True,
                msg=f"profiles {args['profiles']!r} is a Windows Defender Firewall option; this host is not Windows",
            )
            return result
        raw = args.get("confirm_timeout")
        if raw is None or self._task.check_mode:
            result.update(self._step(args, task_vars))
            self._cleanup()
            return result
        try:
            timeout = rollback.check_timeout(int(raw) if isinstance(raw, str) and raw.strip().isdigit() else raw)
            rollback_id = rollback.check_id(args.get("rollback_id") or rollback.new_id())
        except ValidationError as exc:
            result.update(failed=True, msg=str(exc))
            return result
        args.update(confirm_timeout=timeout, rollback_id=rollback_id)
        result.update(self._guarded(args, timeout, rollback_id, task_vars))
        self._cleanup()
        return result

    def _windows(self, args: Dict[str, Any], runner: PowerShellRunner, task_vars: Dict[str, Any]) -> Dict[str, Any]:
        """The one orchestrator with the Windows backend: one read, the plan, at most one write.

        With ``confirm_timeout`` (not in check mode) the guard arms the host's revert before the
        write; the change is then confirmed over a new connection, as on Linux.
        """
        options: Dict[str, Any] = dict(
            check_mode=bool(self._task.check_mode),
            registry=windows_registry(args.get("profiles")),
            connection_ports=connection_ports(self._connection, task_vars),
        )
        guard: Optional[windows_rollback.WindowsRollbackGuard] = None
        if args.get("confirm_timeout") is not None and not self._task.check_mode:
            guard = windows_rollback.WindowsRollbackGuard(
                runner,
                rollback.check_id(args.get("rollback_id") or rollback.new_id()),
                rollback.check_timeout(args["confirm_timeout"]),
                clock=self.clock,
            )
        started = self.clock()
        answer = engine.run(args, runner, guard=guard, **options)
        if not answer.get("warnings"):
            answer.pop("warnings", None)
        if guard is None or guard.armed_at is None:
            return answer  # nothing changed: nothing armed
        self._windows_mode = True
        timeout, rollback_id = guard.timeout, guard.rollback_id
        confirm = self._confirm(rollback_id, started + timeout, task_vars)
        status = None
        if not confirm.get("confirmed") and not confirm.get("rolled_back"):
            status = self._status(rollback_id, guard.armed_at + timeout + SETTLE, task_vars)
        return outcome(answer, confirm, status, rollback_id, timeout)

    # -- the three steps -------------------------------------------------------
    def _guarded(self, args: Dict[str, Any], timeout: int, rollback_id: str, task_vars: Any) -> Dict[str, Any]:
        started = self.clock()
        first = self._step(args, task_vars)
        if not first.get("unreachable") and (first.get("failed") or not first.get("rollback_id")):
            return first  # failed (and undone by the module), or nothing changed: nothing armed
        fires_by = self.clock() + timeout  # the host armed its timer before it answered
        confirm = self._confirm(rollback_id, started + timeout, task_vars)
        status = None
        if not confirm.get("confirmed") and not confirm.get("rolled_back"):
            status = self._status(rollback_id, fires_by + SETTLE, task_vars)
        return outcome(first, confirm, status, rollback_id, timeout)

    def _confirm(self, rollback_id: str, until: float, task_vars: Any) -> Dict[str, Any]:
        """Confirm over a new connection, retried until the host's timer would fire."""
        while True:
            self._reset()
            answer = self._launcher(rollback_id, "confirm", task_vars)
            if not answer.get("unreachable"):
                return answer
            if self.clock() + RETRY_PAUSE >= until:
                return answer
            self.sleep(RETRY_PAUSE)

    def _status(self, rollback_id: str, not_before: float, task_vars: Any) -> Dict[str, Any]:
        """After the host's revert was due: reconnect and ask what happened."""
        give_up = not_before + STATUS_WINDOW
        answer: Dict[str, Any] = {"unreachable": True, "msg": "not asked"}
        wait = not_before - self.clock()
        while True:
            if wait > 0:
                self.sleep(wait)
            self._reset()
            answer = self._launcher(rollback_id, "status", task_vars)
            if not answer.get("unreachable") and not answer.get("pending"):
                return answer
            if self.clock() + RETRY_PAUSE >= give_up:
                return answer
            wait = max(RETRY_PAUSE, float(answer.get("seconds_left") or 0) + 1)

    # -- plumbing --------------------------------------------------------------
    def _step(self, args: Dict[str, Any], task_vars: Any, module: str = MODULE_NAME) -> Dict[str, Any]:
        try:
            return dict(self._execute_module(module_name=module, module_args=args, task_vars=task_vars))
        except AnsibleConnectionFailure as exc:
            return {"unreachable": True, "msg": to_text(exc)}

    def _launcher(self, rollback_id: str, operation: str, task_vars: Any) -> Dict[str, Any]:
        """Run the host's saved ``revert.py confirm|status``; its JSON answer (or what went wrong).

        On Windows: the confirm or status script over the (new) connection; the same answers.
        """
        if getattr(self, "_windows_mode", False):
            script = (windows_rollback.confirm_script if operation == "confirm" else windows_rollback.status_script)(
                rollback_id
            )
            try:
                return call(PowerShellRunner(self._low_level_execute_command), script, f"firewall_port {operation}")
            except AnsibleConnectionFailure as exc:
                return {"unreachable": True, "msg": to_text(exc)}
            except PowerShellError as exc:
                return {"failed": True, "msg": str(exc)}
        answer = self._step({"argv": rollback.launcher_argv(rollback_id, operation)}, task_vars, module=COMMAND)
        return parse_launcher(answer)

    def _reset(self) -> None:
        """Drop the connection so the next command opens a new one (ssh: stop the ControlMaster)."""
        connection = self._connection
        with contextlib.suppress(AnsibleError):
            if getattr(type(connection), "reset", None) is not ConnectionBase.reset:
                connection.reset()
            else:
                connection.close()

    def _cleanup(self) -> None:
        with contextlib.suppress(AnsibleError):
            self._remove_tmp_path(self._connection._shell.tmpdir)
