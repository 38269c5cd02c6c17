# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HOST-06, every certificate on disk: a table of files and what the control says about them."""

from __future__ import annotations

import datetime
from typing import Any, Dict, List

import pytest

from ansible_collections.webedge.https.plugins.module_utils.compliance.host import evaluate_host
from ansible_collections.webedge.https.plugins.module_utils.compliance.host_disk import check_certificates_on_disk
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import NOW, make_cert

DAY = datetime.timedelta(days=1)


def _pem(days_left: float, *, not_before_days: float = -1, chain_days: float = 0) -> str:
    """A leaf expiring in ``days_left`` days (and an intermediate in ``chain_days``, when given)."""
    leaf = make_cert("www.example.com", not_before=NOW + not_before_days * DAY, not_after=NOW + days_left * DAY)
    pem = leaf.cert_pem.decode()
    if chain_days:
        inter = make_cert("Intermediate", ca=True, not_before=NOW - DAY, not_after=NOW + chain_days * DAY)
        pem += inter.cert_pem.decode()
    return pem


def _fact(files: List[Dict[str, Any]], minimum: int = 30) -> Dict[str, Any]:
    return {"min_days_valid": minimum, "files": files}


CASES = [
    pytest.param(
        [{"path": "/etc/ssl/a.pem", "pem": _pem(80)}, {"path": "/etc/ssl/b.pem", "pem": _pem(50)}],
        30,
        ("pass", "high", "the first to expire: /etc/ssl/b.pem on "),
        id="all-valid-names-the-first-to-expire",
    ),
    pytest.param(
        [{"path": "/etc/ssl/a.pem", "pem": _pem(80)}, {"path": "/etc/ssl/b.pem", "pem": _pem(10.5)}],
        30,
        ("fail", "medium", "/etc/ssl/b.pem expires on "),
        id="one-file-expires-soon",
    ),
    pytest.param(
        [
            {"path": "/etc/ssl/a.pem", "pem": _pem(80)},
            {"path": "/etc/ssl/old.pem", "pem": _pem(-3, not_before_days=-90)},
        ],
        30,
        ("fail", "high", "/etc/ssl/old.pem expired on "),
        id="an-expired-file-nobody-serves",
    ),
    pytest.param(
        [{"path": "/etc/ssl/full.pem", "pem": _pem(80, chain_days=5)}],
        30,
        ("fail", "medium", "(4 days left)"),
        id="the-intermediate-in-the-chain-file-expires-first",
    ),
    pytest.param(
        [{"path": "/etc/ssl/a.pem", "pem": _pem(20)}],
        14,
        ("pass", "high", "valid for at least 14 days"),
        id="the-threshold-comes-with-the-fact",
    ),
    pytest.param(
        [{"path": "/etc/ssl/future.pem", "pem": _pem(80, not_before_days=2)}],
        30,
        ("fail", "high", "/etc/ssl/future.pem is not valid before "),
        id="not-yet-valid",
    ),
    pytest.param(
        [{"path": "/etc/ssl/a.pem", "pem": _pem(80)}, {"path": "/etc/ssl/gone.pem", "pem": None, "missing": True}],
        30,
        ("error", "high", "/etc/ssl/gone.pem could not be read"),
        id="a-named-file-is-missing",
    ),
    pytest.param(
        [{"path": "/etc/ssl/junk.pem", "pem": "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n"}],
        30,
        ("error", "high", "/etc/ssl/junk.pem: not a readable certificate (no tbsCertificate)"),
        id="not-a-certificate",
    ),
    pytest.param(
        [{"path": f"/etc/ssl/{n}.pem", "pem": _pem(5)} for n in "abcde"],
        30,
        ("fail", "medium", "; and 2 more (minimum 30 days)"),
        id="many-problems-are-counted",
    ),
]


@pytest.mark.parametrize(("files", "minimum", "expected"), CASES)
def test_certificates_on_disk(files: List[Dict[str, Any]], minimum: int, expected: tuple) -> None:
    finding = check_certificates_on_disk(_fact(files, minimum), "web1")
    status, severity, fragment = expected
    assert (finding.status, finding.severity) == (status, severity), finding
    assert fragment in finding.message, finding.message
    assert finding.expected == f">= {minimum} days"


def test_days_remaining_are_observed() -> None:
    finding = check_certificates_on_disk(_fact([{"path": "/a.pem", "pem": _pem(40.5)}]), "web1")
    assert finding.observed == 40
    assert "(40 days left)" in finding.message


@pytest.mark.parametrize(
    ("fact", "fragment"),
    [
        pytest.param(None, "certificate files on disk not read", id="not-collected"),
        pytest.param({"files": []}, "no certificate file found in the web server configuration", id="none-named"),
    ],
)
def test_nothing_to_read_skips(fact: Any, fragment: str) -> None:
    finding = check_certificates_on_disk(fact, "web1")
    assert (finding.status, finding.message) == ("skip", fragment)


def test_evaluate_host_runs_it_from_its_fact() -> None:
    findings = evaluate_host({"certificates_on_disk": _fact([{"path": "/a.pem", "pem": _pem(3)}])}, target="web1")
    assert findings["HOST-06"].status == "fail"
    assert findings["HOST-06"].target == "web1"
