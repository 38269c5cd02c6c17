# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every layer's validator shares: the kinds of value, their allowlists, and one message shape."""

from __future__ import annotations

import re
from typing import Any, Optional, Pattern

__all__ = [
    "HOST",
    "NAME",
    "PATH",
    "URL",
    "WORD",
    "check",
    "describe",
]

# Allowlists, ASCII only (a non-ASCII or non-UTF-8 value never matches): no white space, quotes,
# ';', '{', '}', '#', '$', backticks, backslashes or control characters in any of them.
# A server name: a DNS name (IDNs as punycode), a wildcard at one end, '_' (nginx's catch-all) or an IP literal.
HOST = re.compile(r"\A(?:\*\.)?[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_*])?\Z|\A\[[0-9A-Fa-f:.]+\]\Z|\A_\Z")
# An absolute path.
PATH = re.compile(r"\A/[A-Za-z0-9._/@+,:%~=-]*\Z")
# A name of letters, digits, '_' and '-' (an Apache module).
NAME = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_-]*\Z")
# One word (a file name, a size, a duration, a cache specification).
WORD = re.compile(r"\A[A-Za-z0-9._/@+,:%~=()\[\]-]+\Z")

# An http:// or https:// URL (an upstream, an OCSP responder).
URL = re.compile(r"\Ahttps?://[A-Za-z0-9._~:@\[\]%+/=,!&?*()-]+\Z")

KINDS = {
    HOST: "a server name (letters, digits, '.', '-', '_', a leading '*.'; IDNs as punycode)",
    PATH: "an absolute path of letters, digits and . _ / @ + , : % ~ = -",
    NAME: "a name of letters, digits, '_' and '-'",
    WORD: "one word of letters, digits and . _ / @ + , : % ~ = ( ) [ ] -",
    URL: "an http:// or https:// URL",
}


def describe(value: Any) -> str:
    """The value as the message shows it: every control character and non-ASCII byte escaped,
    at most 200 characters."""
    text = ascii(value)
    return text if len(text) <= 200 else text[:200] + "...'"


def check(name: str, value: Any, pattern: Pattern[str], layer: str) -> Optional[str]:
    """``None`` when ``value`` is a string matching ``pattern``, else the message naming ``name``."""
    if isinstance(value, str) and pattern.match(value):
        return None
    kind = KINDS.get(pattern, "a safe value")
    return (
        f"{name}: {describe(value)} is not a safe {layer} value: expected {kind} "
        "(no spaces, quotes, ; { } # $ ` \\ or control characters)"
    )
