# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewall_port's ``profiles`` is a Windows Defender Firewall option: on a Linux host it fails before the module."""

from __future__ import annotations

from ansible_collections.webedge.https.plugins.action.firewall_port import ActionModule
from ansible_collections.webedge.https.tests.unit.helpers.windows_harness import linux_action


def test_profiles_on_a_linux_host_fails_naming_the_value_and_runs_nothing():
    plugin = linux_action(ActionModule, {"port": [443], "profiles": ["public"]}, {"changed": True})
    result = plugin.run(task_vars={})
    assert result["failed"] is True and "profiles ['public'] is a Windows Defender Firewall option" in result["msg"]
    plugin._execute_module.assert_not_called()


def test_without_profiles_the_linux_module_runs():
    plugin = linux_action(ActionModule, {"port": [443]}, {"changed": True})
    assert plugin.run(task_vars={})["changed"] is True
