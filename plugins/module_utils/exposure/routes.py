# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's routing table, as far as exposure needs it (``ip -j route show table all``).

* the host's own addresses (``local`` routes): is a DNAT target this host or another one?
* the interface a packet for an address leaves through (longest prefix of the ``main``
  table): where a DNATed packet goes (``-o podman0`` matches), and where a packet FROM a
  source arrives - the interface the host answers that source through (reverse path: Linux's
  ``rp_filter`` drops what arrives elsewhere, and a reply could not leave anyway).

For "any source" the inbound interface is the default route's; a host without one (the lab's
internal network) is reached only from its directly connected networks, and when those are
more than one interface - container bridges aside, which carry no traffic from outside - the
interface stays unknown and the verdict is asked on each.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Tuple, Union

__all__ = ["ROUTE_ARGV", "Route", "Routes", "parse_routes"]

ROUTE_ARGV = {
    "ipv4": ("ip", "-j", "-4", "route", "show", "table", "all"),
    "ipv6": ("ip", "-j", "-6", "route", "show", "table", "all"),
}
# Bridges container engines make: their networks are the containers', not a way in from outside.
CONTAINER_BRIDGES = re.compile(r"^(docker\d+|br-[0-9a-f]{12}|podman\d+|cni-podman\d+|cni\d+|virbr\d+|lxcbr\d+|veth.*)$")
Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


@dataclass(frozen=True)
class Route:
    network: Network
    dev: str
    metric: int = 0


@dataclass(frozen=True)
class Routes:
    """Local addresses and ``main`` table routes of both families."""

    local: Tuple[Network, ...] = ()
    main: Tuple[Route, ...] = ()
    read: bool = True  # False: ``ip`` was not there; nothing is known

    def is_local(self, address: str) -> Optional[bool]:
        if not self.read:
            return None
        parsed = ipaddress.ip_address(address)
        return any(parsed.version == n.version and parsed in n for n in self.local)

    def _best(self, address: Any) -> Optional[Route]:
        found = [r for r in self.main if r.network.version == address.version and address in r.network]
        if not found:
            return None
        return sorted(found, key=lambda r: (-r.network.prefixlen, r.metric))[0]

    def out_interface(self, address: str) -> Optional[str]:
        best = self._best(ipaddress.ip_address(address))
        return best.dev if best is not None else None

    def inbound_interface(self, source: Optional[str], family: str) -> Tuple[Optional[str], str]:
        """``(interface, why)`` a packet from ``source`` (an address, a network, or None: any) arrives on."""
        if not self.read:
            return None, "the routing table could not be read (no ip command)"
        version = 4 if family == "ipv4" else 6
        if source is None:
            default = [r for r in self.main if r.network.version == version and r.network.prefixlen == 0]
            if default:
                best = sorted(default, key=lambda r: r.metric)[0]
                return best.dev, f"the default route ({best.dev})"
            devs = sorted(
                {
                    r.dev
                    for r in self.main
                    if r.network.version == version
                    and r.dev != "lo"
                    and not CONTAINER_BRIDGES.match(r.dev)
                    and not r.network.is_link_local
                }
            )
            if len(devs) == 1:
                return devs[0], f"no default route: only {devs[0]} reaches other hosts"
            return None, f"no default route and {len(devs)} interfaces reach other hosts ({', '.join(devs)})"
        network = ipaddress.ip_network(source, strict=False)
        best = self._best(network.network_address)
        if best is None:
            return None, f"no route to {source}"
        inner = [
            r
            for r in self.main
            if r.network.version == network.version
            and r.network.overlaps(network)
            and r.dev != best.dev
            and r.network.prefixlen > best.network.prefixlen
        ]
        if inner or best.network.prefixlen > network.prefixlen:
            return None, f"{source} is routed through more than one interface"
        return best.dev, f"the route to {source} ({best.dev})"


def _network(dst: str, version: int) -> Optional[Network]:
    if dst == "default":
        return ipaddress.ip_network("0.0.0.0/0" if version == 4 else "::/0")
    try:
        return ipaddress.ip_network(dst, strict=False)
    except ValueError:
        return None


def parse_routes(outputs: Sequence[Tuple[str, Optional[str]]]) -> Routes:
    """``[(family, ip -j route output or None when it failed)]`` -> :class:`Routes`."""
    local: List[Network] = []
    main: List[Route] = []
    read = False
    for family, text in outputs:
        if text is None:
            continue
        version = 4 if family == "ipv4" else 6
        try:
            entries = json.loads(text or "[]")
        except ValueError:
            continue
        read = True
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            network = _network(str(entry.get("dst", "")), version)
            if network is None:
                continue
            kind, table = entry.get("type", "unicast"), str(entry.get("table", "main"))
            if kind == "local":
                local.append(network)
            elif kind == "unicast" and table == "main" and entry.get("dev"):
                metric = entry.get("metric", 0)
                main.append(Route(network, str(entry["dev"]), metric if isinstance(metric, int) else 0))
    return Routes(tuple(local), tuple(main), read)
