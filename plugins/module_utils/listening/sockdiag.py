# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each IPv6 socket's own ``IPV6_V6ONLY`` option, asked of the kernel over netlink (sock_diag).

``/proc/net/tcp6`` does not show whether a ``::`` socket also accepts IPv4; the kernel's socket
diagnostics do (``INET_DIAG_SKV6ONLY``, sent for every IPv6 socket that listens or is
unconnected - what ``ss -e`` prints as ``v6only:1``). One dump per protocol, filtered by state in
the kernel: listening TCP sockets, unconnected UDP sockets. Needs no privilege for the caller's
own network namespace.

When netlink is not there (another OS, a sandbox refusing ``AF_NETLINK``, a kernel without
``udp_diag``), :func:`read_v6only` returns what it could read and the callers keep their
``net.ipv6.bindv6only`` reasoning for the rest.
"""

from __future__ import annotations

import socket
import struct
from typing import Callable, Dict, Iterable, Optional

__all__ = ["parse_dump", "read_v6only", "request"]

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST_DUMP = 0x301  # NLM_F_REQUEST | NLM_F_DUMP
NLMSG_ERROR, NLMSG_DONE = 2, 3
INET_DIAG_SKV6ONLY = 11
STATES = {"tcp": 1 << 10, "udp": 1 << 7}  # TCP_LISTEN; TCP_CLOSE: an unconnected UDP socket
PROTOCOL_NUMBERS = {"tcp": 6, "udp": 17}
_HEADER = struct.Struct("=LHHLL")
_MSG_SIZE = 72  # struct inet_diag_msg: family, state, timer, retrans, sockid (48), expires, rqueue, wqueue, uid, inode
_INODE_OFFSET = 68
AF_INET6 = 10


def request(protocol: str, sequence: int = 1) -> bytes:
    """The netlink message asking for every IPv6 ``protocol`` socket in its listening state."""
    body = struct.pack("=BBBxI", AF_INET6, PROTOCOL_NUMBERS[protocol], 0, STATES[protocol]) + b"\0" * 48
    return _HEADER.pack(_HEADER.size + len(body), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST_DUMP, sequence, 0) + body


def parse_dump(data: bytes, found: Dict[int, bool]) -> Optional[int]:
    """Add ``inode -> v6only`` for every socket message in ``data``.

    Returns None while the dump goes on, 0 at its end, or the (positive) errno the kernel answered.
    """
    offset = 0
    while offset + _HEADER.size <= len(data):
        length, kind, _flags, _seq, _pid = _HEADER.unpack_from(data, offset)
        if length < _HEADER.size:
            return 0
        if kind == NLMSG_DONE:
            return 0
        if kind == NLMSG_ERROR:
            (error,) = struct.unpack_from("=i", data, offset + _HEADER.size)
            return -error or 0
        body = data[offset + _HEADER.size : offset + length]
        if kind == SOCK_DIAG_BY_FAMILY and len(body) >= _MSG_SIZE:
            (inode,) = struct.unpack_from("=I", body, _INODE_OFFSET)
            at = _MSG_SIZE
            while at + 4 <= len(body):
                size, attribute = struct.unpack_from("=HH", body, at)
                if size < 4:
                    break
                if attribute == INET_DIAG_SKV6ONLY and size >= 5:
                    found[inode] = bool(body[at + 4])
                at += (size + 3) & ~3
        offset += (length + 3) & ~3
    return None


def _netlink() -> socket.socket:
    return socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)  # type: ignore[attr-defined]


def read_v6only(protocols: Iterable[str], opener: Callable[[], socket.socket] = _netlink) -> Dict[int, bool]:
    """``inode -> v6only`` of the IPv6 sockets of ``protocols`` (``tcp``, ``udp``) that netlink reports."""
    found: Dict[int, bool] = {}
    for sequence, protocol in enumerate(protocols, start=1):
        try:
            with opener() as sock:
                sock.settimeout(2.0)
                sock.sendall(request(protocol, sequence))
                status = None
                while status is None:
                    data = sock.recv(65536)
                    if not data:
                        break
                    status = parse_dump(data, found)
        except (OSError, AttributeError, ValueError):  # no netlink here (or no udp_diag): what was read stays
            continue
    return found
