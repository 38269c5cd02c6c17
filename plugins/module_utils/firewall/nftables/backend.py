# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nftables backend (the ruleset is read through ``parse.py``, shared with the verdict evaluator).

What we own:

* ``table inet webedge_https`` with one base chain ``input`` (hook input,
  priority ``filter - 10``, policy accept): the record of our rules, one rule
  per :class:`Rule`, each with the comment ``webedge.https: <rule>``.
* Marked copies of those rules inside OTHER tables' input base chains that
  block. In nftables every base chain on a hook sees the packet and a drop in
  any of them is final, so an accept in our table alone opens nothing when
  ``table inet filter`` has ``policy drop``. A foreign chain "blocks" when its
  policy is drop or it holds an unconditional drop/reject (or an unconditional
  jump/goto to a chain that does). Our copies go just before the first
  unconditional blocking rule, or at the end of a policy-drop chain - never at
  the top, so conditional drops above them (fail2ban bans, blocklists,
  ``ct state invalid drop``) still win.

Chains that iptables-nft manages (``table ip filter`` ``INPUT``...) are never
written with nft; use ``backend: iptables`` there.

One read (``nft -j list ruleset``), one write (``nft -f -`` with one atomic
script). Nothing that is not ours is flushed, deleted or reordered.

Persistence: ``/etc/nftables.d/webedge-https.nft`` (our table, rebuilt
idempotently with ``table``/``delete table``, plus ``add``/``insert rule``
statements for the copies in foreign chains that ``/etc/nftables.conf``
defines), included once at the end of ``/etc/nftables.conf`` - so it loads
after the foreign tables on boot and on ``systemctl restart nftables``. The
copies rely on the main file starting with ``flush ruleset`` (Debian's default)
to be idempotent on reload; if it does not, the next run removes duplicates.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Any, List, Mapping, Optional, Sequence, Set, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import (
    COMMENT_MARK,
    Detection,
    FileWrite,
    FirewallBackend,
    Plan,
    Ruleset,
    Runner,
    Step,
    neutral_after,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import (
    DesiredState,
    FirewallError,
    ReadScope,
    Rule,
    plan_rules,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.nftables.parse import (
    LIST_ARGV,
    NFT_FAMILIES,
    NftChain,
    NftRuleset,
    parse_ruleset,
)
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange

__all__ = [
    "CONF_PATH",
    "INCLUDE_PATH",
    "LIST_ARGV",
    "NftState",
    "NftablesBackend",
    "read_state",
    "render_rule",
]

TABLE_FAMILY = "inet"
TABLE = "webedge_https"
CHAIN = "input"
PRIORITY = "filter - 10"
APPLY_ARGV = ("nft", "-f", "-")
CONF_PATH = "/etc/nftables.conf"
INCLUDE_PATH = "/etc/nftables.d/webedge-https.nft"
XTABLES_TABLES = {"filter", "nat", "mangle", "raw", "security"}
XTABLES_CHAINS = {"INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING"}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
_PASSIVE = {"counter", "log", "comment"}
_BLOCKING = {"drop", "reject"}


def comment_for(rule: Rule) -> str:
    return f"{COMMENT_MARK}: {rule.describe()}"


def render_rule(rule: Rule, table_family: str) -> str:
    """The nft statement text of one rule (``ip saddr 10.0.0.0/8 tcp dport 443 accept comment "..."``)."""
    parts: List[str] = []
    proto = "ip" if rule.family == "ipv4" else "ip6"
    if rule.source is not None:
        parts.append(f"{proto} saddr {rule.source}")
    elif table_family == "inet":
        parts.append(f"meta nfproto {rule.family}")
    parts.append(f"{rule.protocol} dport {rule.ports}")
    parts.append(f'accept comment "{comment_for(rule)}"')
    return " ".join(parts)


# ---------------------------------------------------------------------------
# reading


@dataclass(frozen=True)
class MarkedRule:
    handle: int
    rule: Optional[Rule]  # None: marked but not in a shape we write (removed on the next change)


@dataclass(frozen=True)
class ForeignChain:
    """An input base chain in another table."""

    family: str
    table: str
    name: str
    policy: str
    blocks: bool  # a packet nobody accepted would be dropped here
    block_handle: Optional[int]  # first unconditional blocking rule (insert before it); None: append
    block_index: Optional[int]  # its index among the chain's foreign (non-marked) rules
    xtables: bool
    marked: Tuple[MarkedRule, ...] = ()

    @property
    def ident(self) -> str:
        return f"{self.family} {self.table} {self.name}"


@dataclass(frozen=True)
class NftState:
    """Parsed ``nft -j list ruleset`` plus the persistence files."""

    own_table: bool
    own_chain_ok: bool
    own_rules: Tuple[Rule, ...]
    own_unparsed: int
    foreign: Tuple[ForeignChain, ...]
    conf_text: Optional[str] = None
    include_text: Optional[str] = None
    conf_tables: Tuple[Tuple[str, str], ...] = field(default=())


def _port_range(value: Any) -> Optional[PortRange]:
    if isinstance(value, int):
        return PortRange(value, value)
    if isinstance(value, dict) and isinstance(value.get("range"), list) and len(value["range"]) == 2:
        first, last = value["range"]
        if isinstance(first, int) and isinstance(last, int):
            return PortRange(first, last)
    return None


def _source(value: Any, family: str) -> Optional[str]:
    if isinstance(value, str):
        return f"{value}/{32 if family == 'ipv4' else 128}"
    if isinstance(value, dict) and isinstance(value.get("prefix"), dict):
        return f"{value['prefix'].get('addr')}/{value['prefix'].get('len')}"
    return None


def parse_rule_exprs(exprs: Sequence[Mapping[str, Any]], table_family: str) -> Optional[Rule]:
    """Turn one of OUR rules' expressions back into a :class:`Rule` (None: not a shape we write)."""
    families = NFT_FAMILIES.get(table_family, ())
    family: Optional[str] = families[0] if len(families) == 1 else None
    protocol: Optional[str] = None
    ports: Optional[PortRange] = None
    source: Optional[str] = None
    accepted = False
    for expr in exprs:
        if "accept" in expr:
            accepted = True
            continue
        if "counter" in expr:
            continue
        match = expr.get("match")
        if not isinstance(match, dict) or match.get("op") != "==":
            return None
        left, right = match.get("left") or {}, match.get("right")
        if "meta" in left and left["meta"].get("key") == "nfproto" and right in ("ipv4", "ipv6"):
            if family not in (None, right):
                return None
            family = right
        elif "payload" in left and left["payload"].get("field") == "saddr":
            fam = {"ip": "ipv4", "ip6": "ipv6"}.get(left["payload"].get("protocol"))
            if fam is None or family not in (None, fam):
                return None
            family = fam
            source = _source(right, fam)
            if source is None:
                return None
        elif "payload" in left and left["payload"].get("field") == "dport":
            protocol = left["payload"].get("protocol")
            ports = _port_range(right)
        else:
            return None
    if not accepted or family is None or protocol not in ("tcp", "udp") or ports is None:
        return None
    try:
        return Rule(family, protocol, ports, source)
    except FirewallError:
        return None


def _is_marked(rule: Mapping[str, Any]) -> bool:
    return str(rule.get("comment", "")).startswith(COMMENT_MARK)


def _unconditional(exprs: Sequence[Mapping[str, Any]]) -> bool:
    return all(set(expr) <= (_PASSIVE | _BLOCKING | {"jump", "goto", "accept"}) for expr in exprs)


def _verdict(exprs: Sequence[Mapping[str, Any]]) -> Tuple[Optional[str], Optional[str]]:
    for expr in exprs:
        for key in ("drop", "reject", "accept"):
            if key in expr:
                return key, None
        for key in ("jump", "goto"):
            if key in expr and isinstance(expr[key], dict):
                return key, expr[key].get("target")
    return None, None


def _blocking_chains(chains: Sequence[NftChain]) -> Set[Tuple[str, ...]]:
    """Chains (family, table, name) holding an unconditional drop/reject, transitively through jumps."""
    blocking: Set[Tuple[str, ...]] = set()
    changed = True
    while changed:
        changed = False
        for chain in chains:
            key = chain.key
            if key in blocking:
                continue
            for rule in chain.rules:
                if _is_marked(rule):
                    continue
                verdict, target = _verdict(rule.get("expr", []))
                hit = verdict in _BLOCKING and _unconditional(rule.get("expr", []))
                if verdict in ("jump", "goto") and (key[0], key[1], target) in blocking:
                    hit = True
                if hit:
                    blocking.add(key)
                    changed = True
                    break
    return blocking


def own_state(ruleset: NftRuleset) -> NftState:
    """Our table and the other tables' input chains, as the backend plans with them."""
    own_key = (TABLE_FAMILY, TABLE, CHAIN)
    own = ruleset.chains.get(own_key)
    own_table = (TABLE_FAMILY, TABLE) in ruleset.tables
    own_chain_ok = bool(own and own.declared and own.hook == "input" and own.policy == "accept")
    own_rules: List[Rule] = []
    own_unparsed = 0
    for rule in own.rules if own is not None else ():
        parsed = parse_rule_exprs(rule.get("expr", []), TABLE_FAMILY) if _is_marked(rule) else None
        if parsed is None:
            own_unparsed += 1
        else:
            own_rules.append(parsed)
    ours = {c.key for c in ruleset.chains.values() if c.declared and (c.family, c.table) == (TABLE_FAMILY, TABLE)}
    if own_table and ours != {own_key}:
        own_chain_ok = False

    chains = list(ruleset.chains.values())
    blocking = _blocking_chains(chains)
    foreign: List[ForeignChain] = []
    for chain in chains:
        family, table, name = chain.key
        if (family, table) == (TABLE_FAMILY, TABLE):
            continue
        is_input = chain.hook == "input" and family in NFT_FAMILIES
        marked = tuple(
            MarkedRule(int(r.get("handle", 0)), parse_rule_exprs(r.get("expr", []), family))
            for r in chain.rules
            if _is_marked(r)
        )
        if not is_input and not marked:
            continue
        xtables = (family in ("ip", "ip6") and table in XTABLES_TABLES and name in XTABLES_CHAINS) or any(
            "xt" in e for r in chain.rules for e in r.get("expr", [])
        )
        block_handle: Optional[int] = None
        block_index: Optional[int] = None
        index = 0
        for rule in chain.rules:
            if _is_marked(rule):
                continue
            exprs = rule.get("expr", [])
            verdict, target = _verdict(exprs)
            if _unconditional(exprs) and (
                verdict in _BLOCKING or (verdict in ("jump", "goto") and (family, table, target) in blocking)
            ):
                block_handle, block_index = int(rule.get("handle", 0)), index
                break
            index += 1
        blocks = is_input and (chain.policy == "drop" or block_handle is not None)
        foreign.append(
            ForeignChain(
                family=family,
                table=table,
                name=name,
                policy=chain.policy,
                blocks=blocks,
                block_handle=block_handle,
                block_index=block_index,
                xtables=xtables,
                marked=marked,
            )
        )
    return NftState(
        own_table=own_table,
        own_chain_ok=own_chain_ok,
        own_rules=tuple(sorted(set(own_rules))),
        own_unparsed=own_unparsed,
        foreign=tuple(sorted(foreign, key=lambda c: (c.family, c.table, c.name))),
    )


def read_state(text: str) -> NftState:
    """``nft -j list ruleset`` output -> :class:`NftState` (FirewallError when it cannot be read)."""
    try:
        return own_state(parse_ruleset(text))
    except (ValueError, AttributeError, TypeError) as exc:
        raise FirewallError(f"nftables: cannot parse 'nft -j list ruleset' output: {exc}") from None


_TABLE_DECL = re.compile(
    r"^\s*(?:add\s+|create\s+)?table\s+(?:(inet|ip6|ip|arp|bridge|netdev)\s+)?([A-Za-z_][\w.-]*)", re.M
)
_INCLUDE = re.compile(r'^\s*include\s+"([^"]+)"', re.M)


def conf_tables(conf_text: Optional[str]) -> Tuple[Tuple[str, str], ...]:
    """Tables (family, name) that a nftables.conf text declares (family defaults to ip)."""
    if not conf_text:
        return ()
    return tuple(sorted({(m.group(1) or "ip", m.group(2)) for m in _TABLE_DECL.finditer(conf_text)}))


def conf_includes(conf_text: Optional[str], path: str = INCLUDE_PATH) -> bool:
    return any(fnmatch.fnmatch(path, pattern) for pattern in _INCLUDE.findall(conf_text or ""))


# ---------------------------------------------------------------------------
# planning


def _wanted_in(chain: ForeignChain, after: Sequence[Rule]) -> Tuple[Rule, ...]:
    if not chain.blocks or chain.xtables:
        return ()
    families = NFT_FAMILIES[chain.family]
    return tuple(r for r in sorted(after) if r.family in families)


def _check_name(*names: str) -> None:
    for name in names:
        if not _NAME.match(name):
            raise FirewallError(f"nftables: cannot address table/chain {name!r} safely (unexpected characters)")


def build_script(state: NftState, after: Sequence[Rule], rebuild_own: bool) -> Tuple[str, List[str]]:
    """The ``nft -f -`` script turning ``state`` into ``after``; returns (script, notes)."""
    lines: List[str] = []
    notes: List[str] = []
    if rebuild_own:
        if state.own_table:
            lines.append(f"delete table {TABLE_FAMILY} {TABLE}")
        if after:
            lines.append(f"add table {TABLE_FAMILY} {TABLE}")
            lines.append(
                f"add chain {TABLE_FAMILY} {TABLE} {CHAIN} "
                f"{{ type filter hook input priority {PRIORITY}; policy accept; }}"
            )
            lines.extend(f"add rule {TABLE_FAMILY} {TABLE} {CHAIN} {render_rule(r, TABLE_FAMILY)}" for r in after)
    for chain in state.foreign:
        wanted = _wanted_in(chain, after)
        if chain.blocks and chain.xtables and after:
            raise FirewallError(
                f"nftables: input chain {chain.ident} is managed by iptables-nft and blocks; "
                "writing nft rules there would corrupt it - use backend: iptables"
            )
        current = tuple(m.rule for m in chain.marked)
        if current == wanted:
            if wanted:
                notes.append(f"{chain.ident} (policy {chain.policy}) also accepts our rules")
            continue
        _check_name(chain.table, chain.name)
        where = f"{chain.family} {chain.table} {chain.name}"
        lines.extend(f"delete rule {where} handle {m.handle}" for m in chain.marked)
        for rule in wanted:
            if chain.block_handle is not None:
                lines.append(f"insert rule {where} handle {chain.block_handle} {render_rule(rule, chain.family)}")
            else:
                lines.append(f"add rule {where} {render_rule(rule, chain.family)}")
        if wanted:
            notes.append(f"{chain.ident} (policy {chain.policy}) blocks input: our rules are copied into it")
    return "".join(line + "\n" for line in lines), notes


def build_include(state: NftState, after: Sequence[Rule]) -> Tuple[str, List[str]]:
    """The persisted include file for ``after``; returns (text, notes)."""
    notes: List[str] = []
    out = [
        "#!/usr/sbin/nft -f",
        "# Managed by webedge.https (firewall_port): rewritten on every change, do not edit.",
        f"# Loaded by the include line at the end of {CONF_PATH}, after the tables it defines.",
        f"table {TABLE_FAMILY} {TABLE}",
        f"delete table {TABLE_FAMILY} {TABLE}",
    ]
    if after:
        out.append(f"table {TABLE_FAMILY} {TABLE} {{")
        out.append(f"\tchain {CHAIN} {{")
        out.append(f"\t\ttype filter hook input priority {PRIORITY}; policy accept;")
        out.extend(f"\t\t{render_rule(r, TABLE_FAMILY)}" for r in after)
        out.append("\t}")
        out.append("}")
    declared = set(state.conf_tables)
    for chain in state.foreign:
        wanted = _wanted_in(chain, after)
        if not wanted:
            continue
        if (chain.family, chain.table) not in declared:
            notes.append(f"{chain.ident} is not defined in {CONF_PATH}: our copies there are not persisted")
            continue
        where = f"{chain.family} {chain.table} {chain.name}"
        out.append(f"# {where} blocks input (policy {chain.policy}); re-open our ports in it:")
        out.append(f"add table {chain.family} {chain.table}")
        out.append(f"add chain {where}")
        for offset, rule in enumerate(wanted):
            if chain.block_index is not None:
                out.append(f"insert rule {where} index {chain.block_index + offset} {render_rule(rule, chain.family)}")
            else:
                out.append(f"add rule {where} {render_rule(rule, chain.family)}")
    return "\n".join(out) + "\n", notes


def add_include(conf_text: Optional[str], path: str = INCLUDE_PATH) -> str:
    """``nftables.conf`` with our include line appended once."""
    text = conf_text if conf_text is not None else "#!/usr/sbin/nft -f\n"
    if conf_includes(text, path):
        return text
    if text and not text.endswith("\n"):
        text += "\n"
    return text + f'\n# Added by webedge.https (firewall_port)\ninclude "{path}"\n'


class NftablesBackend(FirewallBackend):
    name = "nftables"

    @classmethod
    def probe(cls, runner: Runner) -> Detection:
        rc, out, err = runner.run(list(LIST_ARGV))
        if rc == 127:
            return Detection(cls.name, False, "nft is not installed", available=False)
        if rc != 0:
            return Detection(cls.name, False, f"'nft -j list ruleset' failed: {(err or out).strip()}")
        state = read_state(out)
        native = [c for c in state.foreign if c.blocks and not c.xtables]
        if native:
            chain = native[0]
            return Detection(cls.name, True, f"nftables input chain {chain.ident} blocks input (policy {chain.policy})")
        if state.own_table:
            return Detection(cls.name, True, f"nftables table {TABLE_FAMILY} {TABLE} holds our rules")
        return Detection(cls.name, False, "no nftables input chain blocks input")

    def read(self, scope: ReadScope) -> Ruleset:
        rc, out, err = self.runner.run(list(LIST_ARGV))
        if rc != 0:
            raise FirewallError(f"nftables: 'nft -j list ruleset' failed (rc={rc}): {(err or out).strip()}")
        state = read_state(out)
        if scope.persist:
            conf = self.files.read(CONF_PATH)
            state = NftState(
                own_table=state.own_table,
                own_chain_ok=state.own_chain_ok,
                own_rules=state.own_rules,
                own_unparsed=state.own_unparsed,
                foreign=state.foreign,
                conf_text=conf,
                include_text=self.files.read(INCLUDE_PATH),
                conf_tables=conf_tables(conf),
            )
        return Ruleset(rules=state.own_rules, raw=state)

    def plan(self, desired: DesiredState, current: Ruleset) -> Plan:
        state: NftState = current.raw
        add, remove = plan_rules(desired, current.rules)
        after = neutral_after(current.rules, add, remove)
        own_ok = state.own_chain_ok and state.own_unparsed == 0 if after else not state.own_table
        rebuild = bool(add or remove) or not own_ok
        script, notes = build_script(state, after, rebuild)
        steps = (Step(APPLY_ARGV, script),) if script else ()
        files: List[FileWrite] = []
        if desired.persist:
            include, persist_notes = build_include(state, after)
            notes.extend(persist_notes)
            if include != state.include_text:
                files.append(FileWrite(INCLUDE_PATH, include))
            conf = add_include(state.conf_text)
            if conf != state.conf_text:
                files.append(FileWrite(CONF_PATH, conf))
        return Plan(
            before=current.rules,
            after=after,
            add=add,
            remove=remove,
            steps=steps,
            files=tuple(files),
            notes=tuple(notes),
        )
