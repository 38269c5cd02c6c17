# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Would a new inbound packet to this port be accepted? The verdict logic every evaluator shares.

The question is asked of the firewall's own rules - what packets actually meet - whichever
front-end (firewalld, ufw) wrote them:

* nftables: ``nft -j list ruleset`` (``nftables/verdict.py``);
* iptables: ``iptables-save`` / ``ip6tables-save`` (``iptables/verdict.py``);
* Windows Defender Firewall: its rules and profiles (``plugin_utils/windows/firewall_verdict.py``).

Here: the packet, the verdict, the three-valued match results (``True``, ``False`` or
:class:`Tri` ``unknown(reason)``) with :func:`all_of`, :func:`any_of` and :func:`negate`,
address and interface matching, and how the answers of several chains, interfaces and
families combine.

The packet: a NEW connection's first packet (conntrack state ``new``, not
DNATed) of ``protocol`` to ``port`` on a unicast address of this host, from
``source`` - or, when no source is given, from an address that no rule names
(the public internet; ``0.0.0.0/0`` and ``::/0`` still match it) - arriving on
``interface`` - or, when none is given, on each non-loopback interface the
rules name and on any other one; when those disagree the verdict is
``unknown`` and the reason lists them.

On Linux every base chain on the input hook is walked, lowest priority first (jumps,
gotos, returns, policies); a packet must be accepted by all of them and a drop
or reject in any one is final. A rule whose matches cannot all be decided
(a match this evaluator does not know, a rate limit, an ipset, a mark...) and
that would decide the packet (accept, drop, reject, jump, goto, return) makes
the verdict ``unknown``, naming that rule - the evaluator never guesses. A
rule with a definite non-match anywhere (``udp dport 53`` for a TCP packet)
is skipped even if it also holds something unknown.

The same packet may instead be forwarded (``hook="forward"``): after a DNAT in
the prerouting hook (a container's published port) it goes to ``destination``
(the container's address) through ``out_interface``, with conntrack status
``dnat``; then every base chain on the forward hook is walked the same way
(``firewall/path.py`` decides which path a packet takes).

``source`` may also be a network (``10.0.0.0/8``): a rule whose source match
holds for every address of it matches, one that holds for none does not, and
one that holds for part of it is ``unknown`` ("depends on the address").

Not evaluated: filtering in the prerouting hook (raw/mangle PREROUTING,
firewalld's rpfilter), netdev ingress, and the routing decision itself - a
packet dropped there would show here as accepted.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

__all__ = [
    "OTHER_INTERFACE",
    "VERDICTS",
    "ChainResult",
    "HookVerdict",
    "Packet",
    "Tri",
    "Verdict",
    "address_match",
    "all_of",
    "any_of",
    "combine_hooks",
    "interface_match",
    "negate",
    "out_interface_match",
    "over_interfaces",
    "port_verdicts",
]

VERDICTS = ("accept", "drop", "reject", "unknown")
OTHER_INTERFACE = "\x00other"  # an interface no rule names; no real name contains NUL
MULTICAST = (ipaddress.ip_network("224.0.0.0/4"), ipaddress.ip_network("ff00::/8"))


@dataclass(frozen=True)
class Packet:
    """The packet asked about.

    Attributes:
        family: ``ipv4`` or ``ipv6``.
        protocol: ``tcp`` or ``udp``.
        port: destination port.
        source: source address or network, ``None`` for an address no rule names.
        interface: inbound interface, ``None`` when not known.
        hook: ``input`` (to this host) or ``forward`` (routed on, after a DNAT).
        destination: the address the packet is sent to, when known (an address the socket
            is bound to; forward: the DNAT target); ``None``: a unicast address of this host.
        out_interface: outbound interface (forward only; ``None`` when not known).
        dnat: its conntrack status includes ``dnat`` (it was DNATed in prerouting).
    """

    family: str
    protocol: str
    port: int
    source: Optional[str] = None
    interface: Optional[str] = None
    hook: str = "input"
    destination: Optional[str] = None
    out_interface: Optional[str] = None
    dnat: bool = False

    def describe(self) -> str:
        src = self.source or "any source"
        via = f" on {self.interface}" if self.interface and self.interface != OTHER_INTERFACE else ""
        to = f" forwarded to {self.destination}" if self.hook == "forward" and self.destination else ""
        return f"new {self.protocol}/{self.port} {self.family} from {src}{via}{to}"


@dataclass(frozen=True)
class Verdict:
    """The answer for one packet.

    Attributes:
        verdict: ``accept``, ``drop``, ``reject`` or ``unknown``.
        decided_by: the rule or policy that decides (``nftables inet filter input: policy drop``).
        reason: why the verdict is ``unknown`` (empty otherwise).
    """

    verdict: str
    decided_by: str
    reason: str = ""

    def as_dict(self) -> Dict[str, str]:
        result = {"verdict": self.verdict, "decided_by": self.decided_by}
        if self.reason:
            result["reason"] = self.reason
        return result


@dataclass(frozen=True)
class ChainResult:
    """The outcome of walking one chain: a verdict, ``return``/``continue`` (fell off the end), or unknown."""

    outcome: str  # accept, drop, reject, unknown, return, continue; in a nat chain also dnat, redirect
    decided_by: str = ""
    reason: str = ""
    nat_to: Optional[Tuple[Optional[str], Optional[int]]] = None  # dnat/redirect: (address, port), None = unchanged


@dataclass(frozen=True)
class HookVerdict:
    """One base chain's verdict, with its hook priority."""

    priority: int
    name: str
    verdict: Verdict


class Tri:
    """Three-valued match results: ``True``, ``False`` or ``Tri.unknown(reason)``."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Tri.unknown({self.reason!r})"

    @staticmethod
    def unknown(reason: str) -> Tri:
        return Tri(reason)


MatchResult = Any  # bool or Tri


def _combine(results: Iterable[MatchResult], decisive: bool) -> MatchResult:
    """The first ``decisive`` result wins; else the first unknown; else ``not decisive``."""
    unknown: Optional[Tri] = None
    for result in results:
        if result is decisive:
            return decisive
        if isinstance(result, Tri) and unknown is None:
            unknown = result
    return unknown if unknown is not None else not decisive


def all_of(results: Iterable[MatchResult]) -> MatchResult:
    """Conjunction: a definite False wins over unknowns; unknown wins over True."""
    return _combine(results, False)


def any_of(results: Iterable[MatchResult]) -> MatchResult:
    """Disjunction: a definite True wins over unknowns; unknown wins over False."""
    return _combine(results, True)


def negate(result: MatchResult, negated: bool = True) -> MatchResult:
    """``not result`` (when ``negated``); unknown stays unknown."""
    if not negated or isinstance(result, Tri):
        return result
    return not result


def _networks_of(packet: Packet, networks: Sequence[str]) -> Any:
    """The networks of the packet's family, or a Tri when one cannot be read."""
    parsed = []
    for text in networks:
        try:
            parsed.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            return Tri.unknown(f"unreadable address {text!r}")
    return [n for n in parsed if (n.version == 4) == (packet.family == "ipv4")]


def _source_in(source: str, family_nets: Sequence[Any]) -> MatchResult:
    """Is the given source address - or every address of the given source network - in ``family_nets``?"""
    if "/" not in source:
        address = ipaddress.ip_address(source)
        return any(address in n for n in family_nets)
    network = ipaddress.ip_network(source, strict=False)
    if any(network.version == n.version and network.subnet_of(n) for n in family_nets):
        return True
    partly = [n for n in family_nets if network.version == n.version and network.overlaps(n)]
    if partly:
        named = ", ".join(n.with_prefixlen for n in partly[:3])
        return Tri.unknown(f"source network {source} is only partly in {named} (depends on the address)")
    return False


def address_match(packet: Packet, networks: Sequence[str], what: str = "saddr") -> MatchResult:
    """Does the packet's source (``saddr``) or destination (``daddr``) fall in any of ``networks``?

    Source: a given address (or network, see the module docstring) is checked; no
    address means "an address no rule names", which only ``/0`` networks contain.
    Destination: a known destination (the address a socket is bound to, a forwarded
    packet's DNAT target) is checked; otherwise the packet goes to a unicast address of this host, which never is
    multicast, and any other destination network cannot be decided without the
    host's addresses.
    """
    family_nets = _networks_of(packet, networks)
    if isinstance(family_nets, Tri):
        return family_nets
    if what == "saddr":
        if packet.source is None:
            return any(n.prefixlen == 0 for n in family_nets)
        return _source_in(packet.source, family_nets)
    if packet.destination is not None:
        address = ipaddress.ip_address(packet.destination)
        return any(address in n for n in family_nets)
    if not family_nets:
        return False
    if all(n.prefixlen == 0 for n in family_nets):
        return True
    if all(any(n.subnet_of(m) for m in MULTICAST if m.version == n.version) for n in family_nets):  # type: ignore[arg-type]
        return False
    return Tri.unknown(f"destination address match {', '.join(networks)} (the host's own addresses are not read)")


def _name_match(interface: str, names: Sequence[str], wildcard: str) -> bool:
    for name in names:
        if name.endswith(wildcard):
            if interface.startswith(name[: -len(wildcard)]) and interface != OTHER_INTERFACE:
                return True
        elif interface == name:
            return True
    return False


def interface_match(packet: Packet, names: Sequence[str], wildcard: str = "*") -> MatchResult:
    """Does the inbound interface match one of ``names`` (``eth*`` / ``eth+`` wildcards)?"""
    interface = packet.interface
    for name in names:
        if name == "lo":
            if interface == "lo":
                return True
            continue
        if interface is None:
            return Tri.unknown(f"inbound interface match {name!r} (no interface given)")
        if _name_match(interface, [name], wildcard):
            return True
    return False


def out_interface_match(packet: Packet, names: Sequence[str], wildcard: str = "*") -> MatchResult:
    """Does the outbound interface match one of ``names``? A packet to this host has none (never matches)."""
    if packet.hook != "forward":
        return False
    if packet.out_interface is None:
        return Tri.unknown(
            f"outbound interface match {', '.join(names)} (the route to {packet.destination} is not known)"
        )
    return _name_match(packet.out_interface, names, wildcard)


def interface_candidates(names: Iterable[str], wildcard: str = "*") -> List[str]:
    """Concrete interfaces to try: each named one (a wildcard becomes one name it matches), then any other."""
    found: List[str] = []
    for name in sorted(set(names)):
        if name == "lo" or not name:
            continue
        concrete = name[: -len(wildcard)] + "0" if name.endswith(wildcard) else name
        if concrete not in found:
            found.append(concrete)
    return [*found, OTHER_INTERFACE]


def over_interfaces(
    packet: Packet,
    names: Iterable[str],
    evaluate: Callable[[Packet], Verdict],
) -> Verdict:
    """Evaluate once per candidate interface when none is given; agreeing answers are the answer."""
    name_list = [n for n in names if n and n != "lo"]
    if packet.interface is not None or not name_list:
        return evaluate(packet if packet.interface is not None else replace(packet, interface=OTHER_INTERFACE))
    results: List[Tuple[str, Verdict]] = []
    for candidate in interface_candidates(name_list):
        results.append((candidate, evaluate(replace(packet, interface=candidate))))
    verdicts = {v.verdict for _key, v in results}
    if len(verdicts) == 1 and "unknown" not in verdicts:
        return results[-1][1]  # the "any other interface" answer names a rule like the others
    if verdicts == {"unknown"} and len({v.reason for _key, v in results}) == 1:
        return results[-1][1]

    def label(name: str) -> str:
        return "any other interface" if name == OTHER_INTERFACE else name

    parts = "; ".join(f"{label(n)}: {v.verdict} ({v.decided_by or v.reason})" for n, v in results)
    return Verdict("unknown", "", f"depends on the inbound interface - {parts}; give interface to decide")


def combine_hooks(hooks: Sequence[HookVerdict], hook: str = "input") -> Verdict:
    """All base chains on the hook, lowest priority first: all must accept; drop/reject is final."""
    if not hooks:
        return Verdict("accept", f"no base chain filters the {hook} hook")
    accepted: List[str] = []
    for chain in sorted(hooks, key=lambda h: h.priority):
        verdict = chain.verdict
        if verdict.verdict == "accept":
            accepted.append(f"{chain.name}: {verdict.decided_by}")
            continue
        if verdict.verdict == "unknown":
            later = [h for h in hooks if h.priority >= chain.priority and h.verdict.verdict in ("drop", "reject")]
            note = f"; {later[0].name} would then {later[0].verdict.verdict} it" if later else ""
            return Verdict("unknown", f"{chain.name}: {verdict.decided_by}".rstrip(": "), verdict.reason + note)
        return Verdict(verdict.verdict, f"{chain.name}: {verdict.decided_by}")
    return Verdict("accept", "; ".join(accepted))


def port_verdicts(
    ports: Sequence[int],
    protocol: str,
    source: Optional[str],
    interface: Optional[str],
    families: Sequence[str],
    evaluate: Callable[[Packet], Verdict],
) -> List[Dict[str, object]]:
    """One result per port: per-family verdicts plus a summary ``verdict`` (``mixed`` when they differ)."""
    results: List[Dict[str, object]] = []
    for port in ports:
        entry: Dict[str, object] = {"port": port, "protocol": protocol, "source": source, "interface": interface}
        verdicts = []
        for family in families:
            verdict = evaluate(Packet(family, protocol, port, source, interface))
            entry[family] = verdict.as_dict()
            verdicts.append(verdict.verdict)
        entry["verdict"] = verdicts[0] if len(set(verdicts)) == 1 else "mixed"
        results.append(entry)
    return results
