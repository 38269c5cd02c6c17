# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewall_port's confirm_timeout on a Windows host: arm, write, confirm over a new connection.

The same promise as on Linux: a change that cuts the controller off is undone by the host (a
scheduled task) unless confirmed over a NEW connection. The host is simulated
(tests/unit/helpers/windows_rollback_host.py); time is a fake clock that moves when the plugin sleeps.
"""

from __future__ import annotations

from typing import List

from ansible.errors import AnsibleConnectionFailure

from ansible_collections.webedge.https.plugins.action.firewall_port import ActionModule
from ansible_collections.webedge.https.plugins.plugin_utils.windows import rollback as windows_rollback
from ansible_collections.webedge.https.tests.unit.helpers.powershell_grammar import problems
from ansible_collections.webedge.https.tests.unit.helpers.windows_harness import WindowsHarness
from ansible_collections.webedge.https.tests.unit.helpers.windows_rollback_host import RollbackWindowsHost


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: List[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def harness(host: RollbackWindowsHost, **args):
    h = WindowsHarness(
        ActionModule, {"port": [443], "confirm_timeout": 30, "rollback_id": "t1", **args}, host, port=5986
    )
    clock = Clock()
    h.action.clock = clock  # type: ignore[method-assign]
    h.action.sleep = clock.sleep  # type: ignore[method-assign]
    return h, clock


def kinds(host: RollbackWindowsHost) -> List[str]:
    return [kind for kind, _input in host.scripts]


def test_a_confirmed_change_arms_writes_then_confirms_over_a_new_connection():
    host = RollbackWindowsHost()
    h, _clock = harness(host)
    result = h.run()
    assert not result.get("failed"), result
    assert kinds(host) == ["read", "arm", "write", "confirm"]
    assert result["confirmed"] is True and result["rolled_back"] is False and result["rollback_id"] == "t1"
    assert result["rollback_task"] == "\\webedge.https\\rollback t1"
    assert host.armed == {} and len(host.names) == 2
    h.action._connection.reset.assert_called()  # the confirmation came over a new connection
    assert host.scripts[1][1] == {"group": "webedge.https", "id": "t1", "timeout": 30}


def test_nothing_to_change_arms_nothing():
    host = RollbackWindowsHost()
    harness(host)[0].run()
    host.scripts.clear()
    result = harness(host)[0].run()
    assert result["changed"] is False and kinds(host) == ["read"] and "rollback_id" not in result


def test_check_mode_arms_nothing():
    host = RollbackWindowsHost()
    result = WindowsHarness(
        ActionModule, {"port": [443], "confirm_timeout": 30}, host, port=5986, check_mode=True
    ).run()
    assert result["changed"] is True and kinds(host) == ["read"] and host.names == []


def test_a_change_that_cuts_the_controller_off_is_rolled_back_by_the_host():
    host = RollbackWindowsHost({"rules": [], "profiles": [], "connections": []})
    h, clock = harness(host)
    original = host.run

    def cut_off(argv, data=None):
        if host.scripts and host.scripts[-1][0] == "write":
            if clock.now >= 1000.0 + 30 and "t1" in host.armed:
                host.fire("t1")  # the task ran at its time
                host.unreachable = False  # the previous rules let the controller back in
            else:
                raise AnsibleConnectionFailure("winrm connection error: timed out")
        return original(argv, data)

    host.run = cut_off  # type: ignore[method-assign]
    result = h.run()
    assert result["failed"] is True and result["rolled_back"] is True and result["confirmed"] is False
    assert "restored the previous rules" in result["msg"] and "rollback t1" in result["msg"]
    assert host.names == [] and "status" in kinds(host)


def test_a_failed_write_is_undone_by_the_saved_state():
    host = RollbackWindowsHost(fail_on_add="webedge.https tcp/443 ipv6 from any")
    result = harness(host)[0].run()
    assert result["failed"] is True and "the previous rules were restored" in result["msg"]
    assert kinds(host) == ["read", "arm", "write", "undo"] and host.names == []


def test_bad_confirm_timeout_fails_before_any_script():
    host = RollbackWindowsHost()
    result = harness(host, confirm_timeout=4000)[0].run()
    assert result["failed"] is True and "confirm_timeout" in result["msg"] and host.scripts == []


def test_every_rollback_script_parses_and_is_ascii():
    for script in (
        windows_rollback.arm_script("t1", 30),
        windows_rollback.confirm_script("t1"),
        windows_rollback.status_script("t1"),
        windows_rollback.undo_script("t1"),
        windows_rollback.REVERT_SCRIPT,
    ):
        assert script.isascii() and problems(script) == []
