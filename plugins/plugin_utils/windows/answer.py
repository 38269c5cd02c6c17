# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading a script's answer: the JSON line, and the values ConvertTo-Json writes in it.

Every Windows reader decodes with these (written once): a list property may come as a
string, a list or null; a GpoBoolean as ``True``, ``False`` or ``NotConfigured``.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Tuple

__all__ = ["flag", "last_json", "records", "strings", "text"]


def last_json(output: str) -> Optional[Dict[str, Any]]:
    """The last stdout line that is a JSON object (PowerShell may print warnings before it), or None."""
    for line in reversed((output or "").splitlines()):
        if line.strip().startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


def text(value: Any) -> str:
    """A property as stripped text (``""`` for null)."""
    return "" if value is None else str(value).strip()


def strings(value: Any) -> Tuple[str, ...]:
    """A list property (a string, a list or null) as its non-empty strings."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(str(item).strip() for item in items if item is not None and str(item).strip())


def records(value: Any) -> List[Mapping[str, Any]]:
    """A list of objects (one object alone, or null for none) as its objects."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, Mapping)]


def flag(value: Any, default: bool) -> bool:
    """A GpoBoolean: ``True`` / ``False``, anything else (``NotConfigured``) is ``default``."""
    word = text(value)
    return default if word not in ("True", "False") else word == "True"
