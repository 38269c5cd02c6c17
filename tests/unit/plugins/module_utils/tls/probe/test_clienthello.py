# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hand-built ClientHello (TLS and SSLv2), decoded by an independent decoder."""

from __future__ import annotations

import struct
from typing import Dict, List, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.clienthello import (
    build_client_hello,
    build_sslv2_client_hello,
)


def _decode_client_hello(record: bytes) -> Dict[str, object]:
    """A minimal independent decoder of our ClientHello record."""
    content_type, record_version, length = struct.unpack_from("!BHH", record)
    assert length == len(record) - 5
    body = record[5:]
    assert body[0] == 1  # client_hello
    assert struct.unpack("!I", b"\x00" + body[1:4])[0] == len(body) - 4
    offset = 4
    client_version = struct.unpack_from("!H", body, offset)[0]
    offset += 2 + 32
    sid_len = body[offset]
    offset += 1 + sid_len
    suites_len = struct.unpack_from("!H", body, offset)[0]
    suites = list(struct.unpack_from(f"!{suites_len // 2}H", body, offset + 2))
    offset += 2 + suites_len
    offset += 1 + body[offset]  # compression
    extensions: Dict[int, bytes] = {}
    if offset < len(body):
        ext_len = struct.unpack_from("!H", body, offset)[0]
        offset += 2
        end = offset + ext_len
        assert end == len(body)
        while offset < end:
            ext_type, size = struct.unpack_from("!HH", body, offset)
            extensions[ext_type] = body[offset + 4 : offset + 4 + size]
            offset += 4 + size
    return {
        "content_type": content_type,
        "record_version": record_version,
        "client_version": client_version,
        "session_id_length": sid_len,
        "suites": suites,
        "extensions": extensions,
    }


# (version, record version, client_version, has SNI/groups/sigalgs, has supported_versions+key_share)
CLIENT_HELLO_TABLE: List[Tuple[str, int, int, bool, bool]] = [
    ("SSLv3", 0x0300, 0x0300, False, False),
    ("TLSv1", 0x0301, 0x0301, True, False),
    ("TLSv1.1", 0x0301, 0x0302, True, False),
    ("TLSv1.2", 0x0301, 0x0303, True, False),
    ("TLSv1.3", 0x0301, 0x0303, True, True),
]


@pytest.mark.parametrize(("version", "record_version", "client_version", "tls_exts", "tls13_exts"), CLIENT_HELLO_TABLE)
def test_client_hello_offers_exactly_the_version_asked(
    version: str, record_version: int, client_version: int, tls_exts: bool, tls13_exts: bool
) -> None:
    hello = _decode_client_hello(build_client_hello(version, "www.example.test"))
    extensions = hello["extensions"]
    assert hello["content_type"] == 22
    assert hello["record_version"] == record_version
    assert hello["client_version"] == client_version
    assert (0x0000 in extensions) is tls_exts  # SNI
    assert (0x000A in extensions) is tls_exts  # supported_groups
    assert (0x000B in extensions) is tls_exts  # ec_point_formats
    assert (0x000D in extensions) is tls_exts  # signature_algorithms
    assert (0x002B in extensions) is tls13_exts  # supported_versions
    assert (0x0033 in extensions) is tls13_exts  # key_share
    assert 0x5600 not in hello["suites"]  # never TLS_FALLBACK_SCSV: it would make servers refuse


def test_client_hello_sni_carries_the_name() -> None:
    extensions = _decode_client_hello(build_client_hello("TLSv1.2", "www.example.test"))["extensions"]
    assert extensions[0x0000] == b"\x00\x13\x00\x00\x10www.example.test"


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "[::1]"])
def test_client_hello_sends_no_sni_for_ip_literals(address: str) -> None:
    extensions = _decode_client_hello(build_client_hello("TLSv1.2", address))["extensions"]
    assert 0x0000 not in extensions


def test_tls13_hello_offers_only_tls13_with_an_x25519_share() -> None:
    hello = _decode_client_hello(build_client_hello("TLSv1.3", "a.test", key_share=b"\x11" * 32))
    extensions = hello["extensions"]
    assert extensions[0x002B] == b"\x02\x03\x04"
    assert extensions[0x0033] == b"\x00\x24\x00\x1d\x00\x20" + b"\x11" * 32
    assert set(hello["suites"]) == {0x1301, 0x1302, 0x1303, 0x1304, 0x1305}
    assert hello["session_id_length"] == 32


@pytest.mark.parametrize(
    ("version", "present", "absent"),
    [
        ("SSLv3", [0x000A, 0x002F, 0x0005, 0x0003], [0xC02F, 0x009C, 0x1301]),
        ("TLSv1", [0xC013, 0x000A, 0x0004], [0xC02F, 0x003C, 0x1301]),
        ("TLSv1.2", [0xC02F, 0xCCA8, 0x009C, 0x000A, 0x0005, 0x0001, 0x0003], [0x1301]),
    ],
)
def test_suites_offered_fit_the_version(version: str, present: List[int], absent: List[int]) -> None:
    offered = _decode_client_hello(build_client_hello(version, "a.test"))["suites"]
    assert all(code in offered for code in present)
    assert not any(code in offered for code in absent)
    assert offered[-1] == 0x00FF  # renegotiation SCSV last


def test_sslv2_client_hello_layout() -> None:
    record = build_sslv2_client_hello(challenge=b"\x00" * 16)
    length = struct.unpack("!H", record[:2])[0] & 0x7FFF
    assert length == len(record) - 2
    assert record[2] == 1  # CLIENT-HELLO
    assert struct.unpack_from("!HHHH", record, 3) == (0x0002, 21, 0, 16)
