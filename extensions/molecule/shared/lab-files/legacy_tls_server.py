# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lab server: an SSLv3-only (optionally SSLv2 too) HTTPS server in pure Python, without OpenSSL.

No Debian server can speak SSLv3 or SSLv2 any more, so this one does it by hand, from the
standard library alone (hashlib, pow() for RSA, RC4 written out): the positive case of the
probe's legacy-protocol detection, and of independent scanners, needs a server that says yes.

* SSLv3 (RFC 6101): ClientHello (SSLv3 records, or the SSLv2-compatible hello of RFC 6101 E.1)
  -> ServerHello 3.0 + Certificate + ServerHelloDone, then the full handshake: RSA key exchange
  (ClientKeyExchange without the TLS length prefix), SSLv3 master secret and key block, SSLv3 MAC
  and Finished; AES_128_CBC_SHA, AES_256_CBC_SHA, RC4_128_SHA or RC4_128_MD5 (server preference,
  in that order; AES and RC4 are written out here). After it, one HTTP/1.1 request is answered
  (``--no-http``: the connection is closed instead).
* A TLS 1.0+ ClientHello gets a fatal protocol_version alert (``--tls-hello alert``, the default),
  or an SSLv3 ServerHello as a real SSLv3-only server sends (``--tls-hello downgrade``; the client
  then gives up).
* SSLv2 (``--protocols SSLv2,SSLv3``): an SSLv2 CLIENT-HELLO gets a SERVER-HELLO, then
  CLIENT-MASTER-KEY, SERVER-VERIFY, CLIENT-FINISHED and SERVER-FINISHED with
  SSL_CK_RC4_128_WITH_MD5, and the same HTTP answer.

The certificate must have an RSA key (the only key exchange here is RSA); ``--cert`` holds the
leaf first, then any intermediates. The server never offers anything it cannot finish.

Usage: legacy_tls_server.py --cert FULLCHAIN.pem --key KEY.pem --port 4442
           [--address ::] [--protocols SSLv3[,SSLv2]] [--tls-hello alert|downgrade] [--no-http] [--verbose]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import os
import re
import socket
import struct
import sys
import threading
import time
from typing import List, Optional, Sequence, Tuple

SSL3 = 0x0300
SSL2 = 0x0002

CT_CHANGE_CIPHER_SPEC = 20
CT_ALERT = 21
CT_HANDSHAKE = 22
CT_APPLICATION_DATA = 23

HS_CLIENT_HELLO = 1
HS_SERVER_HELLO = 2
HS_CERTIFICATE = 11
HS_SERVER_HELLO_DONE = 14
HS_CLIENT_KEY_EXCHANGE = 16
HS_FINISHED = 20

ALERT_CLOSE_NOTIFY = 0
ALERT_UNEXPECTED_MESSAGE = 10
ALERT_BAD_RECORD_MAC = 20
ALERT_HANDSHAKE_FAILURE = 40
ALERT_ILLEGAL_PARAMETER = 47
ALERT_PROTOCOL_VERSION = 70  # TLS only; what the brief of an "SSLv3-only" server sends to TLS hellos

EXT_RENEGOTIATION_INFO = 0xFF01
SCSV_RENEGOTIATION = 0x00FF

# SSLv3 suites this server can finish, in its order of preference (server preference, as nginx's
# ssl_prefer_server_ciphers): code -> (name, cipher, key length, MAC hash)
SSL3_SUITES = {
    0x002F: ("SSL_RSA_WITH_AES_128_CBC_SHA", "aes", 16, "sha1"),
    0x0035: ("SSL_RSA_WITH_AES_256_CBC_SHA", "aes", 32, "sha1"),
    0x0005: ("SSL_RSA_WITH_RC4_128_SHA", "rc4", 16, "sha1"),
    0x0004: ("SSL_RSA_WITH_RC4_128_MD5", "rc4", 16, "md5"),
}
SSL2_CK_RC4_128_WITH_MD5 = 0x010080

SSL2_MT_ERROR = 0
SSL2_MT_CLIENT_HELLO = 1
SSL2_MT_CLIENT_MASTER_KEY = 2
SSL2_MT_CLIENT_FINISHED = 3
SSL2_MT_SERVER_HELLO = 4
SSL2_MT_SERVER_VERIFY = 5
SSL2_MT_SERVER_FINISHED = 6
SSL2_PE_NO_CIPHER = 0x0001

SENDER_CLIENT = b"CLNT"
SENDER_SERVER = b"SRVR"

HTTP_BODY = b"legacy protocol lab server\n"


class HandshakeAbort(Exception):
    """Stop this connection; ``alert`` (if set) is sent first."""

    def __init__(self, reason: str, alert: Optional[int] = None) -> None:
        super().__init__(reason)
        self.alert = alert


# --- keys and certificates (PEM/DER, enough for RSA keys) ------------------------------------


def _pem_blocks(text: str, label: str) -> List[bytes]:
    pattern = rf"-----BEGIN {label}-----(.*?)-----END {label}-----"
    return [base64.b64decode("".join(block.split())) for block in re.findall(pattern, text, re.S)]


def _der_item(data: bytes, offset: int) -> Tuple[int, bytes, int]:
    """(tag, contents, offset after the item) of the DER item at ``offset``."""
    tag = data[offset]
    length = data[offset + 1]
    offset += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[offset : offset + count], "big")
        offset += count
    return tag, data[offset : offset + length], offset + length


def _der_sequence(data: bytes) -> List[Tuple[int, bytes]]:
    tag, body, _end = _der_item(data, 0)
    if tag != 0x30:
        raise ValueError("not a DER SEQUENCE")
    items = []
    offset = 0
    while offset < len(body):
        item_tag, contents, offset = _der_item(body, offset)
        items.append((item_tag, contents))
    return items


class RsaKey:
    """An RSA private key: the private operation, with CRT."""

    def __init__(self, numbers: Sequence[int]) -> None:
        self.n, self.e, self.d, self.p, self.q, self.dp, self.dq, self.qinv = numbers
        self.size = (self.n.bit_length() + 7) // 8

    @classmethod
    def from_pem(cls, text: str) -> RsaKey:
        pkcs1 = _pem_blocks(text, "RSA PRIVATE KEY")
        if not pkcs1:
            pkcs8 = _pem_blocks(text, "PRIVATE KEY")
            if not pkcs8:
                raise ValueError("no RSA PRIVATE KEY or PRIVATE KEY block")
            items = _der_sequence(pkcs8[0])  # version, AlgorithmIdentifier, OCTET STRING
            if b"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01" not in items[1][1]:
                raise ValueError("the key is not an RSA key (the only key exchange here is RSA)")
            pkcs1 = [items[2][1]]
        items = _der_sequence(pkcs1[0])
        return cls([int.from_bytes(contents, "big") for _tag, contents in items[1:9]])

    def decrypt(self, block: bytes) -> bytes:
        """m = c^d mod n (CRT), as ``size`` bytes; padding is the caller's business."""
        c = int.from_bytes(block, "big")
        if c >= self.n:
            raise ValueError("ciphertext out of range")
        m1 = pow(c, self.dp, self.p)
        m2 = pow(c, self.dq, self.q)
        h = (self.qinv * (m1 - m2)) % self.p
        return (m2 + h * self.q).to_bytes(self.size, "big")


def pkcs1_unpad(block: bytes, length: int) -> Optional[bytes]:
    """The payload of an EME-PKCS1-v1_5 block if it is well formed and ``length`` long, else None."""
    if len(block) < 11 or block[0] != 0 or block[1] != 2:
        return None
    separator = block.find(b"\x00", 2)
    if separator < 10 or len(block) - separator - 1 != length:
        return None
    return block[separator + 1 :]


def load_identity(cert_path: str, key_path: str) -> Tuple[List[bytes], RsaKey]:
    with open(cert_path, encoding="ascii") as handle:
        chain = _pem_blocks(handle.read(), "CERTIFICATE")
    if not chain:
        raise ValueError(f"{cert_path}: no CERTIFICATE block")
    with open(key_path, encoding="ascii") as handle:
        key = RsaKey.from_pem(handle.read())
    # the leaf's SubjectPublicKeyInfo holds the modulus: a cheap "key belongs to the certificate" check
    if key.n.to_bytes(key.size, "big") not in chain[0]:
        raise ValueError(f"{key_path} is not the key of the first certificate in {cert_path}")
    return chain, key


# --- ciphers and the SSLv3 / SSLv2 key schedules ----------------------------------------------


class RC4:
    def __init__(self, key: bytes) -> None:
        state = list(range(256))
        j = 0
        for i in range(256):
            j = (j + state[i] + key[i % len(key)]) & 0xFF
            state[i], state[j] = state[j], state[i]
        self.state, self.i, self.j = state, 0, 0

    def crypt(self, data: bytes) -> bytes:
        state, i, j = self.state, self.i, self.j
        out = bytearray(len(data))
        for index, byte in enumerate(data):
            i = (i + 1) & 0xFF
            j = (j + state[i]) & 0xFF
            state[i], state[j] = state[j], state[i]
            out[index] = byte ^ state[(state[i] + state[j]) & 0xFF]
        self.i, self.j = i, j
        return bytes(out)


def _xtime(value: int) -> int:
    value <<= 1
    return (value ^ 0x11B) if value & 0x100 else value


def _gmul(a: int, b: int) -> int:
    out = 0
    while b:
        if b & 1:
            out ^= a
        a = _xtime(a)
        b >>= 1
    return out


def _make_sbox() -> Tuple[List[int], List[int]]:
    """FIPS-197 5.1.1: multiplicative inverse in GF(2^8), then the affine transform."""
    sbox = [0] * 256
    for value in range(256):
        inverse = next((c for c in range(1, 256) if _gmul(value, c) == 1), 0) if value else 0
        result = inverse
        for shift in range(1, 5):
            result ^= ((inverse << shift) | (inverse >> (8 - shift))) & 0xFF
        sbox[value] = result ^ 0x63
    inverse_sbox = [0] * 256
    for value, substituted in enumerate(sbox):
        inverse_sbox[substituted] = value
    return sbox, inverse_sbox


# Built at import: connection threads share them (built lazily, two first connections could race).
_SBOX, _INV_SBOX = _make_sbox()


class AES:
    """FIPS-197 AES (128/256-bit keys), one block at a time; slow and enough for a handshake."""

    def __init__(self, key: bytes) -> None:
        nk = len(key) // 4
        self.rounds = nk + 6
        words = [list(key[4 * i : 4 * i + 4]) for i in range(nk)]
        rcon = 1
        for i in range(nk, 4 * (self.rounds + 1)):
            temp = list(words[i - 1])
            if i % nk == 0:
                temp = [_SBOX[b] for b in temp[1:] + temp[:1]]
                temp[0] ^= rcon
                rcon = _xtime(rcon)
            elif nk > 6 and i % nk == 4:
                temp = [_SBOX[b] for b in temp]
            words.append([a ^ b for a, b in zip(words[i - nk], temp)])
        self.round_keys = [[b for word in words[4 * r : 4 * r + 4] for b in word] for r in range(self.rounds + 1)]

    @staticmethod
    def _shift(state: List[int], direction: int) -> List[int]:
        # state[4 * column + row]; row r rotates left by r (right for the inverse)
        return [state[4 * ((column + direction * row) % 4) + row] for column in range(4) for row in range(4)]

    @staticmethod
    def _mix(state: List[int], matrix: Sequence[int]) -> List[int]:
        out = []
        for column in range(4):
            col = state[4 * column : 4 * column + 4]
            for row in range(4):
                out.append(
                    _gmul(col[0], matrix[(0 - row) % 4])
                    ^ _gmul(col[1], matrix[(1 - row) % 4])
                    ^ _gmul(col[2], matrix[(2 - row) % 4])
                    ^ _gmul(col[3], matrix[(3 - row) % 4])
                )
        return out

    def encrypt_block(self, block: bytes) -> bytes:
        state = [b ^ k for b, k in zip(block, self.round_keys[0])]
        for r in range(1, self.rounds + 1):
            state = self._shift([_SBOX[b] for b in state], 1)
            if r != self.rounds:
                state = self._mix(state, (2, 3, 1, 1))
            state = [b ^ k for b, k in zip(state, self.round_keys[r])]
        return bytes(state)

    def decrypt_block(self, block: bytes) -> bytes:
        state = [b ^ k for b, k in zip(block, self.round_keys[self.rounds])]
        for r in range(self.rounds - 1, -1, -1):
            state = [_INV_SBOX[b] for b in self._shift(state, -1)]
            state = [b ^ k for b, k in zip(state, self.round_keys[r])]
            if r:
                state = self._mix(state, (14, 11, 13, 9))
        return bytes(state)


class CBC:
    """AES-CBC whose IV carries over from record to record (SSLv3 and TLS 1.0)."""

    def __init__(self, key: bytes, iv: bytes) -> None:
        self.aes = AES(key)
        self.iv = iv

    def encrypt(self, data: bytes) -> bytes:
        out = b""
        for offset in range(0, len(data), 16):
            block = bytes(a ^ b for a, b in zip(data[offset : offset + 16], self.iv))
            self.iv = self.aes.encrypt_block(block)
            out += self.iv
        return out

    def decrypt(self, data: bytes) -> bytes:
        out = b""
        for offset in range(0, len(data), 16):
            block = data[offset : offset + 16]
            out += bytes(a ^ b for a, b in zip(self.aes.decrypt_block(block), self.iv))
            self.iv = block
        return out


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data).digest()  # SSLv3 and SSLv2 are defined with MD5


def _sha1(data: bytes) -> bytes:
    return hashlib.sha1(data).digest()  # SSLv3 is defined with SHA-1


def _labels(count: int) -> List[bytes]:
    return [bytes([0x41 + index]) * (index + 1) for index in range(count)]  # A, BB, CCC, ...


def ssl3_master_secret(pre_master: bytes, client_random: bytes, server_random: bytes) -> bytes:
    """RFC 6101 6.1: MD5(pre + SHA('A' + pre + CR + SR)) + ... 'BB' + ... 'CCC'."""
    return b"".join(
        _md5(pre_master + _sha1(label + pre_master + client_random + server_random)) for label in _labels(3)
    )


def ssl3_key_block(master: bytes, client_random: bytes, server_random: bytes, length: int) -> bytes:
    """RFC 6101 6.2.2: MD5(master + SHA('A' + master + SR + CR)) + ... until ``length`` bytes."""
    rounds = (length + 15) // 16
    block = b"".join(_md5(master + _sha1(label + master + server_random + client_random)) for label in _labels(rounds))
    return block[:length]


def _pads(hash_name: str) -> Tuple[bytes, bytes]:
    size = 48 if hash_name == "md5" else 40
    return b"\x36" * size, b"\x5c" * size


def _hash(hash_name: str, data: bytes) -> bytes:
    return _md5(data) if hash_name == "md5" else _sha1(data)


def ssl3_mac(hash_name: str, secret: bytes, seq: int, content_type: int, data: bytes) -> bytes:
    """RFC 6101 5.2.3.1: hash(secret + pad_2 + hash(secret + pad_1 + seq + type + length + data))."""
    pad1, pad2 = _pads(hash_name)
    inner = _hash(hash_name, secret + pad1 + struct.pack("!QBH", seq, content_type, len(data)) + data)
    return _hash(hash_name, secret + pad2 + inner)


def ssl3_finished(master: bytes, handshake_messages: bytes, sender: bytes) -> bytes:
    """RFC 6101 5.6.9: md5_hash (16 bytes) + sha_hash (20 bytes)."""
    out = b""
    for hash_name in ("md5", "sha1"):
        pad1, pad2 = _pads(hash_name)
        inner = _hash(hash_name, handshake_messages + sender + master + pad1)
        out += _hash(hash_name, master + pad2 + inner)
    return out


# --- the wire ----------------------------------------------------------------------------------


class Wire:
    """Buffered reads of exact sizes; EOF raises HandshakeAbort."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def peek(self, size: int) -> bytes:
        while len(self.buffer) < size:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise HandshakeAbort("peer closed the connection")
            self.buffer += chunk
        return self.buffer[:size]

    def read(self, size: int) -> bytes:
        data = self.peek(size)
        self.buffer = self.buffer[size:]
        return data


class Direction:
    """One direction of an SSLv3 connection: cipher, MAC secret and sequence number (RFC 6101 5.2.3)."""

    def __init__(self) -> None:
        self.cipher: Optional[object] = None  # RC4 or CBC
        self.hash_name = ""
        self.mac_secret = b""
        self.seq = 0

    def activate(self, cipher: object, mac_secret: bytes, hash_name: str) -> None:
        self.cipher = cipher
        self.mac_secret = mac_secret
        self.hash_name = hash_name
        self.seq = 0

    def protect(self, content_type: int, payload: bytes) -> bytes:
        if self.cipher is None:
            return payload
        data = payload + ssl3_mac(self.hash_name, self.mac_secret, self.seq, content_type, payload)
        self.seq += 1
        if isinstance(self.cipher, CBC):
            pad = 15 - len(data) % 16  # SSLv3: padding shorter than a block, its length last
            return self.cipher.encrypt(data + bytes(pad) + bytes([pad]))
        return self.cipher.crypt(data)  # type: ignore[attr-defined]

    def unprotect(self, content_type: int, payload: bytes) -> bytes:
        if self.cipher is None:
            return payload
        size = 16 if self.hash_name == "md5" else 20
        if isinstance(self.cipher, CBC):
            if not payload or len(payload) % 16:
                raise HandshakeAbort("CBC record not a multiple of the block size", ALERT_BAD_RECORD_MAC)
            plain = self.cipher.decrypt(payload)
            pad = plain[-1]
            if pad > 15 or pad + 1 + size > len(plain):
                raise HandshakeAbort("bad CBC padding", ALERT_BAD_RECORD_MAC)
            plain = plain[: -(pad + 1)]
        else:
            plain = self.cipher.crypt(payload)  # type: ignore[attr-defined]
        if len(plain) < size:
            raise HandshakeAbort("record shorter than its MAC", ALERT_BAD_RECORD_MAC)
        data, mac = plain[:-size], plain[-size:]
        if mac != ssl3_mac(self.hash_name, self.mac_secret, self.seq, content_type, data):
            raise HandshakeAbort("bad record MAC", ALERT_BAD_RECORD_MAC)
        self.seq += 1
        return data


class Ssl3Connection:
    """The SSLv3 record layer over ``wire``."""

    def __init__(self, wire: Wire) -> None:
        self.wire = wire
        self.read_state = Direction()
        self.write_state = Direction()
        self.handshake_buffer = b""

    def record(self, content_type: int, payload: bytes) -> bytes:
        payload = self.write_state.protect(content_type, payload)
        return struct.pack("!BHH", content_type, SSL3, len(payload)) + payload

    def send(self, *records: bytes) -> None:
        self.wire.sock.sendall(b"".join(records))

    def alert(self, description: int, level: int = 2) -> bytes:
        return self.record(CT_ALERT, bytes([level, description]))

    def read_record(self) -> Tuple[int, bytes]:
        content_type, version, length = struct.unpack("!BHH", self.wire.read(5))
        if content_type not in (20, 21, 22, 23) or version >> 8 != 3 or length > 16384 + 2048:
            raise HandshakeAbort(f"not an SSLv3 record (type {content_type}, version 0x{version:04x})")
        payload = self.read_state.unprotect(content_type, self.wire.read(length))
        if content_type == CT_ALERT and len(payload) >= 2:
            raise HandshakeAbort(f"peer sent alert {payload[1]}")
        return content_type, payload

    def read_handshake(self, expected: int) -> bytes:
        """The next handshake message (header included), which must be of type ``expected``."""
        while True:
            if len(self.handshake_buffer) >= 4:
                length = int.from_bytes(self.handshake_buffer[1:4], "big")
                if len(self.handshake_buffer) >= 4 + length:
                    message = self.handshake_buffer[: 4 + length]
                    self.handshake_buffer = self.handshake_buffer[4 + length :]
                    if message[0] != expected:
                        raise HandshakeAbort(
                            f"handshake message {message[0]} where {expected} was due", ALERT_UNEXPECTED_MESSAGE
                        )
                    return message
            content_type, payload = self.read_record()
            if content_type != CT_HANDSHAKE:
                raise HandshakeAbort(f"record type {content_type} during the handshake", ALERT_UNEXPECTED_MESSAGE)
            self.handshake_buffer += payload


def _handshake_message(msg_type: int, body: bytes) -> bytes:
    return bytes([msg_type]) + len(body).to_bytes(3, "big") + body


# --- the server --------------------------------------------------------------------------------


class ClientHello:
    def __init__(self, version: int, random: bytes, suites: List[int], extensions: List[int], raw: bytes) -> None:
        self.version = version
        self.random = random
        self.suites = suites
        self.extensions = extensions
        self.raw = raw  # the bytes that enter the handshake hash

    @classmethod
    def parse(cls, message: bytes) -> ClientHello:
        """A ClientHello handshake message, header included (RFC 6101 5.6.1.2; extensions tolerated)."""
        try:
            body = message[4:]
            version = struct.unpack_from("!H", body, 0)[0]
            random = body[2:34]
            offset = 35 + body[34]
            suites_len = struct.unpack_from("!H", body, offset)[0]
            suites = list(struct.unpack_from(f"!{suites_len // 2}H", body, offset + 2))
            offset += 2 + suites_len
            offset += 1 + body[offset]  # compression methods
            extensions: List[int] = []
            if offset + 2 <= len(body):
                end = offset + 2 + struct.unpack_from("!H", body, offset)[0]
                offset += 2
                while offset + 4 <= end:
                    ext_type, ext_len = struct.unpack_from("!HH", body, offset)
                    extensions.append(ext_type)
                    offset += 4 + ext_len
        except (struct.error, IndexError) as exc:
            raise HandshakeAbort(f"malformed ClientHello: {exc}", ALERT_ILLEGAL_PARAMETER) from None
        if len(random) != 32:
            raise HandshakeAbort("truncated ClientHello", ALERT_ILLEGAL_PARAMETER)
        return cls(version, random, suites, extensions, message)

    @classmethod
    def parse_v2(cls, body: bytes) -> ClientHello:
        """An SSLv2-format CLIENT-HELLO carrying an SSLv3+ version (RFC 6101 E.1), without its 2-byte header."""
        version, specs_len, sid_len, challenge_len = struct.unpack_from("!HHHH", body, 1)
        specs = body[9 : 9 + specs_len]
        challenge = body[9 + specs_len + sid_len : 9 + specs_len + sid_len + challenge_len]
        if not 16 <= len(challenge) <= 32 or len(specs) % 3:
            raise HandshakeAbort("malformed SSLv2-format ClientHello")
        suites = [int.from_bytes(specs[i : i + 3], "big") for i in range(0, len(specs), 3) if specs[i] == 0]
        return cls(version, challenge.rjust(32, b"\x00"), suites, [], body)


class LegacyServer:
    def __init__(
        self,
        chain: List[bytes],
        key: RsaKey,
        *,
        protocols: Sequence[str] = ("SSLv3",),
        tls_hello: str = "alert",
        http: bool = True,
        timeout: float = 10.0,
        verbose: bool = False,
    ) -> None:
        self.chain = chain
        self.key = key
        self.sslv2 = "SSLv2" in protocols
        self.sslv3 = "SSLv3" in protocols
        self.tls_hello = tls_hello
        self.http = http
        self.timeout = timeout
        self.verbose = verbose

    def log(self, peer: str, message: str) -> None:
        if self.verbose:
            print(f"{peer}: {message}", file=sys.stderr, flush=True)

    # one connection ----------------------------------------------------------------------------

    def handle(self, sock: socket.socket, peer: str) -> None:
        sock.settimeout(self.timeout)
        wire = Wire(sock)
        try:
            first = wire.peek(3)
            if first[0] & 0x80 and first[2] == SSL2_MT_CLIENT_HELLO:
                length = ((first[0] & 0x7F) << 8) | first[1]
                body = wire.read(2 + length)[2:]
                version = struct.unpack_from("!H", body, 1)[0] if len(body) >= 3 else 0
                if version == SSL2:
                    if not self.sslv2:
                        raise HandshakeAbort("SSLv2 CLIENT-HELLO, SSLv2 is off: closing")
                    self.sslv2_handshake(wire, body, peer)
                    return
                self.sslv3_handshake(Ssl3Connection(wire), ClientHello.parse_v2(body), peer)
                return
            connection = Ssl3Connection(wire)
            if not self.sslv3:
                raise HandshakeAbort("SSLv3 is off: closing")
            hello = ClientHello.parse(connection.read_handshake(HS_CLIENT_HELLO))
            self.sslv3_handshake(connection, hello, peer)
        except HandshakeAbort as exc:
            self.log(peer, f"stopped: {exc}")
            if exc.alert is not None:
                with contextlib.suppress(OSError):
                    sock.sendall(struct.pack("!BHHBB", CT_ALERT, SSL3, 2, 2, exc.alert))
        except (OSError, ValueError, IndexError, struct.error) as exc:  # malformed input or a dropped peer
            self.log(peer, f"stopped: {exc.__class__.__name__}: {exc}")
        finally:
            with contextlib.suppress(OSError):
                sock.close()

    # SSLv3 --------------------------------------------------------------------------------------

    def sslv3_handshake(self, conn: Ssl3Connection, hello: ClientHello, peer: str) -> None:
        if not self.sslv3:
            raise HandshakeAbort("SSLv3 is off")
        if hello.version < SSL3:
            raise HandshakeAbort(f"client version 0x{hello.version:04x}", ALERT_HANDSHAKE_FAILURE)
        if hello.version > SSL3 and self.tls_hello == "alert":
            conn.send(conn.alert(ALERT_PROTOCOL_VERSION))
            raise HandshakeAbort(f"client offered 0x{hello.version:04x}: protocol_version alert sent")
        suite = next((code for code in SSL3_SUITES if code in hello.suites), None)
        if suite is None:
            raise HandshakeAbort("no cipher suite in common", ALERT_HANDSHAKE_FAILURE)
        name, cipher_name, key_size, hash_name = SSL3_SUITES[suite]
        server_random = struct.pack("!I", int(time.time())) + os.urandom(28)
        extensions = b""
        if SCSV_RENEGOTIATION in hello.suites or EXT_RENEGOTIATION_INFO in hello.extensions:
            # RFC 5746 3.6: a patched server answers with an empty renegotiation_info
            extensions = struct.pack("!HHB", EXT_RENEGOTIATION_INFO, 1, 0)
        server_hello = _handshake_message(
            HS_SERVER_HELLO,
            struct.pack("!H", SSL3)
            + server_random
            + b"\x20"
            + os.urandom(32)
            + struct.pack("!HB", suite, 0)
            + (struct.pack("!H", len(extensions)) + extensions if extensions else b""),
        )
        certs = b"".join(len(der).to_bytes(3, "big") + der for der in self.chain)
        certificate = _handshake_message(HS_CERTIFICATE, len(certs).to_bytes(3, "big") + certs)
        done = _handshake_message(HS_SERVER_HELLO_DONE, b"")
        flight = [server_hello, certificate, done]
        conn.send(*(conn.record(CT_HANDSHAKE, message) for message in flight))
        transcript = hello.raw + b"".join(flight)
        self.log(peer, f"SSLv3 ServerHello {name} (client offered 0x{hello.version:04x})")

        exchange = conn.read_handshake(HS_CLIENT_KEY_EXCHANGE)
        transcript += exchange
        encrypted = exchange[4:]
        if len(encrypted) == self.key.size + 2 and int.from_bytes(encrypted[:2], "big") == self.key.size:
            encrypted = encrypted[2:]  # a TLS-style length prefix: tolerated
        if len(encrypted) != self.key.size:
            raise HandshakeAbort("ClientKeyExchange of the wrong size", ALERT_ILLEGAL_PARAMETER)
        pre_master = pkcs1_unpad(self.key.decrypt(encrypted), 48)
        if pre_master is None:  # Bleichenbacher: carry on with a random secret, Finished will fail
            pre_master = os.urandom(48)
        master = ssl3_master_secret(pre_master, hello.random, server_random)
        mac_size = 16 if hash_name == "md5" else 20
        iv_size = 16 if cipher_name == "aes" else 0
        block = ssl3_key_block(master, hello.random, server_random, 2 * (mac_size + key_size + iv_size))
        parts = []
        for size in (mac_size, mac_size, key_size, key_size, iv_size, iv_size):
            parts.append(block[:size])
            block = block[size:]
        client_mac, server_mac, client_key, server_key, client_iv, server_iv = parts

        def cipher(key: bytes, iv: bytes) -> object:
            return CBC(key, iv) if cipher_name == "aes" else RC4(key)

        content_type, payload = conn.read_record()
        if content_type != CT_CHANGE_CIPHER_SPEC or payload != b"\x01":
            raise HandshakeAbort("ChangeCipherSpec expected", ALERT_UNEXPECTED_MESSAGE)
        if conn.handshake_buffer:
            raise HandshakeAbort("handshake data before ChangeCipherSpec", ALERT_UNEXPECTED_MESSAGE)
        conn.read_state.activate(cipher(client_key, client_iv), client_mac, hash_name)
        finished = conn.read_handshake(HS_FINISHED)
        if finished[4:] != ssl3_finished(master, transcript, SENDER_CLIENT):
            raise HandshakeAbort("client Finished does not verify", ALERT_HANDSHAKE_FAILURE)
        transcript += finished
        change = conn.record(CT_CHANGE_CIPHER_SPEC, b"\x01")
        conn.write_state.activate(cipher(server_key, server_iv), server_mac, hash_name)
        ours = _handshake_message(HS_FINISHED, ssl3_finished(master, transcript, SENDER_SERVER))
        conn.send(change, conn.record(CT_HANDSHAKE, ours))
        self.log(peer, f"SSLv3 handshake complete ({name})")
        if not self.http:
            conn.send(conn.alert(ALERT_CLOSE_NOTIFY, level=1))
            return

        request = b""
        while b"\r\n\r\n" not in request and len(request) < 65536:
            content_type, payload = conn.read_record()
            if content_type != CT_APPLICATION_DATA:
                raise HandshakeAbort(f"record type {content_type} instead of application data")
            request += payload
        conn.send(conn.record(CT_APPLICATION_DATA, http_response(request)), conn.alert(ALERT_CLOSE_NOTIFY, level=1))
        self.log(peer, f"SSLv3 answered {request.split(b' ', 2)[:2]}")

    # SSLv2 --------------------------------------------------------------------------------------

    def sslv2_handshake(self, wire: Wire, hello: bytes, peer: str) -> None:
        """SSL 2.0 (draft-hickman-netscape-ssl-00) with SSL_CK_RC4_128_WITH_MD5."""
        _version, specs_len, sid_len, challenge_len = struct.unpack_from("!HHHH", hello, 1)
        specs = hello[9 : 9 + specs_len]
        challenge = hello[9 + specs_len + sid_len : 9 + specs_len + sid_len + challenge_len]
        kinds = [int.from_bytes(specs[i : i + 3], "big") for i in range(0, len(specs) - 2, 3)]
        if SSL2_CK_RC4_128_WITH_MD5 not in kinds:
            error = bytes([SSL2_MT_ERROR]) + struct.pack("!H", SSL2_PE_NO_CIPHER)
            wire.sock.sendall(_sslv2_header(len(error)) + error)
            raise HandshakeAbort("SSLv2: no cipher kind in common (NO-CIPHER-ERROR sent)")
        connection_id = os.urandom(16)
        leaf = self.chain[0]
        spec = SSL2_CK_RC4_128_WITH_MD5.to_bytes(3, "big")
        server_hello = (
            bytes([SSL2_MT_SERVER_HELLO, 0, 1])  # no session-id hit, X.509 certificate
            + struct.pack("!HHHH", SSL2, len(leaf), len(spec), len(connection_id))
            + leaf
            + spec
            + connection_id
        )
        wire.sock.sendall(_sslv2_header(len(server_hello)) + server_hello)
        self.log(peer, "SSLv2 SERVER-HELLO SSL_CK_RC4_128_WITH_MD5")

        master_key_msg = _sslv2_read(wire)
        if master_key_msg[:1] != bytes([SSL2_MT_CLIENT_MASTER_KEY]):
            raise HandshakeAbort("SSLv2: CLIENT-MASTER-KEY expected")
        kind = int.from_bytes(master_key_msg[1:4], "big")
        clear_len, enc_len, arg_len = struct.unpack_from("!HHH", master_key_msg, 4)
        clear = master_key_msg[10 : 10 + clear_len]
        encrypted = master_key_msg[10 + clear_len : 10 + clear_len + enc_len]
        if kind != SSL2_CK_RC4_128_WITH_MD5 or clear_len != 0 or arg_len != 0 or enc_len != self.key.size:
            raise HandshakeAbort("SSLv2: unexpected CLIENT-MASTER-KEY")
        secret = pkcs1_unpad(self.key.decrypt(encrypted), 16) or os.urandom(16)
        master = clear + secret
        server_write = _md5(master + b"0" + challenge + connection_id)  # = CLIENT-READ-KEY
        client_write = _md5(master + b"1" + challenge + connection_id)  # = CLIENT-WRITE-KEY
        send = _Sslv2Direction(server_write, seq=1)  # SERVER-HELLO was record 0
        receive = _Sslv2Direction(client_write, seq=2)  # CLIENT-HELLO and CLIENT-MASTER-KEY were 0 and 1

        wire.sock.sendall(send.seal(bytes([SSL2_MT_SERVER_VERIFY]) + challenge))
        finished = receive.open(_sslv2_read(wire))
        if finished != bytes([SSL2_MT_CLIENT_FINISHED]) + connection_id:
            raise HandshakeAbort("SSLv2: CLIENT-FINISHED does not verify")
        wire.sock.sendall(send.seal(bytes([SSL2_MT_SERVER_FINISHED]) + os.urandom(16)))
        self.log(peer, "SSLv2 handshake complete (SSL_CK_RC4_128_WITH_MD5)")
        if not self.http:
            return  # SSLv2 has no close_notify: closing is the end

        request = b""
        while b"\r\n\r\n" not in request and len(request) < 65536:
            request += receive.open(_sslv2_read(wire))
        wire.sock.sendall(send.seal(http_response(request)))
        self.log(peer, f"SSLv2 answered {request.split(b' ', 2)[:2]}")

    # the listener -------------------------------------------------------------------------------

    def serve(self, listener: socket.socket, stop: Optional[threading.Event] = None) -> None:
        listener.settimeout(0.2)
        while stop is None or not stop.is_set():
            try:
                sock, address = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                if stop is not None and stop.is_set():
                    return
                raise
            peer = f"[{address[0]}]:{address[1]}"
            threading.Thread(target=self.handle, args=(sock, peer), daemon=True).start()


class _Sslv2Direction:
    """SSLv2 record protection for one direction: RC4, MAC = MD5(secret + data + seq)."""

    def __init__(self, key: bytes, seq: int) -> None:
        self.secret = key
        self.cipher = RC4(key)
        self.seq = seq

    def seal(self, data: bytes) -> bytes:
        mac = _md5(self.secret + data + struct.pack("!I", self.seq & 0xFFFFFFFF))
        self.seq += 1
        body = self.cipher.crypt(mac + data)
        return _sslv2_header(len(body)) + body

    def open(self, body: bytes) -> bytes:
        plain = self.cipher.crypt(body)
        mac, data = plain[:16], plain[16:]
        if mac != _md5(self.secret + data + struct.pack("!I", self.seq & 0xFFFFFFFF)):
            raise HandshakeAbort("SSLv2: bad MAC")
        self.seq += 1
        return data


def _sslv2_header(length: int) -> bytes:
    return struct.pack("!H", 0x8000 | length)


def _sslv2_read(wire: Wire) -> bytes:
    header = wire.read(2)
    if header[0] & 0x80:
        return wire.read(((header[0] & 0x7F) << 8) | header[1])
    padding = wire.read(1)[0]  # 3-byte header
    body = wire.read(((header[0] & 0x3F) << 8) | header[1])
    return body[: len(body) - padding]


def http_response(request: bytes) -> bytes:
    """A plain answer to any request: 200 with a short body, no Server header, no HSTS."""
    method = request.split(b" ", 1)[0]
    body = b"" if method == b"HEAD" else HTTP_BODY
    head = (
        b"HTTP/1.1 200 OK\r\n"
        b"Content-Type: text/plain\r\n"
        b"Content-Length: " + str(len(HTTP_BODY)).encode() + b"\r\n"
        b"Connection: close\r\n\r\n"
    )
    return head + body


def listen(address: str, port: int) -> socket.socket:
    """A listening socket; ``::`` is dual-stack (IPv4 too)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6 and address == "::":
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind((address, port))
    sock.listen(128)
    return sock


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="SSLv3-only (optionally SSLv2) lab server, without OpenSSL.")
    parser.add_argument("--cert", required=True, help="PEM: the RSA leaf first, then intermediates")
    parser.add_argument("--key", required=True, help="PEM: the leaf's RSA private key (PKCS#1 or PKCS#8)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--address", default="::", help="address to bind (default :: = dual-stack)")
    parser.add_argument("--protocols", default="SSLv3", help="comma-separated: SSLv3, SSLv2 (default SSLv3)")
    parser.add_argument("--tls-hello", choices=["alert", "downgrade"], default="alert")
    parser.add_argument("--no-http", action="store_true", help="close after the handshake instead of answering HTTP")
    parser.add_argument("--verbose", action="store_true", help="one line per connection event on stderr")
    args = parser.parse_args(argv)
    protocols = [item.strip() for item in args.protocols.split(",") if item.strip()]
    unknown = sorted(set(protocols) - {"SSLv2", "SSLv3"})
    if unknown or not protocols:
        parser.error(f"--protocols: {', '.join(unknown) or 'empty'}; choose from SSLv2, SSLv3")
    try:
        chain, key = load_identity(args.cert, args.key)
    except (OSError, ValueError, IndexError) as exc:
        print(f"cannot use the certificate/key: {exc}", file=sys.stderr)
        return 2
    server = LegacyServer(
        chain, key, protocols=protocols, tls_hello=args.tls_hello, http=not args.no_http, verbose=args.verbose
    )
    listener = listen(args.address, args.port)
    print(f"listening on {args.address} port {listener.getsockname()[1]}: {', '.join(protocols)}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve(listener)
    return 0


if __name__ == "__main__":
    sys.exit(main())
