# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every report format shows each endpoint's grade and each control's fix per web server."""

from __future__ import annotations

import json

import pytest

from ansible_collections.webedge.https.plugins.module_utils.compliance.catalog import CATALOG
from ansible_collections.webedge.https.plugins.module_utils.compliance.grade import grade_endpoint
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.html import render_html
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.json_report import render_json
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.markdown import render_markdown
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.model import (
    REPORT_SCHEMA,
    build_report,
    grade_label,
    grade_reasons,
)
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.sarif import render_sarif
from ansible_collections.webedge.https.tests.unit.helpers.compliance_probes import load_probe, with_changes
from ansible_collections.webedge.https.tests.unit.helpers.reporting_fleet import HOST_FACTS, WHEN, host_results


@pytest.fixture
def report():
    good = dict(load_probe())
    good["grade"] = grade_endpoint(good)
    weak = with_changes(good, {"target": "web2.lab.example:443", "host": "web2.lab.example", "protocols/TLSv1": True})
    weak["legacy_ciphers"] = {"TLSv1": ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"]}
    weak["grade"] = grade_endpoint(weak)
    fleet = {"web1": host_results(good, HOST_FACTS), "web2": host_results(weak, HOST_FACTS)}
    return build_report(fleet, fail_on="high", generated_at=WHEN)


def test_json_carries_the_grade_and_validates(report) -> None:
    data = json.loads(render_json(report))
    grades = {h["name"]: h["endpoints"][0]["grade"]["grade"] for h in data["hosts"]}
    assert grades == {"web1": "A+", "web2": "B"}
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(data)


def test_html_and_markdown_show_grade_and_reason(report) -> None:
    html, markdown = render_html(report), render_markdown(report)
    for text in (html, markdown):
        assert "A+" in text and "TLS 1.0 is offered" in text
    assert "| endpoint | grade | why |" in markdown


def test_every_format_shows_the_fix_for_each_server(report) -> None:
    tls07 = next(c for c in report["controls"] if c["id"] == "TLS-07")
    assert set(tls07["remediation_by_server"]) == {"nginx", "apache", "iis"}
    assert "IIS/SCHANNEL: " in tls07["remediation"]  # SARIF and JUnit carry this text
    html = render_html(report)
    assert "<b>IIS/SCHANNEL</b>" in html and "<b>nginx</b>" in html
    sarif = json.loads(render_sarif(report))
    rules = {rule["id"]: rule for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "Apache: " in rules["TLS-07"]["help"]["text"]


def test_an_older_probe_result_is_graded_by_the_report() -> None:
    probe = dict(load_probe())
    probe.pop("grade")
    report = build_report({"web1": host_results(probe, HOST_FACTS)}, fail_on="high", generated_at=WHEN)
    assert report["hosts"][0]["endpoints"][0]["grade"]["grade"] == "A+"


def test_grade_labels() -> None:
    assert grade_label(None) == "" and grade_reasons(None) == ""
    grade = {"grade": "B", "score": 88, "caps": [{"grade": "B", "reason": "TLS 1.0 is offered"}], "warnings": ["w"]}
    assert grade_label(grade) == "B (88)" and grade_reasons(grade) == "B: TLS 1.0 is offered; w"
    assert len(CATALOG) == len(build_report({}, generated_at=WHEN)["controls"])
