# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper: server answers built byte by byte (ServerHello, records), for the wire-format tests."""

from __future__ import annotations

import struct

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.records import HRR_RANDOM

__all__ = ["HRR_EXTS", "HRR_RANDOM", "TLS13_EXTS", "record", "server_hello"]


def server_hello(version: int, cipher: int, *, random: bytes = b"\x01" * 32, extensions: bytes = b"") -> bytes:
    body = struct.pack("!H", version) + random + b"\x00" + struct.pack("!H", cipher) + b"\x00"
    if extensions:
        body += struct.pack("!H", len(extensions)) + extensions
    return b"\x02" + struct.pack("!I", len(body))[1:] + body


def record(content_type: int, payload: bytes, version: int = 0x0303) -> bytes:
    return struct.pack("!BHH", content_type, version, len(payload)) + payload


TLS13_EXTS = bytes.fromhex("002b00020304") + bytes.fromhex("00330024001d0020") + b"\x22" * 32
HRR_EXTS = bytes.fromhex("002b00020304") + bytes.fromhex("003300020017")
