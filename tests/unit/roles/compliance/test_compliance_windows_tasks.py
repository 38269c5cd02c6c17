# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance role's Windows path, checked on Linux: which hosts take it, the read task, the script.

No Windows host is involved: the expressions are rendered with Ansible's templar from the task
files, and the PowerShell script gets a grammar check (tree-sitter) and a read-only check of its
text. That proves the files are well formed and say what they should, not that Windows answers as
the script expects.
"""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any, Dict, List

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

ROLE = pathlib.Path(__file__).resolve().parents[4] / "roles" / "compliance"
SCRIPT = ROLE / "files" / "windows_host.ps1"


def _tasks(name: str) -> List[Dict[str, Any]]:
    return yaml.safe_load((ROLE / "tasks" / name).read_text())


def _task(name: str, title: str) -> Dict[str, Any]:
    (task,) = [t for t in _tasks(name) if t["name"] == title]
    return task


def _render(expression: str, variables: Dict[str, Any]) -> Any:
    return Templar(loader=DataLoader(), variables=variables).template(trust_as_template(expression))


DETECT = _task("main.yml", "Tell Windows hosts from the others")["ansible.builtin.set_fact"]["__compliance_windows"]


@pytest.mark.parametrize(
    ("variables", "windows"),
    [
        ({}, False),
        ({"ansible_connection": "ssh"}, False),
        ({"ansible_connection": "winrm"}, True),
        ({"ansible_connection": "psrp"}, True),
        ({"ansible_connection": "ansible.builtin.winrm"}, True),
        ({"ansible_connection": "ansible.builtin.psrp"}, True),
        ({"ansible_connection": "community.general.notwinrmx"}, False),
        ({"ansible_connection": "ssh", "ansible_shell_type": "powershell"}, True),
        ({"ansible_connection": "ssh", "ansible_shell_type": "cmd"}, True),
        ({"ansible_connection": "ssh", "ansible_shell_type": "sh"}, False),
        # Gathered facts win over the connection; the variable wins over both.
        ({"ansible_connection": "ssh", "ansible_facts": {"os_family": "Windows"}}, True),
        ({"ansible_connection": "winrm", "ansible_facts": {"os_family": "Debian"}}, False),
        ({"ansible_connection": "ssh", "compliance_host_os": "windows"}, True),
        ({"ansible_connection": "winrm", "compliance_host_os": "linux"}, False),
    ],
)
def test_windows_hosts_are_told_apart_without_facts(variables, windows):
    context = {"compliance_host_os": "auto", "ansible_facts": {}, **variables}
    assert _render(DETECT, context) is windows


def test_linux_and_windows_host_tasks_are_exclusive_and_windows_runs_without_become():
    imports = {t["name"]: t for t in _tasks("main.yml") if "ansible.builtin.import_tasks" in t}
    linux = imports["Collect the host facts (Linux)"]
    windows = imports["Collect the host facts (Windows, IIS)"]
    assert linux["ansible.builtin.import_tasks"] == "host.yml" and "not (__compliance_windows | bool)" in linux["when"]
    assert windows["ansible.builtin.import_tasks"] == "windows.yml" and "__compliance_windows | bool" in windows["when"]
    assert windows["become"] is False


def test_the_read_task_runs_in_check_mode_and_never_reports_a_change():
    task = _task(
        "windows.yml",
        "Read the IIS bindings, their certificates, the access rules of their keys and the configuration load",
    )
    assert task["ansible.windows.win_powershell"]["path"] == SCRIPT.name
    assert task["check_mode"] is False and task["changed_when"] is False and task["failed_when"] is False


WINDOWS_FACT = _task("windows.yml", "Gather the host facts")["ansible.builtin.set_fact"]["__compliance_host_facts"]


def test_the_scripts_json_becomes_the_windows_fact():
    read = {"port": 443, "error": None, "bindings": [], "certificates": [], "config_test": None}
    registered = {"changed": False, "failed": False, "result": json.dumps(read)}
    assert _render(WINDOWS_FACT["windows"], {"__compliance_iis": registered}) == read


@pytest.mark.parametrize(
    ("registered", "error"),
    [
        ({"failed": True, "msg": "Failed to connect to the host", "result": {}}, "Failed to connect to the host"),
        ({"failed": True, "result": {}}, "the IIS read script failed"),
        ({"failed": True, "msg": "", "result": {}}, "the IIS read script failed"),
    ],
)
def test_a_failed_read_becomes_an_error_fact(registered, error):
    assert _render(WINDOWS_FACT["windows"], {"__compliance_iis": registered}) == {"error": error}


def test_the_expected_process_on_windows_is_system_unless_set():
    task = _task("windows.yml", "Keep the listening facts (IIS listens through HTTP.sys, in the System process)")
    expression = task["ansible.builtin.set_fact"]["__compliance_listen_facts"]["expected_process"]
    base = {"compliance_expected_process": "", "compliance_server": "auto"}
    assert _render(expression, base) == "System"
    assert _render(expression, {**base, "compliance_expected_process": "w3wp"}) == "w3wp"
    assert _render(expression, {**base, "compliance_server": "none"}) is None


def test_the_script_parses():
    from ansible_collections.webedge.https.tests.unit.plugins.module_utils.powershell_grammar import problems

    text = SCRIPT.read_text()
    assert text.isascii()
    assert problems(text) == []
    assert problems(text.replace("return $out\n}", "return $out\n", 1)) != []  # the check does find errors


# Cmdlets and .NET members that write or export; the script must contain none of them.
WRITERS = [
    r"\bSet-\w+",
    r"\bNew-Item\b",
    r"\bRemove-\w+",
    r"\bAdd-(?!Type\b)\w+",
    r"\bCommitChanges\b",
    r"\bExport\w*\(",
    r"\.Export\b",
    r"\bToXmlString\b",
    r"\bappcmd\b.*\b(set|add|delete)\b",
]


def test_the_script_only_reads_and_returns_no_key_material():
    code = "\n".join(line for line in SCRIPT.read_text().splitlines() if not line.lstrip().startswith("#"))
    found = [pattern for pattern in WRITERS if re.search(pattern, code, re.IGNORECASE)]
    assert found == ["\\bSet-\\w+"]  # Set-StrictMode only
    assert re.findall(r"\bSet-\w+", code) == ["Set-StrictMode"]
    assert "$Ansible.Changed = $false" in code
    assert "SupportsShouldProcess" not in code  # runs only through check_mode: false, never half in check mode
    assert "[CmdletBinding()]" in code and "$ErrorActionPreference = 'Stop'" in code
