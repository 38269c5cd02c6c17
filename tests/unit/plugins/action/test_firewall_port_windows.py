# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The firewall_port action plugin on a Windows host: validation, one read, at most one write.

The connection is fake: ``_low_level_execute_command`` is replaced by a recorder that hands
the script (standard input) to a simulated host (windows_host.py) and returns its answer.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional
from unittest.mock import MagicMock

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.task import Task

from ansible_collections.webedge.https.plugins.action.firewall_port import ActionModule
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import STUB, encode_command
from ansible_collections.webedge.https.tests.unit.helpers.windows_harness import WindowsHarness
from ansible_collections.webedge.https.tests.unit.helpers.windows_host import (
    FakeWindowsHost,
    fixture,
)


def harness(args: Dict[str, Any], host: Optional[FakeWindowsHost] = None, **options: Any) -> WindowsHarness:
    """firewall_port's action plugin on a Windows connection on port 5986 (unless ``port`` says otherwise)."""
    return WindowsHarness(ActionModule, args, host or FakeWindowsHost(), **{"port": 5986, **options})


def kinds(h: WindowsHarness) -> List[str]:
    return [entry[0] for entry in h.host.scripts]


def test_open_is_one_read_and_one_write_over_the_connection():
    h = harness({"port": [443]})
    result = h.run()
    assert result["changed"] is True and result["backend"] == "windows"
    assert kinds(h) == ["read", "write"] and len(h.commands) == 2
    for command in h.commands:
        # the command line is only the stub; the script travels on stdin, become is not used
        assert command["cmd"] == encode_command(STUB)
        assert command["sudoable"] is False
    assert h.host.scripts[0][1] == {"group": "webedge.https", "ports": [5986]}
    assert "diff" in result and "webedge.https" in result["diff"]["after_header"]


def test_second_run_reads_once_and_writes_nothing():
    h = harness({"port": [443]})
    h.run()
    again = harness({"port": [443]}, host=h.host).run()
    assert again["changed"] is False
    assert kinds(h) == ["read", "write", "read"]


def test_check_mode_reads_once_and_writes_nothing():
    h = harness({"port": [443], "source": ["10.0.0.0/8"]}, check_mode=True)
    result = h.run()
    assert result["changed"] is True
    assert kinds(h) == ["read"] and h.host.names == []
    assert result["added"] == [{"family": "ipv4", "protocol": "tcp", "port": "443", "source": "10.0.0.0/8"}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"port": [443], "protocol": "sctp"}, "protocol"),
        ({"port": [443], "bogus": 1}, "bogus"),
        ({}, "port"),
        ({"port": ["443-80"]}, "443-80"),
        ({"port": [443], "backend": "ufw"}, "backend 'ufw' manages a Linux firewall"),
        ({"port": [443], "zone": "public"}, "zone 'public'"),
        ({"port": [443], "persist": False}, "persist=false"),
        ({"port": [443], "confirm_timeout": 3}, "confirm_timeout"),
        ({"port": [443], "profiles": ["Domain", "Work"]}, "'Work'"),
    ],
)
def test_bad_input_fails_before_any_command(args, message):
    h = harness(args)
    result = h.run()
    assert result["failed"] is True and message in result["msg"]
    assert h.commands == []


def test_lockout_refusal_is_a_failed_result_after_the_read_only():
    host = FakeWindowsHost(fixture("read-empty.json"))
    harness({"port": [5986]}, host=host).run()
    result = harness({"port": [5986], "state": "closed"}, host=host).run()
    assert result["failed"] is True and "192.0.2.10 to port 5986" in result["msg"]
    assert [entry[0] for entry in host.scripts] == ["read", "write", "read"]


def test_failed_write_is_a_failed_result():
    h = harness({"port": [443]}, host=FakeWindowsHost(fail_on_add="webedge.https tcp/443 ipv4 from any"))
    result = h.run()
    assert result["failed"] is True and "undone" in result["msg"]
    assert h.host.names == []


def test_linux_hosts_still_run_the_module():
    task = Task()
    task.args = {"port": [443]}
    connection = MagicMock()
    connection._shell.tmpdir = None
    plugin = ActionModule(task, connection, MagicMock(), DataLoader(), None, None)
    plugin._execute_module = MagicMock(return_value={"changed": False})  # type: ignore[method-assign]
    plugin._low_level_execute_command = MagicMock(side_effect=AssertionError)  # type: ignore[method-assign]
    assert plugin.run(task_vars={"ansible_connection": "ssh"})["changed"] is False
    assert plugin._execute_module.call_count == 1
