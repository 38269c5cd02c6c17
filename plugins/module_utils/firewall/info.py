# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``firewall_info`` on a Linux host: backends, policies, our rules, and verdicts from the kernel's rulesets.

The verdicts (shared logic in ``verdict.py``) come from the nftables and iptables rulesets together.

Which ruleset answers:

* nftables (``nft -j list ruleset``): every input base chain, native tables
  and those firewalld writes (firewalld's nftables backend).
* iptables-nft (``iptables -V`` says ``nf_tables``): its tables also show up
  in the nft ruleset, but with ``xt`` expressions nft's JSON does not detail
  (``-m multiport``, ``-m conntrack``...). Those tables are read from
  ``iptables-save``/``ip6tables-save`` instead, so ufw, Docker and fail2ban
  rules are evaluated from their iptables form; nft tables without ``xt`` stay
  with the nft evaluator.
* iptables-legacy: a separate set of input chains; all its tables are read
  from ``iptables-legacy-save`` (only when the kernel lists legacy tables in
  ``/proc/net/ip_tables_names``: listing them would otherwise create them) and
  combined with the nft ones by hook priority.

:func:`gather_info` is what ``firewall_info`` runs: backends, default
policies, the rules we own as each backend reads them, and the verdicts.
Every command it runs only reads.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import (
    BackendOptions,
    CachingRunner,
    FileStore,
    Runner,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.iptables.backend import LEGACY_TABLE_NAMES
from ansible_collections.webedge.https.plugins.module_utils.firewall.iptables.verdict import IptablesRuleset
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import (
    PROTOCOLS,
    FirewallError,
    ReadScope,
    ValidationError,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.nftables.parse import (
    LIST_ARGV,
    NftRuleset,
    parse_ruleset,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.nftables.verdict import (
    evaluate_hooks,
    evaluate_nat,
    nat_ports,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.registry import LINUX, Registry
from ansible_collections.webedge.https.plugins.module_utils.firewall.verdict import (
    ChainResult,
    HookVerdict,
    Packet,
    Verdict,
    combine_hooks,
    over_interfaces,
    port_verdicts,
)
from ansible_collections.webedge.https.plugins.module_utils.ports import PortSpecError, parse_port_specs

__all__ = ["HostRulesets", "InfoRequest", "evaluate_packet", "evaluate_ports", "gather_info", "read_rulesets"]

_IPT_FAMILY = {"ipv4": "ip", "ipv6": "ip6"}


class HostRulesets:
    """The rulesets read from one host.

    Args:
        nft: the parsed nft ruleset, or None when nft is not installed.
        iptables: ``{"ipv4": iptables-save text, "ipv6": ip6tables-save text}`` (either may be missing).
        iptables_variant: ``nft`` (iptables-nft) or ``legacy``.
    """

    def __init__(
        self,
        nft: Optional[NftRuleset] = None,
        iptables: Optional[Dict[str, str]] = None,
        iptables_variant: str = "nft",
        legacy: Optional[Dict[str, str]] = None,
    ) -> None:
        self.nft = nft
        self.iptables = {fam: IptablesRuleset(text, fam) for fam, text in (iptables or {}).items() if text}
        self.variant = iptables_variant
        self.legacy = {fam: IptablesRuleset(text, fam, legacy=True) for fam, text in (legacy or {}).items() if text}
        self.xt_tables: Set[Tuple[str, str]] = nft.xt_tables() if nft is not None else set()

    def _split(self, family: str) -> Tuple[List[Tuple[str, str]], Optional[List[str]]]:
        """``(nft tables to skip, iptables tables to use or None for all)``."""
        ipt = self.iptables.get(family)
        if ipt is None:
            return [], []
        if self.variant == "legacy" or self.nft is None:
            return [], None
        fam = _IPT_FAMILY[family]
        handed = [t for f, t in self.xt_tables if f == fam and t in ipt.tables]
        return [(fam, t) for t in handed], handed

    def hooks(self, packet: Packet) -> List[HookVerdict]:
        skip, ipt_tables = self._split(packet.family)
        hooks: List[HookVerdict] = []
        if self.nft is not None:
            hooks.extend(evaluate_hooks(self.nft, packet, skip))
        ipt = self.iptables.get(packet.family)
        if ipt is not None and (ipt_tables is None or ipt_tables):
            hooks.extend(ipt.evaluate_hooks(packet, ipt_tables))
        legacy = self.legacy.get(packet.family)
        if legacy is not None:
            hooks.extend(legacy.evaluate_hooks(packet))
        return hooks

    def nat(self, packet: Packet) -> ChainResult:
        """What the nat chains of the prerouting hook do to the packet, lowest priority first.

        The first chain that NATs (``dnat``/``redirect``, with ``nat_to``), drops or cannot be
        decided (``unknown``) decides; ``continue`` when none does (the packet keeps its destination).
        """
        skip, ipt_tables = self._split(packet.family)
        chains: List[Tuple[int, str, ChainResult]] = []
        if self.nft is not None:
            chains.extend(evaluate_nat(self.nft, packet, skip))
        ipt = self.iptables.get(packet.family)
        if ipt is not None and (ipt_tables is None or "nat" in ipt_tables):
            chains.extend(ipt.evaluate_nat(packet, ipt_tables))
        legacy = self.legacy.get(packet.family)
        if legacy is not None:
            chains.extend(legacy.evaluate_nat(packet))
        for _priority, name, result in sorted(chains, key=lambda c: c[0]):
            if result.outcome in ("dnat", "redirect", "drop", "reject", "unknown"):
                return ChainResult(result.outcome, f"{name}: {result.decided_by}", result.reason, result.nat_to)
        return ChainResult("continue")

    def nat_ports(self) -> Set[Tuple[str, str, int]]:
        """``(family, protocol, port)`` that some DNAT/REDIRECT rule names (whatever the source)."""
        found: Set[Tuple[str, str, int]] = set(nat_ports(self.nft)) if self.nft is not None else set()
        for family, ruleset in (*self.iptables.items(), *self.legacy.items()):
            found.update((family, proto, port) for proto, port in ruleset.nat_ports())
        return found

    def interface_names(self) -> Set[str]:
        names: Set[str] = set()
        if self.nft is not None:
            names |= self.nft.interface_names()
        for ipt in (*self.iptables.values(), *self.legacy.values()):
            names |= ipt.interface_names()
        return names

    def policies(self, family: str) -> List[Dict[str, object]]:
        skip, ipt_tables = self._split(family)
        found: List[Dict[str, object]] = []
        if self.nft is not None:
            found.extend(
                p
                for p in self.nft.policies()
                if not any(p["chain"].startswith(f"nftables {f} {t} ") for f, t in skip)  # type: ignore[union-attr]
                and (p["chain"].split()[1] in ("inet", _IPT_FAMILY[family]))  # type: ignore[union-attr]
            )
        ipt = self.iptables.get(family)
        if ipt is not None and (ipt_tables is None or ipt_tables):
            found.extend(p for p in ipt.policies() if ipt_tables is None or str(p["chain"]).split()[1] in ipt_tables)
        legacy = self.legacy.get(family)
        if legacy is not None:
            found.extend(legacy.policies())
        return sorted(found, key=lambda p: int(p["priority"]))  # type: ignore[call-overload]


def evaluate_packet(rulesets: HostRulesets, packet: Packet) -> Verdict:
    """The verdict for one packet, trying each named interface when none is given."""
    return over_interfaces(packet, rulesets.interface_names(), lambda p: combine_hooks(rulesets.hooks(p)))


def evaluate_ports(
    rulesets: HostRulesets,
    ports: Sequence[int],
    protocol: str,
    source: Optional[str] = None,
    interface: Optional[str] = None,
    families: Sequence[str] = ("ipv4", "ipv6"),
) -> List[Dict[str, object]]:
    """One result per port: per-family verdicts plus a summary ``verdict`` (``mixed`` when they differ)."""
    return port_verdicts(ports, protocol, source, interface, families, lambda p: evaluate_packet(rulesets, p))


# ---------------------------------------------------------------------------
# firewall_info

MAX_PORTS = 1024
_INTERFACE = re.compile(r"^[A-Za-z0-9_.:@-]{1,15}$")


@dataclass(frozen=True)
class InfoRequest:
    """``firewall_info``'s options, validated (every error names the bad value)."""

    ports: Tuple[int, ...]
    protocol: str = "tcp"
    source: Optional[str] = None
    interface: Optional[str] = None
    families: Tuple[str, ...] = ("ipv4", "ipv6")
    zone: Optional[str] = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> InfoRequest:
        protocol = params.get("protocol") or "tcp"
        if protocol not in PROTOCOLS:
            raise ValidationError(f"invalid protocol {protocol!r}: expected one of {', '.join(PROTOCOLS)}")
        raw = params.get("ports") or []
        try:
            ranges = parse_port_specs(raw if isinstance(raw, (list, tuple)) else [raw])
        except PortSpecError as exc:
            raise ValidationError(str(exc)) from None
        ports = tuple(p for r in ranges for p in range(r.first, r.last + 1))
        if len(ports) > MAX_PORTS:
            raise ValidationError(f"ports {raw!r} name {len(ports)} ports; at most {MAX_PORTS} can be evaluated")
        source = params.get("source")
        families: Tuple[str, ...] = ("ipv4", "ipv6")
        family = params.get("family") or "both"
        if family not in ("ipv4", "ipv6", "both"):
            raise ValidationError(f"invalid family {family!r}: expected ipv4, ipv6 or both")
        if family != "both":
            families = (family,)
        if source is not None:
            try:
                address = ipaddress.ip_address(str(source).strip())
            except ValueError:
                raise ValidationError(f"invalid source {source!r}: expected one IPv4 or IPv6 address") from None
            source = str(address)
            src_family = "ipv4" if address.version == 4 else "ipv6"
            if family not in ("both", src_family):
                raise ValidationError(f"source {source!r} is an {src_family} address but family is {family}")
            families = (src_family,)
        interface = params.get("interface")
        if interface is not None and not _INTERFACE.match(str(interface)):
            raise ValidationError(f"invalid interface {interface!r}: expected an interface name such as eth0")
        return cls(ports, protocol, source, interface, families, params.get("zone") or None)


def read_rulesets(runner: Runner, notes: List[str]) -> HostRulesets:
    """Read the kernel's rulesets (nft, iptables-nft, iptables-legacy) with read-only commands."""
    nft: Optional[NftRuleset] = None
    rc, out, err = runner.run(list(LIST_ARGV))
    if rc == 0:
        try:
            nft = parse_ruleset(out)
        except ValueError as exc:
            notes.append(f"'nft -j list ruleset' output could not be read: {exc}")
    elif rc != 127:
        notes.append(f"'nft -j list ruleset' failed: {(err or out).strip()}")

    variant = "nft"
    rc, out, err = runner.run(["iptables", "-V"])
    if rc == 0 and "legacy" in out:
        variant = "legacy"
    saves: Dict[str, str] = {}
    legacy: Dict[str, str] = {}
    want_nft_saves = variant == "nft" and (nft is None or nft.xt_tables())
    for family, tool in (("ipv4", "iptables"), ("ipv6", "ip6tables")):
        if want_nft_saves:
            rc, out, err = runner.run([f"{tool}-nft-save"])
            if rc == 0:
                saves[family] = out
        rc, out, _err = runner.run(["cat", LEGACY_TABLE_NAMES[family]])
        if rc == 0 and out.split():
            rc, out, err = runner.run([f"{tool}-legacy-save"])
            if rc == 0:
                legacy[family] = out
    return HostRulesets(nft, saves, "nft", legacy)


def gather_info(
    params: Mapping[str, Any],
    runner: Runner,
    *,
    files: Optional[FileStore] = None,
    registry: Registry = LINUX,
) -> Dict[str, Any]:
    """Everything ``firewall_info`` returns. Runs read-only commands only."""
    request = InfoRequest.from_params(params)  # bad input fails before any command runs
    caching = CachingRunner(runner)
    caching.caching = True
    notes: List[str] = []
    backends: List[Dict[str, Any]] = []
    rules: Dict[str, List[Dict[str, Any]]] = {}
    facts: Dict[str, Optional[Dict[str, Any]]] = {n: None for n, cls in registry.backends.items() if cls.has_facts}
    for name, cls in registry.backends.items():
        detection = cls.probe(caching)
        backends.append(
            {
                "name": name,
                "available": detection.available,
                "active": detection.active,
                "reason": detection.reason,
                "variant": detection.variant,
            }
        )
        if not cls.readable(detection):
            continue
        backend = cls(caching, files, BackendOptions(zone=request.zone))
        try:
            current = backend.read(ReadScope())
        except FirewallError as exc:
            notes.append(f"{name}: our rules could not be read: {exc}")
            continue
        rules[name] = [rule.as_dict() for rule in current.rules]
        if cls.has_facts:
            facts[name] = backend.facts(current)

    rulesets = read_rulesets(caching, notes)
    default_policy = {family: rulesets.policies(family) for family in ("ipv4", "ipv6")}
    verdicts = evaluate_ports(
        rulesets, request.ports, request.protocol, request.source, request.interface, request.families
    )
    return {
        "changed": False,
        "backends": backends,
        "active_backends": [b["name"] for b in backends if b["active"]],
        "default_policy": default_policy,
        **facts,
        "rules": rules,
        "verdicts": verdicts,
        "notes": notes,
    }
