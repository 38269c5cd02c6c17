# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The kernel's socket tables (``/proc/net/{tcp,tcp6,udp,udp6}``) as listening sockets.

A TCP socket listens when its state is ``0A`` (LISTEN). A UDP socket "listens" when it is
bound and not connected: state ``07`` (CLOSE, i.e. unconnected) with a zero remote address.
Addresses are printed by the kernel as hex words in host byte order; ports in network order.
"""

from __future__ import annotations

import os
import socket
import struct
import sys
from typing import Dict, Iterable, List, Optional

from ansible_collections.webedge.https.plugins.module_utils.listening.model import PROTOCOLS, Socket, sort_key

__all__ = [
    "PROTOCOLS",
    "Socket",
    "parse_table",
    "read_bindv6only",
    "read_sockets",
    "sort_key",
]

TCP_LISTEN = "0A"
UDP_UNCONNECTED = "07"
_ZERO_REMOTES = frozenset(("00000000:0000", "00000000000000000000000000000000:0000"))


def _address_decoder(family: str, byteorder: str):
    cache: Dict[str, str] = {}
    word = "<I" if byteorder == "little" else ">I"
    af = socket.AF_INET if family == "ipv4" else socket.AF_INET6

    def decode(text: str) -> str:
        found = cache.get(text)
        if found is None:
            packed = b"".join(struct.pack(word, int(text[i : i + 8], 16)) for i in range(0, len(text), 8))
            found = cache[text] = socket.inet_ntop(af, packed)
        return found

    return decode


def parse_table(text: str, protocol: str, family: str, byteorder: str = sys.byteorder) -> List[Socket]:
    """The listening sockets in one ``/proc/net/<table>`` text.

    ``byteorder`` is the byte order of the machine that produced the text (the kernel prints
    each 32-bit address word in host order), so captures from another machine parse too.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}")
    wanted_state = TCP_LISTEN if protocol == "tcp" else UDP_UNCONNECTED
    decode = _address_decoder(family, byteorder)
    found: List[Socket] = []
    udp = protocol == "udp"
    for line in text.splitlines()[1:]:
        # sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...: only the first ten matter
        fields = line.split(None, 10)
        if len(fields) < 10 or fields[3] != wanted_state:
            continue
        if udp and fields[2] not in _ZERO_REMOTES:
            continue
        address_hex, _sep, port_hex = fields[1].partition(":")
        port = int(port_hex, 16)
        if port == 0:
            continue
        found.append(Socket(protocol, family, decode(address_hex), port, int(fields[7]), int(fields[9])))
    return found


def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            return handle.read()
    except FileNotFoundError:  # e.g. no tcp6 table on a kernel booted with ipv6.disable=1
        return None


def read_sockets(proc_root: str = "/proc", protocols: Iterable[str] = PROTOCOLS) -> List[Socket]:
    """Read each needed table once; tables the kernel does not have count as empty."""
    found: List[Socket] = []
    for protocol in PROTOCOLS:
        if protocol not in protocols:
            continue
        for suffix, family in (("", "ipv4"), ("6", "ipv6")):
            text = _read(os.path.join(proc_root, "net", protocol + suffix))
            if text:
                found.extend(parse_table(text, protocol, family))
    return found


def read_bindv6only(proc_root: str = "/proc") -> Optional[bool]:
    """``net.ipv6.bindv6only`` of this network namespace; None when the kernel has no IPv6."""
    text = _read(os.path.join(proc_root, "sys", "net", "ipv6", "bindv6only"))
    return None if text is None else text.strip() not in ("", "0")
