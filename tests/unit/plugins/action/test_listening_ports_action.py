# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The listening_ports action plugin: the module on Linux, one PowerShell script on Windows.

The Windows connection is fake: ``_low_level_execute_command`` is replaced by a recorder that
hands the script (standard input) to a simulated host (listening/windows_host.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any, Dict, Optional

import pytest

from ansible_collections.webedge.https.plugins.action.listening_ports import ActionModule
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import STUB, encode_command
from ansible_collections.webedge.https.tests.unit.helpers.windows_harness import WindowsHarness as Harness
from ansible_collections.webedge.https.tests.unit.helpers.windows_listening_host import (
    FakeListeningHost,
)


def windows_harness(args: Dict[str, Any], host: Optional[FakeListeningHost] = None, **task_options: Any) -> Harness:
    return Harness(ActionModule, args, host or FakeListeningHost(), **task_options)


def test_windows_is_one_script_over_the_connection():
    h = windows_harness({"ports": [443], "expect": [{"port": 443, "process": "nginx", "family": "ipv4"}]})
    result = h.run()
    assert len(h.commands) == 1
    assert h.commands[0]["cmd"] == encode_command(STUB) and h.commands[0]["sudoable"] is False
    assert result["changed"] is False and not result.get("failed")
    assert [s["port"] for s in result["listening"]] == [443, 443]
    assert result["matched"][0]["listening"][0]["process"] == "nginx"


def test_check_mode_on_windows_reads_the_same_way():
    h = windows_harness({"expect": [{"port": 5985}]}, check_mode=True)
    result = h.run()
    assert len(h.commands) == 1 and result["changed"] is False and len(result["matched"]) == 1


def test_a_missing_listener_fails_the_task_with_the_result():
    h = windows_harness({"expect": [{"port": 8080, "family": "ipv4"}], "fact_name": "ports"})
    result = h.run()
    assert result["failed"] is True and "8080/tcp is listening on :: only" in result["msg"]
    assert result["ansible_facts"]["ports"] == result["listening"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"protocols": ["sctp"]}, "sctp"),
        ({"bogus": 1}, "bogus"),
        ({"ports": ["443-80"]}, "443-80"),
        ({"expect": [{"port": 70000}]}, "70000"),
        ({"expect": [{"port": 443, "family": "ipv6", "address": "192.0.2.1"}]}, "192.0.2.1"),
        ({"expect": [{"protocol": "tcp"}]}, "port"),
        ({"fact_name": "1bad"}, "1bad"),
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
    h = windows_harness({}, host=FakeListeningHost(rc=1, raw='{"failed": true, "msg": "Access is denied"}\n'))
    result = h.run()
    assert result["failed"] is True and "Access is denied" in result["msg"] and len(h.commands) == 1


# The controller compiles every module of the collection it imports from source, on every run
# (Ansible's collection loader keeps no bytecode): the action plugin imports what a Windows run needs
# (the options, the checks, the result) and never the Linux reader, which runs on the target.
LINUX_READER = ("report", "procnet", "owners", "services", "sockdiag")
IMPORT_PROBE = """
import json, sys
import ansible_collections.webedge.https.plugins.action.listening_ports
print(json.dumps(sorted(m for m in sys.modules if m.startswith("ansible_collections.webedge.https."))))
"""


def _collections_root() -> str:
    """The directory holding ``ansible_collections`` (this checkout, or ansible-test's copy)."""
    path = os.path.dirname(os.path.abspath(__file__))
    while os.path.basename(path) != "ansible_collections":
        path = os.path.dirname(path)
    return os.path.dirname(path)


def test_the_action_plugin_does_not_import_the_linux_reader():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([_collections_root(), *sys.path]))
    done = subprocess.run([sys.executable, "-c", IMPORT_PROBE], env=env, capture_output=True, text=True, check=True)
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    prefix = "ansible_collections.webedge.https.plugins.module_utils.listening."
    assert prefix + "query" in loaded and prefix + "expectations" in loaded  # the Windows path's checks
    assert [m for m in loaded if m[len(prefix) :] in LINUX_READER and m.startswith(prefix)] == []
