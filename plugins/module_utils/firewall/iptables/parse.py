# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one parser of ``iptables-save`` / ``ip6tables-save`` output (and of netfilter-persistent rules files).

Both users read the same :class:`SaveTable`: the backend (``backend.py``: our chain and jump
in the ``filter`` table) and the verdict evaluator (``verdict.py``: the INPUT chains of
``mangle``, ``filter`` and ``security`` walked for a packet).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

__all__ = ["SaveRule", "SaveTable", "filter_table", "parse_save", "split_rule"]


def split_rule(line: str) -> Tuple[str, ...]:
    """Tokens of one ``iptables-save`` rule line.

    Most lines have no quoting, and a plain split gives the same tokens as
    ``shlex`` about ten times faster, which matters on hosts with thousands of
    rules (a save is parsed for detection, the read and the rules files).
    """
    if '"' in line or "'" in line or "\\" in line:
        return tuple(shlex.split(line))
    return tuple(line.split())


@dataclass(frozen=True)
class SaveRule:
    """One ``-A CHAIN ...`` line: its chain, the line as saved and its tokens (``-A CHAIN`` included)."""

    chain: str
    line: str
    tokens: Tuple[str, ...]

    @property
    def matches(self) -> Tuple[str, ...]:
        """The tokens after ``-A CHAIN``: matches, then the target and its options."""
        return self.tokens[2:]

    @property
    def target(self) -> Optional[str]:
        toks = self.tokens
        for i, tok in enumerate(toks[:-1]):
            if tok in ("-j", "--jump", "-g", "--goto"):
                return toks[i + 1]
        return None

    @property
    def unconditional(self) -> bool:
        """Only a target (plus comments / reject type): it matches every packet."""
        toks = list(self.tokens[2:])  # drop "-A CHAIN"
        i = 0
        while i < len(toks):
            tok = toks[i]
            skip = tok in ("-j", "--jump", "-g", "--goto", "--reject-with", "--comment")
            if skip or (tok == "-m" and toks[i + 1 : i + 2] == ["comment"]):
                i += 2
            else:
                return False
        return True


@dataclass(frozen=True)
class SaveTable:
    """One ``*table`` section.

    Attributes:
        policies: declared chain -> policy (``-`` for a user chain), in the order saved.
        rules: chain -> its rules in order (every declared chain, and any chain a rule names).
    """

    name: str
    policies: Dict[str, str] = field(default_factory=dict)
    rules: Dict[str, List[SaveRule]] = field(default_factory=dict)

    @property
    def chains(self) -> Tuple[str, ...]:
        """The declared chains, in the order saved."""
        return tuple(self.policies)

    def chain_rules(self, chain: str) -> List[SaveRule]:
        return list(self.rules.get(chain, ()))

    @property
    def has_rules(self) -> bool:
        return any(self.rules.values()) or any(p not in ("ACCEPT", "-") for p in self.policies.values())


def parse_save(text: str) -> Dict[str, SaveTable]:
    """``iptables-save`` output -> tables by name, chains with policies and rules in order."""
    tables: Dict[str, SaveTable] = {}
    current: Optional[SaveTable] = None
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("*"):
            current = tables.setdefault(line[1:], SaveTable(line[1:]))
        elif line == "COMMIT":
            current = None
        elif current is None:
            continue
        elif line.startswith(":"):
            name, rest = ([*line[1:].split(" ", 1), ""])[:2]
            current.policies[name] = rest.split(" ", 1)[0] if rest else "-"
            current.rules.setdefault(name, [])
        elif line.startswith("-A "):
            try:
                tokens = split_rule(line)
            except ValueError:
                tokens = tuple(line.split())
            current.rules.setdefault(tokens[1], []).append(SaveRule(tokens[1], line, tokens))
    return tables


def filter_table(text: str) -> SaveTable:
    """The ``*filter`` section (empty when the output has none)."""
    return parse_save(text).get("filter") or SaveTable("filter")
