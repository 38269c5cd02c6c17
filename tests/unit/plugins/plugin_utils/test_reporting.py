# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every report format: valid against its schema or parser, stable, and escaping hostile strings."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ansible_collections.webedge.https.plugins.module_utils.compliance.catalog import CATALOG
from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint import evaluate_endpoint
from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import findings_to_dict
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import get_profile
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.html import render_html
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.json_report import render_json
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.junit import render_junit
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.markdown import (
    md_escape,
    render_markdown,
)
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.model import (
    REPORT_SCHEMA,
    ReportInputError,
    build_report,
)
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.sarif import render_sarif
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.writer import (
    FILE_NAMES,
    FORMATS,
    write_reports,
)
from ansible_collections.webedge.https.tests.unit.helpers.compliance_probes import NOW, load_probe, with_changes
from ansible_collections.webedge.https.tests.unit.helpers.reporting_fleet import (
    HOST_FACTS,
    HOSTILE,
    WHEN,
    sample_fleet,
)
from ansible_collections.webedge.https.tests.unit.helpers.reporting_fleet import host_results as _host


@pytest.fixture
def report():
    return build_report(sample_fleet(), fail_on="high", generated_at=WHEN)


def test_report_summary_counts(report):
    s = report["summary"]
    assert (s["hosts"], s["hosts_failing"], s["endpoints"]) == (3, 2, 3)
    assert s["results"] == 3 * len(CATALOG)  # every control of the catalog, per host
    assert s["threshold_exceeded"] is True
    assert set(s["threshold_failures"]) == {"TLS-03", "TLS-07", "TLS-08", "HOST-03", "HOST-04"}
    assert "HTTP-01" in s["failing_controls"] and "HTTP-01" not in s["threshold_failures"]
    assert [h["name"] for h in report["hosts"]] == sorted([HOSTILE, "web1", "web2"])


def test_json_report_validates_against_its_schema(report):
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads(render_json(report))
    jsonschema.Draft202012Validator.check_schema(REPORT_SCHEMA)
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(data)
    assert data["schema_version"] == 1
    assert render_json(report) == render_json(build_report(sample_fleet(), fail_on="high", generated_at=WHEN))


@pytest.mark.parametrize(
    ("fail_on", "exceeded"),
    [("critical", True), ("high", True), ("medium", True), ("low", True), ("none", False)],
)
def test_fail_on_in_report(fail_on, exceeded):
    assert build_report(sample_fleet(), fail_on=fail_on)["summary"]["threshold_exceeded"] is exceeded


def test_only_medium_failures_trip_medium_not_high():
    probe = with_changes(load_probe(), {"hsts/max_age": 300})
    fleet = {"web1": _host(probe, HOST_FACTS)}
    assert build_report(fleet, fail_on="high")["summary"]["threshold_exceeded"] is False
    assert build_report(fleet, fail_on="medium")["summary"]["threshold_failures"] == ["HTTP-01"]


def _junit_root(report):
    text = render_junit(report)
    return text, ET.fromstring(text.encode("utf-8"))


def test_junit_structure(report):
    _text, root = _junit_root(report)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        h["name"].replace("\x00", "\ufffd").replace("\x1b", "\ufffd") for h in report["hosts"]
    ]
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases) == len(CATALOG)
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
        assert int(suite.get("errors")) == len(suite.findall("testcase/error"))
        assert int(suite.get("skipped")) == len(suite.findall("testcase/skipped"))
    web2 = next(s for s in suites if s.get("name") == "web2")
    failure = next(c for c in web2.findall("testcase") if c.get("name").startswith("TLS-03")).find("failure")
    assert failure.get("type") == "high" and "TLS 1.0 accepted" in failure.get("message")


def test_junit_parses_with_junitparser(report, tmp_path):
    junitparser = pytest.importorskip("junitparser")
    path = tmp_path / "junit.xml"
    path.write_text(render_junit(report), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    suites = list(xml)
    assert len(suites) == 3
    web2 = next(s for s in suites if s.name == "web2")
    failed = {c.name.split()[0] for c in web2 if c.result and isinstance(c.result[0], junitparser.Failure)}
    assert {"TLS-03", "HTTP-01", "HOST-04"} <= failed


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []
        self.tags = []
        self.host_rows = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        for key in ("src", "href", "action", "xlink:href", "srcset", "poster", "data"):
            if attrs.get(key):
                self.urls.append(attrs[key])
        if tag == "tr" and attrs.get("class") == "host-row":
            self.host_rows.append(attrs.get("data-host"))


def test_html_is_self_contained_and_lists_every_host(report):
    text = render_html(report)
    parser = _Collector()
    parser.feed(text)
    assert parser.urls == []
    assert "script" not in parser.tags and "link" not in parser.tags and "img" not in parser.tags
    assert not re.search(r"url\(|@import", text)
    assert parser.host_rows == [h["name"] for h in report["hosts"]]
    assert "<svg" in text and "Content-Security-Policy" in text


def _cache_files(tmp_path: Path) -> list:
    return sorted(p.name for p in tmp_path.glob("_jinja2-cache-*/*"))


def test_html_template_is_compiled_once_per_user(report, tmp_path, monkeypatch):
    """The compiled template is kept in the user's temporary directory; the report is the same with or without it."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    first = render_html(report)
    cached = _cache_files(tmp_path)
    assert len(cached) == 1
    assert render_html(report) == first
    assert _cache_files(tmp_path) == cached


def test_html_renders_without_a_usable_cache(report, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    expected = render_html(report)
    for entry in tmp_path.glob("_jinja2-cache-*"):
        for cached in entry.iterdir():
            cached.unlink()
        entry.rmdir()
        entry.write_text("not a directory")  # Jinja refuses it: compiled without a cache
    assert render_html(report) == expected


def test_html_renders_when_the_cache_cannot_be_written(report, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))

    def full_disk(self, bucket):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("jinja2.FileSystemBytecodeCache.dump_bytecode", full_disk)
    assert "<svg" in render_html(report)
    assert _cache_files(tmp_path) == []


def test_markdown_summary_and_failing_controls(report):
    text = render_markdown(report)
    assert text.startswith("## webedge.https compliance\n\n**FAILED** (fail on high)")
    assert "| web2 | intermediate 5.7 | **FAIL** |" in text
    assert "### Failing controls" in text
    assert "| high | TLS-03 TLS 1.0 is refused" in text


# --- hostile strings: every format escapes them -------------------------------------------------


def test_hostile_strings_json_roundtrip(report):
    data = json.loads(render_json(report))
    assert HOSTILE in [h["name"] for h in data["hosts"]]


def test_hostile_strings_junit_is_well_formed(report):
    text, root = _junit_root(report)
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "\x00" not in text and "\x1b" not in text
    messages = [e.get("message") for e in root.iter() if e.get("message")]
    assert any("<script>alert('x')</script>" in m for m in messages)


def test_hostile_strings_sarif(report):
    log = json.loads(render_sarif(report))
    texts = [r["message"]["text"] for r in log["runs"][0]["results"]]
    assert any("<script>" in t for t in texts)  # JSON carries the text as data
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]]
    assert all(" " not in u and "<" not in u for u in uris)


def test_hostile_strings_html(report):
    text = render_html(report)
    assert "<script>" not in text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in text
    parser = _Collector()
    parser.feed(text)
    assert parser.urls == [] and "script" not in parser.tags and "a" not in parser.tags


def test_hostile_strings_markdown(report):
    text = render_markdown(report)
    assert "<script>" not in text and "@here" not in text and "](http" not in text
    for line in text.splitlines():
        if line.startswith("|") and "&lt;script" in line:
            assert line.count(" | ") + 2 == line.count("|") - line.count("\\|"), line


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a|b", "a&#124;b"),
        ("<b>", "&lt;b&gt;"),
        ("@team", "&#64;team"),
        ("[x](y)", "\\[x\\]\\(y\\)"),
        ("line\nbreak", "line break"),
        ("`tick`", "\\`tick\\`"),
        ("see http://evil.example", "see http\\://evil.example"),
        ("web1:443 max-age=300", "web1:443 max-age=300"),
    ],
)
def test_md_escape_table(raw, escaped):
    assert md_escape(raw) == escaped


# --- input validation and writing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fleet", "fragment"),
    [
        ({"web1": {"controls": {"TLS-01": {"status": "maybe"}}}}, "'maybe'"),
        ({"web1": {"controls": {"TLS-01": {"status": "fail", "severity": "dire"}}}}, "'dire'"),
        ({"web1": ["not", "a", "mapping"]}, "host web1"),
    ],
)
def test_bad_results_are_named(fleet, fragment):
    with pytest.raises(ReportInputError, match=fragment):
        build_report(fleet)


def test_endpoint_only_mode_groups_by_probed_host():
    probe = load_probe()
    probe["findings"] = findings_to_dict(evaluate_endpoint(probe, get_profile("intermediate"), now=NOW))
    report = build_report({}, [probe], generated_at=WHEN)
    assert [h["name"] for h in report["hosts"]] == ["web1.lab.example"]
    assert report["summary"]["threshold_exceeded"] is False


def test_write_reports_is_atomic_and_idempotent(report, tmp_path):
    dest = tmp_path / "out"
    first = write_reports(report, str(dest), FORMATS)
    assert {fmt: Path(v["path"]).name for fmt, v in first.items()} == FILE_NAMES
    assert all(v["changed"] for v in first.values())
    second = write_reports(report, str(dest), FORMATS)
    assert not any(v["changed"] for v in second.values())
    assert sorted(os.listdir(dest)) == sorted(FILE_NAMES.values())  # no temp files left
    assert oct(os.stat(first["json"]["path"]).st_mode & 0o777) == "0o644"


def test_unknown_format_is_named(report, tmp_path):
    with pytest.raises(ValueError, match="pdf"):
        write_reports(report, str(tmp_path), ["pdf"])
