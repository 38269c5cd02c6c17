# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers for the compliance tests: a compliant probe result (intermediate 5.7) and a fixed clock."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "compliance"
NOW = datetime(2025, 6, 14, 12, 0, tzinfo=timezone.utc)


def load_probe(name: str = "probe_intermediate_ok.json") -> Dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def with_changes(probe: Dict[str, Any], changes: Dict[str, Any]) -> Dict[str, Any]:
    """Copy of ``probe`` with dotted-path changes applied (``{"certificate.key_size": 1024}``)."""
    out = copy.deepcopy(probe)
    for path, value in changes.items():
        node = out
        keys = path.split("/") if "/" in path else path.split(".")
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return out
