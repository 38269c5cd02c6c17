# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``exposure_info``'s options, validated before any work (every message names the bad value)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.model import ValidationError, normalise_source
from ansible_collections.webedge.https.plugins.module_utils.listening.procnet import PROTOCOLS
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange, PortSpecError, parse_port_spec

__all__ = ["Allowed", "ExposureRequest", "parse_allowed"]

_INTERFACE = re.compile(r"^[A-Za-z0-9_.:@-]{1,15}$")


@dataclass(frozen=True)
class Allowed:
    """One allow-list entry: a port range, for one protocol or (``protocol`` None) both."""

    ports: PortRange
    protocol: Optional[str] = None

    def covers(self, protocol: str, port: int) -> bool:
        return port in self.ports and self.protocol in (None, protocol)

    def __str__(self) -> str:
        return f"{self.ports}/{self.protocol}" if self.protocol else str(self.ports)


def parse_allowed(values: Optional[Sequence[Any]], name: str = "allowed") -> Tuple[Allowed, ...]:
    """``[22, "443", "8000-8080/tcp", "53/udp"]`` -> entries; a bad one fails naming it and its place."""
    found: List[Allowed] = []
    for index, value in enumerate(values or []):
        where = f"{name}[{index}]"
        text = str(value).strip() if not isinstance(value, (int, bool)) else value
        protocol = None
        if isinstance(text, str) and "/" in text:
            text, _sep, protocol = text.partition("/")
            protocol = protocol.strip().lower()
            if protocol not in PROTOCOLS:
                raise ValidationError(
                    f"{where}: {value!r} names an unknown protocol {protocol!r}: expected a port or range, "
                    f"optionally followed by /tcp or /udp"
                )
        try:
            ports = parse_port_spec(text)
        except PortSpecError as exc:
            raise ValidationError(f"{where}: {exc}") from None
        entry = Allowed(ports, protocol)
        if entry not in found:
            found.append(entry)
    return tuple(found)


@dataclass(frozen=True)
class ExposureRequest:
    """What to audit.

    Attributes:
        source: the address or network (canonical CIDR) new connections come from; None: any
            address no rule names (the internet).
        interface: the inbound interface; None: worked out from the routes to ``source``.
        protocols: ``tcp``, ``udp``.
        ports: only sockets on these ports are reported (empty: all).
        allowed: the allow-list; None when not given (no ``unexpected`` then).
        fail_on_unexpected: fail when an exposed port is not allowed.
    """

    source: Optional[str] = None
    interface: Optional[str] = None
    protocols: Tuple[str, ...] = PROTOCOLS
    ports: Tuple[PortRange, ...] = ()
    allowed: Optional[Tuple[Allowed, ...]] = None
    fail_on_unexpected: bool = False

    @property
    def source_family(self) -> Optional[str]:
        if self.source is None:
            return None
        return "ipv4" if ipaddress.ip_network(self.source).version == 4 else "ipv6"

    @property
    def source_address(self) -> Optional[str]:
        """The source as the evaluators take it: an address, or a network in CIDR form."""
        if self.source is None:
            return None
        network = ipaddress.ip_network(self.source)
        return str(network.network_address) if network.num_addresses == 1 else network.with_prefixlen

    def wants(self, protocol: str, port: int) -> bool:
        return protocol in self.protocols and (not self.ports or any(port in r for r in self.ports))

    def allows(self, protocol: str, port: int) -> bool:
        return self.allowed is not None and any(a.covers(protocol, port) for a in self.allowed)

    @classmethod
    def from_params(cls, params: Mapping[str, Any], check_interface: bool = True) -> ExposureRequest:
        raw = params.get("source")
        source = normalise_source(str(raw))[0] if raw is not None and str(raw).strip() else None
        interface = params.get("interface")
        if interface is not None and check_interface and not _INTERFACE.match(str(interface)):
            raise ValidationError(f"invalid interface {interface!r}: expected an interface name such as eth0")
        protocols: List[str] = []
        for value in params.get("protocols") or PROTOCOLS:
            if value not in PROTOCOLS:
                raise ValidationError(f"invalid protocol {value!r}: expected one of {', '.join(PROTOCOLS)}")
            if value not in protocols:
                protocols.append(value)
        ports: List[PortRange] = []
        for index, value in enumerate(params.get("ports") or []):
            try:
                ports.append(parse_port_spec(value))
            except PortSpecError as exc:
                raise ValidationError(f"ports[{index}]: {exc}") from None
        allowed = params.get("allowed")
        fail = bool(params.get("fail_on_unexpected", False))
        if fail and allowed is None:
            raise ValidationError(
                "fail_on_unexpected needs allowed: the allow-list the exposed ports are compared with"
            )
        return cls(
            source=source,
            interface=str(interface) if interface is not None else None,
            protocols=tuple(protocols),
            ports=tuple(ports),
            allowed=None if allowed is None else parse_allowed(allowed),
            fail_on_unexpected=fail,
        )
