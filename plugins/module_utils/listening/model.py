# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What listens, as plain data: a socket, the process holding it, the service it serves.

Shared by the Linux reader (``procnet.py``, ``owners.py``, ``services.py``, on the target) and by
the Windows path (``plugin_utils/windows/listening.py``, on the controller), which needs these
objects and the checks (``expectations.py``, ``query.py``) but none of the Linux reading, so the
action plugin imports only what a run needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

__all__ = ["PROTOCOLS", "Owner", "Service", "Socket", "sort_key"]

PROTOCOLS = ("tcp", "udp")


@dataclass(frozen=True)
class Socket:
    """One listening socket as the kernel reports it (no owner yet)."""

    protocol: str  # "tcp" or "udp"
    family: str  # "ipv4" or "ipv6": the table it came from
    address: str  # as inet_ntop prints it: "0.0.0.0", "::", "::1", "::ffff:127.0.0.1"
    port: int
    uid: int  # the socket's owner uid, visible even when its process is not
    inode: int

    @property
    def is_wildcard(self) -> bool:
        return self.address in ("0.0.0.0", "::")

    @property
    def mapped_ipv4(self) -> Optional[str]:
        """The IPv4 address of an IPv6 socket bound to an IPv4-mapped address (``::ffff:a.b.c.d``)."""
        if self.family == "ipv6" and self.address.startswith("::ffff:") and "." in self.address:
            return self.address[len("::ffff:") :]
        return None


@dataclass(frozen=True)
class Owner:
    """The process holding a socket; ``pid`` is None when it cannot be seen, and ``unknown_reason`` says why.

    ``program`` is the program's file name when the platform reports it apart from the command
    line (Windows: ``nginx.exe``); None on Linux, where it is taken from ``cmdline``.
    """

    pid: Optional[int]
    process: Optional[str]
    user: Optional[str]
    cmdline: Optional[str]
    unknown_reason: Optional[str] = None
    program: Optional[str] = None

    def describe(self) -> str:
        """``nginx, pid 812`` or ``owner unknown: <reason>``."""
        if self.pid is None:
            return f"owner unknown: {self.unknown_reason}"
        return f"{self.process or '?'}, pid {self.pid}"


@dataclass(frozen=True)
class Service:
    """Who a socket serves.

    Attributes:
        unit: the systemd unit (``nginx.service``); for socket activation the service the
            socket unit activates.
        container: the container's name (its short id when the name is not known).
        socket_unit: the ``.socket`` unit holding the socket for ``unit`` (socket activation).
        engine: ``podman`` or ``docker`` when ``container`` is set.
    """

    unit: Optional[str] = None
    container: Optional[str] = None
    socket_unit: Optional[str] = None
    engine: Optional[str] = None

    def describe(self) -> str:
        """``nginx.service``, ``container web (podman)``, both, or empty."""
        parts = []
        if self.container:
            parts.append(f"container {self.container}" + (f" ({self.engine})" if self.engine else ""))
        if self.unit:
            parts.append(self.unit + (f" via {self.socket_unit}" if self.socket_unit else ""))
        return ", ".join(parts)


def sort_key(sock: Socket) -> Tuple[str, int, str, str, int]:
    return (sock.protocol, sock.port, sock.family, sock.address, sock.inode)
