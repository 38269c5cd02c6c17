# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SARIF 2.1.0: one run, a rule per catalog control, a result per failing (or undecided) control.

``ruleId`` is the control ID (stable). Levels: critical/high -> error, medium -> warning,
low/info -> note; ``properties.security-severity`` carries the score code-scanning UIs sort
by. ``error`` results (the control could not be decided) are reported as failures too: a
gate fails closed. Locations: an endpoint is ``https://host:port/``, a host control
``host://<inventory_hostname>``; a logical location names the host and target, and
``partialFingerprints`` keep a finding's identity stable across runs.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, List, Mapping
from urllib.parse import quote

from ansible_collections.webedge.https.plugins.plugin_utils.reporting.model import (
    COLLECTION_VERSION,
    GENERATOR,
)

__all__ = ["SARIF_SCHEMA_URI", "render_sarif", "sarif_level"]

SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
_SCORE = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}


def sarif_level(severity: str) -> str:
    return _LEVEL[severity]


def _uri(target: str, host: str) -> str:
    """``https://host:port/`` for ``host:port`` targets, ``host://name`` for host controls."""
    if target and ":" in target and target.rsplit(":", 1)[1].isdigit():
        name, port = target.rsplit(":", 1)
        if ":" in name and not name.startswith("["):  # bare IPv6 address
            name = f"[{name}]"
        return f"https://{quote(name, safe='[]:')}:{port}/"
    return "host://" + quote(target or host, safe="")


def _rule(control: Mapping[str, Any]) -> Dict[str, Any]:
    help_text = f"{control['rationale']}\n\nRemediation: {control['remediation']}"
    return {
        "id": control["id"],
        "name": control["id"].replace("-", ""),
        "shortDescription": {"text": control["title"]},
        "fullDescription": {"text": control["rationale"]},
        "help": {
            "text": help_text,
            "markdown": f"{control['rationale']}\n\n**Remediation:** {control['remediation']}",
        },
        "defaultConfiguration": {"level": sarif_level(control["severity"])},
        "properties": {
            "tags": ["security", "tls", control["where"]],
            "severity": control["severity"],
            "security-severity": _SCORE[control["severity"]],
            "profile_value": control["profile_value"],
        },
    }


def render_sarif(report: Mapping[str, Any]) -> str:
    rules = [_rule(c) for c in report["controls"]]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results: List[Dict[str, Any]] = []
    for host in report["hosts"]:
        for result in host["results"]:
            if result["status"] not in ("fail", "error"):
                continue
            prefix = "" if result["status"] == "fail" else "could not be decided: "
            fingerprint = hashlib.sha256(f"{result['control']}|{host['name']}|{result['target']}".encode()).hexdigest()
            entry: Dict[str, Any] = {
                "ruleId": result["control"],
                "kind": "fail",
                "level": sarif_level(result["severity"]),
                "message": {"text": f"{host['name']} {result['target']}: {prefix}{result['message']}"},
                "locations": [
                    {
                        "physicalLocation": {"artifactLocation": {"uri": _uri(result["target"], host["name"])}},
                        "logicalLocations": [
                            {
                                "name": result["target"],
                                "fullyQualifiedName": f"{host['name']}/{result['target']}",
                                "kind": "resource",
                            }
                        ],
                    }
                ],
                "partialFingerprints": {"webedgeHttpsFinding/v1": fingerprint},
                "properties": {
                    "host": host["name"],
                    "status": result["status"],
                    "severity": result["severity"],
                    "observed": result.get("observed"),
                    "expected": result.get("expected"),
                },
            }
            if result["control"] in index:
                entry["ruleIndex"] = index[result["control"]]
            results.append(entry)
    log = {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": GENERATOR,
                        "version": COLLECTION_VERSION,
                        "semanticVersion": COLLECTION_VERSION,
                        "informationUri": "https://example.invalid/webedge/https/docs",
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": f"webedge.https/compliance/{report['generated_at']}"},
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "endTimeUtc": report["generated_at"],
                        "properties": {"fail_on": report["fail_on"]},
                    }
                ],
                "results": results,
                "properties": {"summary": report["summary"]},
            }
        ],
    }
    return json.dumps(log, indent=2, sort_keys=False, ensure_ascii=False, default=str) + "\n"
