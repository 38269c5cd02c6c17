# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The input-path (and forward-path) evaluator for nftables, over the parsed ``nft -j list ruleset`` (``parse.py``).

:func:`evaluate_hooks` walks every base chain on the packet's hook (``input``, or ``forward``
for a packet DNATed to a container); :func:`evaluate_nat` walks the nat chains of the
prerouting hook and says whether, and where to, a ``dnat`` or ``redirect`` sends the packet.

Understood: ``meta l4proto``/``nfproto``/``protocol``/``iifname``/``iif``/``oifname``/``oif``/``pkttype``,
``tcp|udp|th dport`` (values, ranges, anonymous and named sets),
``ip|ip6 saddr|daddr`` (addresses, prefixes, sets), ``ip protocol``/``ip6 nexthdr``,
``ct state``, ``ct status``, ``fib daddr type``, any match on another protocol's header
(never true for TCP/UDP), verdict maps, ``accept``/``drop``/``reject``/``jump``/
``goto``/``return``/``continue``, ``dnat``/``redirect`` (nat chains), and statements that do not decide (counter,
log, mark setting, set updates). Everything else - ``limit``, ``quota``,
``meta mark``, ``xt`` (iptables-nft extensions), ``socket``, ``queue``... - is
unknown when it could decide the packet. The shared logic is ``firewall/verdict.py``.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.nftables.parse import NftChain, NftRuleset
from ansible_collections.webedge.https.plugins.module_utils.firewall.verdict import (
    ChainResult,
    HookVerdict,
    MatchResult,
    Packet,
    Tri,
    Verdict,
    address_match,
    all_of,
    interface_match,
    out_interface_match,
)

__all__ = ["NatHook", "evaluate_hooks", "evaluate_nat", "nat_ports", "render_rule"]

NFPROTO = {"ip": "ipv4", "ip6": "ipv6"}
PROTO_NUMBERS = {"tcp": 6, "udp": 17}
PASSIVE = {"counter", "log", "mangle", "notrack", "set", "map", "ct helper", "meta", "comment"}
UNDECIDABLE_STATEMENTS = {"limit", "quota", "queue", "synproxy", "connlimit", "numgen", "osf", "tproxy"}
MAX_DEPTH = 64
MAX_RANGE = 1024  # a dnat rule's port range wider than this is not listed as candidates


class NatHook(NamedTuple):
    """One nat base chain of the prerouting hook and what it does to the packet."""

    priority: int
    name: str
    result: ChainResult  # dnat / redirect (with nat_to), drop, unknown, or accept / return / continue: no NAT here


def evaluate_hooks(
    ruleset: NftRuleset, packet: Packet, skip_tables: Sequence[Tuple[str, str]] = ()
) -> List[HookVerdict]:
    """The verdict of every base chain on the packet's hook that sees it (tables in ``skip_tables`` aside)."""
    return _Walker(ruleset).hooks(packet, skip_tables)


def evaluate_nat(ruleset: NftRuleset, packet: Packet, skip_tables: Sequence[Tuple[str, str]] = ()) -> List[NatHook]:
    """What every nat base chain of the prerouting hook does to the packet, lowest priority first."""
    walker = _Walker(ruleset)
    return [
        NatHook(chain.priority, chain.ident, walker.walk(chain, packet))
        for chain in ruleset.hook_chains("prerouting", packet.family, skip_tables, kind="nat")
    ]


class _Walker:
    """Walks one ruleset's chains for a packet."""

    def __init__(self, ruleset: NftRuleset) -> None:
        self.ruleset = ruleset
        self.chains = ruleset.chains
        self.sets = ruleset.sets

    def hooks(self, packet: Packet, skip_tables: Sequence[Tuple[str, str]]) -> List[HookVerdict]:
        hooks: List[HookVerdict] = []
        for chain in self.ruleset.hook_chains(packet.hook, packet.family, skip_tables):
            result = self._walk(chain, packet, 0)
            if result.outcome in ("return", "continue"):
                verdict = Verdict(chain.policy, f"policy {chain.policy}")
            else:
                verdict = Verdict(result.outcome, result.decided_by, result.reason)
            hooks.append(HookVerdict(chain.priority, chain.ident, verdict))
        return hooks

    def walk(self, chain: NftChain, packet: Packet) -> ChainResult:
        """One base chain's outcome for the packet."""
        return self._walk(chain, packet, 0)

    def _walk(self, chain: NftChain, packet: Packet, depth: int) -> ChainResult:
        if depth > MAX_DEPTH:
            return ChainResult("unknown", chain.ident, f"more than {MAX_DEPTH} nested jumps (a loop?)")
        for rule in chain.rules:
            action, reason = self._rule(chain, rule, packet)
            if action is None:
                continue
            where = f"rule '{render_rule(rule)}' (handle {rule.get('handle')})"
            if where and chain.hook is None:
                where = f"{chain.name}: {where}"
            if action.startswith("maybe "):
                # the rule may or may not match: harmless when what it would do changes nothing
                if self._no_effect(chain, action[len("maybe ") :], packet, depth):
                    continue
                return ChainResult("unknown", where, f"cannot tell whether {where} applies: {reason}")
            if action == "unknown":
                return ChainResult("unknown", where, f"cannot tell whether {where} applies: {reason}")
            if action in ("accept", "drop", "reject"):
                return ChainResult(action, where)
            if action in ("dnat", "redirect"):
                return ChainResult(action, where, nat_to=_nat_target(action, rule))
            if action == "return":
                return ChainResult("return", where)
            if action == "continue":
                continue
            kind, _sep, target = action.partition(" ")
            sub = self.chains.get((chain.family, chain.table, target))
            if sub is None:
                return ChainResult("unknown", where, f"{kind} to missing chain {target!r}")
            result = self._walk(sub, packet, depth + 1)
            if result.outcome in ("return", "continue"):
                if kind == "goto":
                    return ChainResult("return", result.decided_by)
                continue
            return result
        return ChainResult("continue")

    def _no_effect(self, chain: NftChain, action: str, packet: Packet, depth: int) -> bool:
        """Would ``action`` leave the packet where it was: ``continue``, or a jump that comes back undecided?"""
        if action == "continue":
            return True
        kind, _sep, target = action.partition(" ")
        sub = self.chains.get((chain.family, chain.table, target))
        if kind != "jump" or sub is None:
            return False
        return self._walk(sub, packet, depth + 1).outcome in ("return", "continue")

    def _rule(self, chain: NftChain, rule: Mapping[str, Any], packet: Packet) -> Tuple[Optional[str], str]:
        """``(action, reason)``: action None (no match), a verdict, ``jump X``, ``goto X``, ``unknown``, or
        ``maybe <action>`` when it is not known whether the rule matches (``reason`` says why)."""
        matched: MatchResult = True
        for expr in rule.get("expr", []):
            if not isinstance(expr, Mapping) or len(expr) != 1:
                matched = all_of([matched, Tri.unknown(f"unreadable expression {expr!r}")])
                continue
            key, value = next(iter(expr.items()))
            if key == "match":
                matched = all_of([matched, self._match(chain, value, packet)])
                if matched is False:
                    return None, ""
                continue
            if key in PASSIVE:
                continue
            if key == "xt":
                what = f"iptables extension {value.get('type', '')} {value.get('name', '')!r}".replace("  ", " ")
                if value.get("type") == "target":
                    return "unknown", f"{what} decides (read this table through iptables-save)"
                matched = all_of([matched, Tri.unknown(f"{what} (read this table through iptables-save)")])
                continue
            if key in UNDECIDABLE_STATEMENTS:
                matched = all_of([matched, Tri.unknown(f"'{key}' depends on traffic history or userspace")])
                continue
            action: Optional[str]
            if key in ("accept", "drop", "return", "continue"):
                action = key
            elif key == "reject":
                action = "reject"
            elif key in ("jump", "goto"):
                action = f"{key} {value.get('target')}"
            elif key in ("dnat", "redirect"):
                action = key
                if _nat_target(key, rule) is None:
                    matched = all_of([matched, Tri.unknown(f"{key} to {_render_value(value)} (not a fixed address)")])
            elif key == "vmap":
                action, why = self._vmap(chain, value, packet)
                if isinstance(why, Tri):
                    matched = all_of([matched, why])
                if action is None and not isinstance(matched, Tri):
                    return None, ""
            else:
                matched = all_of([matched, Tri.unknown(f"expression {key!r} is not understood")])
                continue
            if isinstance(matched, Tri):
                return ("maybe " + action if action else "unknown"), matched.reason
            return action, ""
        return None, ""  # no verdict: the rule only counts or logs

    # -- matches -----------------------------------------------------------------
    def _elements(self, chain: NftChain, right: Any) -> Optional[List[Any]]:
        if isinstance(right, str) and right.startswith("@"):
            elems = self.sets.get((chain.family, chain.table, right[1:]))
            if elems is None:
                return None
            return [_unwrap_elem(e) for e in elems]
        if isinstance(right, Mapping) and "set" in right:
            return list(right["set"])
        if isinstance(right, list):
            return list(right)
        return [right]

    def _match(self, chain: NftChain, match: Mapping[str, Any], packet: Packet) -> MatchResult:
        op = match.get("op", "==")
        left, right = match.get("left"), match.get("right")
        result = self._membership(chain, left, right, packet)
        if op in ("==", "in"):
            return result
        if op == "!=":
            if result is False:
                return self._dependency_ok(left, packet)
            return False if result is True else result
        return Tri.unknown(f"operator {op!r}")

    def _dependency_ok(self, left: Any, packet: Packet) -> MatchResult:
        """A negated header match still needs its header: ``tcp dport != 22`` never matches UDP."""
        payload = left.get("payload") if isinstance(left, Mapping) else None
        if isinstance(payload, Mapping):
            return _protocol_applies(payload.get("protocol"), packet)
        return True

    def _membership(self, chain: NftChain, left: Any, right: Any, packet: Packet) -> MatchResult:
        if not isinstance(left, Mapping):
            return Tri.unknown(f"left side {left!r}")
        elems = self._elements(chain, right)
        if elems is None:
            return Tri.unknown(f"set {right!r} not found")
        if "meta" in left:
            return self._meta(left["meta"].get("key"), elems, packet)
        if "payload" in left:
            payload = left["payload"]
            proto, field = payload.get("protocol"), payload.get("field")
            applies = _protocol_applies(proto, packet)
            if applies is not True:
                return applies
            if field == "dport" and proto in ("tcp", "udp", "th"):
                return _port_in(packet.port, elems)
            if field in ("saddr", "daddr") and proto in ("ip", "ip6"):
                return _addresses(packet, elems, field)
            if (proto, field) in (("ip", "protocol"), ("ip6", "nexthdr")):
                return _protocol_in(packet, elems)
            return Tri.unknown(f"{proto} {field} is not evaluated")
        if "ct" in left:
            key = left["ct"].get("key")
            if key == "state":
                return "new" in _flat(elems)
            if key == "status":
                # a new connection: its only status can be dnat, set when prerouting DNATed it
                return packet.dnat and "dnat" in _flat(elems)
            return Tri.unknown(f"ct {key}")
        if "fib" in left:
            fib = left["fib"]
            if fib.get("result") == "type" and fib.get("flags") == ["daddr"]:
                # to this host: local; forwarded to a container: a unicast address elsewhere
                return ("unicast" if packet.hook == "forward" else "local") in _flat(elems)
            return Tri.unknown("fib lookup")
        if "&" in left or "|" in left:
            inner = (left.get("&") or left.get("|"))[0]
            if isinstance(inner, Mapping) and "payload" in inner:
                applies = _protocol_applies(inner["payload"].get("protocol"), packet)
                if applies is not True:
                    return applies
            return Tri.unknown("bitwise match (flags or mark)")
        return Tri.unknown(f"{next(iter(left), left)!r} match")

    def _meta(self, key: Optional[str], elems: List[Any], packet: Packet) -> MatchResult:
        values = _flat(elems)
        if key == "l4proto":
            return _protocol_in(packet, elems)
        if key == "nfproto":
            return packet.family in values
        if key == "protocol":
            return {"ipv4": "ip", "ipv6": "ip6"}[packet.family] in values
        if key in ("iifname", "iif"):
            names = [v for v in values if isinstance(v, str)]
            if len(names) != len(values):
                return Tri.unknown(f"meta {key} by index")
            return interface_match(packet, names)
        if key in ("oifname", "oif"):
            names = [v for v in values if isinstance(v, str)]
            if len(names) != len(values):
                return Tri.unknown(f"meta {key} by index")
            return out_interface_match(packet, names)
        if key == "pkttype":
            return "host" in values
        if key == "iiftype":
            return False if values == ["loopback"] else Tri.unknown("meta iiftype")
        return Tri.unknown(f"meta {key}")

    def _vmap(self, chain: NftChain, vmap: Mapping[str, Any], packet: Packet) -> Tuple[Optional[str], Any]:
        pairs = self._elements(chain, vmap.get("data"))
        if pairs is None:
            return None, Tri.unknown("verdict map not found")
        for pair in pairs:
            if not isinstance(pair, list) or len(pair) != 2:
                return None, Tri.unknown("verdict map element")
            hit = self._membership(chain, vmap.get("key"), pair[0], packet)
            if isinstance(hit, Tri):
                return None, hit
            if hit:
                verdict = pair[1]
                if isinstance(verdict, Mapping) and len(verdict) == 1:
                    name, value = next(iter(verdict.items()))
                    if name in ("jump", "goto"):
                        return f"{name} {value.get('target')}", True
                    return name, True
                return None, Tri.unknown(f"verdict {verdict!r}")
        return None, True


def nat_ports(ruleset: NftRuleset) -> List[Tuple[str, str, int]]:
    """``(family, protocol, port)`` of each port a ``dnat``/``redirect`` rule matches (candidates to evaluate)."""
    found: List[Tuple[str, str, int]] = []
    for chain in ruleset.chains.values():
        for rule in chain.rules:
            exprs = [e for e in rule.get("expr", []) if isinstance(e, Mapping)]
            nat = next((e.get("dnat") or e.get("redirect") for e in exprs if "dnat" in e or "redirect" in e), None)
            if nat is None and not any("redirect" in e for e in exprs):
                continue
            families = chain.families
            if isinstance(nat, Mapping) and nat.get("family") in NFPROTO:
                families = tuple(f for f in families if f == NFPROTO[nat["family"]])
            for match in (e["match"] for e in exprs if isinstance(e.get("match"), Mapping)):
                payload = (match.get("left") or {}).get("payload") if isinstance(match.get("left"), Mapping) else None
                if not isinstance(payload, Mapping) or payload.get("field") != "dport" or match.get("op", "==") == "!=":
                    continue
                protocols = ("tcp", "udp") if payload.get("protocol") == "th" else (payload.get("protocol"),)
                for port in _listed_ports(match.get("right")):
                    found.extend((f, proto, port) for f in families for proto in protocols if proto in PROTO_NUMBERS)
    return found


def _listed_ports(right: Any) -> List[int]:
    values = right["set"] if isinstance(right, Mapping) and "set" in right else [right]
    ports: List[int] = []
    for value in values:
        if isinstance(value, int):
            ports.append(value)
        elif isinstance(value, Mapping) and isinstance(value.get("range"), list) and len(value["range"]) == 2:
            first, last = value["range"]
            if isinstance(first, int) and isinstance(last, int) and 0 <= last - first < MAX_RANGE:
                ports.extend(range(first, last + 1))
    return ports


def _nat_target(kind: str, rule: Mapping[str, Any]) -> Optional[Tuple[Optional[str], Optional[int]]]:
    """``(address, port)`` a rule's dnat/redirect sends the packet to (redirect: this host, address None).

    None when the target is not a fixed address and port (a map, an expression).
    """
    for expr in rule.get("expr", []):
        if isinstance(expr, Mapping) and kind in expr:
            value = expr[kind] or {}
            if not isinstance(value, Mapping):
                return None
            address, port = value.get("addr"), value.get("port")
            if kind == "redirect":
                address = None
            elif not isinstance(address, str):
                return None
            if port is not None and not isinstance(port, int):
                return None
            return address, port
    return None


def _unwrap_elem(elem: Any) -> Any:
    """Set elements with a timeout or comment come as ``{"elem": {"val": ...}}``."""
    if isinstance(elem, Mapping) and isinstance(elem.get("elem"), Mapping):
        return elem["elem"].get("val")
    return elem


def _flat(elems: Sequence[Any]) -> List[Any]:
    out: List[Any] = []
    for e in elems:
        if isinstance(e, list):
            out.extend(e)
        else:
            out.append(e)
    return out


def _protocol_applies(proto: Any, packet: Packet) -> MatchResult:
    """Is the header a payload match reads present in this packet?"""
    if proto in ("tcp", "udp"):
        return proto == packet.protocol
    if proto == "th":
        return True
    if proto in NFPROTO:
        return NFPROTO[proto] == packet.family
    if proto in ("icmp", "icmpv6", "sctp", "dccp", "esp", "ah", "comp", "udplite", "igmp", "gre"):
        return False
    if proto in ("ether", "vlan", "arp"):
        return Tri.unknown(f"{proto} header")
    return Tri.unknown(f"{proto} header")


def _protocol_in(packet: Packet, elems: Sequence[Any]) -> bool:
    wanted = {packet.protocol, PROTO_NUMBERS[packet.protocol]}
    return any(v in wanted for v in _flat(elems))


def _port_in(port: int, elems: Sequence[Any]) -> MatchResult:
    for e in elems:
        if isinstance(e, int) and e == port:
            return True
        if isinstance(e, Mapping) and isinstance(e.get("range"), list):
            first, last = e["range"]
            if isinstance(first, int) and isinstance(last, int) and first <= port <= last:
                return True
        elif not isinstance(e, int):
            return Tri.unknown(f"port value {e!r}")
    return False


def _addresses(packet: Packet, elems: Sequence[Any], field: str) -> MatchResult:
    networks: List[str] = []
    for e in elems:
        if isinstance(e, str):
            networks.append(e)
        elif isinstance(e, Mapping) and isinstance(e.get("prefix"), Mapping):
            networks.append(f"{e['prefix'].get('addr')}/{e['prefix'].get('len')}")
        elif isinstance(e, Mapping) and isinstance(e.get("range"), list):
            try:
                first, last = (ipaddress.ip_address(x) for x in e["range"])
                networks.extend(n.with_prefixlen for n in ipaddress.summarize_address_range(first, last))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return Tri.unknown(f"address range {e!r}")
        else:
            return Tri.unknown(f"address value {e!r}")
    return address_match(packet, networks, field)


# ---------------------------------------------------------------------------
# rendering rules for decided_by


def _render_value(value: Any) -> str:
    if isinstance(value, Mapping):
        if "set" in value:
            return "{ " + ", ".join(_render_value(v) for v in value["set"]) + " }"
        if "prefix" in value:
            return f"{value['prefix'].get('addr')}/{value['prefix'].get('len')}"
        if "range" in value:
            return "-".join(_render_value(v) for v in value["range"])
        if "payload" in value:
            p = value["payload"]
            return f"{p.get('protocol')} {p.get('field')}"
        if "meta" in value:
            return f"meta {value['meta'].get('key')}"
        if "ct" in value:
            return f"ct {value['ct'].get('key')}"
        if "fib" in value:
            return f"fib {' . '.join(value['fib'].get('flags', []))} {value['fib'].get('result')}"
        if len(value) == 1:
            name, inner = next(iter(value.items()))
            if name in ("jump", "goto") and isinstance(inner, Mapping):
                return f"{name} {inner.get('target')}"
            if inner is None:
                return name
        return json.dumps(value, sort_keys=True)
    if isinstance(value, list):
        return ",".join(_render_value(v) for v in value)
    if isinstance(value, str) and value.startswith("@"):
        return value
    if isinstance(value, str):
        return value
    return str(value)


def render_rule(rule: Mapping[str, Any]) -> str:
    """A short nft-like text of one rule (for ``decided_by``)."""
    parts: List[str] = []
    for expr in rule.get("expr", []):
        if not isinstance(expr, Mapping) or len(expr) != 1:
            continue
        key, value = next(iter(expr.items()))
        if key == "match":
            op = value.get("op", "==")
            text = f"{_render_value(value.get('left'))} {'' if op in ('==', 'in') else op + ' '}"
            parts.append(text + _render_value(value.get("right")))
        elif key in ("counter", "comment"):
            continue
        elif key in ("jump", "goto"):
            parts.append(f"{key} {value.get('target')}")
        elif key == "vmap":
            parts.append(f"{_render_value(value.get('key'))} vmap {_render_value(value.get('data'))}")
        elif key == "xt":
            parts.append(f"xt {value.get('type')} {value.get('name')}")
        elif key in ("dnat", "redirect") and isinstance(value, Mapping):
            to = f"{value.get('addr', '')}:{value['port']}" if "port" in value else str(value.get("addr", ""))
            parts.append(f"{key} to {to}" if to else key)
        elif value is None or key in ("reject", "log", "limit"):
            parts.append(key)
        else:
            parts.append(f"{key} {_render_value(value)}")
    if rule.get("comment"):
        parts.append(f'comment "{rule["comment"]}"')
    return " ".join(parts)
