# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render the requested formats and write them atomically (temp file in the same directory, then rename)."""

from __future__ import annotations

import os
import tempfile
from typing import Any, Callable, Dict, Iterable, Mapping

from ansible_collections.webedge.https.plugins.module_utils.specs.compliance_report import REPORT_FORMATS
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.html import render_html
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.json_report import render_json
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.junit import render_junit
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.markdown import render_markdown
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.sarif import render_sarif

__all__ = ["FILE_NAMES", "FORMATS", "RENDERERS", "render_all", "write_atomic", "write_reports"]

FORMATS = REPORT_FORMATS
FILE_NAMES = {
    "json": "compliance.json",
    "junit": "compliance-junit.xml",
    "sarif": "compliance.sarif",
    "html": "compliance.html",
    "markdown": "compliance.md",
}
RENDERERS: Dict[str, Callable[[Mapping[str, Any]], str]] = {
    "json": render_json,
    "junit": render_junit,
    "sarif": render_sarif,
    "html": render_html,
    "markdown": render_markdown,
}


def render_all(report: Mapping[str, Any], formats: Iterable[str] = FORMATS) -> Dict[str, str]:
    unknown = [f for f in formats if f not in RENDERERS]
    if unknown:
        raise ValueError(f"unknown report format(s) {', '.join(map(str, unknown))}; choose from {', '.join(FORMATS)}")
    return {fmt: RENDERERS[fmt](report) for fmt in formats}


def write_atomic(path: str, text: str, mode: int = 0o644) -> bool:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``; False when unchanged."""
    data = text.encode("utf-8")
    try:
        with open(path, "rb") as handle:
            if handle.read() == data:
                return False
    except OSError:
        pass
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".webedge-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return True


def write_reports(report: Mapping[str, Any], dest: str, formats: Iterable[str] = FORMATS) -> Dict[str, Dict[str, Any]]:
    """Write each format under ``dest`` (created if missing); returns ``{format: {path, changed}}``."""
    rendered = render_all(report, list(formats))
    os.makedirs(dest, exist_ok=True)
    out = {}
    for fmt, text in rendered.items():
        path = os.path.join(dest, FILE_NAMES[fmt])
        out[fmt] = {"path": path, "changed": write_atomic(path, text)}
    return out
