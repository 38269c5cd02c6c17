# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one parser of ``nft -j list ruleset``.

Both users read the same :class:`NftRuleset`: the backend (``backend.py``: our table and
the other tables' input chains) and the verdict evaluator (``verdict.py``: every input -
or forward - base chain walked for a packet, and the nat chains of the prerouting hook).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Set, Tuple

__all__ = ["LIST_ARGV", "NFT_FAMILIES", "NftChain", "NftRuleset", "parse_ruleset"]

LIST_ARGV = ("nft", "-j", "list", "ruleset")
NFT_FAMILIES = {"inet": ("ipv4", "ipv6"), "ip": ("ipv4",), "ip6": ("ipv6",)}

ChainKey = Tuple[str, str, str]  # (family, table, chain)


@dataclass(frozen=True)
class NftChain:
    """One chain with its rules (the rules' JSON objects, in order).

    Attributes:
        hook: ``input``, ``forward``... for a base chain, None for a regular one.
        kind: the base chain's type (``filter``, ``nat``, ``route``); ``filter`` for a regular one.
        priority: the base chain's hook priority (0 when not a number).
        declared: the ruleset lists the chain itself, not only rules in it.
    """

    family: str
    table: str
    name: str
    hook: Any = None
    priority: int = 0
    policy: str = "accept"
    rules: Tuple[Mapping[str, Any], ...] = ()
    declared: bool = True
    kind: str = "filter"

    @property
    def key(self) -> ChainKey:
        return (self.family, self.table, self.name)

    @property
    def ident(self) -> str:
        return f"nftables {self.family} {self.table} {self.name}"

    @property
    def families(self) -> Tuple[str, ...]:
        """The address families this chain's table sees (none for arp, bridge, netdev)."""
        return NFT_FAMILIES.get(self.family, ())


@dataclass(frozen=True)
class NftRuleset:
    """A parsed ruleset: tables, chains (in the order listed) and named sets and maps."""

    tables: FrozenSet[Tuple[str, str]] = frozenset()
    chains: Mapping[ChainKey, NftChain] = field(default_factory=dict)
    sets: Mapping[ChainKey, Sequence[Any]] = field(default_factory=dict)

    def input_chains(self, family: str, skip_tables: Sequence[Tuple[str, str]] = ()) -> List[NftChain]:
        """The base chains on the input hook that see ``family``, lowest priority first."""
        return self.hook_chains("input", family, skip_tables)

    def hook_chains(
        self, hook: str, family: str, skip_tables: Sequence[Tuple[str, str]] = (), kind: Optional[str] = None
    ) -> List[NftChain]:
        """The base chains on ``hook`` (of type ``kind``, when given) that see ``family``, lowest priority first."""
        return sorted(
            (
                c
                for c in self.chains.values()
                if c.hook == hook
                and (kind is None or c.kind == kind)
                and family in c.families
                and (c.family, c.table) not in skip_tables
            ),
            key=lambda c: c.priority,
        )

    def xt_tables(self) -> Set[Tuple[str, str]]:
        """Tables holding iptables-nft ``xt`` expressions (read those through iptables-save instead)."""
        found: Set[Tuple[str, str]] = set()
        for chain in self.chains.values():
            for rule in chain.rules:
                if any(isinstance(e, Mapping) and "xt" in e for e in rule.get("expr", [])):
                    found.add((chain.family, chain.table))
        return found

    def interface_names(self) -> Set[str]:
        """Every inbound interface name a rule matches on (``iifname``/``iif``)."""
        names: Set[str] = set()

        def collect(value: Any) -> None:
            if isinstance(value, str) and not value.startswith("@"):
                names.add(value)
            elif isinstance(value, Mapping) and "set" in value:
                for elem in value["set"]:
                    collect(elem)
            elif isinstance(value, list):
                for elem in value:
                    collect(elem)

        for chain in self.chains.values():
            for rule in chain.rules:
                for expr in rule.get("expr", []):
                    match = expr.get("match") if isinstance(expr, Mapping) else None
                    if isinstance(match, Mapping):
                        meta = (match.get("left") or {}).get("meta") if isinstance(match.get("left"), Mapping) else None
                        if isinstance(meta, Mapping) and meta.get("key") in ("iifname", "iif"):
                            collect(match.get("right"))
        return names

    def policies(self) -> List[Dict[str, Any]]:
        """Every input base chain with its policy (for reporting)."""
        return [
            {"chain": c.ident, "priority": c.priority, "policy": c.policy}
            for c in sorted((c for c in self.chains.values() if c.hook == "input"), key=lambda c: (c.priority, c.ident))
        ]


def parse_ruleset(text: str) -> NftRuleset:
    """``nft -j list ruleset`` output -> :class:`NftRuleset` (empty output: no ruleset).

    Raises ValueError when the output is not the JSON object nft prints.
    """
    if not (text or "").strip():
        return NftRuleset()
    data = json.loads(text)
    if not isinstance(data, Mapping):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    tables: Set[Tuple[str, str]] = set()
    declared: Dict[ChainKey, Mapping[str, Any]] = {}
    rules: Dict[ChainKey, List[Mapping[str, Any]]] = {}
    sets: Dict[ChainKey, Sequence[Any]] = {}
    for item in data.get("nftables", []):
        if not isinstance(item, Mapping):
            continue
        if "table" in item:
            tables.add((item["table"].get("family"), item["table"].get("name")))
        elif "chain" in item:
            chain = item["chain"]
            key = (chain.get("family"), chain.get("table"), chain.get("name"))
            declared[key] = chain
            rules.setdefault(key, [])
        elif "rule" in item:
            rule = item["rule"]
            rules.setdefault((rule.get("family"), rule.get("table"), rule.get("chain")), []).append(rule)
        elif "set" in item or "map" in item:
            named = item.get("set") or item.get("map")
            sets[(named.get("family"), named.get("table"), named.get("name"))] = list(named.get("elem") or [])
    chains: Dict[ChainKey, NftChain] = {}
    for key, chain_rules in rules.items():
        chain = declared.get(key, {})
        prio = chain.get("prio", 0)
        chains[key] = NftChain(
            family=key[0],
            table=key[1],
            name=key[2],
            hook=chain.get("hook"),
            priority=prio if isinstance(prio, int) else 0,
            policy=str(chain.get("policy", "accept")),
            rules=tuple(chain_rules),
            declared=key in declared,
            kind=str(chain.get("type") or "filter"),
        )
    return NftRuleset(frozenset(tables), chains, sets)
