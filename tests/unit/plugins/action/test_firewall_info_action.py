# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The firewall_info action plugin: the module on Linux, one PowerShell script on Windows.

The Windows connection is fake: ``_low_level_execute_command`` is replaced by a recorder that
hands the script (standard input) to a simulated host (firewall/windows_info_host.py).
"""

from __future__ import annotations

from typing import Any, Dict, Optional

import pytest

from ansible_collections.webedge.https.plugins.action.firewall_info import ActionModule
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import STUB, encode_command
from ansible_collections.webedge.https.tests.unit.helpers.windows_harness import WindowsHarness as Harness
from ansible_collections.webedge.https.tests.unit.helpers.windows_info_host import FakeInfoHost


def windows_harness(args: Dict[str, Any], host: Optional[FakeInfoHost] = None, **task_options: Any) -> Harness:
    return Harness(ActionModule, args, host or FakeInfoHost(), **task_options)


def test_windows_is_one_script_over_the_connection():
    h = windows_harness({"ports": [443, 445]})
    result = h.run()
    assert len(h.commands) == 1
    assert h.commands[0]["cmd"] == encode_command(STUB) and h.commands[0]["sudoable"] is False
    assert result["changed"] is False and not result.get("failed")
    assert [(v["port"], v["verdict"]) for v in result["verdicts"]] == [(443, "accept"), (445, "drop")]
    assert result["active_backends"] == ["windows"]


def test_check_mode_on_windows_reads_the_same_way():
    h = windows_harness({"ports": [80]}, check_mode=True)
    result = h.run()
    assert len(h.commands) == 1 and result["changed"] is False and result["verdicts"][0]["verdict"] == "drop"


def test_an_interface_alias_on_windows():
    h = windows_harness({"ports": [443], "interface": "Ethernet"})
    result = h.run()
    assert result["verdicts"][0]["interface"] == "Ethernet" and result["verdicts"][0]["verdict"] == "accept"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"protocol": "sctp"}, "sctp"),
        ({"bogus": 1}, "bogus"),
        ({"ports": ["443-80"]}, "443-80"),
        ({"ports": [70000]}, "70000"),
        ({"source": "not-an-address"}, "not-an-address"),
        ({"source": "192.0.2.1", "family": "ipv6"}, "192.0.2.1"),
        ({"zone": "public"}, "zone 'public'"),
        ({"family": "ipx"}, "ipx"),
    ],
)
def test_bad_input_fails_before_any_command(args, message):
    h = windows_harness(args)
    result = h.run()
    assert result["failed"] is True and message in result["msg"]
    assert h.commands == []


def test_async_on_windows_fails_before_any_command():
    h = windows_harness({}, async_val=30)
    result = h.run()
    assert result["failed"] is True and "async" in result["msg"] and h.commands == []


def test_a_host_failure_is_a_failed_result():
    h = windows_harness({}, host=FakeInfoHost(rc=1, raw='{"failed": true, "msg": "Access is denied"}\n'))
    result = h.run()
    assert result["failed"] is True and "Access is denied" in result["msg"] and len(h.commands) == 1


def test_no_json_answer_is_a_failed_result():
    h = windows_harness({}, host=FakeInfoHost(rc=1, raw="The term 'Get-NetFirewallRule' is not recognized\n"))
    result = h.run()
    assert result["failed"] is True and "no JSON answer" in result["msg"]
