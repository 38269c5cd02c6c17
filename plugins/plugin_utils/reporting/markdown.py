# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Markdown for a CI job summary or a pull-request comment: verdict, summary table, failing controls.

Every value from hosts and probes goes through :func:`md_escape`: HTML special characters and
``@`` become entities (no markup, no mentions), Markdown punctuation is backslash-escaped (no
links, emphasis or code spans), newlines become spaces, so a cell stays one table cell.
"""

from __future__ import annotations

import re
from typing import Any, List, Mapping

from ansible_collections.webedge.https.plugins.plugin_utils.reporting._text import plain
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.model import grade_label, grade_reasons

__all__ = ["md_escape", "render_markdown"]

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;", "@": "&#64;", '"': "&quot;"}
_MD_PUNCT = re.compile(r"([\\`*_\[\]()#~])")
_ICON = {"pass": "pass", "fail": "**FAIL**", "error": "**ERROR**", "skip": "skip"}


def md_escape(value: Any, limit: int = 300) -> str:
    text = " ".join(plain(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    text = _MD_PUNCT.sub(r"\\\1", text).replace("://", "\\://")  # no autolinks either
    return "".join(_ENTITIES.get(ch, ch) for ch in text)


def render_markdown(report: Mapping[str, Any]) -> str:
    summary = report["summary"]
    counts = summary["counts"]
    lines: List[str] = ["## webedge.https compliance", ""]
    if summary["threshold_exceeded"]:
        lines.append(f"**FAILED** (fail on {report['fail_on']}): {md_escape(', '.join(summary['threshold_failures']))}")
    else:
        lines.append(f"**PASSED** (fail on {report['fail_on']})")
    lines += [
        "",
        f"{summary['hosts']} host(s), {summary['endpoints']} endpoint(s), {summary['results']} check(s): "
        f"{counts['pass']} pass, {counts['fail']} fail, {counts['error']} error, {counts['skip']} skip. "
        f"Generated {report['generated_at']}.",
        "",
        "| host | profile | status | pass | fail | error | skip | worst |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for host in report["hosts"]:
        c = host["counts"]
        profile = " ".join(p for p in (host.get("profile"), host.get("profile_version")) if p)
        lines.append(
            f"| {md_escape(host['name'])} | {md_escape(profile)} | {_ICON[host['status']]} | {c['pass']} | "
            f"{c['fail']} | {c['error']} | {c['skip']} | {host['worst_failure'] or ''} |"
        )
    graded = [(host["name"], e) for host in report["hosts"] for e in host["endpoints"] if e.get("grade")]
    if graded:
        lines += ["", "| endpoint | grade | why |", "|---|---|---|"]
        for name, endpoint in graded:
            label, why = grade_label(endpoint["grade"]), grade_reasons(endpoint["grade"])
            lines.append(
                f"| {md_escape(name)} {md_escape(endpoint['target'])} | **{md_escape(label)}** | {md_escape(why)} |"
            )
    failing = [
        (host["name"], r) for host in report["hosts"] for r in host["results"] if r["status"] in ("fail", "error")
    ]
    lines.append("")
    if failing:
        order = ["critical", "high", "medium", "low", "info"]
        failing.sort(key=lambda hr: (order.index(hr[1]["severity"]), hr[1]["control"], hr[0], hr[1]["target"]))
        lines += [
            "### Failing controls",
            "",
            "| severity | control | host | target | status | message |",
            "|---|---|---|---|---|---|",
        ]
        for name, r in failing:
            lines.append(
                f"| {r['severity']} | {md_escape(r['control'])} {md_escape(r['title'])} | {md_escape(name)} | "
                f"{md_escape(r['target'])} | {_ICON[r['status']]} | {md_escape(r['message'])} |"
            )
    else:
        lines.append("No failing controls.")
    lines.append("")
    return "\n".join(lines)
