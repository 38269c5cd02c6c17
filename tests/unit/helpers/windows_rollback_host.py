# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A simulated Windows host that also answers firewall_port's rollback scripts (``rollback_ps.py``).

It does NOT run PowerShell: it recognises each script by the input it carries and answers as the
script is written to answer. ``arm`` saves the rules of our group and "registers" the task;
:meth:`fire` is the scheduled task running (the saved rules come back, a status is recorded);
``confirm`` disarms unless the task ran; ``status`` and ``undo`` as the scripts say.
``unreachable`` makes every script after the write fail as a lost connection would.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, Optional, Sequence, Tuple

from ansible.errors import AnsibleConnectionFailure

from ansible_collections.webedge.https.tests.unit.helpers.windows_host import FakeWindowsHost, answer_line, script_input


class RollbackWindowsHost(FakeWindowsHost):
    def __init__(self, state: Optional[Dict[str, Any]] = None, **kwargs: Any) -> None:
        super().__init__(state, **kwargs)
        self.armed: Dict[str, Dict[str, Any]] = {}  # id -> saved rules and timeout
        self.statuses: Dict[str, Dict[str, Any]] = {}
        self.unreachable = False
        self.task_runs_on_arm = False  # the task fires at once (a clock the test does not follow)

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        assert data is not None
        request = script_input(data)
        if "timeout" in request and "revert" in request:
            return self._arm(request)
        if set(request) == {"id"}:
            if self.unreachable:
                raise AnsibleConnectionFailure("winrm connection error: [Errno 111] Connection refused")
            if '& "$base.ps1"' in data:
                return self._undo(request["id"])
            if "pending = $true" in data:
                self.scripts.append(("status", request))
                return 0, answer_line(self._status(request["id"])), ""
            self.scripts.append(("confirm", request))
            return 0, answer_line(self._confirm(request["id"])), ""
        return super().run(argv, data)

    def _arm(self, request: Dict[str, Any]) -> Tuple[int, str, str]:
        self.scripts.append(("arm", {k: v for k, v in request.items() if k != "revert"}))
        assert "New-NetFirewallRule @params" in request["revert"]
        self.armed[request["id"]] = {"rules": copy.deepcopy(self.state["rules"]), "timeout": request["timeout"]}
        answer = {
            "armed": True,
            "rollback_id": request["id"],
            "task": f"\\webedge.https\\rollback {request['id']}",
            "saved_rules": len(self.state["rules"]),
        }
        return 0, answer_line(answer), ""

    def fire(self, rollback_id: str) -> None:
        """The scheduled task runs: our group's rules become the saved ones."""
        saved = self.armed.pop(rollback_id)
        self.state["rules"] = [r for r in self.state["rules"] if r["group"] != "webedge.https"] + saved["rules"]
        self.statuses[rollback_id] = {
            "found": True,
            "rolled_back": True,
            "elapsed": float(saved["timeout"]),
            "restored": [r["name"] for r in saved["rules"]],
            "errors": [],
        }

    def _confirm(self, rollback_id: str) -> Dict[str, Any]:
        if rollback_id in self.statuses:
            return {**self.statuses[rollback_id], "confirmed": False}
        if rollback_id in self.armed:
            del self.armed[rollback_id]
            return {"found": True, "rolled_back": False, "confirmed": True}
        return {"found": False, "rolled_back": False, "confirmed": False}

    def _status(self, rollback_id: str) -> Dict[str, Any]:
        if rollback_id in self.statuses:
            return self.statuses[rollback_id]
        if rollback_id in self.armed:
            return {"found": True, "rolled_back": False, "pending": True, "seconds_left": 1.0}
        return {"found": False, "rolled_back": False}

    def _undo(self, rollback_id: str) -> Tuple[int, str, str]:
        self.scripts.append(("undo", {"id": rollback_id}))
        self.fire(rollback_id)
        return 0, answer_line(self.statuses[rollback_id]), ""
