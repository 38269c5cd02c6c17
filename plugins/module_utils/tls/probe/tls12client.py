# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The probe's own TLS 1.0-1.2 client: one real handshake, then one renegotiating ClientHello.

Python's ``ssl`` cannot renegotiate, so the client-initiated renegotiation question (does the
server start a new handshake when the client asks?) needs a handshake the probe drives itself:
ECDHE (X25519, P-256, P-384, P-521), DHE or RSA key exchange; AES-GCM, ChaCha20-Poly1305 or
AES-CBC/HMAC records (``tlscrypto``). After both Finished messages it sends an encrypted ClientHello
and reads the type of the server's next record: handshake (a ServerHello: renegotiation accepted)
or alert/close (refused). The server's records are never decrypted and its signature and Finished
are not checked: the probe only asks, it does not trust. Runs on targets (Python 3.8+).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from dataclasses import dataclass
from typing import List, Optional, Tuple

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.ciphers import CIPHER_SUITES, GROUPS
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.clienthello import build_client_hello
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.conversation import (
    CT_ALERT,
    CT_CHANGE_CIPHER_SPEC,
    CT_HANDSHAKE,
    Conversation,
    FirstFlight,
    record,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import ResolvedAddress
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.records import EXT_EXTENDED_MASTER_SECRET
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.tlscrypto import (
    CURVES,
    aes_cbc_encrypt,
    aes_gcm_encrypt,
    chacha20_poly1305_encrypt,
    digest,
    ecdh_keypair,
    ecdh_shared,
    prf,
    rsa_encrypt_pkcs1,
    x25519,
    x25519_keypair,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.x509lite import rsa_public_numbers

__all__ = ["CLIENT_SUITES", "RenegotiationAnswer", "try_client_renegotiation"]

HS_CERTIFICATE_REQUEST = 13
HS_CLIENT_KEY_EXCHANGE = 16
HS_FINISHED = 20

# bulk cipher -> (kind, key length, fixed IV length, MAC hash or None, PRF hash)
_BULK = {
    "AES_128_GCM_SHA256": ("gcm", 16, 4, None, "sha256"),
    "AES_256_GCM_SHA384": ("gcm", 32, 4, None, "sha384"),
    "CHACHA20_POLY1305_SHA256": ("chacha", 32, 12, None, "sha256"),
    "AES_128_CBC_SHA": ("cbc", 16, 16, "sha1", "sha256"),
    "AES_256_CBC_SHA": ("cbc", 32, 16, "sha1", "sha256"),
    "AES_128_CBC_SHA256": ("cbc", 16, 16, "sha256", "sha256"),
    "AES_256_CBC_SHA256": ("cbc", 32, 16, "sha256", "sha256"),
    "AES_256_CBC_SHA384": ("cbc", 32, 16, "sha384", "sha384"),
}
_KEY_EXCHANGES = ("ECDHE_ECDSA", "ECDHE_RSA", "DHE_RSA", "RSA")


def _split(name: str) -> Tuple[str, str]:
    kx, _sep, bulk = name[4:].partition("_WITH_")
    return kx, bulk


CLIENT_SUITES: Tuple[int, ...] = tuple(
    code
    for kx_wanted in _KEY_EXCHANGES
    for code, (name, _openssl, _version) in CIPHER_SUITES.items()
    if _split(name)[0] == kx_wanted and _split(name)[1] in _BULK
)
_GROUP_CODES = {name: code for code, name in GROUPS.items()}
_CLIENT_GROUPS = tuple(_GROUP_CODES[name] for name in ("x25519", "secp256r1", "secp384r1", "secp521r1"))


@dataclass(frozen=True)
class RenegotiationAnswer:
    """``accepted``: True/False, None when the question could not be asked (``reason`` says why)."""

    accepted: Optional[bool]
    reason: str


class _HandshakeError(Exception):
    pass


def _u8(data: bytes) -> bytes:
    return bytes([len(data)]) + data


def _u16(data: bytes) -> bytes:
    return struct.pack("!H", len(data)) + data


def _message(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + struct.pack("!I", len(body))[1:] + body


class _Keys:
    """The client's write state after ChangeCipherSpec."""

    def __init__(self, version: int, bulk: str, key_block: bytes) -> None:
        kind, key_len, iv_len, mac, _prf = _BULK[bulk]
        mac_len = hashlib.new(mac).digest_size if mac else 0
        if kind == "cbc" and version >= 0x0302:
            iv_len = 0  # TLS 1.1+: explicit per-record IV
        offset = 0
        self.mac_key = key_block[offset : offset + mac_len]
        offset += 2 * mac_len
        self.key = key_block[offset : offset + key_len]
        offset += 2 * key_len
        self.iv = key_block[offset : offset + iv_len]
        self.kind, self.mac, self.version, self.seq = kind, mac, version, 0

    def protect(self, content_type: int, plaintext: bytes) -> bytes:
        seq = struct.pack("!Q", self.seq)
        self.seq += 1
        header = seq + struct.pack("!BHH", content_type, self.version, len(plaintext))
        if self.kind == "gcm":
            payload = seq + aes_gcm_encrypt(self.key, self.iv + seq, plaintext, header)
        elif self.kind == "chacha":
            nonce = bytes(a ^ b for a, b in zip(self.iv, b"\x00\x00\x00\x00" + seq))
            payload = chacha20_poly1305_encrypt(self.key, nonce, plaintext, header)
        else:
            data = plaintext + hmac.new(self.mac_key, header + plaintext, str(self.mac)).digest()
            pad = 15 - len(data) % 16
            data += bytes([pad]) * (pad + 1)
            if self.version >= 0x0302:
                iv = os.urandom(16)
                payload = iv + aes_cbc_encrypt(self.key, iv, data)
            else:
                payload = aes_cbc_encrypt(self.key, self.iv, data)
                self.iv = payload[-16:]
        return record(content_type, self.version, payload)


def _transcript_hash(version: int, prf_hash: str, messages: bytes) -> bytes:
    if version >= 0x0303:
        return digest(prf_hash, messages)
    return digest("md5", messages) + digest("sha1", messages)


def _key_exchange(kx: str, flight: FirstFlight, client_version: int) -> Tuple[bytes, bytes]:
    """``(ClientKeyExchange body, pre-master secret)``."""
    if kx == "RSA":
        numbers = rsa_public_numbers(flight.certificates[0]) if flight.certificates else None
        if numbers is None:
            raise _HandshakeError("no RSA key in the server's certificate")
        pms = struct.pack("!H", client_version) + os.urandom(46)
        return _u16(rsa_encrypt_pkcs1(numbers[0], numbers[1], pms)), pms
    ske = flight.key_exchange
    if ske is None:
        raise _HandshakeError("no ServerKeyExchange")
    if kx.startswith("ECDHE"):
        if ske[0] != 3:
            raise _HandshakeError("the ServerKeyExchange names no curve")
        group = GROUPS.get(struct.unpack_from("!H", ske, 1)[0], "")
        point = ske[4 : 4 + ske[3]]
        if group == "x25519":
            private, public = x25519_keypair()
            return _u8(public), x25519(private, point)
        if group in CURVES:
            scalar, public_point = ecdh_keypair(group)
            return _u8(public_point), ecdh_shared(group, scalar, point)
        raise _HandshakeError(f"the server picked curve {group or 'unknown'}, which the probe's client lacks")
    p_len = struct.unpack_from("!H", ske, 0)[0]
    p = int.from_bytes(ske[2 : 2 + p_len], "big")
    g_len = struct.unpack_from("!H", ske, 2 + p_len)[0]
    g = int.from_bytes(ske[4 + p_len : 4 + p_len + g_len], "big")
    ys_at = 4 + p_len + g_len
    ys = int.from_bytes(ske[ys_at + 2 : ys_at + 2 + struct.unpack_from("!H", ske, ys_at)[0]], "big")
    x = int.from_bytes(os.urandom(32), "big") | 1
    yc = pow(g, x, p)
    size = (p.bit_length() + 7) // 8
    return _u16(yc.to_bytes(size, "big")), pow(ys, x, p).to_bytes(size, "big").lstrip(b"\x00")


def _await_server_finished(conv: Conversation) -> None:
    """Read the server's ChangeCipherSpec and its (encrypted) Finished; raises on an alert or close."""
    seen_ccs = False
    while True:
        rec = conv.next_record()
        if rec is None:
            raise _HandshakeError(f"the server {conv.ended or 'closed'} before its Finished")
        if rec.content_type == CT_ALERT:
            raise _HandshakeError("the server refused the probe's handshake with an alert")
        if rec.content_type == CT_CHANGE_CIPHER_SPEC:
            seen_ccs = True
        elif rec.content_type == CT_HANDSHAKE and seen_ccs:
            return


def _handshake(conv: Conversation, server_name: Optional[str]) -> Tuple[_Keys, bytes, int]:
    """A full handshake; ``(client write state, client verify_data, version)``. Raises _HandshakeError."""
    client_random = os.urandom(32)
    hello_record = build_client_hello(
        "TLSv1.2", server_name, suites=CLIENT_SUITES, groups=_CLIENT_GROUPS, random=client_random
    )
    if not conv.send(hello_record):
        raise _HandshakeError("the server closed before the ClientHello")
    flight = conv.read_first_flight()
    hello = flight.hello
    if not flight.done or hello is None:
        why = f"alert {flight.alert.name}" if flight.alert else flight.end
        raise _HandshakeError(f"no handshake with the probe's client suites ({why})")
    if hello.cipher not in CLIENT_SUITES:
        raise _HandshakeError(f"the server picked suite 0x{hello.cipher:04X}, which was not offered")
    kx, bulk = _split(CIPHER_SUITES[hello.cipher][0])
    version = hello.version
    cke_body, pms = _key_exchange(kx, flight, 0x0303)
    messages: List[bytes] = [hello_record[5:]] + [message for _kind, message in flight.messages]
    if any(kind == HS_CERTIFICATE_REQUEST for kind, _message_bytes in flight.messages):
        messages.append(_message(11, b"\x00\x00\x00"))  # an empty client Certificate
    messages.append(_message(HS_CLIENT_KEY_EXCHANGE, cke_body))
    prf_hash = _BULK[bulk][4]
    if hello.has_extension(EXT_EXTENDED_MASTER_SECRET):
        session_hash = _transcript_hash(version, prf_hash, b"".join(messages))
        master = prf(version, prf_hash, pms, b"extended master secret", session_hash, 48)
    else:
        master = prf(version, prf_hash, pms, b"master secret", client_random + hello.random, 48)
    _kind, key_len, iv_len, mac, _prf = _BULK[bulk]
    mac_len = hashlib.new(mac).digest_size if mac else 0
    key_block = prf(
        version, prf_hash, master, b"key expansion", hello.random + client_random, 2 * (mac_len + key_len + iv_len)
    )
    keys = _Keys(version, bulk, key_block)
    verify = prf(
        version, prf_hash, master, b"client finished", _transcript_hash(version, prf_hash, b"".join(messages)), 12
    )
    out = b"".join(record(CT_HANDSHAKE, version, message) for message in messages[len(flight.messages) + 1 :])
    out += record(CT_CHANGE_CIPHER_SPEC, version, b"\x01")
    out += keys.protect(CT_HANDSHAKE, _message(HS_FINISHED, verify))
    if not conv.send(out):
        raise _HandshakeError("the server closed during the handshake")
    _await_server_finished(conv)
    return keys, verify, version


def try_client_renegotiation(
    address: ResolvedAddress, server_name: Optional[str], timeout: float
) -> RenegotiationAnswer:
    """Complete a handshake, ask to renegotiate, and read what kind of record answers. Raises ConnectError."""
    with Conversation(address, timeout) as conv:
        try:
            keys, verify, version = _handshake(conv, server_name)
        except (_HandshakeError, ValueError, IndexError, struct.error) as exc:
            return RenegotiationAnswer(None, f"not checked: {exc}")
        again = build_client_hello(
            "TLSv1.2", server_name, suites=CLIENT_SUITES, groups=_CLIENT_GROUPS, renegotiation_info=verify
        )
        if not conv.send(keys.protect(CT_HANDSHAKE, again[5:])):
            return RenegotiationAnswer(False, "the server closed the connection when asked to renegotiate")
        rec = conv.next_record()
        conv.send(keys.protect(CT_ALERT, b"\x01\x00"))  # close_notify: a polite end for single-threaded servers
    label = {0x0303: "TLS 1.2", 0x0302: "TLS 1.1", 0x0301: "TLS 1.0"}.get(version, hex(version))
    if rec is None:
        ended = "closed the connection" if conv.ended == "closed" else "did not answer"
        return RenegotiationAnswer(False, f"the server {ended} when asked to renegotiate ({label})")
    if rec.content_type == CT_HANDSHAKE:
        return RenegotiationAnswer(
            True, f"the server answered a client-initiated renegotiation with a handshake ({label})"
        )
    if rec.content_type == CT_ALERT:
        return RenegotiationAnswer(False, f"the server refused the renegotiation with an alert ({label})")
    return RenegotiationAnswer(False, f"the server answered the renegotiation with record type {rec.content_type}")
