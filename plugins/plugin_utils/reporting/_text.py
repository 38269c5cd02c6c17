# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Text helpers shared by the renderers (controller side)."""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["plain", "xml_safe"]

# Characters XML 1.0 cannot carry at all, even escaped.
_XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value: Any) -> str:
    """``value`` as text with the characters XML 1.0 forbids replaced by U+FFFD."""
    return _XML_INVALID.sub("\ufffd", plain(value))


def plain(value: Any) -> str:
    """Readable text for observed/expected values and messages."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v) for v in value)
    return json.dumps(value, sort_keys=True, default=str)
