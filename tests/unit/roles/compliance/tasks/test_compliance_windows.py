# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/compliance/tasks/windows.yml: the read task, and the facts made of its answer (rendered by
Ansible's templar from the task file). No Windows host is involved."""

from __future__ import annotations

import json

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.roles import render, task, tasks


def test_the_read_task_runs_in_check_mode_and_never_reports_a_change():
    read = task(
        "compliance",
        "windows.yml",
        "Read the IIS bindings, their certificates, the access rules of their keys and the configuration load",
    )
    assert read["ansible.windows.win_powershell"]["path"] == "windows_host.ps1"
    assert read["check_mode"] is False and read["changed_when"] is False and read["failed_when"] is False


WINDOWS_FACT = task("compliance", "windows.yml", "Gather the host facts")["ansible.builtin.set_fact"][
    "__compliance_windows_facts"
]


def test_the_scripts_json_becomes_the_windows_fact():
    read = {"port": 443, "error": None, "bindings": [], "certificates": [], "config_test": None}
    registered = {"changed": False, "failed": False, "result": json.dumps(read)}
    assert render(WINDOWS_FACT["windows"], {"__compliance_iis": registered}) == read


@pytest.mark.parametrize(
    ("registered", "error"),
    [
        ({"failed": True, "msg": "Failed to connect to the host", "result": {}}, "Failed to connect to the host"),
        ({"failed": True, "result": {}}, "the IIS read script failed"),
        ({"failed": True, "msg": "", "result": {}}, "the IIS read script failed"),
    ],
)
def test_a_failed_read_becomes_an_error_fact(registered, error):
    assert render(WINDOWS_FACT["windows"], {"__compliance_iis": registered}) == {"error": error}


def test_one_read_gives_the_listener_the_exposure_and_the_firewall_verdict():
    """compliance_info's one PowerShell round trip replaces exposure_info, listening_ports and firewall_info (its
    expected process, System unless set, is tested in tests/unit/plugins/plugin_utils/windows/test_compliance.py)."""
    modules = [key for t in tasks("compliance", "windows.yml") for key in t if "." in key]
    assert modules == ["webedge.https.compliance_info", "ansible.windows.win_powershell", "ansible.builtin.set_fact"]
    read = task(
        "compliance", "windows.yml", "Read the listeners, the exposure (HOST-07) and the firewall verdict (HOST-02)"
    )
    assert read["register"] == "__compliance_host"
    assert render(WINDOWS_FACT["listening"], {"__compliance_host": {"listening": {"port": 443}}}) == {"port": 443}
