# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance role's filters: host findings from registered results, endpoint findings, fingerprints."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.webedge.https.plugins.filter.compliance.controls import FilterModule
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import make_cert

FILTERS = FilterModule().filters()
PROBE = Path(__file__).resolve().parents[3] / "fixtures" / "compliance" / "probe_intermediate_ok.json"
# Real certificates (HOST-06 reads their dates), valid for 90 and 60 more days.
PEM = make_cert("www.example.com", days=90).cert_pem.decode()
OTHER_PEM = make_cert("other.example.com", days=60).cert_pem.decode()
DER = base64.b64decode("".join(PEM.splitlines()[1:-1]))
SERVED = hashlib.sha256(DER).hexdigest()


def _stat(path, mode, exists=True):
    stat = (
        {"exists": exists, "path": path, "mode": mode, "pw_name": "root", "gr_name": "root"}
        if exists
        else {"exists": False}
    )
    return {"item": path, "stat": stat}


def _slurp(path, pem):
    return {"item": path, "content": base64.b64encode(pem.encode()).decode(), "source": path}


def _facts(**changes):
    facts = {
        "listening": {"port": 443, "listening": True, "process": "nginx", "expected_process": "nginx"},
        "firewall": {"backend": "nftables", "port": 443, "verdict": "accept"},
        "config_test": {"command": "nginx -t", "rc": 0, "output": ""},
        "private_key_stats": [_stat("/etc/ssl/a.key", "0600"), _stat("/etc/ssl/b.key", "0600")],
        "certificate_slurps": [_slurp("/etc/ssl/other.pem", OTHER_PEM), _slurp("/etc/ssl/site.pem", PEM + OTHER_PEM)],
        "served": SERVED,
    }
    facts.update(changes)
    return facts


def test_pem_sha256_is_the_der_hash_of_the_first_certificate():
    assert FILTERS["pem_sha256"](PEM + OTHER_PEM) == SERVED
    assert FILTERS["pem_sha256"]("no certificate here") is None
    assert FILTERS["pem_sha256"](None) is None


def test_all_host_controls_pass_and_the_served_file_is_found():
    findings = FILTERS["host_controls"](_facts(), "web1")
    assert {cid: f["status"] for cid, f in findings.items()} == dict.fromkeys(
        ["HOST-01", "HOST-02", "HOST-03", "HOST-04", "HOST-05", "HOST-06"], "pass"
    ) | {"HOST-07": "skip"}
    assert "/etc/ssl/site.pem" in findings["HOST-05"]["message"]
    assert findings["HOST-06"]["message"].startswith("2 certificate files on disk valid for at least 30 days")
    assert findings["HOST-01"]["target"] == "web1"


def test_the_first_readable_key_fails_and_a_missing_one_errors():
    stats = [_stat("/etc/ssl/a.key", "0600"), _stat("/etc/ssl/b.key", "0644")]
    finding = FILTERS["host_controls"](_facts(private_key_stats=stats), "web1")["HOST-03"]
    assert finding["status"] == "fail" and "/etc/ssl/b.key" in finding["message"]
    missing = [_stat("/etc/ssl/gone.key", None, exists=False)]
    gone = FILTERS["host_controls"](_facts(private_key_stats=missing))["HOST-03"]
    assert gone["status"] == "error" and "/etc/ssl/gone.key does not exist" in gone["message"]


def test_no_served_match_fails_host05_and_unknown_firewall_errors():
    findings = FILTERS["host_controls"](
        _facts(
            certificate_slurps=[_slurp("/etc/ssl/other.pem", OTHER_PEM)], firewall={"verdict": "unknown", "port": 443}
        ),
        "web1",
    )
    assert findings["HOST-05"]["status"] == "fail"
    assert findings["HOST-02"]["status"] == "error"


def test_skip_list_and_missing_facts():
    findings = FILTERS["host_controls"](_facts(firewall=None), "web1", ["HOST-04"])
    assert findings["HOST-04"]["status"] == "skip" and "disabled" in findings["HOST-04"]["message"]
    assert findings["HOST-02"]["status"] == "skip"
    with pytest.raises(AnsibleFilterError, match="HOST-99"):
        FILTERS["host_controls"](_facts(), "web1", ["HOST-99"])
    with pytest.raises(AnsibleFilterError, match="mapping"):
        FILTERS["host_controls"]("nope")


def test_endpoint_findings_follow_profile_and_skip():
    probe = json.loads(PROBE.read_text(encoding="utf-8"))
    probe["findings"] = {}
    out = FILTERS["endpoint_findings"]({"results": [probe]}, "intermediate", "5.7", 30, ["HTTP-03"])
    assert len(out) == 1 and out[0]["findings"]["TLS-03"]["status"] == "pass"
    assert out[0]["findings"]["HTTP-03"]["status"] == "skip"
    modern = FILTERS["endpoint_findings"]([probe], "modern", "5.7")
    assert modern[0]["findings"]["TLS-05"]["status"] == "fail"
    with pytest.raises(AnsibleFilterError, match="list of probe results"):
        FILTERS["endpoint_findings"]("x")


def test_a_fact_left_at_none_counts_as_not_read_also_as_the_empty_text_of_older_ansible_cores():
    # ansible-core 2.17 and 2.18 template the role's none (HOST-02 skipped, no config test) as ''.
    facts = {"listening": {"port": 443, "listening": False}, "firewall": "", "config_test": "", "exposure": ""}
    findings = FILTERS["host_controls"](facts, "web1")
    assert findings["HOST-02"]["status"] == "skip"
    assert findings["HOST-01"]["status"] == "fail"
