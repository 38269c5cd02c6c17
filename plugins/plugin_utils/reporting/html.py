# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A single self-contained HTML report: inline CSS, an inline SVG chart, no script, no external resource.

Rendered with Jinja2 and autoescaping on, so every value from hosts and probes is escaped;
a Content-Security-Policy meta tag forbids loading anything anyway. Controller side only.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from jinja2 import BytecodeCache, DictLoader, Environment, FileSystemBytecodeCache, StrictUndefined, Template

from ansible_collections.webedge.https.plugins.module_utils.compliance.catalog import CATALOG, SERVER_LABELS
from ansible_collections.webedge.https.plugins.plugin_utils.reporting._text import plain
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.model import grade_label, grade_reasons

__all__ = ["render_html"]

_STATUS_ORDER = {"fail": 0, "error": 1, "pass": 2, "skip": 3}
_COLORS = {"pass": "#2e7d32", "fail": "#c62828", "error": "#ef6c00", "skip": "#9e9e9e"}

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>webedge.https compliance report {{ report.generated_at }}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:24px;
 color:#1f2328;background:#f6f8fa}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}
.meta{color:#57606a;font-size:13px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 16px;min-width:110px}
.card b{display:block;font-size:22px}.card span{font-size:12px;color:#57606a}
.verdict{font-weight:700;padding:6px 12px;border-radius:6px;display:inline-block;color:#fff}
.verdict.ok{background:#2e7d32}.verdict.bad{background:#c62828}
table{border-collapse:collapse;background:#fff;font-size:13px;margin-bottom:8px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eaeef2}
td.s{text-align:center;font-weight:700;color:#fff;min-width:34px}
td.pass{background:#2e7d32}td.fail{background:#c62828}td.error{background:#ef6c00}td.skip{background:#9e9e9e}
td.none{background:#fff;color:#8c959f}
.sev{font-size:11px;text-transform:uppercase;font-weight:700}
.sev.critical{color:#8b0000}.sev.high{color:#c62828}.sev.medium{color:#ef6c00}.sev.low{color:#1565c0}.sev.info{color:#57606a}
.wrap{overflow-x:auto}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;word-break:break-all}
.legend span{display:inline-block;margin-right:12px;font-size:12px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
</style>
</head>
<body>
<h1>webedge.https compliance report</h1>
<div class="meta">Generated {{ report.generated_at }} by {{ report.generator.name }} {{ report.generator.version }}
 &middot; catalog v{{ report.catalog_version }} &middot; gate: fail on {{ report.fail_on }}</div>
<p>{% if summary.threshold_exceeded %}<span class="verdict bad">FAILED: {{ summary.threshold_failures | join(', ') }}
</span>{% else %}<span class="verdict ok">PASSED</span>{% endif %}</p>
<div class="cards">
<div class="card"><b>{{ summary.hosts }}</b><span>hosts</span></div>
<div class="card"><b>{{ summary.hosts_failing }}</b><span>hosts failing</span></div>
<div class="card"><b>{{ summary.endpoints }}</b><span>endpoints</span></div>
{% for status in statuses %}<div class="card"><b>{{ summary.counts[status] }}</b><span>{{ status }}</span></div>
{% endfor %}
{% for sev in severities %}<div class="card"><b>{{ summary.failing_by_severity[sev] }}</b>
<span class="sev {{ sev }}">{{ sev }} failing</span></div>
{% endfor %}
</div>

<h2>Results by host</h2>
<div class="legend">{% for status in statuses %}<span><i style="background:{{ colors[status] }}"></i>{{ status }}</span>
{% endfor %}</div>
<svg xmlns="http://www.w3.org/2000/svg" width="{{ chart.width }}" height="{{ chart.height }}" role="img"
 aria-label="Pass, fail, error and skip counts per host">
{% for bar in chart.bars %}<text x="0" y="{{ bar.y + 14 }}" font-size="12" fill="#1f2328">{{ bar.label }}</text>
{% for seg in bar.segments %}<rect x="{{ seg.x }}" y="{{ bar.y }}" width="{{ seg.width }}" height="18"
 fill="{{ seg.color }}">
<title>{{ bar.label }}: {{ seg.count }} {{ seg.status }}</title></rect>
{% endfor %}<text x="{{ bar.end + 6 }}" y="{{ bar.y + 14 }}" font-size="11" fill="#57606a">{{ bar.total }}</text>
{% endfor %}</svg>

<h2>Controls per host</h2>
<div class="wrap"><table>
<tr><th>host</th><th>profile</th>{% for c in report.controls %}<th title="{{ c.title }}">{{ c.id }}</th>
{% endfor %}</tr>
{% for row in matrix %}<tr class="host-row" data-host="{{ row.name }}"><th>{{ row.name }}</th>
<td>{{ row.profile }}</td>{% for cell in row.cells %}
<td class="s {{ cell.status }}" title="{{ cell.title }}">{{ cell.label }}</td>{% endfor %}</tr>
{% endfor %}</table></div>

<h2>Failing and undecided controls</h2>
{% if findings %}<div class="wrap"><table>
<tr><th>severity</th><th>control</th><th>host</th><th>target</th><th>status</th><th>message</th><th>remediation</th></tr>
{% for f in findings %}<tr><td><span class="sev {{ f.severity }}">{{ f.severity }}</span></td>
<td><b>{{ f.control }}</b> {{ f.title }}</td><td>{{ f.host }}</td><td><code>{{ f.target }}</code></td>
<td>{{ f.status }}</td><td>{{ f.message }}{% if f.observed %}<br><small>observed: {{ f.observed }}</small>{% endif %}
{% if f.expected %}<br><small>expected: {{ f.expected }}</small>{% endif %}</td><td>{{ f.remediation }}</td></tr>
{% endfor %}</table></div>{% else %}<p>None.</p>{% endif %}

<h2>Endpoints</h2>
{% if endpoints %}<div class="wrap"><table>
<tr><th>host</th><th>target</th><th>grade</th><th>negotiated</th><th>certificate</th><th>expires</th>
<th>probe error</th></tr>
{% for e in endpoints %}<tr><td>{{ e.host }}</td><td><code>{{ e.target }}</code></td>
<td title="{{ e.grade_why }}"><b>{{ e.grade }}</b>
{% if e.grade_why %}<br><small>{{ e.grade_why }}</small>{% endif %}</td>
<td>{{ e.negotiated }}</td><td>{{ e.certificate }}</td><td>{{ e.expires }}</td><td>{{ e.error }}</td></tr>
{% endfor %}</table></div>{% else %}<p>No endpoint was probed.</p>{% endif %}

<h2>Control catalog</h2>
<div class="wrap"><table>
<tr><th>id</th><th>severity</th><th>where</th><th>title</th><th>remediation</th></tr>
{% for c in catalog %}<tr><td>{{ c.id }}</td><td><span class="sev {{ c.severity }}">{{ c.severity }}</span></td>
<td>{{ c.where }}</td><td>{{ c.title }}</td><td>{{ c.remediation_text }}
{% if c.fixes %}<ul>{% for label, fix in c.fixes %}<li><b>{{ label }}</b>: {{ fix }}</li>{% endfor %}</ul>
{% endif %}</td></tr>
{% endfor %}</table></div>
</body>
</html>
"""


def _matrix(report: Mapping[str, Any]) -> List[Dict[str, Any]]:
    rows = []
    for host in report["hosts"]:
        by_control: Dict[str, List[Mapping[str, Any]]] = {}
        for result in host["results"]:
            by_control.setdefault(result["control"], []).append(result)
        cells = []
        for control in report["controls"]:
            results = by_control.get(control["id"], [])
            if not results:
                cells.append({"status": "none", "label": "-", "title": f"{control['id']}: not evaluated"})
                continue
            worst = min(results, key=lambda r: _STATUS_ORDER[r["status"]])
            label = {"pass": "ok", "fail": "FAIL", "error": "ERR", "skip": "skip"}[worst["status"]]
            title = "; ".join(f"{r['target']}: {r['status']} - {r['message']}" for r in results)
            cells.append({"status": worst["status"], "label": label, "title": f"{control['id']}: {title}"})
        rows.append({"name": host["name"], "profile": host.get("profile") or "", "cells": cells})
    return rows


def _chart(report: Mapping[str, Any]) -> Dict[str, Any]:
    label_width, bar_width, row = 220, 600, 24
    hosts = report["hosts"]
    biggest = max([len(h["results"]) for h in hosts] + [1])
    bars = []
    for i, host in enumerate(hosts):
        x = label_width
        segments = []
        for status in ("pass", "fail", "error", "skip"):
            count = host["counts"][status]
            if not count:
                continue
            width = round(bar_width * count / biggest, 1)
            segments.append({"x": x, "width": width, "color": _COLORS[status], "count": count, "status": status})
            x = round(x + width, 1)
        name = host["name"]
        bars.append(
            {
                "y": 4 + i * row,
                "label": name if len(name) <= 30 else name[:29] + "\u2026",
                "segments": segments,
                "end": x,
                "total": len(host["results"]),
            }
        )
    return {"width": label_width + bar_width + 60, "height": max(len(hosts), 1) * row + 8, "bars": bars}


def render_html(report: Mapping[str, Any]) -> str:
    remediation = {c["id"]: c["remediation"] for c in report["controls"]}
    findings = [
        dict(
            r,
            host=host["name"],
            observed=plain(r.get("observed")),
            expected=plain(r.get("expected")),
            remediation=remediation.get(r["control"], ""),
        )
        for host in report["hosts"]
        for r in host["results"]
        if r["status"] in ("fail", "error")
    ]
    severities = ["critical", "high", "medium", "low", "info"]
    findings.sort(key=lambda f: (severities.index(f["severity"]), f["control"], f["host"], f["target"]))
    endpoints = []
    for host in report["hosts"]:
        for e in host["endpoints"]:
            cert = e.get("certificate") or {}
            neg = e.get("negotiated") or {}
            endpoints.append(
                {
                    "host": host["name"],
                    "target": e["target"],
                    "negotiated": " ".join(plain(neg.get(k)) for k in ("version", "cipher", "group") if neg.get(k)),
                    "certificate": " / ".join(
                        plain(cert.get(k)) for k in ("subject", "issuer", "key_type", "key_size") if cert.get(k)
                    ),
                    "expires": plain(cert.get("not_after")),
                    "error": plain(e.get("error")),
                    "grade": grade_label(e.get("grade")),
                    "grade_why": grade_reasons(e.get("grade")),
                }
            )
    return _template().render(
        report=report,
        summary=report["summary"],
        statuses=["pass", "fail", "error", "skip"],
        severities=severities,
        colors=_COLORS,
        chart=_chart(report),
        matrix=_matrix(report),
        findings=findings,
        endpoints=endpoints,
        catalog=_catalog_rows(report),
    )


def _bytecode_cache() -> Optional[BytecodeCache]:
    """Jinja's cache of compiled templates in the user's private temporary directory, when it can be made."""
    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):  # no usable temporary directory (Jinja refuses one it does not own)
        return None


def _template() -> Template:
    # Compiling this template took about 20 ms of every report run (a fresh process each time);
    # Jinja's bytecode cache loads it in under 1 ms. Its entries are keyed by the source's checksum,
    # so an edited template is compiled again, and a cache that cannot be written is only slower.
    env = Environment(
        loader=DictLoader({"report.html": _TEMPLATE}),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    try:
        return env.get_template("report.html")
    except OSError:  # the cache's directory became unwritable (full disk, removed): compile without it
        env.bytecode_cache = None
        return env.get_template("report.html")


def _catalog_rows(report: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """The catalog table: each control's remediation, then its fix per web server."""
    rows = []
    for control in report["controls"]:
        known = CATALOG.get(control["id"])
        by_server = control.get("remediation_by_server") or {}
        rows.append(
            dict(
                control,
                remediation_text=known.remediation if known else control["remediation"],
                fixes=[(SERVER_LABELS.get(server, server), fix) for server, fix in by_server.items()],
            )
        )
    return rows
