# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewall_port's automatic rollback on Windows (``confirm_timeout``), driven from the controller.

The same promise as on Linux (``module_utils/firewall/rollback.py``): a change that cuts the
controller off is undone by the host itself. :class:`WindowsRollbackGuard` is the orchestrator's
``guard`` (``engine.run``): ``arm()`` runs just before the write script (one round trip: the
rules of our group saved and a scheduled task registered, see ``rollback_ps.py``), ``undo()``
when the write failed. The action plugin then confirms over a NEW connection
(:func:`confirm_script`) and, unconfirmed, asks what happened (:func:`status_script`); the
answers have the shapes of the Linux launcher's, so the same ``outcome()`` decides the result.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, Optional

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import FirewallBackend, Plan
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import DesiredState
from ansible_collections.webedge.https.plugins.module_utils.firewall.rollback import check_id, check_timeout
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall import GROUP
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import (
    PowerShellError,
    ScriptRunner,
    call,
    render,
)
from ansible_collections.webedge.https.plugins.plugin_utils.windows.rollback_ps import (
    ARM_SCRIPT,
    CONFIRM_SCRIPT,
    REVERT_SCRIPT,
    STATUS_SCRIPT,
    TASK_PATH,
    UNDO_SCRIPT,
)

__all__ = ["WindowsRollbackGuard", "arm_script", "confirm_script", "status_script", "task_name", "undo_script"]


def task_name(rollback_id: str) -> str:
    """The scheduled task that reverts: ``\\webedge.https\\rollback <id>``."""
    return f"{TASK_PATH}rollback {check_id(rollback_id)}"


def arm_script(rollback_id: str, timeout: int) -> str:
    data = {"group": GROUP, "id": check_id(rollback_id), "timeout": check_timeout(timeout), "revert": REVERT_SCRIPT}
    return render(ARM_SCRIPT, data)


def confirm_script(rollback_id: str) -> str:
    return render(CONFIRM_SCRIPT, {"id": check_id(rollback_id)})


def status_script(rollback_id: str) -> str:
    return render(STATUS_SCRIPT, {"id": check_id(rollback_id)})


def undo_script(rollback_id: str) -> str:
    return render(UNDO_SCRIPT, {"id": check_id(rollback_id)})


class WindowsRollbackGuard:
    """The orchestrator's guard on a Windows host: arm before the write, undo when it failed.

    ``armed_at`` is the controller's clock when the host answered the arm script (the task's
    timer started before that answer), None until armed.
    """

    def __init__(
        self,
        runner: ScriptRunner,
        rollback_id: str,
        timeout: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.runner = runner
        self.rollback_id = check_id(rollback_id)
        self.timeout = check_timeout(timeout)
        self.clock = clock
        self.armed_at: Optional[float] = None

    def arm(self, backend: FirewallBackend, desired: DesiredState, plan: Plan) -> Dict[str, Any]:
        answer = call(self.runner, arm_script(self.rollback_id, self.timeout), "firewall_port rollback arm")
        self.armed_at = self.clock()
        return {
            "rollback_id": self.rollback_id,
            "confirm_timeout": self.timeout,
            "rollback_task": str(answer.get("task") or task_name(self.rollback_id)),
        }

    def undo(self) -> Dict[str, Any]:
        try:
            answer = call(self.runner, undo_script(self.rollback_id), "firewall_port rollback undo")
        except PowerShellError as exc:
            return {"rolled_back": False, "error": f"automatic rollback {self.rollback_id} failed too: {exc}"}
        if answer.get("rolled_back"):
            return {"rolled_back": True}
        errors = "; ".join(str(e) for e in answer.get("errors") or []) or "no detail"
        return {"rolled_back": False, "error": f"automatic rollback {self.rollback_id} failed too: {errors}"}
