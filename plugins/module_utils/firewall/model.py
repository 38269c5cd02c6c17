# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backend-neutral model of the firewall rules this collection owns.

A :class:`Rule` is one "accept" rule: a port range, a protocol, one address
family and an optional source network. A task's parameters become a
:class:`DesiredState` (validated here, before any command runs); every backend
reads its own rules back into ``Rule`` objects, so planning
(:func:`plan_rules`) is the same for all of them.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.ports import (
    PortRange,
    PortSpecError,
    parse_port_specs,
)

__all__ = [
    "BACKENDS",
    "FAMILIES",
    "PROTOCOLS",
    "STATES",
    "DesiredState",
    "FirewallError",
    "ReadScope",
    "Rule",
    "ValidationError",
    "normalise_source",
    "plan_rules",
    "subtract_ranges",
]

PROTOCOLS = ("tcp", "udp")
STATES = ("open", "closed")
FAMILY_CHOICES = ("ipv4", "ipv6", "both")
FAMILIES = ("ipv4", "ipv6")  # concrete families a Rule carries
BACKENDS = ("auto", "nftables", "iptables", "firewalld", "ufw", "windows")  # windows: the action plugin's path


class FirewallError(Exception):
    """Any failure of the firewall engine; the module turns it into ``fail_json``."""


class ValidationError(FirewallError, ValueError):
    """Bad input; raised before any command runs. The message names the bad value."""


def normalise_source(value: object) -> Tuple[str, str]:
    """Return ``(canonical CIDR, family)`` for a source address or network.

    ``192.0.2.7`` becomes ``192.0.2.7/32``. Host bits are rejected rather than
    silently masked: ``10.0.0.5/8`` is almost always a typo for something.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"invalid source {value!r}: expected an IPv4 or IPv6 address or CIDR network")
    text = value.strip()
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        if "has host bits set" in str(exc):
            raise ValidationError(
                f"invalid source {value!r}: host bits are set; did you mean "
                f"{ipaddress.ip_network(text, strict=False).with_prefixlen!r}?"
            ) from None
        raise ValidationError(f"invalid source {value!r}: expected an IPv4 or IPv6 address or CIDR network") from None
    family = "ipv4" if network.version == 4 else "ipv6"
    return network.with_prefixlen, family


@functools.lru_cache(maxsize=4096)
def _network(source: Optional[str]) -> Optional[Any]:
    # Cached: planning compares every wanted rule with every owned one, and hosts may own thousands.
    return None if source is None else ipaddress.ip_network(source)


@dataclass(frozen=True)
class Rule:
    """One accept rule we own.

    Attributes:
        family: ``ipv4`` or ``ipv6`` (``both`` in a task becomes two rules).
        protocol: ``tcp`` or ``udp``.
        ports: inclusive port range.
        source: canonical CIDR (``10.0.0.0/8``) or ``None`` for any source.
    """

    family: str
    protocol: str
    ports: PortRange
    source: Optional[str] = None

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValidationError(f"invalid family {self.family!r}: expected one of {', '.join(FAMILIES)}")
        if self.protocol not in PROTOCOLS:
            raise ValidationError(f"invalid protocol {self.protocol!r}: expected one of {', '.join(PROTOCOLS)}")
        if self.source is not None:
            canonical, family = normalise_source(self.source)
            if family != self.family:
                raise ValidationError(f"source {self.source!r} is {family} but the rule is {self.family}")
            object.__setattr__(self, "source", canonical)

    def _sort_key(self) -> Tuple[str, str, PortRange, bool, str]:
        # "from any" (None) sorts before any CIDR; None and str do not compare directly.
        return (self.family, self.protocol, self.ports, self.source is not None, self.source or "")

    def __lt__(self, other: Rule) -> bool:
        return self._sort_key() < other._sort_key()

    def describe(self) -> str:
        """``tcp/443 ipv4 from 10.0.0.0/8``: the text used in diffs and rule comments."""
        return f"{self.protocol}/{self.ports} {self.family} from {self.source or 'any'}"

    def as_dict(self) -> Dict[str, Any]:
        return {
            "family": self.family,
            "protocol": self.protocol,
            "port": str(self.ports),
            "source": self.source,
        }

    def covers(self, other: Rule) -> bool:
        """True when every packet ``other`` accepts is accepted by ``self`` too."""
        if (self.family, self.protocol) != (other.family, other.protocol):
            return False
        if not (self.ports.first <= other.ports.first and other.ports.last <= self.ports.last):
            return False
        return _source_covers(self.source, other.source)

    def matches(self, family: str, protocol: str, port: int, address: str) -> bool:
        """True when this rule accepts a packet to ``port`` from ``address``."""
        if (family, protocol) != (self.family, self.protocol) or port not in self.ports:
            return False
        if self.source is None:
            return True
        return ipaddress.ip_address(address) in ipaddress.ip_network(self.source)


def _source_covers(outer: Optional[str], inner: Optional[str]) -> bool:
    if outer is None:
        return True
    if inner is None:
        return False
    outer_net, inner_net = _network(outer), _network(inner)
    return inner_net.version == outer_net.version and inner_net.subnet_of(outer_net)  # type: ignore[union-attr]


def subtract_ranges(base: PortRange, cuts: Iterable[PortRange]) -> List[PortRange]:
    """The parts of ``base`` not in any of ``cuts`` (sorted, disjoint)."""
    pieces = [base]
    for cut in cuts:
        next_pieces: List[PortRange] = []
        for piece in pieces:
            if cut.last < piece.first or cut.first > piece.last:
                next_pieces.append(piece)
                continue
            if piece.first < cut.first:
                next_pieces.append(PortRange(piece.first, cut.first - 1))
            if cut.last < piece.last:
                next_pieces.append(PortRange(cut.last + 1, piece.last))
        pieces = next_pieces
    return pieces


def _as_list(value: Any) -> List[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _choice(params: Mapping[str, Any], key: str, choices: Sequence[str], default: Optional[str] = None) -> str:
    """``params[key]`` (unset: ``default``, else the first choice), refused unless one of ``choices``."""
    value = params.get(key) or default or choices[0]
    if value not in choices:
        raise ValidationError(f"invalid {key} {value!r}: expected one of {', '.join(choices)}")
    return str(value)


@dataclass(frozen=True)
class ReadScope:
    """What a backend's ``read()`` must cover.

    Attributes:
        families: the families the task talks about; a family whose rules cannot be read
            (no IPv6 stack) fails the read only when it is one of these.
        persist: also read the persisted files a plan may rewrite.
    """

    families: Tuple[str, ...] = FAMILIES
    persist: bool = False


@dataclass(frozen=True)
class DesiredState:
    """What a task asks for, validated.

    Attributes:
        state: ``open`` (the rules must exist) or ``closed`` (no owned rule may accept them).
        protocol: ``tcp`` or ``udp`` (the first of ``protocols``).
        ports: merged, sorted port ranges.
        families: concrete families, ``("ipv4", "ipv6")`` for ``both``.
        sources: canonical CIDRs; empty means any source.
        rules: the rules this state talks about (ports x families x sources).
        persist: make the result survive a reboot / firewall reload.
        backend: requested backend name (``auto`` allowed).
        zone: firewalld zone, if any.
        force: allow a change that would cut off the current SSH connection.
        protocols: every protocol of the task (``443/tcp`` and ``443/udp`` for HTTP/3 in one task);
            empty means ``(protocol,)``.
    """

    state: str
    protocol: str
    ports: Tuple[PortRange, ...]
    families: Tuple[str, ...]
    sources: Tuple[str, ...] = ()
    persist: bool = True
    backend: str = "auto"
    zone: Optional[str] = None
    force: bool = False
    rules: Tuple[Rule, ...] = field(default=(), compare=False)
    protocols: Tuple[str, ...] = ()

    @property
    def all_protocols(self) -> Tuple[str, ...]:
        return self.protocols or (self.protocol,)

    @property
    def scope(self) -> ReadScope:
        """What reading the current rules must cover for this task."""
        return ReadScope(self.families, self.persist)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> DesiredState:
        """Build and validate from module parameters; every error names the bad value."""
        state = _choice(params, "state", STATES)
        protocols: List[str] = []
        for value in _as_list(params.get("protocol")) or [PROTOCOLS[0]]:
            chosen = _choice({"protocol": value}, "protocol", PROTOCOLS)
            if chosen not in protocols:
                protocols.append(chosen)
        family = _choice(params, "family", FAMILY_CHOICES, "both")
        backend = _choice(params, "backend", BACKENDS)
        raw_ports = _as_list(params.get("port"))
        if not raw_ports:
            raise ValidationError("port is required: give at least one port or range")
        try:
            ports = tuple(parse_port_specs(raw_ports))
        except PortSpecError as exc:
            raise ValidationError(str(exc)) from None

        sources: List[Tuple[str, str]] = []
        for item in _as_list(params.get("source")):
            canonical, src_family = normalise_source(item)
            if family != "both" and src_family != family:
                raise ValidationError(f"source {item!r} is an {src_family} network but family is {family}")
            if canonical not in [item[0] for item in sources]:
                sources.append((canonical, src_family))

        if family == "both":
            families: Tuple[str, ...] = FAMILIES
            if sources:  # family both + sources: only the families the sources are in
                families = tuple(f for f in FAMILIES if any(item[1] == f for item in sources))
        else:
            families = (family,)

        rules: List[Rule] = []
        for fam in families:
            fam_sources: Sequence[Optional[str]] = [s for s, sf in sources if sf == fam] or [None]
            for port_range in ports:
                for src in fam_sources:
                    rules.extend(Rule(fam, protocol, port_range, src) for protocol in protocols)
        zone = params.get("zone")
        return cls(
            state=state,
            protocol=protocols[0],
            protocols=tuple(protocols),
            ports=ports,
            families=families,
            sources=tuple(item[0] for item in sources),
            persist=bool(params.get("persist", True)),
            backend=backend,
            zone=zone if zone else None,
            force=bool(params.get("force", False)),
            rules=tuple(sorted(rules)),
        )


def plan_rules(desired: DesiredState, current: Iterable[Rule]) -> Tuple[Tuple[Rule, ...], Tuple[Rule, ...]]:
    """The neutral plan: ``(add, remove)`` turning ``current`` owned rules into what ``desired`` asks.

    * ``open``: add each wanted rule not already covered by an owned rule
      (``8000-8080`` covers ``8050``; "any source" covers ``10.0.0.0/8``).
    * ``closed``: remove every owned rule of the same protocol and family that
      overlaps a requested port range (and, when sources are given, has one of
      those sources); the ports of a removed rule that were not asked to close
      are added back as smaller rules, so closing ``8050`` out of ``8000-8080``
      leaves ``8000-8049`` and ``8051-8080``.
    * ``exact`` (internal, never from task parameters; the rollback uses it):
      the owned rules become exactly ``desired.rules``.
    """
    current_rules = sorted(set(current))
    if desired.state == "exact":  # internal (rollback): owned rules become exactly desired.rules
        wanted = set(desired.rules)
        return tuple(sorted(wanted - set(current_rules))), tuple(r for r in current_rules if r not in wanted)
    if desired.state == "open":
        present = set(current_rules)  # the usual case, a re-run: each wanted rule is owned as it is
        add = tuple(r for r in desired.rules if r not in present and not any(c.covers(r) for c in current_rules))
        return add, ()
    remove: List[Rule] = []
    add_back: List[Rule] = []
    for rule in current_rules:
        if rule.protocol not in desired.all_protocols or rule.family not in desired.families:
            continue
        if desired.sources and rule.source not in desired.sources:
            continue
        overlapping = [p for p in desired.ports if not (p.last < rule.ports.first or p.first > rule.ports.last)]
        if not overlapping:
            continue
        remove.append(rule)
        for rest in subtract_ranges(rule.ports, desired.ports):
            add_back.append(Rule(rule.family, rule.protocol, rest, rule.source))
    keep = set(current_rules) - set(remove)
    add = tuple(sorted(r for r in add_back if r not in keep))
    return add, tuple(remove)
