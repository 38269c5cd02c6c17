# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vulnerability questions against servers that have the fault on purpose: the lab's scripted
``faulty_tls_server.py`` (what no packaged server can still show: Heartbleed, CCS injection, a ROBOT
oracle, compression, TLS_FALLBACK_SCSV ignored), openssl s_server (client renegotiation, TLS 1.3 only)
and a hello-only server (no renegotiation_info, no extended master secret)."""

from __future__ import annotations

from typing import Any, Dict, Sequence

import pytest

from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint import evaluate_endpoint
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import get_profile
from ansible_collections.webedge.https.tests.unit.helpers.faulty_tls import faulty_server
from ansible_collections.webedge.https.tests.unit.helpers.tls_probing import probe_one
from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import (
    OPENSSL,
    Pki,
    hello_only_server,
    s_server,
)

# The vulnerability answers of a server with no fault (the lab's faulty server with --fault none: TLS 1.2
# only, no RSA key exchange, so ROBOT and the fallback question do not arise).
CLEAN = {
    "heartbleed": False,
    "ccs_injection": False,
    "robot": "n/a",
    "secure_renegotiation": True,
    "compression": False,
    "fallback_scsv": "n/a",
    "extended_master_secret": True,
}

# (id, fault, server arguments, answers that differ from CLEAN, the control that must fail)
FAULT_TABLE = [
    ("no_fault", "none", (), {}, None),
    ("heartbleed", "heartbleed", (), {"heartbleed": True}, "VULN-01"),
    ("ccs_injection", "ccs", (), {"ccs_injection": True}, "VULN-02"),
    ("robot_strong_oracle", "robot", (), {"robot": "strong_oracle"}, "VULN-03"),
    ("compression", "compression", (), {"compression": True}, "VULN-06"),
    (
        "fallback_scsv_ignored",
        "no-fallback-scsv",
        ("--protocols", "TLSv1.1,TLSv1.2"),
        {"fallback_scsv": False},
        "VULN-07",
    ),
]


def _values(result: Dict[str, Any]) -> Dict[str, Any]:
    """Each answer's value, ``n/a`` where the question does not arise."""
    vulns = result["vulnerabilities"]
    return {key: vulns[key]["value"] if vulns[key]["applicable"] else "n/a" for key in CLEAN}


@pytest.mark.parametrize(
    ("fault", "args", "changes", "control"), [r[1:] for r in FAULT_TABLE], ids=[r[0] for r in FAULT_TABLE]
)
def test_scripted_fault_is_found(pki: Pki, fault: str, args: Sequence[str], changes: Dict[str, Any], control) -> None:
    with faulty_server(pki.good, fault, *args) as port:
        result = probe_one(f"localhost:{port}", pki.root)
    assert result["error"] is None
    assert _values(result) == dict(CLEAN, **changes)
    findings = evaluate_endpoint(result, get_profile("intermediate"))
    failed = {cid for cid, finding in findings.items() if cid.startswith("VULN") and finding.status == "fail"}
    assert failed == ({control} if control else set())
    if control:
        assert (
            findings[control].message == result["vulnerabilities"][next(iter(changes))]["reason"]
            or control == "VULN-03"
        )


@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
@pytest.mark.parametrize(
    ("args", "accepted"), [((), False), (("-client_renegotiation",), True)], ids=["refused", "accepted"]
)
def test_client_initiated_renegotiation(pki: Pki, args: Sequence[str], accepted: bool) -> None:
    with s_server(pki.good, "-tls1_2", *args) as port:
        result = probe_one(f"localhost:{port}", pki.root)
    outcome = result["vulnerabilities"]["client_renegotiation"]
    assert outcome["applicable"] is True and outcome["value"] is accepted, outcome
    status = evaluate_endpoint(result, get_profile("intermediate"))["VULN-05"].status
    assert status == ("fail" if accepted else "pass")


# (id, ServerHello extensions, answers expected, control failing)
HELLO_TABLE = [
    ("both", ((0xFF01, b"\x00"), (0x0017, b"")), {"secure_renegotiation": True, "extended_master_secret": True}, set()),
    (
        "no_renegotiation_info",
        ((0x0017, b""),),
        {"secure_renegotiation": False, "extended_master_secret": True},
        {"VULN-04"},
    ),
    (
        "no_extended_master_secret",
        ((0xFF01, b"\x00"),),
        {"secure_renegotiation": True, "extended_master_secret": False},
        {"VULN-08"},
    ),
]


@pytest.mark.parametrize(
    ("extensions", "expected", "failing"), [r[1:] for r in HELLO_TABLE], ids=[r[0] for r in HELLO_TABLE]
)
def test_what_the_server_hello_says(pki: Pki, extensions, expected: Dict[str, bool], failing: set) -> None:
    with hello_only_server(pki.good, extensions=extensions) as port:
        result = probe_one(f"localhost:{port}", pki.root)
    assert {key: result["vulnerabilities"][key]["value"] for key in expected} == expected
    findings = evaluate_endpoint(result, get_profile("intermediate"))
    assert {cid for cid in ("VULN-04", "VULN-08") if findings[cid].status == "fail"} == failing


@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
def test_tls13_only_server_has_none_of_the_legacy_questions(pki: Pki) -> None:
    with s_server(pki.good, "-tls1_3") as port:
        result = probe_one(f"localhost:{port}", pki.root)
    vulns = result["vulnerabilities"]
    assert vulns["fallback_scsv"]["applicable"] is False
    for key in ("heartbleed", "ccs_injection", "secure_renegotiation", "client_renegotiation", "compression"):
        assert vulns[key]["applicable"] is False, key
    findings = evaluate_endpoint(result, get_profile("modern"))
    assert {
        findings[cid].status
        for cid in ("VULN-01", "VULN-02", "VULN-04", "VULN-05", "VULN-06", "VULN-07", "VULN-08", "TLS-22")
    } == {"skip"}


@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
def test_modern_openssl_server_is_clean(pki: Pki) -> None:
    with s_server(pki.good) as port:
        result = probe_one(f"localhost:{port}", pki.root)
    # OpenSSL's default list has RSA key exchange (ROBOT is asked) and TLS 1.3 + 1.2 (fallback is asked)
    assert _values(result) == dict(CLEAN, robot="no_oracle", fallback_scsv=True)
    assert result["vulnerabilities"]["client_renegotiation"]["value"] is False
