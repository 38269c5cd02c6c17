# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Apache layer: Apache reads its configuration a line at a time (a trailing backslash joins the next
line), sections are ``<Name ...>`` ... ``</Name>``, and the role writes paths and URLs inside double quotes.
These checks keep a value from adding a line, a directive or a section to what the apache role writes."""

from __future__ import annotations

import re
from typing import Any, Optional

from ansible_collections.webedge.https.plugins.module_utils.validate.text import URL, check, describe

__all__ = ["ENV_WORD", "URL", "check_directive", "check_env_word", "check_url"]

LAYER = "Apache"

# A word that may name an environment variable as ${NAME} (apache_stapling_cache's default does).
_PLAIN = r"[A-Za-z0-9._/@+,:%~=()-]"
ENV_WORD = re.compile(rf"\A(?:{_PLAIN}|\$\{{[A-Za-z_][A-Za-z0-9_]*\}})+\Z")


def check_url(name: str, value: Any) -> Optional[str]:
    return check(name, value, URL, LAYER)


def check_env_word(name: str, value: Any) -> Optional[str]:
    if isinstance(value, str) and ENV_WORD.match(value):
        return None
    return (
        f"{name}: {describe(value)} is not a safe {LAYER} value: expected one word of letters, digits, "
        ". _ / @ + , : % ~ = ( ) - and ${{NAME}} variables, without spaces, quotes, # ` \\ or control characters"
    )


def check_directive(name: str, value: Any) -> Optional[str]:
    """``None`` when ``value`` is exactly one directive on one line that opens or closes no section."""
    problem = _directive_problem(value)
    if problem is None:
        return None
    return f"{name}: {describe(value)} is not one {LAYER} directive: {problem}"


def _directive_problem(value: Any) -> Optional[str]:
    if not isinstance(value, str):
        return "a directive is a string"
    text = value.strip()
    if not text:
        return "it is empty"
    if not value.isascii() or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "it has a newline, a control character or a non-ASCII character"
    if text.endswith("\\"):
        return "it ends with a backslash, which joins the next line to it"
    if text.startswith("<"):
        return "it opens or closes a section ('<...>'); use locations for <Location> sections"
    if len(re.findall(r'(?<!\\)"', text)) % 2:
        return "it leaves a double quote open"
    if text.startswith("#"):
        return "it is a comment"
    if not re.match(r"\A[A-Za-z][A-Za-z0-9_]*(?:\s|\Z)", text):
        return "it does not start with a directive name"
    return None
