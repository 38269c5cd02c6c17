# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/compliance/tasks/host.yml and what vars/main.yml works out of its read: the ONE compliance_info task
and its options, the host facts made of its answer and the firewall's verdict (rendered by Ansible's templar
from the role's files). Which sockets, server, files and verdicts compliance_info reads is tested with the
module's code (tests/unit/plugins/module_utils/compliance/test_host_read.py)."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from ansible_collections.webedge.https.plugins.filter.compliance.controls import FilterModule as ComplianceFilters
from ansible_collections.webedge.https.tests.unit.helpers.roles import FILTERS, load, render, task, tasks
from ansible_collections.webedge.https.tests.unit.helpers.templating import render as render_with

ROLE_VARS = load("compliance", "vars/main.yml")
DEFAULTS = load("compliance", "defaults/main.yml")
SKIPPED = {"changed": False, "skipped": True, "skip_reason": "Conditional result was False"}
READ = "Read the host (exposure, listener, web server configuration, key and certificate files, firewall)"


def context(**variables: Any) -> Dict[str, Any]:
    """The role's defaults and variables, with these registered results and variables (the role's
    variables are templates of one another, as in a play)."""
    return {**DEFAULTS, "inventory_hostname": "web1", **ROLE_VARS, **variables}


def host_read(**answer: Any) -> Dict[str, Any]:
    """A compliance_info result (the keys it always returns)."""
    base = {
        "changed": False,
        "server": "nginx",
        "listening": {"port": 443, "listening": True, "process": "nginx", "expected_process": "nginx"},
        "exposure": {"exposed": [], "unknown": [], "allowed": ["22", "80", "443"], "unexpected": [], "msg": "ok"},
        "config_test": {"command": "nginx -t", "rc": 0, "output": "test is successful"},
        "private_keys": [{"path": "/k.key", "mode": "0600", "owner": "root", "group": "root"}],
        "certificate_files": [{"path": "/c.pem", "pem": None}],
        "firewall": None,
    }
    return {**base, **answer}


def test_linux_reads_the_host_in_one_module_run():
    modules = [key for t in tasks("compliance", "host.yml") for key in t if "." in key]
    assert modules == ["webedge.https.compliance_info"]


def test_the_read_gets_the_role_variables():
    args = task("compliance", "host.yml", READ)["webedge.https.compliance_info"]
    variables = context(
        compliance_skip_controls=["HOST-02"],
        compliance_key_paths=["/a.key"],
        compliance_cert_path="/a.pem",
        compliance_server="apache",
        ansible_port=2222,
    )
    rendered = {k: render(v, variables) for k, v in args.items() if k != "source"}
    # ansible-core 2.17/2.18 template a number as text (the module's spec converts it back)
    rendered["port"] = int(rendered["port"])
    rendered["allowed"] = [int(a) for a in rendered["allowed"]]
    assert rendered == {
        "port": 443,
        "server": "apache",
        "expected_process": "",
        "key_paths": ["/a.key"],
        "cert_path": "/a.pem",
        "exposure": True,
        "allowed": [2222, 80, 443],
        "firewall": False,
    }
    assert "omit" in args["source"]
    assert render(args["exposure"], context(compliance_skip_controls=["HOST-07"])) is False


def test_the_linux_facts_are_the_reads_answer():
    answer = host_read()
    facts = render("{{ __compliance_linux_facts }}", context(__compliance_host=answer))
    assert facts["listening"] == answer["listening"]
    assert facts["private_keys"] == answer["private_keys"]
    assert facts["certificate_files"] == answer["certificate_files"]
    assert facts["config_test"] == answer["config_test"]
    assert facts["firewall"] in (None, "")  # HOST-02 skipped: none (an empty text on 2.17/2.18)
    assert render("{{ __compliance_exposure_fact }}", context(__compliance_host=answer)) == answer["exposure"]


def test_no_exposure_fact_when_host_07_is_skipped_or_the_read_did_not_run():
    assert render("{{ __compliance_exposure_fact }}", context(__compliance_host=host_read(exposure=None))) in (None, "")
    assert render("{{ __compliance_exposure_fact }}", context()) in (None, "")
    assert render("{{ __compliance_exposure_fact }}", context(__compliance_host=SKIPPED)) in (None, "")


def verdict(ipv4: str, ipv6: str) -> Dict[str, Any]:
    return {
        "active_backends": ["nftables"],
        "verdicts": [
            {
                "port": 443,
                "verdict": "mixed" if ipv4 != ipv6 else ipv4,
                "ipv4": {"verdict": ipv4, "decided_by": "rule 4"},
                "ipv6": {"verdict": ipv6, "reason": "policy drop"},
            }
        ],
    }


@pytest.mark.parametrize(
    ("registered", "expected"),
    [
        (
            verdict("accept", "accept"),
            {"verdict": "accept", "detail": "IPv4 accept: rule 4; IPv6 accept: policy drop"},
        ),
        (verdict("accept", "drop"), {"verdict": "drop", "detail": "IPv4 accept: rule 4; IPv6 drop: policy drop"}),
        (
            {"failed": False, "msg": "nft: permission denied"},
            {"verdict": "unknown", "detail": "nft: permission denied"},
        ),
    ],
)
def test_the_firewall_verdict_for_the_https_port(registered, expected):
    """From firewall.yml's firewall_info (tasks_from) and from compliance_info's read: the same verdict."""
    alone = render("{{ __compliance_firewall }}", context(__compliance_firewall_info=registered))
    read = {k: v for k, v in registered.items() if k in ("active_backends", "verdicts", "msg")}
    together = render("{{ __compliance_firewall }}", context(__compliance_host=host_read(firewall=read)))
    for firewall in (alone, together):
        assert {k: firewall[k] for k in expected} == expected
        assert firewall["port"] == 443
    assert alone == together


def test_no_firewall_verdict_when_host_02_is_skipped():
    assert render("{{ __compliance_firewall }}", context(__compliance_firewall_info=SKIPPED)) in (None, "")
    assert render("{{ __compliance_firewall }}", context(__compliance_host=host_read(firewall=None))) in (None, "")


def test_the_firewall_task_alone_still_gives_the_verdict():
    """`tasks_from: firewall.yml` (the firewall scenarios' HOST-02 check) reads with firewall_info."""
    (alone,) = tasks("compliance", "firewall.yml")
    assert alone["register"] == "__compliance_firewall_info"


def test_the_host_controls_judge_the_reads_answer():
    """main.yml's record task, through the compliance_host_controls filter, on a compliance_info answer."""
    (record,) = [
        t for t in tasks("compliance", "main.yml") if t.get("name") == "Record the results for compliance_report"
    ]
    exposed = [{"protocol": "tcp", "port": 8080, "families": ["ipv4"], "owners": ["java (pid 31)"]}]
    answer = host_read(
        exposure={"exposed": exposed, "unknown": [], "allowed": ["22", "80", "443"], "unexpected": exposed, "msg": "x"},
        private_keys=[{"path": "/k.key", "mode": "0644", "owner": "root", "group": "root"}],
    )
    variables = context(
        **record["vars"],
        __compliance_host=answer,
        __compliance_windows=False,
        compliance_checks={"host": True, "endpoint": False},
    )
    filters = {**FILTERS, **{f"webedge.https.{n}": f for n, f in ComplianceFilters().filters().items()}}
    controls = render_with("{{ __compliance_controls }}", variables, filters)
    assert controls["HOST-07"]["status"] == "fail" and "8080/tcp (java (pid 31))" in controls["HOST-07"]["message"]
    assert controls["HOST-01"]["status"] == "pass"
    assert controls["HOST-03"]["status"] == "fail" and "/k.key" in controls["HOST-03"]["message"]
    assert controls["HOST-04"]["status"] == "pass"
