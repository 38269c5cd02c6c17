# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hand-built ClientHello messages, one per protocol version.

The local TLS library refuses to offer SSLv3, TLS 1.0 and TLS 1.1 (and cannot offer SSLv2 at
all), so the probe writes the first flight itself and reads the server's answer. No key
material is ever derived: the probe stops after the server's first flight.
"""

from __future__ import annotations

import ipaddress
import os
import struct
from typing import Iterable, Optional, Sequence

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.ciphers import (
    OFFERED_GROUPS,
    SCSV_RENEGOTIATION,
    SIGNATURE_ALGORITHMS,
    SSLV2_CIPHER_SPECS,
    suites_for_version,
)

__all__ = [
    "RAW_VERSIONS",
    "build_client_hello",
    "build_sslv2_client_hello",
    "sni_name",
]

# result name -> ClientHello.client_version (TLS 1.3 uses supported_versions instead)
RAW_VERSIONS = {
    "SSLv3": 0x0300,
    "TLSv1": 0x0301,
    "TLSv1.1": 0x0302,
    "TLSv1.2": 0x0303,
    "TLSv1.3": 0x0304,
}

EXT_SERVER_NAME = 0x0000
EXT_SUPPORTED_GROUPS = 0x000A
EXT_EC_POINT_FORMATS = 0x000B
EXT_SIGNATURE_ALGORITHMS = 0x000D
EXT_EXTENDED_MASTER_SECRET = 0x0017
EXT_SUPPORTED_VERSIONS = 0x002B
EXT_PSK_KEY_EXCHANGE_MODES = 0x002D
EXT_KEY_SHARE = 0x0033
GROUP_X25519 = 0x001D


def _u8_prefixed(data: bytes) -> bytes:
    return struct.pack("!B", len(data)) + data


def _u16_prefixed(data: bytes) -> bytes:
    return struct.pack("!H", len(data)) + data


def _u24_prefixed(data: bytes) -> bytes:
    return struct.pack("!I", len(data))[1:] + data


def _extension(ext_type: int, body: bytes) -> bytes:
    return struct.pack("!H", ext_type) + _u16_prefixed(body)


def _u16_list(values: Iterable[int]) -> bytes:
    return b"".join(struct.pack("!H", value) for value in values)


def sni_name(server_name: str) -> Optional[str]:
    """The name to put in SNI: ``None`` for IP literals (RFC 6066 forbids them), else the name."""
    candidate = server_name.strip("[]")
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return server_name.rstrip(".") or None
    return None


def _server_name_extension(server_name: str) -> bytes:
    host = server_name.encode("idna")
    return _extension(EXT_SERVER_NAME, _u16_prefixed(b"\x00" + _u16_prefixed(host)))


def build_client_hello(
    version: str,
    server_name: Optional[str],
    *,
    suites: Optional[Sequence[int]] = None,
    groups: Sequence[int] = OFFERED_GROUPS,
    random: Optional[bytes] = None,
    key_share: Optional[bytes] = None,
) -> bytes:
    """One TLS record holding a ClientHello for ``version`` (``"SSLv3"`` .. ``"TLSv1.3"``).

    ``suites`` defaults to every suite valid for that version. SSLv3 hellos carry no extensions;
    TLS 1.0-1.2 hellos carry SNI, supported_groups, ec_point_formats and signature_algorithms
    (signature_algorithms is harmless before TLS 1.2); TLS 1.3 hellos add supported_versions
    (1.3 only) and an X25519 key_share, with legacy_version 0x0303.
    """
    if version not in RAW_VERSIONS:
        raise ValueError(f"no raw ClientHello for {version!r}")
    if suites is None:
        suites = suites_for_version(version)
    is_tls13 = version == "TLSv1.3"
    client_version = 0x0303 if is_tls13 else RAW_VERSIONS[version]
    client_random = random if random is not None else os.urandom(32)
    # a 32-byte legacy session id for TLS 1.3 ("middlebox compatibility mode"), empty otherwise
    session_id = os.urandom(32) if is_tls13 else b""
    cipher_codes = list(suites)
    if not is_tls13:
        cipher_codes.append(SCSV_RENEGOTIATION)

    extensions = b""
    if version != "SSLv3":
        sni = sni_name(server_name) if server_name else None
        if sni:
            extensions += _server_name_extension(sni)
        extensions += _extension(EXT_SUPPORTED_GROUPS, _u16_prefixed(_u16_list(groups)))
        extensions += _extension(EXT_EC_POINT_FORMATS, _u8_prefixed(b"\x00"))
        extensions += _extension(EXT_SIGNATURE_ALGORITHMS, _u16_prefixed(_u16_list(SIGNATURE_ALGORITHMS)))
        if not is_tls13:
            extensions += _extension(EXT_EXTENDED_MASTER_SECRET, b"")
    if is_tls13:
        share = key_share if key_share is not None else os.urandom(32)
        extensions += _extension(EXT_SUPPORTED_VERSIONS, _u8_prefixed(struct.pack("!H", 0x0304)))
        extensions += _extension(EXT_PSK_KEY_EXCHANGE_MODES, _u8_prefixed(b"\x01"))
        entry = struct.pack("!H", GROUP_X25519) + _u16_prefixed(share)
        extensions += _extension(EXT_KEY_SHARE, _u16_prefixed(entry))

    body = (
        struct.pack("!H", client_version)
        + client_random
        + _u8_prefixed(session_id)
        + _u16_prefixed(_u16_list(cipher_codes))
        + _u8_prefixed(b"\x00")  # compression: null only
    )
    if extensions:
        body += _u16_prefixed(extensions)
    handshake = b"\x01" + _u24_prefixed(body)
    # record layer version: 0x0300 for SSLv3, 0x0301 otherwise (what real clients send)
    record_version = 0x0300 if version == "SSLv3" else 0x0301
    return struct.pack("!BHH", 22, record_version, len(handshake)) + handshake


def build_sslv2_client_hello(challenge: Optional[bytes] = None) -> bytes:
    """An SSLv2 CLIENT-HELLO (version 0x0002) offering every SSLv2 cipher kind."""
    challenge = challenge if challenge is not None else os.urandom(16)
    specs = b"".join(struct.pack("!I", spec)[1:] for spec in SSLV2_CIPHER_SPECS)
    body = b"\x01" + struct.pack("!HHHH", 0x0002, len(specs), 0, len(challenge)) + specs + challenge
    return struct.pack("!H", 0x8000 | len(body)) + body
