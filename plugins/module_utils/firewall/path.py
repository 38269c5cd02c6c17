# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which way a new connection to a port of this host goes, and whether it gets through.

``firewall_info`` asks the input hook only. Exposure asks the whole way in:

1. the nat chains of the prerouting hook (``HostRulesets.nat``): a ``dnat`` sends the packet
   elsewhere - to a container's address (Docker, podman/netavark published ports) or, with a
   ``redirect`` or a DNAT to a local address, to another port of this host;
2. a packet still for this host meets every base chain on the input hook (``verdict.py``);
3. a packet DNATed to another address is routed on: it meets every base chain on the forward
   hook, with conntrack status ``dnat``, going out through the interface the host routes that
   address to (``Routes``), and never reaches a socket of this host on the original port.

The answer is a :class:`PathVerdict`: the verdict, the rule or policy that decides, and where the
packet went. A nat rule that cannot be decided makes the verdict ``unknown`` (the reason names
it); so does a route the host's routing table does not answer.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from typing import Optional, Protocol

from ansible_collections.webedge.https.plugins.module_utils.firewall.info import HostRulesets
from ansible_collections.webedge.https.plugins.module_utils.firewall.verdict import (
    Packet,
    Verdict,
    combine_hooks,
    over_interfaces,
)

__all__ = ["PATHS", "PathVerdict", "Routes", "evaluate_path"]

PATHS = ("input", "forward", "prerouting")


class Routes(Protocol):
    """What the path needs from the host's routing table (``exposure/routes.py`` reads it)."""

    def is_local(self, address: str) -> Optional[bool]:
        """Is ``address`` one of this host's own addresses? None when not known."""

    def out_interface(self, address: str) -> Optional[str]:
        """The interface the host sends packets for ``address`` through; None when not known."""


@dataclass(frozen=True)
class PathVerdict(Verdict):
    """A :class:`Verdict` with the way the packet went.

    Attributes:
        path: ``input`` (to a socket of this host), ``forward`` (DNATed to another address and
            routed on) or ``prerouting`` (dropped, or not decidable, in a nat chain).
        nat_to: where a DNAT or redirect sent it (``10.88.0.2:80``, ``:8080`` for a redirect).
        nat_by: the nat rule that did it.
    """

    path: str = "input"
    nat_to: Optional[str] = None
    nat_by: str = ""


def _local(address: str, routes: Optional[Routes]) -> Optional[bool]:
    parsed = ipaddress.ip_address(address)
    if parsed.is_loopback:
        return True
    return routes.is_local(address) if routes is not None else None


def _text(address: Optional[str], port: int) -> str:
    if address is None:
        return f":{port}"
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def _one_way(rulesets: HostRulesets, packet: Packet, routes: Optional[Routes]) -> PathVerdict:
    """The path for a packet whose inbound interface is set."""
    nat = rulesets.nat(packet)
    if nat.outcome in ("unknown", "drop", "reject"):
        return PathVerdict(nat.outcome, nat.decided_by, nat.reason, path="prerouting")
    if nat.outcome in ("dnat", "redirect") and nat.nat_to is not None:
        address, new_port = nat.nat_to
        port = new_port or packet.port
        nat_to = _text(address, port)
        local = True if address is None else _local(address, routes)
        if local is None:
            reason = f"{nat.decided_by} sends it to {nat_to}: whether that is this host is not known"
            return PathVerdict(
                "unknown", nat.decided_by, reason, path="prerouting", nat_to=nat_to, nat_by=nat.decided_by
            )
        if local:
            moved = replace(packet, port=port, dnat=True)
            verdict = combine_hooks(rulesets.hooks(moved))
            return PathVerdict(verdict.verdict, verdict.decided_by, verdict.reason, "input", nat_to, nat.decided_by)
        out = routes.out_interface(address) if routes is not None else None
        forwarded = replace(packet, hook="forward", port=port, destination=address, out_interface=out, dnat=True)
        verdict = combine_hooks(rulesets.hooks(forwarded), "forward")
        return PathVerdict(verdict.verdict, verdict.decided_by, verdict.reason, "forward", nat_to, nat.decided_by)
    verdict = combine_hooks(rulesets.hooks(packet))
    return PathVerdict(verdict.verdict, verdict.decided_by, verdict.reason, "input")


def evaluate_path(rulesets: HostRulesets, packet: Packet, routes: Optional[Routes] = None) -> Verdict:
    """The verdict for a new connection to ``packet.port`` of this host, prerouting DNAT included.

    Without ``packet.interface`` each inbound interface the rules name is tried (``over_interfaces``);
    answers that disagree make a plain ``unknown`` :class:`Verdict` naming each.
    """
    return over_interfaces(packet, rulesets.interface_names(), lambda p: _one_way(rulesets, p, routes))
