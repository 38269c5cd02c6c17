# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read what a TLS 1.3 server sends encrypted in its first flight: the certificate chain and the
stapled OCSP response (RFC 8446 4.4.2.1).

Below TLS 1.3 both travel in the clear and the version probes read them; a TLS 1.3-only server
encrypts them under handshake keys. The probe's hello offers X25519 (or the NIST curve a
HelloRetryRequest asks for) and AES-GCM or ChaCha20-Poly1305 suites, derives the server's handshake
traffic keys (RFC 8446 7.1), decrypts the flight up to the Certificate message and closes. Tags are
not verified and nothing is trusted: this only reads. Runs on targets (Python 3.8+, standard library).
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass
from typing import List, Optional, Tuple

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.ciphers import GROUPS
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.clienthello import build_client_hello
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.conversation import (
    CT_APPLICATION_DATA,
    CT_HANDSHAKE,
    Conversation,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import ResolvedAddress
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.records import ParseError
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.tlscrypto import (
    CURVES,
    aes_gcm_xor,
    chacha20_xor,
    ecdh_keypair,
    ecdh_shared,
    x25519,
    x25519_keypair,
)

__all__ = ["Tls13Flight", "read_tls13_certificate"]

# suite -> (hash, key length, cipher)
_SUITES = {
    0x1301: ("sha256", 16, "gcm"),
    0x1302: ("sha384", 32, "gcm"),
    0x1303: ("sha256", 32, "chacha"),
}
_GROUP_CODES = {name: code for code, name in GROUPS.items()}
_HS_CERTIFICATE = 11
_EXT_STATUS_REQUEST = 5


@dataclass(frozen=True)
class Tls13Flight:
    """``chain``: the served certificates, leaf first (None: not read, ``reason`` says why);
    ``ocsp_response``: the stapled OCSP response of the leaf, if any."""

    chain: Optional[Tuple[bytes, ...]]
    ocsp_response: Optional[bytes]
    reason: str = ""


def _hkdf_extract(name: str, salt: bytes, key: bytes) -> bytes:
    return hmac.new(salt or b"\x00" * hashlib.new(name).digest_size, key, name).digest()


def _expand_label(name: str, secret: bytes, label: bytes, context: bytes, length: int) -> bytes:
    info = struct.pack("!H", length) + bytes([len(label) + 6]) + b"tls13 " + label + bytes([len(context)]) + context
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(secret, block + info + bytes([counter]), name).digest()
        out += block
        counter += 1
    return out[:length]


def _server_handshake_keys(suite: int, shared: bytes, transcript: bytes) -> Tuple[str, bytes, bytes]:
    name, key_len, kind = _SUITES[suite]
    size = hashlib.new(name).digest_size
    early = _hkdf_extract(name, b"", b"\x00" * size)
    derived = _expand_label(name, early, b"derived", hashlib.new(name, b"").digest(), size)
    handshake = _hkdf_extract(name, derived, shared)
    traffic = _expand_label(name, handshake, b"s hs traffic", hashlib.new(name, transcript).digest(), size)
    return kind, _expand_label(name, traffic, b"key", b"", key_len), _expand_label(name, traffic, b"iv", b"", 12)


def _decrypt(kind: str, key: bytes, iv: bytes, seq: int, payload: bytes) -> bytes:
    """The inner plaintext of one record (the tag is not checked: CTR keystream only)."""
    nonce = bytes(a ^ b for a, b in zip(iv, b"\x00" * 4 + struct.pack("!Q", seq)))
    body = payload[:-16]
    if kind == "gcm":
        return aes_gcm_xor(key, nonce, body)
    return chacha20_xor(key, nonce, body)


def _key_share(group: str) -> Tuple[object, bytes]:
    if group == "x25519":
        return x25519_keypair()
    return ecdh_keypair(group)


def _shared(group: str, private: object, peer: bytes) -> bytes:
    if group == "x25519":
        return x25519(private, peer)  # type: ignore[arg-type]
    return ecdh_shared(group, private, peer)  # type: ignore[arg-type]


def _parse_certificate(body: bytes) -> Tuple[Tuple[bytes, ...], Optional[bytes]]:
    """The chain and the leaf's stapled OCSP response of a TLS 1.3 Certificate message body."""
    offset = 1 + body[0]  # certificate_request_context
    end = offset + 3 + int.from_bytes(body[offset : offset + 3], "big")
    offset += 3
    chain: List[bytes] = []
    staple: Optional[bytes] = None
    while offset + 3 <= end:
        length = int.from_bytes(body[offset : offset + 3], "big")
        chain.append(bytes(body[offset + 3 : offset + 3 + length]))
        offset += 3 + length
        ext_len = struct.unpack_from("!H", body, offset)[0]
        ext_end = offset + 2 + ext_len
        offset += 2
        while offset + 4 <= ext_end:
            kind, size = struct.unpack_from("!HH", body, offset)
            data = body[offset + 4 : offset + 4 + size]
            if kind == _EXT_STATUS_REQUEST and len(chain) == 1 and data[:1] == b"\x01":
                staple = bytes(data[4 : 4 + int.from_bytes(data[1:4], "big")])
            offset += 4 + size
        offset = ext_end
    return tuple(chain), staple


def _hello(server_name: Optional[str], group: str, public: bytes, groups: Tuple[int, ...]) -> bytes:
    return build_client_hello(
        "TLSv1.3",
        server_name,
        suites=tuple(_SUITES),
        groups=groups,
        key_shares=[(_GROUP_CODES[group], public)],
        status_request=True,
    )


def read_tls13_certificate(address: ResolvedAddress, server_name: Optional[str], timeout: float) -> Tls13Flight:
    """The chain and stapled OCSP response a TLS 1.3 server sends. Raises ConnectError."""
    groups = tuple(_GROUP_CODES[name] for name in ("x25519", *CURVES))
    group = "x25519"
    private, public = _key_share(group)
    with Conversation(address, timeout) as conv:
        hello = _hello(server_name, group, public, groups)
        conv.send(hello)
        flight = conv.read_first_flight()
        transcript = b"".join(message for _kind, message in flight.messages[:1])
        server_hello = flight.hello
        if server_hello is not None and server_hello.retry_request:
            group = GROUPS.get(server_hello.group or 0, "")
            if group not in CURVES:
                return Tls13Flight(None, None, f"the server asked for group {group or 'unknown'}")
            name = _SUITES.get(server_hello.cipher, ("sha256", 0, ""))[0]
            first = hashlib.new(name, hello[5:]).digest()
            message_hash = b"\xfe\x00\x00" + bytes([len(first)])
            private, public = _key_share(group)
            hello = _hello(server_name, group, public, groups)
            conv.send(hello)
            retry = conv.read_first_flight()
            transcript = message_hash + first + flight.messages[0][1] + hello[5:]
            transcript += b"".join(message for _kind, message in retry.messages[:1])
            flight, server_hello = retry, retry.hello
        else:
            transcript = hello[5:] + transcript
        if server_hello is None or server_hello.version != 0x0304 or server_hello.cipher not in _SUITES:
            return Tls13Flight(None, None, f"no TLS 1.3 ServerHello with a suite the probe reads ({flight.end})")
        share = server_hello.extension(0x0033) or b""
        try:
            shared = _shared(group, private, share[4 : 4 + struct.unpack_from("!H", share, 2)[0]])
        except (ValueError, struct.error) as exc:
            return Tls13Flight(None, None, f"unusable key share: {exc}")
        kind, key, iv = _server_handshake_keys(server_hello.cipher, shared, transcript)
        return _read_certificate(conv, kind, key, iv)


def _read_certificate(conv: Conversation, kind: str, key: bytes, iv: bytes) -> Tls13Flight:
    handshake, seq = b"", 0
    while True:
        rec = conv.next_record()
        if rec is None:
            return Tls13Flight(None, None, f"the encrypted flight ended early ({conv.ended})")
        if rec.content_type != CT_APPLICATION_DATA:
            continue  # the compatibility ChangeCipherSpec
        inner = _decrypt(kind, key, iv, seq, rec.payload).rstrip(b"\x00")
        seq += 1
        if not inner or inner[-1] != CT_HANDSHAKE:
            return Tls13Flight(None, None, "the encrypted flight does not decrypt to handshake messages")
        handshake += inner[:-1]
        while len(handshake) >= 4:
            length = int.from_bytes(handshake[1:4], "big")
            if len(handshake) < 4 + length:
                break
            kind_byte, body = handshake[0], handshake[4 : 4 + length]
            handshake = handshake[4 + length :]
            if kind_byte == _HS_CERTIFICATE:
                try:
                    chain, staple = _parse_certificate(body)
                except (IndexError, struct.error, ParseError) as exc:
                    return Tls13Flight(None, None, f"unreadable Certificate message: {exc}")
                return Tls13Flight(chain, staple)
