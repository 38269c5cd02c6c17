# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The nginx layer: a tokeniser of nginx's configuration syntax (as ``ngx_conf_read_token`` reads it)
and the checks that keep a value from adding a directive or a block to what the nginx role writes."""

from __future__ import annotations

import re
from typing import Any, List, Optional, Tuple

from ansible_collections.webedge.https.plugins.module_utils.validate.text import URL, check, describe

__all__ = [
    "LOCATION",
    "URL",
    "NginxSyntaxError",
    "check_directive",
    "check_location",
    "check_url",
    "skeleton",
    "tokens",
]

LAYER = "nginx"

# proxy_pass's URL is text.URL (no white space, quotes, ; { } # $ - nginx expands variables in it - or `).
# A location: a URI prefix (optionally after '=' or '^~'), or a regular expression after '~' or '~*'
# whose backslashes each escape a character of the allowlist (never a space, a quote or a terminator).
_URI = r"/[A-Za-z0-9._/@+,:%~=-]*"
_REGEX = r"(?:[A-Za-z0-9._/@+,:%~=^$*?|()\[\]-]|\\[A-Za-z0-9._/@+,:%~=^$*?|()\[\]-])+"
LOCATION = re.compile(rf"\A(?:(?:=|\^~) )?{_URI}\Z|\A~\*? {_REGEX}\Z")

Entry = Tuple[int, str, int, str]  # (depth, name, argument count, "directive" or "block")
Token = Tuple[str, str]  # (kind, text): kind is "word", "quoted", ";", "{", "}" or "#"


class NginxSyntaxError(ValueError):
    """Text that nginx would not read as complete tokens (an open quote, a trailing escape)."""


def tokens(text: str) -> List[Token]:
    """The tokens of nginx configuration text, comments included, as nginx's reader splits them."""
    out: List[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
        elif ch in ";{}":
            out.append((ch, ch))
            i += 1
        elif ch == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(("#", text[i:end]))
            i = end
        elif ch in "\"'":
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise NginxSyntaxError(f"unterminated {ch} quote at offset {i}")
            out.append(("quoted", text[i : j + 1]))
            i = j + 1
        else:
            j = i
            while j < n and text[j] not in " \t\r\n;{}":
                if text[j] == "\\":
                    if j + 1 >= n:
                        raise NginxSyntaxError(f"trailing backslash at offset {j}")
                    j += 2
                else:
                    j += 1
            # nginx reads a quote or '#' inside a word as part of it; '{' and ';' end it.
            out.append(("word", text[i:j]))
            i = j
    return out


def skeleton(text: str, comments: bool = True) -> List[Entry]:
    """The structure of nginx configuration text: one entry per directive (ended by ';') and per block
    (opened by '{'), as nginx reads it. Raises :class:`NginxSyntaxError` for text nginx would refuse
    (an empty statement, a '}' closing nothing or ending an unterminated statement, an open block), and
    for a comment when ``comments`` is false."""
    out: List[Entry] = []
    depth = 0
    words: List[str] = []
    for kind, value in tokens(text):
        if kind == "#":
            if not comments:
                raise NginxSyntaxError("it has a comment ('#'), which would hide what follows it")
            continue
        if kind in ("word", "quoted"):
            words.append(value)
        elif kind in (";", "{"):
            if not words:
                raise NginxSyntaxError(f"an empty statement before '{kind}'")
            out.append((depth, words[0], len(words) - 1, "directive" if kind == ";" else "block"))
            words = []
            depth += kind == "{"
        else:
            if words:
                raise NginxSyntaxError("'}' ends an unterminated statement")
            if depth == 0:
                raise NginxSyntaxError("'}' closes a block that was not opened")
            depth -= 1
    if words:
        raise NginxSyntaxError("an unterminated statement at the end")
    if depth:
        raise NginxSyntaxError("a block is left open ('{')")
    return out


def check_url(name: str, value: Any) -> Optional[str]:
    return check(name, value, URL, LAYER)


def check_location(name: str, value: Any) -> Optional[str]:
    if isinstance(value, str) and LOCATION.match(value):
        return None
    return (
        f"{name}: {describe(value)} is not a safe {LAYER} location: expected a URI path starting with '/' "
        "(after '=' or '^~' and a space), or '~' or '~*', a space and a regular expression, without quotes, "
        "; { } # ` or control characters"
    )


def check_directive(name: str, value: Any) -> Optional[str]:
    """``None`` when ``value`` is exactly one directive (``add_header X y always``, with or without its
    ';') or one block (``location /x { return 404; }``) with balanced braces and quotes on one line."""
    problem = _directive_problem(value)
    if problem is None:
        return None
    return f"{name}: {describe(value)} is not one {LAYER} directive: {problem}"


def _directive_problem(value: Any) -> Optional[str]:
    if not isinstance(value, str):
        return "a directive is a string"
    text = value.strip()  # the template writes the directive trimmed
    if not text:
        return "it is empty"
    if not text.isascii() or any(ord(c) < 32 or ord(c) == 127 for c in text):
        return "it has a newline, a control character or a non-ASCII character"
    try:
        if tokens(text)[0][0] != "word":
            return "it does not start with a directive name"
        # The template adds the ';' when the text does not end a statement or a block itself.
        parsed = skeleton(text if text[-1] in ";}" else text + ";", comments=False)
    except NginxSyntaxError as exc:
        return str(exc)
    if [entry for entry in parsed if entry[0] == 0][1:]:
        return "it holds more than one directive"
    return None
