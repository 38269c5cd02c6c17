# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/compliance/tasks/main.yml and validate.yml: which hosts take the Windows path (rendered by
Ansible's templar from the role's files), and the input check before anything is read."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.roles import load, render, task

DETECT = load("compliance", "vars/main.yml")["__compliance_windows"]
MAIN = {t["name"]: t for t in load("compliance", "tasks/main.yml")}
COLLECT = MAIN["Collect the host facts (host.yml on Linux, windows.yml on Windows)"]


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
    # Each host includes its own system's file and only that one.
    included = render(COLLECT["ansible.builtin.include_tasks"]["file"], {**context, "__compliance_windows": DETECT})
    assert included == ("windows.yml" if windows else "host.yml")


def test_the_windows_reads_run_without_become_and_are_included_not_imported():
    # included, not imported: a controller without ansible.windows can audit Linux hosts
    assert set(COLLECT) >= {"ansible.builtin.include_tasks", "when"}
    (block,) = load("compliance", "tasks/windows.yml")
    assert block["become"] is False


def test_the_host_facts_carry_the_served_certificate_and_the_threshold():
    controls = MAIN["Record the results for compliance_report"]["vars"]["__compliance_controls"]
    assert "'served': __compliance_served" in controls
    assert "'min_days_valid': compliance_min_days_valid | int" in controls


@pytest.mark.parametrize(("index", "count", "start"), [(0, 2, 0), (1, 3, 2), (2, 1, 5)])
def test_each_host_keeps_its_own_slice_of_the_batchs_probe(index, count, start):
    hosts = ["a", "b", "c"]
    counts = [2, 3, 1]
    record = MAIN["Record the results for compliance_report"]["vars"]
    variables = {
        **record,
        "inventory_hostname": hosts[index],
        "compliance_port": 443,
        "compliance_checks": {"endpoint": True},
        "__compliance_probe_hosts": hosts,
        "__compliance_probe_counts": counts,
        "__compliance_targets": [{}] * count,
        "__compliance_probe": {"results": [{"n": n, "port": 443} for n in range(6)]},
    }
    assert [r["n"] for r in render("{{ __compliance_endpoints }}", variables)] == list(range(start, start + count))


CHECK = task("compliance", "validate.yml", "Check that the web server asked for runs on Windows")


@pytest.mark.parametrize(
    ("server", "good"), [("auto", True), ("iis", True), ("none", True), ("nginx", False), ("apache", False)]
)
def test_a_linux_web_server_is_refused_on_windows_with_its_name(server, good):
    assert render("{{ " + CHECK["ansible.builtin.assert"]["that"] + " }}", {"compliance_server": server}) is good
    assert render(CHECK["ansible.builtin.assert"]["fail_msg"], {"compliance_server": server}).startswith(
        f"compliance_server {server} does not run on Windows"
    )


def test_the_check_runs_on_the_windows_hosts_before_anything_is_read():
    assert "__compliance_windows | bool" in CHECK["when"]
    names = [t["name"] for t in load("compliance", "tasks/main.yml")]
    assert names.index("Check the input") < names.index(COLLECT["name"])
