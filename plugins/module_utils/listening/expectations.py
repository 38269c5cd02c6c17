# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What must listen, whether it does, and what to tell a person when it does not.

An expectation names a port and protocol, and optionally an address, a family and a process.
A listener meets it when, in order:

1. it listens on that port and protocol;
2. it accepts connections for the expected address or family:
   - IPv4 is accepted by an IPv4 socket, by an IPv6 socket bound to an IPv4-mapped address
     (``::ffff:a.b.c.d`` accepts ``a.b.c.d``) and by a dual-stack ``::`` socket;
   - IPv6 is accepted by an IPv6 socket not bound to an IPv4-mapped address;
   - an address X is met by a socket bound to X or to the wildcard of X's family
     (``0.0.0.0`` or a dual-stack ``::`` for IPv4 X; ``::`` for IPv6 X), since a wildcard
     socket accepts connections for every local address; an expected wildcard
     (``0.0.0.0``, ``::``) is met only by a wildcard socket;
3. its process name (``comm``) or the program name of its command line is the expected process
   (on Windows: the process name, ``nginx``, or the program's file name, ``nginx.exe``).

An expectation with ``state: absent`` turns this around: it is met when NO listener on its port
and protocol matches 2. and 3. (a listener whose owner is unknown may be the process, so it
counts); with ``allow_loopback`` a listener bound only to a loopback address (``127.0.0.0/8``,
``::1``) does not count - "must not listen on a non-loopback address".
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from ansible_collections.webedge.https.plugins.module_utils.listening.model import PROTOCOLS, Owner, Service, Socket
from ansible_collections.webedge.https.plugins.module_utils.ports import PortSpecError, parse_port_spec

__all__ = [
    "FAMILIES",
    "Expectation",
    "ExpectationError",
    "Listener",
    "Outcome",
    "check",
    "parse_expectations",
    "parse_protocols",
]

FAMILIES = ("ipv4", "ipv6")
STATES = ("present", "absent")
EXPECT_KEYS = ("port", "protocol", "process", "address", "family", "state", "allow_loopback")
MAX_RELATED = 3
MAX_PORTS_LISTED = 10
IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]


class ExpectationError(ValueError):
    """Bad input in ``protocols`` or ``expect``; the message names the bad value."""


@dataclass(frozen=True)
class Expectation:
    port: int
    protocol: str = "tcp"
    process: Optional[str] = None
    address: Optional[str] = None  # normalised; an IPv4-mapped IPv6 address becomes IPv4
    family: Optional[str] = None
    state: str = "present"  # absent: must not listen
    allow_loopback: bool = False  # absent: a listener on a loopback address only is fine

    @property
    def label(self) -> str:
        return f"{self.port}/{self.protocol}"

    def as_dict(self) -> Dict[str, Any]:
        return {key: getattr(self, key) for key in EXPECT_KEYS}


@dataclass(frozen=True)
class Listener:
    """A listening socket with its owner; ``dual_stack`` marks an IPv6 wildcard accepting IPv4 too.

    ``service``: the systemd unit and container it serves (``services.py``); None when not read.
    """

    socket: Socket
    owner: Owner
    dual_stack: bool = False
    service: Optional[Service] = None

    @property
    def loopback_only(self) -> bool:
        """Bound to a loopback address: only this host can connect."""
        address = self.ipv4_view or self.ipv6_view
        return address is not None and ipaddress.ip_address(address).is_loopback

    @property
    def ipv4_view(self) -> Optional[str]:
        """The IPv4 address this socket accepts connections for, if any."""
        sock = self.socket
        if sock.family == "ipv4":
            return sock.address
        if sock.mapped_ipv4 is not None:
            return sock.mapped_ipv4
        return "0.0.0.0" if self.dual_stack else None

    @property
    def ipv6_view(self) -> Optional[str]:
        sock = self.socket
        return sock.address if sock.family == "ipv6" and sock.mapped_ipv4 is None else None

    def as_dict(self) -> Dict[str, Any]:
        sock, owner = self.socket, self.owner
        return {
            "protocol": sock.protocol,
            "family": sock.family,
            "address": sock.address,
            "port": sock.port,
            "dual_stack": self.dual_stack,
            "pid": owner.pid,
            "process": owner.process,
            "user": owner.user,
            "unit": self.service.unit if self.service else None,
            "container": self.service.container if self.service else None,
        }


@dataclass(frozen=True)
class Outcome:
    expectation: Expectation
    listeners: Tuple[Listener, ...]  # those meeting it; empty when missing
    message: Optional[str] = None  # why it is missing

    @property
    def met(self) -> bool:
        return self.message is None


def parse_protocols(values: Iterable[Any]) -> Tuple[str, ...]:
    found: List[str] = []
    for value in values:
        if value not in PROTOCOLS:
            raise ExpectationError(f"unknown protocol {value!r}: expected one of {', '.join(PROTOCOLS)}")
        if value not in found:
            found.append(value)
    return tuple(found)


def _parse_address(value: Any, where: str) -> IPAddress:
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise ExpectationError(f"{where}: address {value!r} is not an IP address") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _parse_one(entry: Any, where: str) -> Expectation:
    if not isinstance(entry, dict):
        raise ExpectationError(f"{where}: expected a dictionary with a port, got {entry!r}")
    unknown = sorted(str(key) for key in entry if key not in EXPECT_KEYS)
    if unknown:
        raise ExpectationError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(EXPECT_KEYS)}")
    if entry.get("port") is None:
        raise ExpectationError(f"{where}: port is required")
    try:
        ports = parse_port_spec(entry["port"])
    except PortSpecError as exc:
        raise ExpectationError(f"{where}: {exc}") from None
    if ports.count != 1:
        raise ExpectationError(f"{where}: port {entry['port']!r} must be one port, not a range")
    protocol = entry.get("protocol") or "tcp"
    if protocol not in PROTOCOLS:
        raise ExpectationError(f"{where}: unknown protocol {protocol!r}: expected one of {', '.join(PROTOCOLS)}")
    family = entry.get("family")
    if family is not None and family not in FAMILIES:
        raise ExpectationError(f"{where}: unknown family {family!r}: expected one of {', '.join(FAMILIES)}")
    address = None
    if entry.get("address") is not None:
        parsed = _parse_address(entry["address"], where)
        parsed_family = f"ipv{parsed.version}"
        if family is not None and family != parsed_family:
            raise ExpectationError(f"{where}: address {entry['address']!r} is {parsed_family}, not family {family}")
        address = str(parsed)
    process = entry.get("process")
    if process is not None and (not isinstance(process, str) or not process.strip()):
        raise ExpectationError(f"{where}: process {process!r} must be a non-empty name")
    state = entry.get("state") or "present"
    if state not in STATES:
        raise ExpectationError(f"{where}: unknown state {state!r}: expected one of {', '.join(STATES)}")
    allow_loopback = entry.get("allow_loopback")
    if allow_loopback is not None and not isinstance(allow_loopback, bool):
        raise ExpectationError(f"{where}: allow_loopback {allow_loopback!r} must be true or false")
    if allow_loopback and state != "absent":
        raise ExpectationError(f"{where}: allow_loopback applies to state absent only (state is {state})")
    return Expectation(ports.first, protocol, process, address, family, state, bool(allow_loopback))


def parse_expectations(entries: Optional[Sequence[Any]]) -> List[Expectation]:
    """Validate every ``expect`` entry before any work; messages name the entry and the value."""
    return [_parse_one(entry, f"expect[{index}]") for index, entry in enumerate(entries or [])]


def _same_address(seen: Optional[str], wanted: IPAddress) -> bool:
    return seen is not None and ipaddress.ip_address(seen) == wanted


def _accepts(listener: Listener, expectation: Expectation) -> bool:
    if expectation.address is None:
        if expectation.family == "ipv4":
            return listener.ipv4_view is not None
        if expectation.family == "ipv6":
            return listener.ipv6_view is not None
        return True
    wanted = ipaddress.ip_address(expectation.address)
    if wanted.version == 4:
        seen, wildcard = listener.ipv4_view, ipaddress.ip_address("0.0.0.0")
    else:
        seen, wildcard = listener.ipv6_view, ipaddress.ip_address("::")
    return _same_address(seen, wanted) or _same_address(seen, wildcard)


def _program(owner: Owner) -> Optional[str]:
    if owner.program:
        return owner.program
    if not owner.cmdline:
        return None
    return os.path.basename(owner.cmdline.split(" ", 1)[0]).rstrip(":")


def _serves(listener: Listener, process: Optional[str]) -> bool:
    owner = listener.owner
    return process is None or process in (owner.process, _program(owner))


def _may_serve(listener: Listener, process: Optional[str]) -> bool:
    """``_serves``, or cannot be ruled out (the owner is unknown)."""
    return listener.owner.pid is None or _serves(listener, process)


def _short_owner(owner: Owner) -> str:
    return "owner unknown" if owner.pid is None else owner.describe()


def _served_by(owner: Owner) -> str:
    if owner.pid is None:
        return f"an unknown process ({owner.unknown_reason})"
    return f"{owner.process or '?'} (pid {owner.pid})"


def _unique(items: Iterable[str]) -> List[str]:
    seen: List[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _by_owner(listeners: Sequence[Listener]) -> Dict[str, List[str]]:
    groups: Dict[str, List[str]] = {}
    for listener in listeners:
        addresses = groups.setdefault(listener.owner.describe(), [])
        if listener.socket.address not in addresses:
            addresses.append(listener.socket.address)
    return groups


def _where_listening(listeners: Sequence[Listener]) -> str:
    groups = _by_owner(listeners)
    if len(groups) == 1:
        owner, addresses = next(iter(groups.items()))
        return f"on {' and '.join(addresses)} only ({owner})"
    return "only on " + " and ".join(f"{' and '.join(a)} ({o})" for o, a in groups.items())


def _not_listening(expectation: Expectation, listeners: Sequence[Listener]) -> str:
    port_text = str(expectation.port)
    related: Dict[Tuple[int, str], Listener] = {}
    for listener in listeners:
        sock = listener.socket
        if sock.protocol != expectation.protocol:
            is_related = sock.port == expectation.port
        else:
            text = str(sock.port)
            shorter = min(len(text), len(port_text))
            is_related = (expectation.process is not None and _serves(listener, expectation.process)) or (
                shorter >= 2 and (port_text in text or text in port_text)
            )
        if is_related:
            related.setdefault((sock.port, sock.protocol), listener)
    base = f"{expectation.label} is not listening"
    if related:
        parts = [
            f"{port}/{protocol} is ({_short_owner(listener.owner)})"
            for (port, protocol), listener in sorted(related.items())[:MAX_RELATED]
        ]
        return f"{base}; {', '.join(parts)}"
    ports = sorted({lsn.socket.port for lsn in listeners if lsn.socket.protocol == expectation.protocol})
    if not ports:
        return f"{base}; nothing listens on {expectation.protocol}"
    shown = ", ".join(str(p) for p in ports[:MAX_PORTS_LISTED])
    more = f" and {len(ports) - MAX_PORTS_LISTED} more" if len(ports) > MAX_PORTS_LISTED else ""
    return f"{base}; {expectation.protocol} ports listening: {shown}{more}"


def _wrong_address(expectation: Expectation, on_port: Sequence[Listener], bindv6only: Optional[bool]) -> str:
    wanted = expectation.address or ("IPv4" if expectation.family == "ipv4" else "IPv6")
    message = f"{expectation.label} is listening {_where_listening(on_port)}, expected {wanted}"
    wants_ipv4 = expectation.family == "ipv4" or (expectation.address is not None and "." in expectation.address)
    if wants_ipv4 and bindv6only and any(lsn.socket.address == "::" for lsn in on_port):
        message += " (the :: socket does not accept IPv4: net.ipv6.bindv6only=1)"
    return message


def _check_absent(expectation: Expectation, on_port: Sequence[Listener]) -> Outcome:
    """``state: absent``: met when nothing on the port matches (loopback-only listeners aside, if allowed)."""
    found = [
        lsn
        for lsn in on_port
        if _accepts(lsn, expectation)
        and _may_serve(lsn, expectation.process)
        and not (expectation.allow_loopback and lsn.loopback_only)
    ]
    if not found:
        return Outcome(expectation, ())
    what = expectation.label + (f" ({expectation.process})" if expectation.process else "")
    where = " on a non-loopback address" if expectation.allow_loopback else ""
    listing = " and ".join(f"{' and '.join(a)} ({o})" for o, a in _by_owner(found).items())
    return Outcome(expectation, (), f"{what} must not listen{where}, but listens on {listing}")


def check(expectation: Expectation, listeners: Sequence[Listener], bindv6only: Optional[bool] = None) -> Outcome:
    """Whether ``expectation`` is met by ``listeners`` (all listening sockets, owners resolved)."""
    if expectation.state == "absent":
        return _check_absent(
            expectation,
            [
                lsn
                for lsn in listeners
                if lsn.socket.port == expectation.port and lsn.socket.protocol == expectation.protocol
            ],
        )
    on_port = [
        lsn for lsn in listeners if lsn.socket.port == expectation.port and lsn.socket.protocol == expectation.protocol
    ]
    if not on_port:
        return Outcome(expectation, (), _not_listening(expectation, listeners))
    reachable = [lsn for lsn in on_port if _accepts(lsn, expectation)]
    if not reachable:
        return Outcome(expectation, (), _wrong_address(expectation, on_port, bindv6only))
    serving = [lsn for lsn in reachable if _serves(lsn, expectation.process)]
    if not serving:
        where = f" on {expectation.address}" if expectation.address else ""
        owners = " and ".join(_unique(_served_by(lsn.owner) for lsn in reachable))
        return Outcome(
            expectation, (), f"{expectation.label}{where} is served by {owners}, expected {expectation.process}"
        )
    return Outcome(expectation, tuple(serving))
