# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance_info action plugin: the module on Linux (ONE module run), ONE PowerShell round trip on Windows.

The Windows connection is fake: ``_low_level_execute_command`` is replaced by a recorder that hands the script
(standard input) to a simulated host (helpers/windows_compliance_host.py).
"""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.action.compliance_info import ActionModule
from ansible_collections.webedge.https.tests.unit.helpers.windows_compliance_host import WrapperHost
from ansible_collections.webedge.https.tests.unit.helpers.windows_harness import WindowsHarness, linux_action


def test_linux_runs_the_module_once():
    plugin = linux_action(ActionModule, {"allowed": [443]}, {"changed": False, "listening": {}})
    result = plugin.run(task_vars={"ansible_connection": "ssh"})
    assert result["changed"] is False and result["listening"] == {}
    plugin._execute_module.assert_called_once_with(
        module_name="webedge.https.compliance_info", task_vars={"ansible_connection": "ssh"}, wrap_async=False
    )


def test_windows_is_one_round_trip():
    host = WrapperHost()
    h = WindowsHarness(ActionModule, {"port": 443, "allowed": [443, 3389]}, host)
    result = h.run()
    assert len(h.commands) == 1 and len(host.calls) == 1 and len(host.calls[0]) == 3
    assert not result.get("failed") and result["changed"] is False
    assert result["listening"]["listening"] is True and result["firewall"]["verdicts"][0]["verdict"] == "accept"
    assert result["exposure"]["allowed"] == ["443", "3389"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"server": "nginx"}, "server 'nginx'"),
        ({"allowed": ["22", "http"]}, "http"),
        ({"port": "https"}, "port"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_bad_input_on_windows_fails_before_any_command(args, message):
    h = WindowsHarness(ActionModule, args, WrapperHost())
    result = h.run()
    assert result["failed"] is True and message in result["msg"]
    assert h.commands == []
