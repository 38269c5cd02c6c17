# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module-or-PowerShell action plugins on Linux: the module runs as ansible.builtin.normal runs it."""

from __future__ import annotations

from typing import Any, Dict, Type

import pytest

from ansible_collections.webedge.https.plugins.action.firewall_info import ActionModule as FirewallInfoAction
from ansible_collections.webedge.https.plugins.action.listening_ports import ActionModule as ListeningPortsAction
from ansible_collections.webedge.https.tests.unit.helpers.windows_harness import linux_action

# (id, action plugin, the result key its module returns, options for the check-mode run)
PLUGINS = [
    ("firewall_info", FirewallInfoAction, "verdicts", {"zone": "public"}),
    ("listening_ports", ListeningPortsAction, "listening", {}),
]
pytestmark = pytest.mark.parametrize(
    ("action_class", "key", "check_args"), [row[1:] for row in PLUGINS], ids=[row[0] for row in PLUGINS]
)


def linux_plugin(action_class: Type[Any], key: str, args: Dict[str, Any], **task_options: Any) -> Any:
    return linux_action(action_class, args, {"changed": False, key: []}, **task_options)


def test_linux_runs_the_module_and_removes_its_tmp(action_class: Type[Any], key: str, check_args: Dict[str, Any]):
    plugin = linux_plugin(action_class, key, {"ports": [443]})
    result = plugin.run(task_vars={"ansible_connection": "ssh"})
    assert result[key] == [] and result["changed"] is False
    plugin._execute_module.assert_called_once_with(
        module_name=action_class.MODULE_NAME, task_vars={"ansible_connection": "ssh"}, wrap_async=False
    )
    plugin._remove_tmp_path.assert_called_once_with("/tmp/ansible-tmp-1")


def test_linux_async_wraps_the_module_and_keeps_its_tmp(action_class: Type[Any], key: str, check_args: Dict[str, Any]):
    plugin = linux_plugin(action_class, key, {}, async_val=60)
    plugin.run(task_vars={})
    assert plugin._execute_module.call_args.kwargs["wrap_async"] is True
    plugin._remove_tmp_path.assert_not_called()


def test_linux_check_mode_runs_the_module(action_class: Type[Any], key: str, check_args: Dict[str, Any]):
    plugin = linux_plugin(action_class, key, check_args, check_mode=True)
    assert plugin.run(task_vars={})["changed"] is False
    assert plugin._execute_module.call_count == 1
