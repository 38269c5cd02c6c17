# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The firewall_port action plugin: when it confirms, when it waits for the host's rollback, what it reports.

The connection and ``_execute_module`` are mocked; time is a fake clock that only moves
when the plugin sleeps or a (mocked) remote step takes time.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List, Optional, Union
from unittest.mock import MagicMock

import pytest
from ansible.errors import AnsibleConnectionFailure
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.task import Task

from ansible_collections.webedge.https.plugins.action import firewall_port as action
from ansible_collections.webedge.https.plugins.action.firewall_port import ActionModule, outcome

CHANGED = {"changed": True, "backend": "nftables", "removed": [{"port": "22"}], "rules": []}
ROLLED = {"found": True, "rolled_back": True, "elapsed": 20.6, "commands": [], "notes": [], "changed": False}
Answer = Union[Dict[str, Any], Exception, Callable[[Dict[str, Any]], Dict[str, Any]]]


class Harness:
    """Runs the plugin with scripted answers per step kind: ``apply``, ``confirm``, ``status``."""

    def __init__(
        self,
        args: Dict[str, Any],
        answers: Dict[str, List[Answer]],
        cost: Optional[Dict[str, float]] = None,
        check_mode: bool = False,
    ) -> None:
        task = Task()
        task.args = args
        task.check_mode = check_mode
        self.now = 1000.0
        self.answers = answers
        self.cost = {"apply": 2.0, "confirm": 1.0, "status": 1.0, "unreachable": 10.0, **(cost or {})}
        self.calls: List[Dict[str, Any]] = []
        self.events: List[str] = []
        self.connection = MagicMock()
        self.connection._shell.tmpdir = None
        self.connection.reset.side_effect = lambda: self.events.append("reset")
        self.action = ActionModule(task, self.connection, MagicMock(), DataLoader(), None, None)
        self.action._execute_module = self._execute_module  # type: ignore[method-assign]
        self.action.clock = lambda: self.now  # type: ignore[method-assign]
        self.action.sleep = self._sleep  # type: ignore[method-assign]

    def _sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.events.append(f"sleep {seconds:g}")
        self.now += seconds

    def _execute_module(self, module_name: str, module_args: Dict[str, Any], task_vars: Any = None) -> Dict[str, Any]:
        if module_name == "ansible.builtin.command":  # the host's saved launcher: revert.py confirm|status
            argv = module_args["argv"]
            kind = argv[1]
            assert argv[0] == f"/var/lib/webedge-https/rollback/{self.calls[0]['rollback_id']}/revert.py"
        else:
            assert module_name == "webedge.https.firewall_port"
            kind = "apply"
        self.calls.append({"kind": kind, "at": self.now, **module_args})
        self.events.append(kind)
        queue = self.answers[kind]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            self.now += self.cost["unreachable"]
            raise answer
        self.now += self.cost[kind]
        data = dict(answer(module_args) if callable(answer) else answer)
        if kind == "apply" or "rc" in data:
            return data
        return {"rc": 0, "changed": True, "stdout": json.dumps(data) + "\n", "stderr": ""}

    def run(self) -> Dict[str, Any]:
        return self.action.run(task_vars={})


def armed(args: Dict[str, Any]) -> Dict[str, Any]:
    return {**CHANGED, "rollback_id": args["rollback_id"], "confirm_timeout": args["confirm_timeout"]}


def cut() -> AnsibleConnectionFailure:
    return AnsibleConnectionFailure("Failed to connect to the host via ssh: Connection timed out")


TASK = {"port": [22], "state": "closed", "force": True, "confirm_timeout": 20}


def test_without_confirm_timeout_the_module_just_runs() -> None:
    h = Harness({"port": [443]}, {"apply": [{"changed": True}]})
    assert h.run()["changed"] is True
    assert [c["kind"] for c in h.calls] == ["apply"]
    assert "rollback_id" not in h.calls[0]
    assert "reset" not in h.events


def test_check_mode_only_predicts() -> None:
    h = Harness(dict(TASK), {"apply": [{"changed": True}]}, check_mode=True)
    result = h.run()
    assert result["changed"] is True and "rollback_id" not in result
    assert [c["kind"] for c in h.calls] == ["apply"] and "rollback_id" not in h.calls[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({**TASK, "rollback_id": "../x"}, "invalid rollback id '../x'"),
        ({**TASK, "confirm_timeout": 2}, "invalid confirm_timeout 2"),
        ({**TASK, "confirm_timeout": "soon"}, "invalid confirm_timeout 'soon'"),
    ],
)
def test_bad_input_fails_before_the_host_is_touched(args: Dict[str, Any], message: str) -> None:
    h = Harness(args, {"apply": [{"changed": True}]})
    result = h.run()
    assert result["failed"] is True and message in result["msg"]
    assert h.calls == []


def test_timeout_given_as_text_is_accepted() -> None:
    h = Harness({**TASK, "confirm_timeout": "30"}, {"apply": [{"changed": False}]})
    h.run()
    assert h.calls[0]["confirm_timeout"] == 30


@pytest.mark.parametrize(
    "first",
    [
        {"changed": False, "rules": []},  # nothing changed: nothing was armed
        {"failed": True, "msg": "refusing to remove tcp/22 ipv4 from any: ..."},  # refused or undone by the module
    ],
)
def test_no_confirmation_when_nothing_was_armed(first: Dict[str, Any]) -> None:
    h = Harness(dict(TASK), {"apply": [first]})
    result = h.run()
    assert [c["kind"] for c in h.calls] == ["apply"]
    assert result.get("msg") == first.get("msg")
    assert "rollback_id" not in result


def test_confirmed_over_a_new_connection() -> None:
    h = Harness(dict(TASK), {"apply": [armed], "confirm": [{"found": True, "confirmed": True, "rolled_back": False}]})
    result = h.run()
    rid = h.calls[0]["rollback_id"]
    assert h.events == ["apply", "reset", "confirm"]
    assert h.calls[1]["argv"] == [f"/var/lib/webedge-https/rollback/{rid}/revert.py", "confirm"]
    assert result["confirmed"] is True and result["rolled_back"] is False and result["changed"] is True
    assert result["rollback_id"] == rid and result["removed"] == [{"port": "22"}]
    assert not result.get("failed")


def test_cut_off_then_the_host_rolls_back_by_itself() -> None:
    h = Harness(dict(TASK), {"apply": [armed], "confirm": [cut()], "status": [ROLLED]})
    result = h.run()
    # apply 1000-1002; confirms at 1002 and 1014 (each times out after 10 s, 2 s pause), then none:
    # 1024 + 2 would pass the earliest firing (1000 + 20). Status once the latest firing (1002 + 20) + 5 s passed.
    assert h.events == ["apply", "reset", "confirm", "sleep 2", "reset", "confirm", "sleep 3", "reset", "status"]
    assert [c["at"] for c in h.calls] == [1000.0, 1002.0, 1014.0, 1027.0]
    assert h.calls[-1]["at"] >= 1002.0 + 20 + action.SETTLE
    assert result["failed"] is True and result["rolled_back"] is True and result["confirmed"] is False
    assert result["msg"].startswith(
        "the new rules cut this controller off; the host restored the previous rules after 20.6 s"
    )
    assert result["rollback"]["elapsed"] == 20.6


def test_status_waits_for_the_firing_when_confirm_fails_fast() -> None:
    # a REJECT answers at once: the plugin keeps trying, then waits for the host's timer
    h = Harness(dict(TASK), {"apply": [armed], "confirm": [cut()], "status": [ROLLED]}, cost={"unreachable": 0.5})
    result = h.run()
    assert result["rolled_back"] is True
    status_call = next(c for c in h.calls if c["kind"] == "status")
    assert status_call["at"] == pytest.approx(1002.0 + 20 + action.SETTLE)
    assert all(c["at"] < 1020.0 for c in h.calls if c["kind"] == "confirm")


def test_confirm_that_arrives_after_the_rollback_reports_it() -> None:
    h = Harness(dict(TASK), {"apply": [armed], "confirm": [cut(), ROLLED]})
    result = h.run()
    assert [c["kind"] for c in h.calls] == ["apply", "confirm", "confirm"]
    assert result["rolled_back"] is True and result["failed"] is True


def test_status_still_pending_is_asked_again() -> None:
    pending = {"found": True, "rolled_back": False, "pending": True, "seconds_left": 3.0}
    h = Harness(dict(TASK), {"apply": [armed], "confirm": [cut()], "status": [pending, ROLLED]})
    result = h.run()
    assert h.events[-3:] == ["sleep 4", "reset", "status"]
    assert result["rolled_back"] is True


def test_unreachable_even_after_the_rollback() -> None:
    h = Harness(dict(TASK), {"apply": [armed], "confirm": [cut()], "status": [cut()]})
    result = h.run()
    assert result["failed"] is True and result["rolled_back"] is None
    assert "still unreachable" in result["msg"] and "Connection timed out" in result["msg"]
    last = h.calls[-1]["at"]
    assert last <= 1002.0 + 20 + action.SETTLE + action.STATUS_WINDOW


def test_the_apply_itself_lost_the_connection() -> None:
    h = Harness(dict(TASK), {"apply": [cut()], "confirm": [cut()], "status": [ROLLED]})
    result = h.run()
    rid = h.calls[0]["rollback_id"]
    assert all(rid in c["argv"][0] for c in h.calls[1:])
    assert result["rolled_back"] is True and result["rollback_id"] == rid


def test_the_host_could_not_restore() -> None:
    broken = {"found": True, "rolled_back": False, "error": "rollback failed: nft: syntax error"}
    h = Harness(dict(TASK), {"apply": [armed], "confirm": [cut()], "status": [broken]})
    result = h.run()
    assert result["failed"] is True and result["rolled_back"] is False
    assert result["msg"] == "the change was not confirmed and the host's rollback failed: nft: syntax error"


def test_connections_without_reset_are_closed() -> None:
    class Plain:
        reset = action.ConnectionBase.reset  # not overridden: "not implemented"

        def __init__(self) -> None:
            self.closed = 0
            self._shell = MagicMock(tmpdir=None)

        def close(self) -> None:
            self.closed += 1

    h = Harness(dict(TASK), {"apply": [armed], "confirm": [{"confirmed": True}]})
    plain = Plain()
    h.action._connection = plain  # type: ignore[assignment]
    assert h.run()["confirmed"] is True
    assert plain.closed == 1


@pytest.mark.parametrize(
    ("confirm", "status", "rolled_back", "msg"),
    [
        ({"confirmed": True}, None, False, None),
        (ROLLED, None, True, "restored the previous rules after 20.6 s"),
        ({"unreachable": True, "msg": "x"}, ROLLED, True, "restored the previous rules after 20.6 s"),
        ({"unreachable": True, "msg": "x"}, {"found": False, "rolled_back": False}, None, "no longer knows rollback"),
        ({"unreachable": True, "msg": "x"}, {"unreachable": True, "msg": "timeout"}, None, "still unreachable"),
        ({"unreachable": True, "msg": "x"}, {"rolled_back": False, "error": "rollback failed: e"}, False, "failed: e"),
        ({"failed": True, "msg": "module crashed"}, {"weird": 1}, None, "unexpected answer"),
    ],
)
def test_outcome_table(
    confirm: Dict[str, Any], status: Optional[Dict[str, Any]], rolled_back: Optional[bool], msg: Optional[str]
) -> None:
    result = outcome(CHANGED, confirm, status, "rid", 20)
    assert result["rolled_back"] is rolled_back
    assert result["rollback_id"] == "rid"
    if msg is None:
        assert result["confirmed"] is True and "failed" not in result
    else:
        assert result["failed"] is True and msg in result["msg"]


def test_rolled_back_message_without_elapsed_uses_the_timeout() -> None:
    assert "after 20 s" in action.rolled_back_message(20, {"rollback_id": "r"})


def test_a_rollback_id_of_your_own_is_kept() -> None:
    h = Harness({**TASK, "rollback_id": "move-ssh"}, {"apply": [armed], "confirm": [{"confirmed": True}]})
    assert h.run()["rollback_id"] == "move-ssh"
    assert h.calls[1]["argv"][0] == "/var/lib/webedge-https/rollback/move-ssh/revert.py"


def test_a_launcher_that_is_gone_means_unknown_rollback() -> None:
    gone = {"rc": 2, "failed": True, "msg": "[Errno 2] No such file or directory: b'/var/lib/.../revert.py'"}
    h = Harness(dict(TASK), {"apply": [armed], "confirm": [gone], "status": [gone]})
    result = h.run()
    assert result["failed"] is True and "no longer knows rollback" in result["msg"]


@pytest.mark.parametrize(
    ("answer", "parsed"),
    [
        ({"rc": 0, "stdout": '{"confirmed": true}\n'}, {"confirmed": True}),
        ({"rc": 0, "stdout": 'noise\n{"found": false}'}, {"found": False}),
        ({"unreachable": True, "msg": "x"}, {"unreachable": True, "msg": "x"}),
        ({"rc": 2, "msg": "[Errno 2] No such file or directory"}, {"found": False, "rolled_back": False}),
        ({"rc": 1, "stderr": "Traceback ..."}, {"failed": True, "msg": "Traceback ..."}),
        ({"rc": 0, "stdout": "not json"}, {"failed": True, "msg": "not json"}),
    ],
)
def test_parse_launcher(answer: Dict[str, Any], parsed: Dict[str, Any]) -> None:
    assert action.parse_launcher(answer) == parsed
