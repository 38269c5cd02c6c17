# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HOST-06 (certificates on disk) in every report format: the control, its verdict and the days remaining."""

from __future__ import annotations

import datetime
import json

import pytest

from ansible_collections.webedge.https.plugins.plugin_utils.reporting.model import build_report, threshold_failures
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.writer import FORMATS, render_all
from ansible_collections.webedge.https.tests.unit.helpers.compliance_probes import load_probe
from ansible_collections.webedge.https.tests.unit.helpers.reporting_fleet import HOST_FACTS, WHEN, host_results
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import NOW, make_cert

FILE = "/etc/ssl/webedge/second-site.fullchain.pem"


@pytest.fixture(scope="module")
def rendered() -> dict:
    # Given a host whose served certificate is fine, but whose configuration names a second
    # certificate file that expires in 9 days
    soon = make_cert("second.example.com", not_after=NOW + datetime.timedelta(days=9, hours=12))
    facts = dict(
        HOST_FACTS,
        certificates_on_disk={"min_days_valid": 30, "files": [{"path": FILE, "pem": soon.cert_pem.decode()}]},
    )
    report = build_report({"web1": host_results(load_probe(), facts)}, fail_on="medium", generated_at=WHEN)
    # When every format is rendered
    return {"report": report, "texts": render_all(report, FORMATS)}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_names_the_file_and_its_days_left(rendered: dict, fmt: str) -> None:
    text = rendered["texts"][fmt]
    assert "HOST-06" in text
    assert FILE in text
    assert "9 days left" in text


def test_the_json_report_carries_the_days_as_observed(rendered: dict) -> None:
    data = json.loads(rendered["texts"]["json"])
    (host,) = data["hosts"]
    (result,) = [r for r in host["results"] if r["control"] == "HOST-06"]
    assert (result["status"], result["severity"], result["observed"]) == ("fail", "medium", 9)


def test_it_gates_at_its_severity(rendered: dict) -> None:
    failing = threshold_failures(rendered["report"], "medium")
    assert "HOST-06" in {f["control"] for f in failing}
    assert "HOST-06" not in {f["control"] for f in threshold_failures(rendered["report"], "high")}
