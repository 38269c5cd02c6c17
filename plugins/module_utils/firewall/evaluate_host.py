# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verdicts for a host: nftables and iptables rulesets together (see :mod:`.evaluate`).

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
  from the save output and combined with the nft ones by hook priority.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Set, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.evaluate import (
    HookVerdict,
    Packet,
    Verdict,
    combine_hooks,
    over_interfaces,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.evaluate_iptables import IptablesRuleset
from ansible_collections.webedge.https.plugins.module_utils.firewall.evaluate_nft import NftRuleset

__all__ = ["HostRulesets", "evaluate_packet", "evaluate_ports"]

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
    ) -> None:
        self.nft = nft
        self.iptables = {fam: IptablesRuleset(text, fam) for fam, text in (iptables or {}).items() if text}
        self.variant = iptables_variant
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
            hooks.extend(self.nft.evaluate_hooks(packet, skip))
        ipt = self.iptables.get(packet.family)
        if ipt is not None and (ipt_tables is None or ipt_tables):
            hooks.extend(ipt.evaluate_hooks(packet, ipt_tables))
        return hooks

    def interface_names(self) -> Set[str]:
        names: Set[str] = set()
        if self.nft is not None:
            names |= self.nft.interface_names()
        for ipt in self.iptables.values():
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
    results: List[Dict[str, object]] = []
    for port in ports:
        entry: Dict[str, object] = {"port": port, "protocol": protocol, "source": source, "interface": interface}
        verdicts = []
        for family in families:
            verdict = evaluate_packet(rulesets, Packet(family, protocol, port, source, interface))
            entry[family] = verdict.as_dict()
            verdicts.append(verdict.verdict)
        entry["verdict"] = verdicts[0] if len(set(verdicts)) == 1 else "mixed"
        results.append(entry)
    return results
