# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report: one plain-data structure every output format is rendered from.

Input (``build_report``): ``hosts`` maps an inventory host name to its ``HostResults``
(``controls`` = host findings keyed by control ID, ``endpoints`` = probe results carrying
their ``findings``); ``endpoints`` holds probe results of endpoint-only runs, reported under
the probed host name. The output is what ``report.json`` contains (``REPORT_SCHEMA``).

Controller side only (imported by the ``compliance_report`` action).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Mapping, Optional

from ansible_collections.webedge.https.plugins.module_utils.compliance.catalog import (
    CATALOG,
    CATALOG_VERSION,
    SERVERS,
    SEVERITIES,
    STATUSES,
    severity_rank,
)
from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import Finding
from ansible_collections.webedge.https.plugins.module_utils.compliance.gating import FAIL_ON_CHOICES
from ansible_collections.webedge.https.plugins.module_utils.compliance.grade import grade_endpoint
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.sources import SOURCE_KINDS

__all__ = [
    "GENERATOR",
    "REPORT_SCHEMA",
    "SCHEMA_VERSION",
    "ReportInputError",
    "build_report",
    "collect_probes",
    "grade_label",
    "grade_reasons",
    "probe_host",
    "threshold_failures",
]

SCHEMA_VERSION = 1
GENERATOR = "webedge.https"
COLLECTION_VERSION = "0.1.0"

_CERT_SUMMARY_KEYS = (
    "subject",
    "issuer",
    "sans",
    "not_after",
    "days_remaining",
    "key_type",
    "key_size",
    "curve",
    "signature_algorithm",
    "sha256_fingerprint",
)


def grade_label(grade: Optional[Mapping[str, Any]]) -> str:
    """``"A+"``, ``"B (75)"``... for a report cell; ``""`` when there is no grade."""
    if not grade:
        return ""
    letter = str(grade.get("grade", ""))
    return letter if letter.startswith("A") else f"{letter} ({grade.get('score')})"


def grade_reasons(grade: Optional[Mapping[str, Any]]) -> str:
    """The caps and warnings behind a grade, as one line."""
    if not grade:
        return ""
    caps = [f"{cap.get('grade')}: {cap.get('reason')}" for cap in grade.get("caps") or []]
    return "; ".join(caps + [str(w) for w in grade.get("warnings") or []])


class ReportInputError(ValueError):
    """Results that cannot be read; the message names the host and the bad value."""


def _is_probe(value: Any) -> bool:
    return isinstance(value, Mapping) and "target" in value and ("protocols" in value or "error" in value)


def collect_probes(value: Any) -> List[Mapping[str, Any]]:
    """Probe results found in ``value``: one probe, a list, a registered loop (``results``), nested."""
    if value is None:
        return []
    if _is_probe(value):
        return [value]
    found: List[Mapping[str, Any]] = []
    if isinstance(value, Mapping):
        for key in ("endpoints", "results", "probes"):
            if key in value:
                found.extend(collect_probes(value[key]))
        return found
    if isinstance(value, (list, tuple)):
        for item in value:
            found.extend(collect_probes(item))
    return found


def probe_host(probe: Mapping[str, Any]) -> str:
    """The host name an endpoint-only probe result is reported under."""
    return str(probe.get("host") or probe.get("target"))


def _finding_dict(raw: Any, control_id: str, target: str, host: str) -> Dict[str, Any]:
    if isinstance(raw, Finding):
        raw = raw.to_dict()
    if not isinstance(raw, Mapping):
        raise ReportInputError(f"host {host}: finding for {control_id} is not a mapping: {raw!r}")
    cid = str(raw.get("control") or control_id)
    status = raw.get("status")
    if status not in STATUSES:
        raise ReportInputError(f"host {host}: {cid} has status {status!r}, expected one of {', '.join(STATUSES)}")
    control = CATALOG.get(cid)
    severity = raw.get("severity") or (control.severity if control else "info")
    if severity not in SEVERITIES:
        raise ReportInputError(f"host {host}: {cid} has severity {severity!r}")
    return {
        "control": cid,
        "title": control.title if control else cid,
        "target": str(raw.get("target") or target),
        "status": status,
        "severity": severity,
        "message": str(raw.get("message") or ""),
        "observed": raw.get("observed"),
        "expected": raw.get("expected"),
    }


def _findings(raw: Any, target: str, host: str) -> List[Dict[str, Any]]:
    if not raw:
        return []
    if isinstance(raw, Mapping):
        items = list(raw.items())
    elif isinstance(raw, (list, tuple)):
        items = [(str(f.get("control", "")) if isinstance(f, Mapping) else "", f) for f in raw]
    else:
        raise ReportInputError(f"host {host}: findings must be a mapping or a list, got {type(raw).__name__}")
    return [_finding_dict(value, str(key), target, host) for key, value in items]


def _endpoint_summary(probe: Mapping[str, Any]) -> Dict[str, Any]:
    cert = probe.get("certificate") or {}
    return {
        "target": str(probe.get("target", "")),
        "server_name": probe.get("server_name"),
        "error": probe.get("error"),
        "protocols": dict(probe.get("protocols") or {}),
        "negotiated": dict(probe.get("negotiated") or {}),
        "certificate": {key: cert.get(key) for key in _CERT_SUMMARY_KEYS} if cert else None,
        # the SSL Labs-style grade tls_probe adds; computed here for results of an older probe
        "grade": probe["grade"] if "grade" in probe else grade_endpoint(probe),
    }


def _counts(results: Iterable[Mapping[str, Any]]) -> Dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for result in results:
        counts[result["status"]] += 1
    return counts


def _status(counts: Mapping[str, int]) -> str:
    if counts["fail"]:
        return "fail"
    if counts["error"]:
        return "error"
    if counts["pass"]:
        return "pass"
    return "skip"


def _worst(results: Iterable[Mapping[str, Any]]) -> Optional[str]:
    ranks = [severity_rank(r["severity"]) for r in results if r["status"] in ("fail", "error")]
    return SEVERITIES[min(ranks)] if ranks else None


def _sort_key(result: Mapping[str, Any]) -> Any:
    order = list(CATALOG)
    cid = result["control"]
    return (order.index(cid) if cid in order else len(order), cid, result["target"])


def _host_entry(
    name: str,
    data: Mapping[str, Any],
    extra_probes: List[Mapping[str, Any]],
    source: Optional[Mapping[str, Any]],
) -> Dict[str, Any]:
    if not isinstance(data, Mapping):
        raise ReportInputError(f"host {name}: results must be a mapping, got {type(data).__name__}")
    results = _findings(data.get("controls"), name, name)
    probes = collect_probes(data.get("endpoints")) + extra_probes
    for probe in probes:
        results.extend(_findings(probe.get("findings"), str(probe.get("target", name)), name))
    results.sort(key=_sort_key)
    counts = _counts(results)
    return {
        "name": name,
        "profile": data.get("profile"),
        "profile_version": data.get("profile_version"),
        "status": _status(counts),
        "worst_failure": _worst(results),
        "counts": counts,
        "results": results,
        "endpoints": [_endpoint_summary(p) for p in probes],
        "source": dict(source) if source else None,
    }


def threshold_failures(report: Mapping[str, Any], fail_on: Optional[str] = None) -> List[Dict[str, Any]]:
    """Failing/erroring results at or above ``fail_on`` (default: the report's), with their host."""
    fail_on = fail_on or report.get("fail_on") or "none"
    if fail_on == "none":
        return []
    limit = severity_rank(fail_on)
    out = []
    for host in report["hosts"]:
        for result in host["results"]:
            if result["status"] in ("fail", "error") and severity_rank(result["severity"]) <= limit:
                out.append(dict(result, host=host["name"]))
    return out


def build_report(
    hosts: Optional[Mapping[str, Any]] = None,
    endpoints: Any = None,
    *,
    fail_on: str = "high",
    generated_at: Optional[datetime] = None,
    sources: Optional[Mapping[str, Mapping[str, Any]]] = None,
) -> Dict[str, Any]:
    """Normalize fleet results into the report structure (validated, sorted, summarized).

    ``sources`` maps a host name to where it is defined (``HostSource.to_dict()`` of
    ``reporting.sources``), carried into the host's ``source`` for SARIF locations.
    """
    if fail_on not in FAIL_ON_CHOICES:
        raise ReportInputError(f"fail_on must be one of {', '.join(FAIL_ON_CHOICES)}, got {fail_on!r}")
    when = (generated_at or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    by_host: Dict[str, List[Mapping[str, Any]]] = {}
    for probe in collect_probes(endpoints):
        by_host.setdefault(probe_host(probe), []).append(probe)
    entries = []
    host_data = dict(hosts or {})
    for name in sorted(set(host_data) | set(by_host)):
        entries.append(_host_entry(name, host_data.get(name) or {}, by_host.get(name, []), (sources or {}).get(name)))
    all_results = [r for host in entries for r in host["results"]]
    counts = _counts(all_results)
    failing_by_severity = dict.fromkeys(SEVERITIES, 0)
    for result in all_results:
        if result["status"] in ("fail", "error"):
            failing_by_severity[result["severity"]] += 1
    report: Dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": GENERATOR, "version": COLLECTION_VERSION},
        "generated_at": when.isoformat().replace("+00:00", "Z"),
        "catalog_version": CATALOG_VERSION,
        "fail_on": fail_on,
        "controls": [
            {
                "id": c.id,
                "title": c.title,
                "severity": c.severity,
                "where": c.where,
                "rationale": c.rationale,
                "remediation": c.full_remediation,
                "remediation_by_server": c.remediation_by_server,
                "profile_value": c.profile_value,
            }
            for c in CATALOG.values()
        ],
        "hosts": entries,
    }
    failures = threshold_failures(report, fail_on)
    report["summary"] = {
        "hosts": len(entries),
        "hosts_passing": sum(1 for h in entries if h["status"] in ("pass", "skip")),
        "hosts_failing": sum(1 for h in entries if h["status"] in ("fail", "error")),
        "endpoints": sum(len(h["endpoints"]) for h in entries),
        "results": len(all_results),
        "counts": counts,
        "failing_by_severity": failing_by_severity,
        "worst_failure": _worst(all_results),
        "failing_controls": sorted({r["control"] for r in all_results if r["status"] in ("fail", "error")}),
        "threshold_exceeded": bool(failures),
        "threshold_failures": sorted({r["control"] for r in failures}),
    }
    return report


_FINDING_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["control", "title", "target", "status", "severity", "message", "observed", "expected"],
    "properties": {
        "control": {"type": "string"},
        "title": {"type": "string"},
        "target": {"type": "string"},
        "status": {"enum": list(STATUSES)},
        "severity": {"enum": list(SEVERITIES)},
        "message": {"type": "string"},
        "observed": {},
        "expected": {},
    },
}
_COUNTS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": list(STATUSES),
    "properties": {s: {"type": "integer", "minimum": 0} for s in STATUSES},
}

# An endpoint's grade (compliance/grade.py), null when the endpoint could not be probed.
_GRADE_SCHEMA = {
    "type": ["object", "null"],
    "required": ["grade", "score", "protocol", "key_exchange", "cipher", "caps", "warnings", "guide"],
    "properties": {
        "grade": {"enum": ["A+", "A", "A-", "B", "C", "D", "E", "F", "T", "M"]},
        "score": {"type": "integer", "minimum": 0, "maximum": 100},
        "protocol": {"type": "integer"},
        "key_exchange": {"type": "integer"},
        "cipher": {"type": "integer"},
        "caps": {
            "type": "array",
            "items": {"type": "object", "required": ["grade", "reason"]},
        },
        "warnings": {"type": "array", "items": {"type": "string"}},
        "incomplete": {"type": "array", "items": {"type": "string"}},
        "guide": {"type": "string"},
    },
}

# Where the host is defined in the repository (null when the caller did not look it up).
_SOURCE_SCHEMA = {
    "type": ["object", "null"],
    "additionalProperties": False,
    "required": ["uri", "kind", "line", "column", "end_column"],
    "properties": {
        "uri": {"type": "string", "minLength": 1},
        "kind": {"enum": list(SOURCE_KINDS)},
        "line": {"type": "integer", "minimum": 1},
        "column": {"type": ["integer", "null"], "minimum": 1},
        "end_column": {"type": ["integer", "null"], "minimum": 1},
    },
}

# JSON Schema (draft 2020-12) of report.json, schema_version 1.
REPORT_SCHEMA: Dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://example.invalid/webedge/https/compliance-report-1.json",
    "title": "webedge.https compliance report",
    "type": "object",
    "additionalProperties": False,
    "required": [
        "schema_version",
        "generator",
        "generated_at",
        "catalog_version",
        "fail_on",
        "controls",
        "hosts",
        "summary",
    ],
    "properties": {
        "schema_version": {"const": SCHEMA_VERSION},
        "generator": {
            "type": "object",
            "required": ["name", "version"],
            "properties": {"name": {"const": GENERATOR}, "version": {"type": "string"}},
        },
        "generated_at": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"},
        "catalog_version": {"type": "integer"},
        "fail_on": {"enum": list(FAIL_ON_CHOICES)},
        "controls": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "id",
                    "title",
                    "severity",
                    "where",
                    "rationale",
                    "remediation",
                    "remediation_by_server",
                    "profile_value",
                ],
                "properties": {
                    "id": {"type": "string", "pattern": r"^[A-Z]+-\d{2}$"},
                    "title": {"type": "string"},
                    "severity": {"enum": list(SEVERITIES)},
                    "where": {"enum": ["endpoint", "host", "host+endpoint"]},
                    "rationale": {"type": "string"},
                    "remediation": {"type": "string"},
                    "remediation_by_server": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {server: {"type": "string"} for server in SERVERS},
                    },
                    "profile_value": {"type": ["string", "null"]},
                },
            },
        },
        "hosts": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "name",
                    "profile",
                    "profile_version",
                    "status",
                    "worst_failure",
                    "counts",
                    "results",
                    "endpoints",
                    "source",
                ],
                "properties": {
                    "name": {"type": "string"},
                    "profile": {"type": ["string", "null"]},
                    "profile_version": {"type": ["string", "null"]},
                    "status": {"enum": list(STATUSES)},
                    "worst_failure": {"enum": [*SEVERITIES, None]},
                    "counts": _COUNTS_SCHEMA,
                    "results": {"type": "array", "items": _FINDING_SCHEMA},
                    "endpoints": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": [
                                "target",
                                "server_name",
                                "error",
                                "protocols",
                                "negotiated",
                                "certificate",
                                "grade",
                            ],
                            "properties": {"grade": _GRADE_SCHEMA},
                        },
                    },
                    "source": _SOURCE_SCHEMA,
                },
            },
        },
        "summary": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "hosts",
                "hosts_passing",
                "hosts_failing",
                "endpoints",
                "results",
                "counts",
                "failing_by_severity",
                "worst_failure",
                "failing_controls",
                "threshold_exceeded",
                "threshold_failures",
            ],
            "properties": {
                "hosts": {"type": "integer"},
                "hosts_passing": {"type": "integer"},
                "hosts_failing": {"type": "integer"},
                "endpoints": {"type": "integer"},
                "results": {"type": "integer"},
                "counts": _COUNTS_SCHEMA,
                "failing_by_severity": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": list(SEVERITIES),
                    "properties": {s: {"type": "integer", "minimum": 0} for s in SEVERITIES},
                },
                "worst_failure": {"enum": [*SEVERITIES, None]},
                "failing_controls": {"type": "array", "items": {"type": "string"}},
                "threshold_exceeded": {"type": "boolean"},
                "threshold_failures": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
}
