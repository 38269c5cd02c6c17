# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/compliance/tasks/main.yml and validate.yml: which hosts take the Windows path (rendered by
Ansible's templar from the task file), and the input check before it."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.roles import load, render, task

DETECT = task("compliance", "main.yml", "Tell Windows hosts from the others")["ansible.builtin.set_fact"][
    "__compliance_windows"
]


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
    assert render(DETECT, context) is windows


def test_linux_and_windows_host_tasks_are_exclusive_and_windows_runs_without_become():
    main = {t["name"]: t for t in load("compliance", "tasks/main.yml")}
    linux = main["Collect the host facts (Linux)"]
    windows = main["Collect the host facts (Windows, IIS)"]
    assert linux["ansible.builtin.import_tasks"] == "host.yml" and "not (__compliance_windows | bool)" in linux["when"]
    assert "__compliance_windows | bool" in windows["when"]
    # included, not imported: a controller without ansible.windows can audit Linux hosts
    assert windows["ansible.builtin.include_tasks"] == {"file": "windows.yml", "apply": {"become": False}}


def test_the_host_facts_carry_the_served_certificate_and_the_threshold():
    (record,) = [
        t for t in load("compliance", "tasks/main.yml") if t["name"] == "Record the results for compliance_report"
    ]
    controls = record["vars"]["__compliance_controls"]
    assert "'served': __compliance_served" in controls
    assert "'min_days_valid': compliance_min_days_valid | int" in controls


CHECK = task("compliance", "validate.yml", "Check that the web server asked for runs on Windows")


@pytest.mark.parametrize(
    ("server", "good"), [("auto", True), ("iis", True), ("none", True), ("nginx", False), ("apache", False)]
)
def test_a_linux_web_server_is_refused_on_windows_with_its_name(server, good):
    assert render("{{ " + CHECK["ansible.builtin.assert"]["that"] + " }}", {"compliance_server": server}) is good
    assert render(CHECK["ansible.builtin.assert"]["fail_msg"], {"compliance_server": server}).startswith(
        f"compliance_server {server} does not run on Windows"
    )


def test_the_check_runs_where_the_windows_tasks_run():
    (windows,) = [
        t for t in load("compliance", "tasks/main.yml") if t["name"] == "Collect the host facts (Windows, IIS)"
    ]
    assert CHECK["when"] == windows["when"]
