# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HOST-06 through compliance_host_controls: from the slurped certificate files and the role's threshold."""

from __future__ import annotations

import base64
import datetime
from typing import Any, Dict, List, Optional

import pytest

from ansible_collections.webedge.https.plugins.filter.compliance.controls import FilterModule
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import NOW, make_cert

HOST_CONTROLS = FilterModule().filters()["host_controls"]
DAY = datetime.timedelta(days=1)


def _pem(days_left: float, not_before_days: float = -1) -> str:
    cert = make_cert("www.example.com", not_before=NOW + not_before_days * DAY, not_after=NOW + days_left * DAY)
    return cert.cert_pem.decode()


def _slurp(path: str, pem: Optional[str]) -> Dict[str, Any]:
    """A registered slurp loop item as the compliance role gets it (a failed read has no content)."""
    if pem is None:
        return {"item": path, "failed": True, "msg": f"file not found: {path}"}
    return {"item": path, "content": base64.b64encode(pem.encode()).decode(), "source": path}


def _host06(slurps: List[Dict[str, Any]], skip: Optional[List[str]] = None, **facts: Any) -> Dict[str, Any]:
    return HOST_CONTROLS({"certificate_slurps": slurps, **facts}, "web1", skip)["HOST-06"]


@pytest.mark.parametrize(
    ("minimum", "status", "severity", "fragment"),
    [
        pytest.param(None, "pass", "high", "valid for at least 30 days", id="default-30-days"),
        pytest.param(30, "pass", "high", "the first to expire: /etc/ssl/site.pem", id="role-threshold-30"),
        pytest.param(90, "fail", "medium", "/etc/ssl/site.pem expires on ", id="role-threshold-above-days-left"),
        pytest.param("90", "fail", "medium", "(minimum 90 days)", id="threshold-as-a-string-from-templating"),
    ],
)
def test_the_threshold_comes_from_the_facts(minimum: Any, status: str, severity: str, fragment: str) -> None:
    facts = {} if minimum is None else {"min_days_valid": minimum}
    finding = _host06([_slurp("/etc/ssl/site.pem", _pem(60.5))], **facts)
    assert (finding["status"], finding["severity"]) == (status, severity), finding
    assert fragment in finding["message"]
    assert finding["observed"] == 60
    assert finding["expected"] == f">= {minimum or 30} days"


def test_an_expired_file_nobody_serves_fails_high_beside_a_good_one() -> None:
    finding = _host06([_slurp("/etc/ssl/site.pem", _pem(80)), _slurp("/etc/ssl/old.pem", _pem(-2, -92))])
    assert (finding["status"], finding["severity"]) == ("fail", "high"), finding
    assert finding["message"].startswith("/etc/ssl/old.pem expired on ")
    assert "/etc/ssl/site.pem" not in finding["message"]


def test_a_named_file_that_could_not_be_read_is_an_error_naming_it() -> None:
    finding = _host06([_slurp("/etc/ssl/site.pem", _pem(80)), _slurp("/etc/ssl/gone.pem", None)])
    assert finding["status"] == "error"
    assert finding["message"] == "/etc/ssl/gone.pem could not be read"


def test_no_file_named_skips_and_the_skip_list_wins() -> None:
    assert _host06([])["status"] == "skip"
    assert _host06([])["message"] == "no certificate file found in the web server configuration"
    skipped = _host06([_slurp("/etc/ssl/old.pem", _pem(-2, -92))], skip=["HOST-06"])
    assert (skipped["status"], skipped["message"]) == ("skip", "not checked: disabled by configuration")


def test_without_the_slurps_the_control_is_not_run() -> None:
    finding = HOST_CONTROLS({"served": "aa" * 32}, "web1")["HOST-06"]
    assert (finding["status"], finding["message"]) == ("skip", "certificate files on disk not read")
