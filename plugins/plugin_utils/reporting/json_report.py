# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""report.json: the report structure as stable, sorted JSON (see ``model.REPORT_SCHEMA``)."""

from __future__ import annotations

import json
from typing import Any, Mapping

__all__ = ["render_json"]


def render_json(report: Mapping[str, Any]) -> str:
    return json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
