# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HOST-* controls from host facts: pass, fail, error and skip tables."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.module_utils.compliance.host import evaluate_host
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import make_cert

FP = "AB:CD:" + "00" * 30
GOOD = {
    "host": "web1",
    "listening": {"port": 443, "listening": True, "process": "nginx", "expected_process": "nginx"},
    "firewall": {"backend": "nftables", "port": 443, "verdict": "accept"},
    "private_key": {"path": "/etc/ssl/private/web1.key", "mode": "0600"},
    "config_test": {"command": "nginx -t", "rc": 0, "output": "syntax is ok"},
    "certificate": {"path": "/etc/ssl/certs/web1.pem", "on_disk": FP, "served": FP.replace(":", "").lower()},
    "certificates_on_disk": {
        "min_days_valid": 30,
        "files": [{"path": "/etc/ssl/certs/web1.pem", "pem": make_cert("web1", days=90).cert_pem.decode()}],
    },
    "exposure": {
        "exposed": [{"port": 443, "protocol": "tcp", "families": ["ipv4"], "owners": ["nginx (pid 812)"]}],
        "unknown": [],
        "allowed": ["22", "80", "443"],
        "unexpected": [],
    },
}


def test_good_host_passes_every_host_control():
    findings = evaluate_host(GOOD)
    assert {cid: f.status for cid, f in findings.items()} == dict.fromkeys(
        ("HOST-01", "HOST-02", "HOST-03", "HOST-04", "HOST-05", "HOST-06", "HOST-07"), "pass"
    )
    assert findings["HOST-01"].target == "web1"


CASES = [
    ("nothing_listens", "HOST-01", {"listening": {"port": 443, "listening": False}}, "fail", "nothing listens"),
    (
        "wrong_owner",
        "HOST-01",
        {"listening": {"port": 443, "listening": True, "process": "haproxy", "expected_process": "nginx"}},
        "fail",
        "held by haproxy, expected nginx",
    ),
    (
        "owner_unknown",
        "HOST-01",
        {"listening": {"port": 443, "listening": True, "process": None, "expected_process": "nginx"}},
        "error",
        "owner is unknown",
    ),
    ("listening_not_collected", "HOST-01", {"listening": None}, "skip", "not collected"),
    ("firewall_drops", "HOST-02", {"firewall": {"backend": "ufw", "verdict": "drop"}}, "fail", "ufw would drop"),
    ("firewall_unknown", "HOST-02", {"firewall": {"backend": "iptables", "verdict": None}}, "error", "unknown"),
    ("key_world_readable", "HOST-03", {"private_key": {"path": "/k", "mode": "0644"}}, "fail", "mode 0644"),
    ("key_int_mode_ok", "HOST-03", {"private_key": {"path": "/k", "mode": 0o640}}, "pass", "mode 0640"),
    ("key_mode_garbage", "HOST-03", {"private_key": {"path": "/k", "mode": "rw-r--r--"}}, "error", "unknown"),
    (
        "configtest_fails",
        "HOST-04",
        {"config_test": {"command": "nginx -t", "rc": 1, "output": 'unknown directive "sslx"'}},
        "fail",
        "nginx -t failed (rc=1): unknown directive",
    ),
    (
        "configtest_not_run",
        "HOST-04",
        {"config_test": {"command": "apachectl configtest", "rc": None}},
        "error",
        "did not run",
    ),
    (
        "stale_certificate",
        "HOST-05",
        {"certificate": {"path": "/c.pem", "on_disk": "aa" * 32, "served": "bb" * 32}},
        "fail",
        "reload needed",
    ),
    ("endpoint_not_probed", "HOST-05", {"certificate": {"path": "/c.pem", "on_disk": "aa" * 32}}, "skip", "not probed"),
]


@pytest.mark.parametrize(
    ("control", "changes", "status", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_host_fact_decides_its_control(control, changes, status, fragment):
    facts = dict(GOOD)
    for key, value in changes.items():
        if value is None:
            facts.pop(key)
        else:
            facts[key] = value
    findings = evaluate_host(facts)
    assert (findings[control].status, fragment in findings[control].message) == (status, True), findings[control]
    assert all(f.status == "pass" for cid, f in findings.items() if cid != control)


def test_empty_facts_skip_everything():
    assert {f.status for f in evaluate_host({}).values()} == {"skip"}
