# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SARIF 2.1.0 for GitHub code scanning: a rule per catalog control, a result per failing control.

``ruleId`` is the control ID (stable). Levels: critical/high -> error, medium -> warning,
low/info -> note; ``properties.security-severity`` is the score code scanning sorts alerts by.
``error`` results (the control could not be decided) are reported as failures: a gate fails closed.

Locations: code scanning places a result only at a file of the repository, so the physical
location is the file that defines the host (the host's ``source`` in the report, found by
``reporting.sources``: the inventory line naming it, with the column span of the name; its
host_vars file; its dynamic inventory source; a fallback file), as a relative reference against
``%SRCROOT%`` (the checkout). The endpoint itself (``https://host:port/``) is a logical location.
A report built without sources places every result at ``webedge-https/hosts/<host>``, a path no
repository has, which code scanning accepts.

Identity: ``partialFingerprints`` carry a hash of (control, host, target) as
``primaryLocationLineHash`` (the key GitHub matches alerts by; given here, the upload action does
not compute one from the file's text) and as ``webedgeHttpsFinding/v1``, so an alert stays the
same alert when the inventory line moves or the message changes. A run with no failing control
has an empty ``results`` array: uploading it closes the alerts of earlier runs in its category.
No ``automationDetails``: code scanning would take its id as the category over the upload's own
``category`` input, and two audits of one repository (two fleets) would then collide.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, List, Mapping, Optional

from ansible_collections.webedge.https.plugins.plugin_utils.reporting.model import (
    COLLECTION_VERSION,
    GENERATOR,
)
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.sources import HostSource, unplaced

__all__ = ["DOCS_URI", "SARIF_SCHEMA_URI", "SRCROOT", "finding_fingerprint", "render_sarif", "sarif_level"]

SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
DOCS_URI = "https://example.invalid/webedge/https/docs"
SRCROOT = "%SRCROOT%"

_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub reads security-severity as a CVSS-like score: >9.0 critical, 7.0-8.9 high, 4.0-6.9 medium,
# 0.1-3.9 low.
_SCORE = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}


def sarif_level(severity: str) -> str:
    return _LEVEL[severity]


def finding_fingerprint(control: str, host: str, target: str) -> str:
    """A finding's identity across runs: its control, host and target, nothing that moves."""
    return hashlib.sha256(f"{control}|{host}|{target}".encode()).hexdigest()


def _source(host: Mapping[str, Any]) -> HostSource:
    raw: Optional[Mapping[str, Any]] = host.get("source")
    if not raw:
        return unplaced(host["name"])
    return HostSource(
        uri=raw["uri"],
        kind=raw["kind"],
        line=raw.get("line") or 1,
        column=raw.get("column"),
        end_column=raw.get("end_column"),
    )


def _region(source: HostSource) -> Dict[str, Any]:
    region: Dict[str, Any] = {"startLine": source.line}
    if source.column and source.end_column:
        region.update(startColumn=source.column, endColumn=source.end_column)
    return region


def _rule(control: Mapping[str, Any]) -> Dict[str, Any]:
    anchor = control["id"].lower()
    return {
        "id": control["id"],
        "name": control["id"].replace("-", ""),
        "shortDescription": {"text": control["title"]},
        "fullDescription": {"text": control["rationale"]},
        "helpUri": f"{DOCS_URI}/controls.md#{anchor}",
        "help": {
            "text": f"{control['rationale']}\n\nRemediation: {control['remediation']}",
            "markdown": f"{control['rationale']}\n\n**Remediation:** {control['remediation']}",
        },
        "defaultConfiguration": {"level": sarif_level(control["severity"])},
        "properties": {
            "tags": ["security", "tls", control["where"]],
            "precision": "very-high",
            "problem.severity": {"error": "error", "warning": "warning"}.get(
                sarif_level(control["severity"]), "recommendation"
            ),
            "security-severity": _SCORE[control["severity"]],
            "severity": control["severity"],
            "profile_value": control["profile_value"],
        },
    }


def _where(source: HostSource) -> str:
    if source.kind == "inventory":
        return f"defined at {source.uri}:{source.line}"
    if source.kind == "none":
        return "defined in no file of the repository"
    return f"located at its {source.kind.replace('_', ' ')} {source.uri}"


def _result(
    host: Mapping[str, Any], result: Mapping[str, Any], source: HostSource, index: Dict[str, int]
) -> Dict[str, Any]:
    prefix = "" if result["status"] == "fail" else "could not be decided: "
    fingerprint = finding_fingerprint(result["control"], host["name"], result["target"])
    entry: Dict[str, Any] = {
        "ruleId": result["control"],
        "kind": "fail",
        "level": sarif_level(result["severity"]),
        "message": {
            "text": f"{result['control']} on {host['name']} ({result['target']}): {prefix}{result['message']} "
            f"[host {_where(source)}]"
        },
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": source.uri, "uriBaseId": SRCROOT},
                    "region": _region(source),
                },
                "logicalLocations": [
                    {
                        "name": result["target"],
                        "fullyQualifiedName": f"{host['name']}/{result['target']}",
                        "kind": "resource",
                    }
                ],
            }
        ],
        "partialFingerprints": {
            "primaryLocationLineHash": f"{fingerprint[:32]}:1",
            "webedgeHttpsFinding/v1": fingerprint,
        },
        "properties": {
            "host": host["name"],
            "target": result["target"],
            "status": result["status"],
            "severity": result["severity"],
            "source_kind": source.kind,
            "observed": result.get("observed"),
            "expected": result.get("expected"),
        },
    }
    if result["control"] in index:
        entry["ruleIndex"] = index[result["control"]]
    return entry


def render_sarif(report: Mapping[str, Any]) -> str:
    rules = [_rule(c) for c in report["controls"]]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results: List[Dict[str, Any]] = []
    for host in report["hosts"]:
        source = _source(host)
        for result in host["results"]:
            if result["status"] in ("fail", "error"):
                results.append(_result(host, result, source, index))
    log = {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": GENERATOR,
                        "fullName": f"{GENERATOR} compliance audit",
                        "version": COLLECTION_VERSION,
                        "semanticVersion": COLLECTION_VERSION,
                        "informationUri": DOCS_URI,
                        "rules": rules,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "endTimeUtc": report["generated_at"],
                        "properties": {"fail_on": report["fail_on"]},
                    }
                ],
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {"summary": report["summary"]},
            }
        ],
    }
    return json.dumps(log, indent=2, sort_keys=False, ensure_ascii=False, default=str) + "\n"
