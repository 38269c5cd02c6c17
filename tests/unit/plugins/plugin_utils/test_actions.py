# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module-or-PowerShell action base (actions.py) on a Windows connection.

Issue 14, item 8: ``become`` cannot apply to the controller-side PowerShell (it runs as the
connection user), so a task with become on a Windows host says so in a warning instead of
ignoring it silently; a task without become has no such warning.
"""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest

from ansible_collections.webedge.https.plugins.action.firewall_info import ActionModule as FirewallInfo
from ansible_collections.webedge.https.plugins.action.firewall_port import ActionModule as FirewallPort
from ansible_collections.webedge.https.plugins.action.listening_ports import ActionModule as ListeningPorts
from ansible_collections.webedge.https.tests.unit.helpers.windows_harness import WindowsHarness
from ansible_collections.webedge.https.tests.unit.helpers.windows_host import FakeWindowsHost
from ansible_collections.webedge.https.tests.unit.helpers.windows_info_host import FakeInfoHost
from ansible_collections.webedge.https.tests.unit.helpers.windows_listening_host import FakeListeningHost

CASES = [
    (FirewallPort, {"port": [443]}, FakeWindowsHost, "firewall_port"),
    (FirewallInfo, {"ports": [443]}, FakeInfoHost, "firewall_info"),
    (ListeningPorts, {"ports": [443]}, FakeListeningHost, "listening_ports"),
]


def harness(action_class, args, host_class, become):
    h = WindowsHarness(action_class, args, host_class(), port=5986)
    play_context = MagicMock()
    play_context.become = become
    play_context.become_method = "runas"
    play_context.become_user = "SYSTEM"
    h.action._play_context = play_context
    return h


@pytest.mark.parametrize(("action_class", "args", "host_class", "name"), CASES)
def test_become_on_windows_is_a_warning_not_silence(action_class, args, host_class, name):
    h = harness(action_class, args, host_class, become=True)
    result = h.run()
    assert not result.get("failed"), result
    warnings = [w for w in result.get("warnings", []) if "become" in w]
    assert len(warnings) == 1, result.get("warnings")
    assert name in warnings[0] and "runas" in warnings[0] and "connection user" in warnings[0]
    assert all(command["sudoable"] is False for command in h.commands)


@pytest.mark.parametrize(("action_class", "args", "host_class", "name"), CASES)
def test_without_become_there_is_no_such_warning(action_class, args, host_class, name):
    result = harness(action_class, args, host_class, become=False).run()
    assert not [w for w in result.get("warnings", []) if "become" in w]
