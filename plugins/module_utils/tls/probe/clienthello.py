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
from typing import Iterable, Optional, Sequence, Tuple

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
    "handshake_record",
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
EXT_STATUS_REQUEST = 0x0005
EXT_SUPPORTED_GROUPS = 0x000A
EXT_EC_POINT_FORMATS = 0x000B
EXT_SIGNATURE_ALGORITHMS = 0x000D
EXT_HEARTBEAT = 0x000F
EXT_EXTENDED_MASTER_SECRET = 0x0017
EXT_SUPPORTED_VERSIONS = 0x002B
EXT_PSK_KEY_EXCHANGE_MODES = 0x002D
EXT_KEY_SHARE = 0x0033
EXT_RENEGOTIATION_INFO = 0xFF01
GROUP_X25519 = 0x001D
SCSV_FALLBACK = 0x5600
COMPRESSION_DEFLATE = 1


def _u8_prefixed(data: bytes) -> bytes:
    return struct.pack("!B", len(data)) + data


def _u16_prefixed(data: bytes) -> bytes:
    return struct.pack("!H", len(data)) + data


def _u24_prefixed(data: bytes) -> bytes:
    return struct.pack("!I", len(data))[1:] + data


def _extension(ext_type: int, body: bytes) -> bytes:
    return struct.pack("!H", ext_type) + _u16_prefixed(body)


def _u16_list(values: Iterable[int]) -> bytes:
    codes = tuple(values)
    return struct.pack(f"!{len(codes)}H", *codes)


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
    key_shares: Optional[Sequence[Tuple[int, bytes]]] = None,
    status_request: bool = False,
    compression: bool = False,
    heartbeat: bool = False,
    fallback_scsv: bool = False,
    renegotiation_info: Optional[bytes] = None,
) -> bytes:
    """One TLS record holding a ClientHello for ``version`` (``"SSLv3"`` .. ``"TLSv1.3"``).

    ``suites`` defaults to every suite valid for that version. SSLv3 hellos carry no extensions;
    TLS 1.0-1.2 hellos carry SNI, supported_groups, ec_point_formats, signature_algorithms
    (harmless before TLS 1.2) and extended_master_secret, and TLS_EMPTY_RENEGOTIATION_INFO_SCSV
    (or, for a renegotiation, ``renegotiation_info`` with the previous client verify_data). TLS 1.3
    hellos add supported_versions (1.3 only) and key_share: one X25519 share (``key_share`` or a
    random one) unless ``key_shares`` lists others; an empty ``key_shares`` asks the server to pick
    a group in a HelloRetryRequest. Optional: ``status_request`` (OCSP stapling), ``compression``
    (offer DEFLATE), ``heartbeat`` (RFC 6520, peer allowed to send), ``fallback_scsv`` (RFC 7507).
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
    if not is_tls13 and renegotiation_info is None:
        cipher_codes.append(SCSV_RENEGOTIATION)
    if fallback_scsv:
        cipher_codes.append(SCSV_FALLBACK)

    extensions = b""
    if version != "SSLv3":
        sni = sni_name(server_name) if server_name else None
        if sni:
            extensions += _server_name_extension(sni)
        if status_request:  # status_type ocsp, no responder ids, no request extensions
            extensions += _extension(EXT_STATUS_REQUEST, b"\x01\x00\x00\x00\x00")
        extensions += _extension(EXT_SUPPORTED_GROUPS, _u16_prefixed(_u16_list(groups)))
        extensions += _extension(EXT_EC_POINT_FORMATS, _u8_prefixed(b"\x00"))
        extensions += _extension(EXT_SIGNATURE_ALGORITHMS, _u16_prefixed(_u16_list(SIGNATURE_ALGORITHMS)))
        if heartbeat:
            extensions += _extension(EXT_HEARTBEAT, b"\x01")
        if not is_tls13:
            extensions += _extension(EXT_EXTENDED_MASTER_SECRET, b"")
            if renegotiation_info is not None:
                extensions += _extension(EXT_RENEGOTIATION_INFO, _u8_prefixed(renegotiation_info))
    if is_tls13:
        if key_shares is None:
            key_shares = [(GROUP_X25519, key_share if key_share is not None else os.urandom(32))]
        extensions += _extension(EXT_SUPPORTED_VERSIONS, _u8_prefixed(struct.pack("!H", 0x0304)))
        extensions += _extension(EXT_PSK_KEY_EXCHANGE_MODES, _u8_prefixed(b"\x01"))
        entries = b"".join(struct.pack("!H", group) + _u16_prefixed(share) for group, share in key_shares)
        extensions += _extension(EXT_KEY_SHARE, _u16_prefixed(entries))

    body = (
        struct.pack("!H", client_version)
        + client_random
        + _u8_prefixed(session_id)
        + _u16_prefixed(_u16_list(cipher_codes))
        + (b"\x02\x01\x00" if compression else b"\x01\x00")  # compression methods: [DEFLATE,] null
    )
    if extensions:
        body += _u16_prefixed(extensions)
    return handshake_record(b"\x01" + _u24_prefixed(body), 0x0300 if version == "SSLv3" else 0x0301)


def handshake_record(message: bytes, record_version: int = 0x0301) -> bytes:
    """One plaintext handshake record (0x0300 for SSLv3, 0x0301 otherwise: what real clients send)."""
    return struct.pack("!BHH", 22, record_version, len(message)) + message


def build_sslv2_client_hello(challenge: Optional[bytes] = None) -> bytes:
    """An SSLv2 CLIENT-HELLO (version 0x0002) offering every SSLv2 cipher kind."""
    challenge = challenge if challenge is not None else os.urandom(16)
    specs = b"".join(struct.pack("!I", spec)[1:] for spec in SSLV2_CIPHER_SPECS)
    body = b"\x01" + struct.pack("!HHHH", 0x0002, len(specs), 0, len(challenge)) + specs + challenge
    return struct.pack("!H", 0x8000 | len(body)) + body
