# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The structure of nginx and Apache configuration text, as each server reads it: a list of
``(depth, name, argument count, kind)`` per directive, block or section, comments left out. Two texts
with the same skeleton have the same directives in the same blocks, with the same number of arguments."""

from __future__ import annotations

from typing import List, Tuple

from ansible_collections.webedge.https.plugins.module_utils.validate.nginx import tokens

__all__ = ["Skeleton", "apache_skeleton", "nginx_skeleton"]

Skeleton = List[Tuple[int, str, int, str]]


def nginx_skeleton(text: str) -> Skeleton:
    """nginx: a statement ends at ';' (kind "directive") or opens a block at '{' (kind "block")."""
    out: Skeleton = []
    depth, words = 0, []  # type: int, List[str]
    for kind, value in tokens(text):
        if kind == "#":
            continue
        if kind in ("word", "quoted"):
            words.append(value)
        elif kind == ";":
            if not words:
                raise ValueError("an empty statement")
            out.append((depth, words[0], len(words) - 1, "directive"))
            words = []
        elif kind == "{":
            if not words:
                raise ValueError("a block without a name")
            out.append((depth, words[0], len(words) - 1, "block"))
            words, depth = [], depth + 1
        else:  # "}"
            if words or depth == 0:
                raise ValueError("'}' after an unterminated statement or at the top level")
            depth -= 1
    if words or depth:
        raise ValueError("unterminated statement or block at the end")
    return out


def _apache_words(line: str) -> List[str]:
    """A line's words as Apache's ap_getword_conf reads them: a word starting with a quote runs to the
    matching quote (a backslash escapes it) or to the end of the line; any other word to white space."""
    words: List[str] = []
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        quote = line[i] if line[i] in "\"'" else ""
        j = i + 1 if quote else i
        while j < n and (line[j] != quote if quote else not line[j].isspace()):
            j += 2 if quote and line[j] == "\\" else 1
        words.append(line[i : j + 1] if quote else line[i:j])
        i = j + 1
    return words


def apache_skeleton(text: str) -> Skeleton:
    """Apache: one directive per line (a trailing backslash continues it), ``<Name args>`` opens a
    section, ``</Name>`` closes the last one opened."""
    out: Skeleton = []
    stack: List[str] = []
    logical = text.replace("\\\n", " ").split("\n")
    for raw in logical:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("</"):
            name = line[2:].rstrip(">").strip()
            if not stack or stack.pop().lower() != name.lower():
                raise ValueError(f"</{name}> closes no open section")
            continue
        if line.startswith("<"):
            if not line.endswith(">"):
                raise ValueError(f"unterminated section tag {line!r}")
            args = _apache_words(line[1:-1])
            out.append((len(stack), args[0], len(args) - 1, "section"))
            stack.append(args[0])
            continue
        args = _apache_words(line)
        out.append((len(stack), args[0], len(args) - 1, "directive"))
    if stack:
        raise ValueError(f"sections left open: {stack}")
    return out
