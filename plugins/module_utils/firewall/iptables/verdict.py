# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The input-path (and forward-path) evaluator for iptables, over the parsed ``iptables-save`` / ``ip6tables-save``.

Chains on the input hook, in priority order: ``mangle INPUT`` (-150),
``filter INPUT`` (0), ``security INPUT`` (50); on the forward hook (a packet DNATed to a
container) the same tables' ``FORWARD`` chains; :meth:`IptablesRuleset.evaluate_nat` walks
``nat PREROUTING`` (-100) for the ``DNAT``/``REDIRECT`` that sends the packet elsewhere.

Understood: ``-p``, ``-s``, ``-d``, ``-i``, ``-o`` (with ``!`` and ``+`` wildcards),
``-m tcp|udp --dport|--dports``, ``--syn``, ``-m multiport --dports|--ports``,
``-m conntrack --ctstate``/``--ctstatus`` (``DNAT`` after a DNAT), ``-m state --state``, ``-m comment``,
``-m addrtype --dst-type``, ``-m rt --rt-type`` (no routing header), ``-m icmp|icmp6`` (never true for TCP/UDP), targets
``ACCEPT``/``DROP``/``REJECT``/``RETURN``, ``DNAT --to-destination``/``REDIRECT --to-ports`` (nat),
user chains (``-j``/``-g``) and
targets that do not decide (``LOG``, ``NFLOG``, ``MARK``...). Anything else
(``-m recent``, ``-m limit``, ``-m set``, ``--sport``, ``-m mark``...) is
unknown when the rule could decide the packet. The shared logic is ``firewall/verdict.py``.
"""

from __future__ import annotations

from typing import Dict, List, NamedTuple, Optional, Sequence, Set, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.iptables.parse import (
    SaveRule,
    SaveTable,
    parse_save,
)
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
    negate,
    out_interface_match,
)

__all__ = ["HOOK_CHAINS", "INPUT_TABLES", "IptablesRuleset", "NatChain"]

INPUT_TABLES = (("mangle", -150), ("filter", 0), ("security", 50))
HOOK_CHAINS = {"input": "INPUT", "forward": "FORWARD"}  # the same tables filter both hooks
NAT_PREROUTING = ("nat", -100, "PREROUTING")
NAT_TARGETS = ("DNAT", "REDIRECT")
BUILTIN_VERDICTS = {"ACCEPT": "accept", "DROP": "drop", "REJECT": "reject", "RETURN": "return"}
NON_DECIDING_TARGETS = {
    "LOG",
    "NFLOG",
    "ULOG",
    "MARK",
    "CONNMARK",
    "CT",
    "TRACE",
    "TCPMSS",
    "TOS",
    "DSCP",
    "TTL",
    "HL",
    "AUDIT",
    "SECMARK",
    "CONNSECMARK",
    "CLASSIFY",
    "NOTRACK",
}
PROTO_NUMBERS = {"tcp": "6", "udp": "17"}
KNOWN_MODULES = ("tcp", "udp", "multiport", "conntrack", "state", "comment", "addrtype", "icmp", "icmp6", "rt")
MAX_DEPTH = 64


class NatChain(NamedTuple):
    """``nat PREROUTING`` and what it does to the packet (see ``nftables.verdict.NatHook``)."""

    priority: int
    name: str
    result: ChainResult


class IptablesRuleset:
    """One address family's iptables ruleset, ready to walk.

    ``tool`` names it in verdicts and policies (``iptables``, ``ip6tables-legacy``...).
    """

    def __init__(self, text: str, family: str, legacy: bool = False) -> None:
        self.family = family
        self.tables: Dict[str, SaveTable] = parse_save(text)
        self.tool = ("iptables" if family == "ipv4" else "ip6tables") + ("-legacy" if legacy else "")

    def interface_names(self) -> Set[str]:
        names: Set[str] = set()
        for table in self.tables.values():
            for rules in table.rules.values():
                for rule in rules:
                    tokens = rule.matches
                    for i, token in enumerate(tokens[:-1]):
                        if token in ("-i", "--in-interface"):
                            names.add(tokens[i + 1].replace("+", "*"))
        return names

    def policies(self) -> List[Dict[str, object]]:
        return [
            {"chain": f"{self.tool} {name} INPUT", "priority": prio, "policy": self.tables[name].policies["INPUT"]}
            for name, prio in INPUT_TABLES
            if name in self.tables and "INPUT" in self.tables[name].policies
        ]

    def evaluate_hooks(self, packet: Packet, tables: Optional[Sequence[str]] = None) -> List[HookVerdict]:
        """The verdict of the packet's hook's chain (``INPUT`` or ``FORWARD``) in each table that has it."""
        base = HOOK_CHAINS[packet.hook]
        hooks: List[HookVerdict] = []
        for name, prio in INPUT_TABLES:
            table = self.tables.get(name)
            if table is None or base not in table.policies or (tables is not None and name not in tables):
                continue
            ident = f"{self.tool} {name} {base}"
            result = self._walk(table, base, packet, 0)
            if result.outcome in ("return", "continue"):
                policy = table.policies[base].lower()
                verdict = Verdict(policy, f"policy {table.policies[base]}")
            else:
                verdict = Verdict(result.outcome, result.decided_by, result.reason)
            hooks.append(HookVerdict(prio, ident, verdict))
        return hooks

    def evaluate_nat(self, packet: Packet, tables: Optional[Sequence[str]] = None) -> List[NatChain]:
        """What ``nat PREROUTING`` does to the packet (empty without a nat table)."""
        name, prio, chain = NAT_PREROUTING
        table = self.tables.get(name)
        if table is None or chain not in table.policies or (tables is not None and name not in tables):
            return []
        return [NatChain(prio, f"{self.tool} {name} {chain}", self._walk(table, chain, packet, 0))]

    def nat_ports(self) -> List[Tuple[str, int]]:
        """``(protocol, port)`` of every ``DNAT`` rule in the nat table naming its ports (candidates to evaluate)."""
        table = self.tables.get("nat")
        found: List[Tuple[str, int]] = []
        for rules in table.rules.values() if table is not None else ():
            for rule in rules:
                if rule.target in NAT_TARGETS:
                    found.extend(_rule_ports(rule))
        return found

    def _walk(self, table: SaveTable, chain: str, packet: Packet, depth: int) -> ChainResult:
        if depth > MAX_DEPTH:
            return ChainResult("unknown", chain, f"more than {MAX_DEPTH} nested jumps (a loop?)")
        for rule in table.rules.get(chain, []):
            matched, target, goto = _rule_matches(rule.matches, packet)
            if matched is False:
                continue
            where = f"rule '{rule.line}'"
            if target is None or target in NON_DECIDING_TARGETS:
                continue
            if isinstance(matched, Tri):
                # the rule may or may not match: harmless when a jump it would make comes back undecided
                jumps = not goto and target in table.rules and target not in BUILTIN_VERDICTS
                if jumps and self._walk(table, target, packet, depth + 1).outcome in ("return", "continue"):
                    continue
                return ChainResult("unknown", where, f"cannot tell whether {where} applies: {matched.reason}")
            if target in BUILTIN_VERDICTS:
                outcome = BUILTIN_VERDICTS[target]
                return ChainResult(outcome, where)
            if target in NAT_TARGETS and table.name == "nat":
                nat_to = _nat_target(rule)
                if nat_to is None:
                    return ChainResult("unknown", where, f"cannot read where {where} sends the packet")
                return ChainResult(target.lower(), where, nat_to=nat_to)
            if target not in table.rules:
                return ChainResult("unknown", where, f"target {target!r} is not understood")
            result = self._walk(table, target, packet, depth + 1)
            if result.outcome in ("return", "continue"):
                if goto:
                    return ChainResult("return", result.decided_by)
                continue
            return result
        return ChainResult("continue")


def _target_options(rule: SaveRule) -> Dict[str, str]:
    """The options after ``-j TARGET``: ``{"--to-destination": "10.88.0.2:80"}``."""
    tokens = list(rule.matches)
    for i, token in enumerate(tokens):
        if token in ("-j", "--jump"):
            rest = tokens[i + 2 :]
            return {rest[k]: rest[k + 1] for k in range(0, len(rest) - 1) if rest[k].startswith("--")}
    return {}


def _nat_target(rule: SaveRule) -> Optional[Tuple[Optional[str], Optional[int]]]:
    """``(address, port)`` of ``DNAT --to-destination A[:P]`` / ``REDIRECT [--to-ports P]`` (None: unreadable)."""
    options = _target_options(rule)
    if rule.target == "REDIRECT":
        ports = options.get("--to-ports")
        if ports is None:
            return None, None
        return (None, int(ports)) if ports.isdigit() else None
    text = options.get("--to-destination", "")
    if not text or "-" in text:  # ranges of addresses or ports: not one place
        return None
    if text.startswith("["):  # [2001:db8::1]:80
        address, _sep, port = text[1:].partition("]")
        port = port.lstrip(":")
    elif text.count(":") == 1:
        address, _sep, port = text.partition(":")
    else:
        address, port = text, ""
    if port and not port.isdigit():
        return None
    return (address or None), (int(port) if port else None)


def _rule_ports(rule: SaveRule) -> List[Tuple[str, int]]:
    tokens = rule.matches
    protocol = next((tokens[i + 1] for i, t in enumerate(tokens[:-1]) if t in ("-p", "--protocol")), "")
    found: List[Tuple[str, int]] = []
    for i, token in enumerate(tokens[:-1]):
        if token in ("--dport", "--destination-port", "--dports", "--destination-ports") and tokens[i - 1] != "!":
            for part in tokens[i + 1].split(","):
                first, _sep, last = part.partition(":")
                if first.isdigit() and (not last or last.isdigit()) and int(last or first) - int(first) < 1024:
                    found.extend((protocol, p) for p in range(int(first), int(last or first) + 1))
    return [(proto, port) for proto, port in found if proto in ("tcp", "udp")]


def _ports_in(port: int, spec: str) -> bool:
    for part in spec.split(","):
        first, _sep, last = part.partition(":")
        lo = int(first) if first else 0
        hi = int(last) if last else (65535 if part.endswith(":") else lo)
        if lo <= port <= hi:
            return True
    return False


def _rule_matches(tokens: Sequence[str], packet: Packet) -> Tuple[MatchResult, Optional[str], bool]:
    """``(matched, target, is_goto)`` for one ``-A`` rule's tokens."""
    results: List[MatchResult] = []
    target: Optional[str] = None
    goto = False
    module = ""
    negated = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        value = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token == "!":
            negated = True
            i += 1
            continue
        step = 2
        if token in ("-j", "--jump", "-g", "--goto"):
            target, goto = value, token in ("-g", "--goto")
            # target options (--reject-with, --log-prefix...) follow; none of them changes the verdict
            i = len(tokens)
            continue
        if token in ("-m", "--match"):
            module = value
            if module not in KNOWN_MODULES:
                results.append(Tri.unknown(f"match module '-m {module}' is not evaluated"))
        elif token in ("-p", "--protocol"):
            proto = value.lower()
            hit = proto in ("all", "0", packet.protocol, PROTO_NUMBERS[packet.protocol])
            results.append(negate(hit, negated))
        elif token in ("-s", "--source", "-d", "--destination"):
            what = "saddr" if token in ("-s", "--source") else "daddr"
            results.append(negate(address_match(packet, value.split(","), what), negated))
        elif token in ("-i", "--in-interface"):
            results.append(negate(interface_match(packet, [value], wildcard="+"), negated))
        elif token in ("-o", "--out-interface"):
            results.append(negate(out_interface_match(packet, [value], wildcard="+"), negated))
        elif token in ("--dport", "--destination-port", "--dports", "--destination-ports", "--ports"):
            results.append(negate(_ports_in(packet.port, value), negated))
        elif token in ("--sport", "--source-port", "--sports", "--source-ports"):
            results.append(Tri.unknown(f"source port match {token} {value} (the client's port is not known)"))
        elif token == "--syn":
            results.append(negate(packet.protocol == "tcp", negated))
            step = 1
        elif token in ("--ctstate", "--state"):
            states = {"NEW", "DNAT"} if packet.dnat and token == "--ctstate" else {"NEW"}
            results.append(negate(bool(states & set(value.upper().split(","))), negated))
        elif token == "--ctstatus":
            results.append(negate(packet.dnat and "DNAT" in value.upper().split(","), negated))
        elif token == "--dst-type":
            # to this host: LOCAL; forwarded to a container: UNICAST
            wanted = "UNICAST" if packet.hook == "forward" else "LOCAL"
            results.append(negate(wanted in value.upper().split(","), negated))
        elif token == "--comment":
            pass
        elif token == "--rt-type" and module == "rt":
            # ufw's "-m rt --rt-type 0 -j DROP": a deprecated IPv6 routing header (RFC 5095) that a
            # client's connection attempt does not carry
            results.append(negate(False, negated))
        elif token in ("--icmp-type", "--icmpv6-type"):
            results.append(False)  # only with -p icmp, which a TCP/UDP packet never matches
        elif token in ("-f", "--fragment"):
            results.append(negate(False, negated))  # a connection's first packet is not a later fragment
            step = 1
        elif token.startswith("-"):
            label = f"'-m {module} {token}'" if module else f"'{token}'"
            results.append(Tri.unknown(f"option {label} is not evaluated"))
            if not value or value.startswith("-") or value == "!":
                step = 1
        else:
            step = 1  # a stray word (a second value of an option already reported)
        negated = False
        i += step
    return all_of(results), target, goto
