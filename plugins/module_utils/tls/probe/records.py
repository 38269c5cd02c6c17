# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parse a server's first flight: TLS records, ServerHello, Certificate, ServerKeyExchange, alerts.

Everything here is pure: ``interpret_flight(data)`` looks at the bytes received so far and
answers either "need more" (``None``) or a finished ``ServerFlight``. The socket loop lives in
``rawprobe``; the byte-level tests feed vectors straight in.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.ciphers import (
    CIPHER_SUITES,
    PROTOCOL_VERSIONS,
    group_name,
)

__all__ = [
    "ALERT_DESCRIPTIONS",
    "HRR_RANDOM",
    "Alert",
    "ServerFlight",
    "ServerHello",
    "interpret_flight",
    "interpret_sslv2",
    "parse_certificate_message",
    "parse_certificate_status",
    "parse_server_hello",
    "parse_server_key_exchange",
]

CT_CHANGE_CIPHER_SPEC = 20
CT_ALERT = 21
CT_HANDSHAKE = 22

HS_SERVER_HELLO = 2
HS_CERTIFICATE = 11
HS_SERVER_KEY_EXCHANGE = 12
HS_CERTIFICATE_STATUS = 22
HS_SERVER_HELLO_DONE = 14

EXT_SUPPORTED_VERSIONS = 0x002B
EXT_KEY_SHARE = 0x0033
EXT_STATUS_REQUEST = 0x0005
EXT_EXTENDED_MASTER_SECRET = 0x0017
EXT_RENEGOTIATION_INFO = 0xFF01
EXT_HEARTBEAT = 0x000F

# SHA-256("HelloRetryRequest"), RFC 8446 section 4.1.3
HRR_RANDOM = bytes.fromhex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C")

ALERT_DESCRIPTIONS: Dict[int, str] = {
    0: "close_notify",
    10: "unexpected_message",
    20: "bad_record_mac",
    22: "record_overflow",
    40: "handshake_failure",
    42: "bad_certificate",
    47: "illegal_parameter",
    50: "decode_error",
    51: "decrypt_error",
    60: "export_restriction",
    70: "protocol_version",
    71: "insufficient_security",
    80: "internal_error",
    86: "inappropriate_fallback",
    90: "user_canceled",
    100: "no_renegotiation",
    109: "missing_extension",
    110: "unsupported_extension",
    112: "unrecognized_name",
    120: "no_application_protocol",
}


class ParseError(ValueError):
    """Bytes that do not form the TLS structure expected."""


@dataclass(frozen=True)
class Alert:
    level: int
    description: int

    @property
    def name(self) -> str:
        return ALERT_DESCRIPTIONS.get(self.description, f"alert {self.description}")


@dataclass(frozen=True)
class ServerHello:
    """A parsed ServerHello (or HelloRetryRequest).

    Attributes:
        legacy_version: the version field on the wire (0x0303 for TLS 1.3).
        version: the version actually selected (supported_versions when present).
        cipher: the selected suite code.
        retry_request: True for a TLS 1.3 HelloRetryRequest.
        group: the key_share group (TLS 1.3 ServerHello or HRR), else None.
        compression: the compression method selected (0 = none, 1 = DEFLATE).
        extensions: the extensions, ``(type, data)`` in the order sent.
        random: the server random (32 bytes).
        session_id: the session id echoed or assigned.
    """

    legacy_version: int
    version: int
    cipher: int
    retry_request: bool = False
    group: Optional[int] = None
    compression: int = 0
    extensions: Tuple[Tuple[int, bytes], ...] = ()
    random: bytes = b""
    session_id: bytes = b""

    @property
    def version_name(self) -> str:
        return PROTOCOL_VERSIONS.get(self.version, f"0x{self.version:04X}")

    def extension(self, ext_type: int) -> Optional[bytes]:
        """The data of extension ``ext_type``, None when the server did not send it."""
        return next((data for kind, data in self.extensions if kind == ext_type), None)

    def has_extension(self, ext_type: int) -> bool:
        return any(kind == ext_type for kind, _data in self.extensions)


@dataclass(frozen=True)
class ServerFlight:
    """What the server answered to one hand-built hello.

    Attributes:
        outcome: ``hello`` (a ServerHello arrived), ``alert``, ``closed`` (EOF without a hello),
            ``not_tls`` (bytes that are not TLS records) or ``timeout``.
        server_hello: the ServerHello when ``outcome == "hello"``.
        alert: the alert when the server sent one (before or after the hello).
        certificates: DER certificates of a TLS <= 1.2 Certificate message, leaf first.
        kex_group: the group of a TLS 1.2 ServerKeyExchange (``secp256r1``, ``DH-2048``...).
        complete: True when the whole first flight (up to ServerHelloDone) was read.
        ocsp_response: the OCSP response of a CertificateStatus message (stapling), if any.
    """

    outcome: str
    server_hello: Optional[ServerHello] = None
    alert: Optional[Alert] = None
    certificates: Tuple[bytes, ...] = field(default_factory=tuple)
    kex_group: Optional[str] = None
    complete: bool = False
    detail: str = ""
    ocsp_response: Optional[bytes] = None


def _split_records(data: bytes) -> Tuple[List[Tuple[int, int, bytes]], bool, bool]:
    """Complete records in ``data``; whether the data is TLS at all; whether a partial record remains."""
    records: List[Tuple[int, int, bytes]] = []
    offset = 0
    while offset < len(data):
        if len(data) - offset < 5:
            if not _plausible_header(data[offset:]):
                return records, False, False
            return records, True, True
        content_type, version, length = struct.unpack_from("!BHH", data, offset)
        if not _plausible_header(data[offset : offset + 5]) or length > 18432:
            return records, False, False
        if len(data) - offset - 5 < length:
            return records, True, True
        records.append((content_type, version, data[offset + 5 : offset + 5 + length]))
        offset += 5 + length
    return records, True, False


def _plausible_header(header: bytes) -> bool:
    if header and header[0] not in (20, 21, 22, 23):
        return False
    return not (len(header) >= 2 and header[1] != 3)


def _handshake_messages(payload: bytes) -> Tuple[List[Tuple[int, bytes]], bool]:
    messages: List[Tuple[int, bytes]] = []
    offset = 0
    while len(payload) - offset >= 4:
        msg_type = payload[offset]
        length = struct.unpack("!I", b"\x00" + payload[offset + 1 : offset + 4])[0]
        if len(payload) - offset - 4 < length:
            return messages, True
        messages.append((msg_type, payload[offset + 4 : offset + 4 + length]))
        offset += 4 + length
    return messages, offset != len(payload)


def parse_server_hello(body: bytes) -> ServerHello:
    """Parse a ServerHello body (without the 4-byte handshake header)."""
    try:
        legacy_version = struct.unpack_from("!H", body, 0)[0]
        random = bytes(body[2:34])
        sid_len = body[34]
        session_id = bytes(body[35 : 35 + sid_len])
        offset = 35 + sid_len
        cipher = struct.unpack_from("!H", body, offset)[0]
        compression = body[offset + 2]
        offset += 3
        version = legacy_version
        group: Optional[int] = None
        extensions: List[Tuple[int, bytes]] = []
        if offset + 2 <= len(body):
            ext_total = struct.unpack_from("!H", body, offset)[0]
            offset += 2
            end = offset + ext_total
            if end > len(body):
                raise ParseError("ServerHello extensions run past the message")
            while offset + 4 <= end:
                ext_type, ext_len = struct.unpack_from("!HH", body, offset)
                data = bytes(body[offset + 4 : offset + 4 + ext_len])
                offset += 4 + ext_len
                extensions.append((ext_type, data))
                if ext_type == EXT_SUPPORTED_VERSIONS and len(data) >= 2:
                    version = struct.unpack_from("!H", data)[0]
                elif ext_type == EXT_KEY_SHARE and len(data) >= 2:
                    group = struct.unpack_from("!H", data)[0]
    except (struct.error, IndexError) as exc:
        raise ParseError(f"truncated ServerHello: {exc}") from exc
    if len(random) != 32:
        raise ParseError("truncated ServerHello random")
    return ServerHello(
        legacy_version=legacy_version,
        version=version,
        cipher=cipher,
        retry_request=random == HRR_RANDOM,
        group=group,
        compression=compression,
        extensions=tuple(extensions),
        random=random,
        session_id=session_id,
    )


def parse_certificate_status(body: bytes) -> Optional[bytes]:
    """The OCSP response of a CertificateStatus message (RFC 6066 status_type ocsp), None otherwise."""
    if len(body) < 4 or body[0] != 1:
        return None
    length = struct.unpack("!I", b"\x00" + body[1:4])[0]
    return bytes(body[4 : 4 + length]) or None


def parse_certificate_message(body: bytes) -> Tuple[bytes, ...]:
    """DER certificates of a TLS <= 1.2 Certificate message body, in the order served."""
    try:
        total = struct.unpack("!I", b"\x00" + body[:3])[0]
        offset = 3
        end = min(3 + total, len(body))
        certs: List[bytes] = []
        while offset + 3 <= end:
            length = struct.unpack("!I", b"\x00" + body[offset : offset + 3])[0]
            offset += 3
            if offset + length > end:
                raise ParseError("certificate runs past the Certificate message")
            certs.append(bytes(body[offset : offset + length]))
            offset += length
    except struct.error as exc:
        raise ParseError(f"truncated Certificate message: {exc}") from exc
    return tuple(certs)


def parse_server_key_exchange(body: bytes, cipher: int) -> Optional[str]:
    """The key exchange group of a TLS <= 1.2 ServerKeyExchange: a named curve or ``DH-<bits>``."""
    entry = CIPHER_SUITES.get(cipher)
    name = entry[0] if entry else ""
    try:
        if "_ECDHE_" in name:
            if body[0] == 3:  # named_curve
                return group_name(struct.unpack_from("!H", body, 1)[0])
            return None
        if "_DHE_" in name or "_DH_anon_" in name:
            p_len = struct.unpack_from("!H", body, 0)[0]
            prime = body[2 : 2 + p_len]
            bits = int.from_bytes(prime, "big").bit_length()
            return f"DH-{bits}"
    except (struct.error, IndexError):
        return None
    return None


def interpret_flight(data: bytes, *, eof: bool = False, stop_after_hello: bool = False) -> Optional[ServerFlight]:
    """Interpret the bytes received so far; ``None`` means "read more".

    ``eof`` says the peer closed (or the read timed out), so whatever is there is final.
    ``stop_after_hello`` finishes at the ServerHello instead of reading up to ServerHelloDone.
    """
    records, is_tls, _partial = _split_records(data)
    if not is_tls and not records:
        return ServerFlight(outcome="not_tls", detail=_describe_garbage(data))
    handshake = b""
    hello: Optional[ServerHello] = None
    certificates: Tuple[bytes, ...] = ()
    kex_group: Optional[str] = None
    ocsp: Optional[bytes] = None

    def flight(outcome: str, alert: Optional[Alert] = None, complete: bool = False, detail: str = "") -> ServerFlight:
        return ServerFlight(outcome, hello, alert, certificates, kex_group, complete, detail, ocsp)

    for content_type, _version, payload in records:
        if content_type == CT_ALERT:
            alert = Alert(payload[0], payload[1]) if len(payload) >= 2 else Alert(2, 0)
            return flight("hello" if hello else "alert", alert)
        if content_type != CT_HANDSHAKE:
            # ChangeCipherSpec/application data after a ServerHello (TLS 1.3 compat mode)
            if hello:
                return flight("hello", complete=True)
            return ServerFlight("not_tls", detail=f"unexpected record type {content_type} before ServerHello")
        handshake += payload
        messages, _incomplete = _handshake_messages(handshake)
        for msg_type, body in messages:
            try:
                if msg_type == HS_SERVER_HELLO and hello is None:
                    hello = parse_server_hello(body)
                    if stop_after_hello or hello.version >= 0x0304 or hello.retry_request:
                        return ServerFlight("hello", hello, complete=True)
                elif msg_type == HS_CERTIFICATE and hello is not None:
                    certificates = parse_certificate_message(body)
                elif msg_type == HS_SERVER_KEY_EXCHANGE and hello is not None:
                    kex_group = parse_server_key_exchange(body, hello.cipher)
                elif msg_type == HS_CERTIFICATE_STATUS and hello is not None:
                    ocsp = parse_certificate_status(body)
                elif msg_type == HS_SERVER_HELLO_DONE and hello is not None:
                    return flight("hello", complete=True)
            except ParseError as exc:
                if hello:
                    return flight("hello", detail=str(exc))
                return ServerFlight("not_tls", detail=str(exc))
        # keep only the bytes of a message that is still incomplete
        consumed = sum(4 + len(message[1]) for message in messages)
        handshake = handshake[consumed:]
    if not is_tls:
        if hello:
            return flight("hello", detail="garbage after ServerHello")
        return ServerFlight(outcome="not_tls", detail=_describe_garbage(data))
    if eof:
        if hello:
            return flight("hello")
        if not data:
            return ServerFlight("closed", detail="connection closed without an answer")
        return ServerFlight("closed", detail="connection closed in the middle of a record")
    return None


def _describe_garbage(data: bytes) -> str:
    sample = data[:16]
    printable = sample.decode("ascii", "replace")
    if all(32 <= b < 127 or b in (9, 10, 13) for b in sample):
        return f"not a TLS service: it answered {printable.strip()[:40]!r}"
    return f"not a TLS service: it answered bytes {sample.hex()}"


def interpret_sslv2(data: bytes, *, eof: bool = False) -> Optional[Tuple[Optional[bool], str]]:
    """Interpret an answer to an SSLv2 CLIENT-HELLO: ``(accepted, detail)`` or ``None`` for "read more".

    ``True``: an SSLv2 SERVER-HELLO with at least one cipher; ``False``: an SSLv2 ERROR, a TLS
    alert, or a close; ``None`` (inside the tuple): an answer that is neither.
    """
    if len(data) >= 2 and data[0] in (21, 22) and data[1] == 3:
        return False, "TLS alert/record in answer to SSLv2"
    if not data:
        return (False, "connection closed") if eof else None
    if data[0] & 0x80:
        header_len = 2
        length = ((data[0] & 0x7F) << 8) | (data[1] if len(data) > 1 else 0)
    else:
        header_len = 3
        length = ((data[0] & 0x3F) << 8) | (data[1] if len(data) > 1 else 0)
    if len(data) < header_len + min(length, 11):
        return (None, "truncated SSLv2 answer") if eof else None
    body = data[header_len : header_len + length]
    if body[:1] == b"\x04" and len(body) >= 11:
        server_version, _cert_len, specs_len = struct.unpack_from("!HHH", body, 3)
        if server_version == 0x0002 and specs_len >= 3:
            return True, "SSLv2 SERVER-HELLO"
        return False, "SSLv2 SERVER-HELLO without ciphers"
    if body[:1] == b"\x00":
        return False, "SSLv2 ERROR"
    return None, "unrecognised answer to SSLv2 CLIENT-HELLO"
