# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lab server: a TLS 1.0-1.2 HTTPS server in pure Python that carries, on purpose, a fault no
packaged server can still be made to show.

Debian's OpenSSL, GnuTLS, nginx, Apache, HAProxy, stunnel and lighttpd are all patched against
Heartbleed, CCS injection and Bleichenbacher oracles, and Debian's OpenSSL is built without zlib.
So the positive case of those checks (ours and the independent scanners') needs a server written
for the purpose. This one is an ordinary TLS server (the standard library only, like
``legacy_tls_server.py``, whose AES, RSA key and wire primitives it imports), with one fault
switched on by ``--fault``:

* ``heartbleed`` (CVE-2014-0160): echoes the heartbeat extension, and answers a heartbeat
  request with as many bytes as its ``payload_length`` claims, even when the record holds fewer
  (the missing bytes come from the connection's earlier records, as OpenSSL 1.0.1 read them from
  its buffers), at any time, also in the middle of the handshake and in the clear.
* ``ccs`` (CVE-2014-0224): accepts a ChangeCipherSpec before the ClientKeyExchange and switches
  its read state to keys derived from an empty master secret, so the next record fails to
  decrypt (bad_record_mac alert) instead of being refused (unexpected_message alert).
* ``robot`` (a strong Bleichenbacher oracle): accepts RSA key exchange and answers a
  ClientKeyExchange whose decrypted block does not start with 00 02 with a decrypt_error alert at
  once, while every other malformed block goes on with a random premaster secret (and fails at
  Finished with bad_record_mac), as a correct server does for all of them.
* ``compression``: negotiates DEFLATE (RFC 3749) when the client offers it (CRIME).
* ``no-fallback-scsv``: ignores TLS_FALLBACK_SCSV (RFC 7507); meaningful with ``--protocols``
  below TLS 1.2 as well.
* ``none``: no fault (for tests).

Otherwise it behaves as a correct server: TLS 1.2 (``--protocols`` adds TLS 1.0/1.1),
ECDHE_RSA with X25519, P-256 or P-384 (in that order of preference), AES-GCM suites (and the
ECDHE AES-CBC-SHA suites with ``--cbc`` or whenever TLS 1.0/1.1 are on; the static RSA suites
only with ``--fault robot``), server preference; RFC 5746 secure renegotiation (and a client's
renegotiation is refused with a no_renegotiation warning), RFC 7627 extended master secret,
session resumption by session ID, TLS_FALLBACK_SCSV, OCSP stapling of ``--ocsp-response``, and
one HTTP/1.1 answer with HSTS per connection.

Usage: faulty_tls_server.py --cert FULLCHAIN.pem --key KEY.pem --port 4450 --fault heartbleed
           [--address ::] [--protocols TLSv1.2[,TLSv1.1,TLSv1]] [--cbc] [--ocsp-response DER]
           [--hsts VALUE] [--verbose]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import os
import secrets
import socket
import struct
import sys
import threading
import time
import zlib
from typing import Dict, List, Optional, Sequence, Tuple

from legacy_tls_server import (
    _SBOX,
    AES,
    HandshakeAbort,
    RsaKey,
    Wire,
    listen,
    load_identity,
)

FAULTS = ("none", "heartbleed", "ccs", "robot", "compression", "no-fallback-scsv")
VERSIONS = {"TLSv1": 0x0301, "TLSv1.1": 0x0302, "TLSv1.2": 0x0303}

CT_CHANGE_CIPHER_SPEC = 20
CT_ALERT = 21
CT_HANDSHAKE = 22
CT_APPLICATION_DATA = 23
CT_HEARTBEAT = 24

HS_HELLO_REQUEST = 0
HS_CLIENT_HELLO = 1
HS_SERVER_HELLO = 2
HS_CERTIFICATE = 11
HS_SERVER_KEY_EXCHANGE = 12
HS_SERVER_HELLO_DONE = 14
HS_CLIENT_KEY_EXCHANGE = 16
HS_FINISHED = 20
HS_CERTIFICATE_STATUS = 22

ALERT_WARNING, ALERT_FATAL = 1, 2
ALERT_CLOSE_NOTIFY = 0
ALERT_UNEXPECTED_MESSAGE = 10
ALERT_BAD_RECORD_MAC = 20
ALERT_HANDSHAKE_FAILURE = 40
ALERT_ILLEGAL_PARAMETER = 47
ALERT_DECODE_ERROR = 50
ALERT_DECRYPT_ERROR = 51
ALERT_PROTOCOL_VERSION = 70
ALERT_INAPPROPRIATE_FALLBACK = 86
ALERT_NO_RENEGOTIATION = 100

EXT_SERVER_NAME = 0
EXT_STATUS_REQUEST = 5
EXT_SUPPORTED_GROUPS = 10
EXT_EC_POINT_FORMATS = 11
EXT_SIGNATURE_ALGORITHMS = 13
EXT_HEARTBEAT = 15
EXT_EXTENDED_MASTER_SECRET = 23
EXT_RENEGOTIATION_INFO = 0xFF01
SCSV_RENEGOTIATION = 0x00FF
SCSV_FALLBACK = 0x5600

COMPRESSION_NULL, COMPRESSION_DEFLATE = 0, 1
HEARTBEAT_REQUEST, HEARTBEAT_RESPONSE = 1, 2
MAX_FRAGMENT = 16384


# --- elliptic curves: X25519 (RFC 7748) and the NIST prime curves (SEC 2) ----------------------

_P25519 = 2**255 - 19


def x25519(scalar: bytes, u_coordinate: bytes) -> bytes:
    """RFC 7748 5: the Montgomery ladder on Curve25519."""
    k = bytearray(scalar)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    n = int.from_bytes(k, "little")
    p = _P25519
    x1 = int.from_bytes(u_coordinate, "little") & ((1 << 255) - 1)
    x2, z2, x3, z3, swap = 1, 0, x1, 1, 0
    for t in range(254, -1, -1):
        bit = (n >> t) & 1
        if swap ^ bit:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = bit
        a, b = (x2 + z2) % p, (x2 - z2) % p
        aa, bb = a * a % p, b * b % p
        e = (aa - bb) % p
        c, d = (x3 + z3) % p, (x3 - z3) % p
        da, cb = d * a % p, c * b % p
        x3, z3 = (da + cb) ** 2 % p, x1 * (da - cb) ** 2 % p
        x2, z2 = aa * bb % p, e * (aa + 121665 * e) % p
    if swap:
        x2, z2 = x3, z3
    return (x2 * pow(z2, p - 2, p) % p).to_bytes(32, "little")


class WeierstrassCurve:
    """y^2 = x^3 - 3x + b over GF(p): ECDH in Jacobian coordinates (enough for a lab server)."""

    def __init__(self, p: int, b: int, gx: int, gy: int, n: int) -> None:
        self.p, self.b, self.g, self.n = p, b, (gx, gy), n
        self.size = (p.bit_length() + 7) // 8

    def on_curve(self, x: int, y: int) -> bool:
        p = self.p
        return 0 <= x < p and 0 <= y < p and (y * y - (x * x * x - 3 * x + self.b)) % p == 0

    def _double(self, point: Tuple[int, int, int]) -> Tuple[int, int, int]:
        x, y, z = point
        p = self.p
        if not y or not z:
            return (0, 1, 0)
        zz = z * z % p
        m = 3 * (x - zz) * (x + zz) % p  # a = -3
        yy = y * y % p
        s = 4 * x * yy % p
        x3 = (m * m - 2 * s) % p
        return x3, (m * (s - x3) - 8 * yy * yy) % p, 2 * y * z % p

    def _add(self, one: Tuple[int, int, int], two: Tuple[int, int, int]) -> Tuple[int, int, int]:
        if not one[2]:
            return two
        if not two[2]:
            return one
        p = self.p
        x1, y1, z1 = one
        x2, y2, z2 = two
        z1z1, z2z2 = z1 * z1 % p, z2 * z2 % p
        u1, u2 = x1 * z2z2 % p, x2 * z1z1 % p
        s1, s2 = y1 * z2 * z2z2 % p, y2 * z1 * z1z1 % p
        if u1 == u2:
            return self._double(one) if s1 == s2 else (0, 1, 0)
        h, r = (u2 - u1) % p, (s2 - s1) % p
        hh = h * h % p
        hhh = h * hh % p
        v = u1 * hh % p
        x3 = (r * r - hhh - 2 * v) % p
        return x3, (r * (v - x3) - s1 * hhh) % p, h * z1 * z2 % p

    def multiply(self, k: int, point: Tuple[int, int]) -> Tuple[int, int]:
        result: Tuple[int, int, int] = (0, 1, 0)
        addend = (point[0], point[1], 1)
        while k:
            if k & 1:
                result = self._add(result, addend)
            addend = self._double(addend)
            k >>= 1
        x, y, z = result
        if not z:
            raise ValueError("point at infinity")
        zinv = pow(z, self.p - 2, self.p)
        return x * zinv * zinv % self.p, y * zinv * zinv * zinv % self.p

    def encode(self, point: Tuple[int, int]) -> bytes:
        return b"\x04" + point[0].to_bytes(self.size, "big") + point[1].to_bytes(self.size, "big")

    def decode(self, data: bytes) -> Tuple[int, int]:
        if len(data) != 1 + 2 * self.size or data[0] != 4:
            raise HandshakeAbort("EC point not in uncompressed form", ALERT_ILLEGAL_PARAMETER)
        x = int.from_bytes(data[1 : 1 + self.size], "big")
        y = int.from_bytes(data[1 + self.size :], "big")
        if not self.on_curve(x, y):
            raise HandshakeAbort("EC point not on the curve", ALERT_ILLEGAL_PARAMETER)
        return x, y


P256 = WeierstrassCurve(
    0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
)
P384 = WeierstrassCurve(
    0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF,
    0xB3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF,
    0xAA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB7,
    0x3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F,
    0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
)
# TLS NamedGroup -> curve, in the server's order of preference
GROUPS: Dict[int, object] = {29: "x25519", 23: P256, 24: P384}


class KeyShare:
    """The server's ephemeral ECDH key for one handshake."""

    def __init__(self, group: int) -> None:
        self.group = group
        curve = GROUPS[group]
        if curve == "x25519":
            self.private = secrets.token_bytes(32)
            self.public = x25519(self.private, (9).to_bytes(32, "little"))
        else:
            assert isinstance(curve, WeierstrassCurve)
            self.scalar = 1 + secrets.randbelow(curve.n - 1)
            self.public = curve.encode(curve.multiply(self.scalar, curve.g))

    def agree(self, peer: bytes) -> bytes:
        curve = GROUPS[self.group]
        if curve == "x25519":
            if len(peer) != 32:
                raise HandshakeAbort("X25519 share of the wrong size", ALERT_ILLEGAL_PARAMETER)
            shared = x25519(self.private, peer)
            if shared == bytes(32):
                raise HandshakeAbort("X25519 shared secret is zero", ALERT_ILLEGAL_PARAMETER)
            return shared
        assert isinstance(curve, WeierstrassCurve)
        point = curve.multiply(self.scalar, curve.decode(peer))
        return point[0].to_bytes(curve.size, "big")


# --- AES (fast encryption with T-tables), GCM and CBC ------------------------------------------


def _xtime(value: int) -> int:
    value <<= 1
    return (value ^ 0x11B) if value & 0x100 else value


def _tables() -> Tuple[List[int], ...]:
    """FIPS-197 round as four 256-entry tables (SubBytes + ShiftRows + MixColumns per byte), and the S-box."""
    sbox = list(_SBOX)
    te0 = []
    for value in range(256):
        s = sbox[value]
        s2 = _xtime(s)
        te0.append((s2 << 24) | (s << 16) | (s << 8) | (s2 ^ s))
    rotated = [[((word >> shift) | (word << (32 - shift))) & 0xFFFFFFFF for word in te0] for shift in (8, 16, 24)]
    return (te0, *rotated, sbox)


# Built once, at import: connection threads share them (built lazily, two threads raced and broke them).
_TE = _tables()


class FastAES:
    """AES encryption of one block with T-tables; ``legacy_tls_server.AES`` supplies the key schedule."""

    def __init__(self, key: bytes) -> None:
        self.te0, self.te1, self.te2, self.te3, self.sbox = _TE
        schedule = AES(key)
        self.rounds = schedule.rounds
        self.words = [
            [int.from_bytes(bytes(round_key[4 * i : 4 * i + 4]), "big") for i in range(4)]
            for round_key in schedule.round_keys
        ]
        self.slow = schedule

    def encrypt_block(self, block: bytes) -> bytes:
        te0, te1, te2, te3, sbox = self.te0, self.te1, self.te2, self.te3, self.sbox
        w = self.words
        s0, s1, s2, s3 = (int.from_bytes(block[4 * i : 4 * i + 4], "big") ^ w[0][i] for i in range(4))
        for r in range(1, self.rounds):
            k = w[r]
            t0 = te0[s0 >> 24] ^ te1[(s1 >> 16) & 255] ^ te2[(s2 >> 8) & 255] ^ te3[s3 & 255] ^ k[0]
            t1 = te0[s1 >> 24] ^ te1[(s2 >> 16) & 255] ^ te2[(s3 >> 8) & 255] ^ te3[s0 & 255] ^ k[1]
            t2 = te0[s2 >> 24] ^ te1[(s3 >> 16) & 255] ^ te2[(s0 >> 8) & 255] ^ te3[s1 & 255] ^ k[2]
            t3 = te0[s3 >> 24] ^ te1[(s0 >> 16) & 255] ^ te2[(s1 >> 8) & 255] ^ te3[s2 & 255] ^ k[3]
            s0, s1, s2, s3 = t0, t1, t2, t3
        k = w[self.rounds]
        out = b""
        for a, b, c, d, key in (
            (s0, s1, s2, s3, k[0]),
            (s1, s2, s3, s0, k[1]),
            (s2, s3, s0, s1, k[2]),
            (s3, s0, s1, s2, k[3]),
        ):
            word = (sbox[a >> 24] << 24) | (sbox[(b >> 16) & 255] << 16) | (sbox[(c >> 8) & 255] << 8) | sbox[d & 255]
            out += (word ^ key).to_bytes(4, "big")
        return out

    def decrypt_block(self, block: bytes) -> bytes:
        return self.slow.decrypt_block(block)


_GCM_R = 0xE1 << 120


def _gf128_multiply(x: int, y: int) -> int:
    """NIST SP 800-38D 6.3 (bits numbered from the left)."""
    z, v = 0, y
    for i in range(127, -1, -1):
        if (x >> i) & 1:
            z ^= v
        v = (v >> 1) ^ _GCM_R if v & 1 else v >> 1
    return z


class GCM:
    """AES-GCM with a 12-byte nonce and a 16-byte tag (SP 800-38D), as TLS 1.2 uses it (RFC 5288)."""

    def __init__(self, key: bytes) -> None:
        self.aes = FastAES(key)
        self.h = int.from_bytes(self.aes.encrypt_block(bytes(16)), "big")

    def _ctr(self, nonce: bytes, data: bytes, first: int) -> bytes:
        out = bytearray()
        for index in range(0, len(data), 16):
            stream = self.aes.encrypt_block(nonce + (first + index // 16).to_bytes(4, "big"))
            out += bytes(a ^ b for a, b in zip(data[index : index + 16], stream))
        return bytes(out)

    def _tag(self, nonce: bytes, aad: bytes, ciphertext: bytes) -> bytes:
        y = 0
        for part in (aad, ciphertext):
            for index in range(0, len(part), 16):
                y = _gf128_multiply(y ^ int.from_bytes(part[index : index + 16].ljust(16, b"\x00"), "big"), self.h)
        y = _gf128_multiply(y ^ ((len(aad) * 8) << 64 | len(ciphertext) * 8), self.h)
        mask = self.aes.encrypt_block(nonce + (1).to_bytes(4, "big"))
        return bytes(a ^ b for a, b in zip(y.to_bytes(16, "big"), mask))

    def seal(self, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        ciphertext = self._ctr(nonce, plaintext, 2)
        return ciphertext + self._tag(nonce, aad, ciphertext)

    def open(self, nonce: bytes, data: bytes, aad: bytes) -> Optional[bytes]:
        if len(data) < 16:
            return None
        ciphertext, tag = data[:-16], data[-16:]
        if not hmac.compare_digest(tag, self._tag(nonce, aad, ciphertext)):
            return None
        return self._ctr(nonce, ciphertext, 2)


# --- the TLS PRF and key schedule (RFC 2246 5, RFC 5246 5) -------------------------------------


def _p_hash(hash_name: str, secret: bytes, seed: bytes, length: int) -> bytes:
    out, a = b"", seed
    while len(out) < length:
        a = hmac.new(secret, a, hash_name).digest()
        out += hmac.new(secret, a + seed, hash_name).digest()
    return out[:length]


def prf(version: int, hash_name: str, secret: bytes, label: bytes, seed: bytes, length: int) -> bytes:
    """TLS 1.2: P_<hash>; TLS 1.0/1.1: P_MD5 of the first half XOR P_SHA1 of the second."""
    if version >= 0x0303:
        return _p_hash(hash_name, secret, label + seed, length)
    half = (len(secret) + 1) // 2
    md5 = _p_hash("md5", secret[:half], label + seed, length)
    sha1 = _p_hash("sha1", secret[len(secret) - half :], label + seed, length)
    return bytes(a ^ b for a, b in zip(md5, sha1))


def transcript_hash(version: int, hash_name: str, messages: bytes) -> bytes:
    if version >= 0x0303:
        return hashlib.new(hash_name, messages).digest()
    return hashlib.md5(messages).digest() + hashlib.sha1(messages).digest()  # RFC 2246 7.4.9


class Suite:
    def __init__(self, code: int, name: str, kx: str, cipher: str, key_len: int, hash_name: str) -> None:
        self.code, self.name, self.kx, self.cipher, self.key_len = code, name, kx, cipher, key_len
        self.hash_name = hash_name  # the PRF hash in TLS 1.2 (and the MAC of the CBC suites)

    def usable(self, version: int) -> bool:
        return version >= 0x0303 or self.cipher == "cbc"


# the server's order of preference
SUITES = [
    Suite(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ecdhe", "gcm", 16, "sha256"),
    Suite(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ecdhe", "gcm", 32, "sha384"),
    Suite(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ecdhe", "cbc", 16, "sha1"),
    Suite(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ecdhe", "cbc", 32, "sha1"),
    Suite(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "rsa", "gcm", 16, "sha256"),
    Suite(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", "rsa", "gcm", 32, "sha384"),
    Suite(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "rsa", "cbc", 16, "sha1"),
]


def prf_hash(suite: Suite) -> str:
    return "sha384" if suite.hash_name == "sha384" else "sha256"


class CipherState:
    """One direction's record protection: AES-GCM (RFC 5288) or AES-CBC + HMAC-SHA1 (RFC 5246 6.2.3.2)."""

    def __init__(self, version: int, suite: Suite, key: bytes, mac_key: bytes, iv: bytes) -> None:
        self.version, self.suite = version, suite
        self.seq = 0
        self.mac_key = mac_key
        if suite.cipher == "gcm":
            self.gcm: Optional[GCM] = GCM(key)
            self.salt = iv
        else:
            self.gcm = None
            self.aes = FastAES(key)
            self.iv = iv  # TLS 1.0: the chained IV

    def _header(self, content_type: int, length: int) -> bytes:
        return struct.pack("!QBHH", self.seq, content_type, self.version, length)

    def protect(self, content_type: int, payload: bytes) -> bytes:
        if self.gcm is not None:
            explicit = struct.pack("!Q", self.seq)
            sealed = explicit + self.gcm.seal(self.salt + explicit, payload, self._header(content_type, len(payload)))
        else:
            mac = hmac.new(self.mac_key, self._header(content_type, len(payload)) + payload, "sha1").digest()
            data = payload + mac
            pad = 15 - len(data) % 16
            data += bytes([pad]) * (pad + 1)
            iv = self.iv if self.version == 0x0301 else os.urandom(16)
            out, previous = b"", iv
            for index in range(0, len(data), 16):
                previous = self.aes.encrypt_block(bytes(a ^ b for a, b in zip(data[index : index + 16], previous)))
                out += previous
            if self.version == 0x0301:
                self.iv = previous
                sealed = out
            else:
                sealed = iv + out
        self.seq += 1
        return sealed

    def unprotect(self, content_type: int, payload: bytes) -> bytes:
        if self.gcm is not None:
            if len(payload) < 8 + 16:
                raise HandshakeAbort("GCM record too short", ALERT_BAD_RECORD_MAC)
            explicit, body = payload[:8], payload[8:]
            plain = self.gcm.open(self.salt + explicit, body, self._header(content_type, len(body) - 16))
            if plain is None:
                raise HandshakeAbort("GCM record does not authenticate", ALERT_BAD_RECORD_MAC)
        else:
            if self.version > 0x0301:
                iv, payload = payload[:16], payload[16:]
            else:
                iv = self.iv
            if not payload or len(payload) % 16 or len(payload) < 32:
                raise HandshakeAbort("CBC record of a wrong size", ALERT_BAD_RECORD_MAC)
            data, previous = b"", iv
            for index in range(0, len(payload), 16):
                block = payload[index : index + 16]
                data += bytes(a ^ b for a, b in zip(self.aes.decrypt_block(block), previous))
                previous = block
            if self.version == 0x0301:
                self.iv = previous
            pad = data[-1]
            if pad + 1 + 20 > len(data) or data[-(pad + 1) :] != bytes([pad]) * (pad + 1):
                raise HandshakeAbort("bad CBC padding", ALERT_BAD_RECORD_MAC)
            data = data[: -(pad + 1)]
            plain, mac = data[:-20], data[-20:]
            expected = hmac.new(self.mac_key, self._header(content_type, len(plain)) + plain, "sha1").digest()
            if not hmac.compare_digest(mac, expected):
                raise HandshakeAbort("bad record MAC", ALERT_BAD_RECORD_MAC)
        self.seq += 1
        return plain


def key_block(
    version: int, suite: Suite, master: bytes, client_random: bytes, server_random: bytes
) -> Tuple[CipherState, CipherState]:
    """(client state, server state) from the master secret (RFC 5246 6.3)."""
    mac_len = 0 if suite.cipher == "gcm" else 20
    iv_len = 4 if suite.cipher == "gcm" else (16 if version == 0x0301 else 0)
    length = 2 * (mac_len + suite.key_len + iv_len)
    block = prf(version, prf_hash(suite), master, b"key expansion", server_random + client_random, length)
    parts = []
    for size in (mac_len, mac_len, suite.key_len, suite.key_len, iv_len, iv_len):
        parts.append(block[:size])
        block = block[size:]
    client_mac, server_mac, client_key, server_key, client_iv, server_iv = parts
    return (
        CipherState(version, suite, client_key, client_mac, client_iv),
        CipherState(version, suite, server_key, server_mac, server_iv),
    )


# --- RSA signatures (PKCS #1 v1.5, RFC 8017 8.2) ------------------------------------------------

_DIGEST_INFO = {
    "sha1": bytes.fromhex("3021300906052b0e03021a05000414"),
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}
# TLS 1.2 SignatureScheme (rsa_pkcs1_*) -> hash
RSA_PKCS1_SCHEMES = {0x0401: "sha256", 0x0501: "sha384", 0x0601: "sha512", 0x0201: "sha1"}


def rsa_sign(key: RsaKey, digest_input: bytes) -> bytes:
    """EMSA-PKCS1-v1_5 over ``digest_input`` (DigestInfo included, or the TLS 1.0 MD5+SHA1 pair), then m^d."""
    padding = key.size - 3 - len(digest_input)
    return key.decrypt(b"\x00\x01" + b"\xff" * padding + b"\x00" + digest_input)


# --- the handshake -------------------------------------------------------------------------------


class ClientHello:
    """What the server reads from a ClientHello (RFC 5246 7.4.1.2), extensions kept by type."""

    def __init__(self, message: bytes) -> None:
        self.raw = message
        try:
            body = message[4:]
            self.version = struct.unpack_from("!H", body, 0)[0]
            self.random = body[2:34]
            sid_len = body[34]
            self.session_id = body[35 : 35 + sid_len]
            offset = 35 + sid_len
            suites_len = struct.unpack_from("!H", body, offset)[0]
            self.suites = list(struct.unpack_from(f"!{suites_len // 2}H", body, offset + 2))
            offset += 2 + suites_len
            self.compression = list(body[offset + 1 : offset + 1 + body[offset]])
            offset += 1 + body[offset]
            self.extensions: Dict[int, bytes] = {}
            if offset + 2 <= len(body):
                end = offset + 2 + struct.unpack_from("!H", body, offset)[0]
                offset += 2
                while offset + 4 <= end:
                    ext_type, ext_len = struct.unpack_from("!HH", body, offset)
                    self.extensions[ext_type] = body[offset + 4 : offset + 4 + ext_len]
                    offset += 4 + ext_len
        except (struct.error, IndexError) as exc:
            raise HandshakeAbort(f"malformed ClientHello: {exc}", ALERT_DECODE_ERROR) from None
        if len(self.random) != 32 or len(self.session_id) > 32:
            raise HandshakeAbort("truncated ClientHello", ALERT_DECODE_ERROR)

    def _list(self, ext_type: int, width: int) -> Optional[List[int]]:
        data = self.extensions.get(ext_type)
        if data is None or len(data) < 2:
            return None
        body = data[2 : 2 + int.from_bytes(data[:2], "big")]
        return [int.from_bytes(body[i : i + width], "big") for i in range(0, len(body) - width + 1, width)]

    @property
    def groups(self) -> Optional[List[int]]:
        return self._list(EXT_SUPPORTED_GROUPS, 2)

    @property
    def signature_schemes(self) -> Optional[List[int]]:
        return self._list(EXT_SIGNATURE_ALGORITHMS, 2)


def handshake_message(msg_type: int, body: bytes) -> bytes:
    return bytes([msg_type]) + len(body).to_bytes(3, "big") + body


class Session:
    def __init__(self, version: int, suite: Suite, master: bytes, ems: bool, compression: int) -> None:
        self.version, self.suite, self.master, self.ems, self.compression = version, suite, master, ems, compression


class Connection:
    """The record layer of one connection, with the server's faults in its reading."""

    def __init__(self, server: FaultyServer, wire: Wire, peer: str) -> None:
        self.server = server
        self.wire = wire
        self.peer = peer
        self.version = 0x0301  # of the records until the ServerHello
        self.read_state: Optional[CipherState] = None
        self.write_state: Optional[CipherState] = None
        self.compress: Optional[zlib._Compress] = None  # type: ignore[name-defined]
        self.decompress: Optional[zlib._Decompress] = None  # type: ignore[name-defined]
        self.pending_compression = COMPRESSION_NULL
        self.handshake_buffer = b""
        self.seen = b""  # what this connection has read: the "memory" a Heartbleed answer leaks
        self.early_ccs = False
        self.suite = SUITES[0]  # the negotiated one, once the ServerHello is sent

    # writing ----------------------------------------------------------------------------------

    def record(self, content_type: int, payload: bytes) -> bytes:
        if self.compress is not None:
            payload = self.compress.compress(payload) + self.compress.flush(zlib.Z_SYNC_FLUSH)
        if self.write_state is not None:
            payload = self.write_state.protect(content_type, payload)
        return struct.pack("!BHH", content_type, self.version, len(payload)) + payload

    def send(self, *records: bytes) -> None:
        self.wire.sock.sendall(b"".join(records))

    def alert(self, description: int, level: int = ALERT_FATAL) -> bytes:
        return self.record(CT_ALERT, bytes([level, description]))

    def change_write_state(self, state: CipherState) -> bytes:
        change = self.record(CT_CHANGE_CIPHER_SPEC, b"\x01")
        self.write_state = state
        if self.pending_compression == COMPRESSION_DEFLATE:
            self.compress = zlib.compressobj()
        return change

    # reading ----------------------------------------------------------------------------------

    def read_record(self) -> Tuple[int, bytes]:
        while True:
            content_type, version, length = struct.unpack("!BHH", self.wire.read(5))
            if version >> 8 != 3 or length > MAX_FRAGMENT + 2048:
                raise HandshakeAbort(f"not a TLS record (type {content_type}, version 0x{version:04x})")
            payload = self.wire.read(length)
            self.seen = (self.seen + payload)[-65536:]
            if self.read_state is not None:
                payload = self.read_state.unprotect(content_type, payload)
                if self.decompress is not None:
                    payload = self.decompress.decompress(payload)
            if content_type == CT_HEARTBEAT:
                self.heartbeat(payload)
                continue
            if content_type == CT_ALERT:
                if len(payload) >= 2 and payload[1] == ALERT_CLOSE_NOTIFY:
                    raise HandshakeAbort("peer sent close_notify")
                raise HandshakeAbort(f"peer sent alert {payload[1] if len(payload) > 1 else '?'}")
            if content_type not in (CT_CHANGE_CIPHER_SPEC, CT_HANDSHAKE, CT_APPLICATION_DATA):
                raise HandshakeAbort(f"record type {content_type}", ALERT_UNEXPECTED_MESSAGE)
            return content_type, payload

    def heartbeat(self, message: bytes) -> None:
        """RFC 6520, and Heartbleed: the answer's length is the one the request claims."""
        if self.server.fault != "heartbleed":
            raise HandshakeAbort("heartbeat record, heartbeats not negotiated", ALERT_UNEXPECTED_MESSAGE)
        if len(message) < 3 or message[0] != HEARTBEAT_REQUEST:
            return
        claimed = int.from_bytes(message[1:3], "big")
        memory = message[3:] + self.seen + os.urandom(claimed)  # over-read, as OpenSSL 1.0.1 did
        answer = bytes([HEARTBEAT_RESPONSE]) + claimed.to_bytes(2, "big") + memory[:claimed] + os.urandom(16)
        self.server.log(self.peer, f"heartbeat request claiming {claimed} bytes, {len(message) - 3} sent: answered")
        self.send(
            *(self.record(CT_HEARTBEAT, answer[i : i + MAX_FRAGMENT]) for i in range(0, len(answer), MAX_FRAGMENT))
        )

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
            if content_type == CT_CHANGE_CIPHER_SPEC and expected == HS_CLIENT_KEY_EXCHANGE:
                self.early_change_cipher_spec()
                continue
            if content_type != CT_HANDSHAKE:
                raise HandshakeAbort(f"record type {content_type} during the handshake", ALERT_UNEXPECTED_MESSAGE)
            self.handshake_buffer += payload

    def early_change_cipher_spec(self) -> None:
        """CVE-2014-0224: a correct server refuses; the faulty one switches to keys of an empty secret."""
        if self.server.fault != "ccs" or self.early_ccs:
            raise HandshakeAbort("ChangeCipherSpec before ClientKeyExchange", ALERT_UNEXPECTED_MESSAGE)
        self.early_ccs = True
        suite = self.suite
        client, _server = key_block(self.version, suite, b"", b"", b"")
        self.read_state = client
        self.server.log(self.peer, "early ChangeCipherSpec accepted (CCS injection)")

    def read_change_cipher_spec(self) -> None:
        content_type, payload = self.read_record()
        if content_type != CT_CHANGE_CIPHER_SPEC or payload != b"\x01":
            raise HandshakeAbort("ChangeCipherSpec expected", ALERT_UNEXPECTED_MESSAGE)
        if self.handshake_buffer:
            raise HandshakeAbort("handshake data before ChangeCipherSpec", ALERT_UNEXPECTED_MESSAGE)


class FaultyServer:
    def __init__(
        self,
        chain: List[bytes],
        key: RsaKey,
        *,
        fault: str = "none",
        protocols: Sequence[str] = ("TLSv1.2",),
        cbc: bool = False,
        ocsp_response: Optional[bytes] = None,
        hsts: str = "max-age=63072000; includeSubDomains",
        timeout: float = 10.0,
        verbose: bool = False,
    ) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}")
        self.chain, self.key = chain, key
        self.fault = fault
        self.versions = sorted(VERSIONS[name] for name in protocols)
        self.cbc = cbc or min(self.versions) < 0x0303
        self.ocsp_response = ocsp_response
        self.hsts = hsts
        self.timeout = timeout
        self.verbose = verbose
        self.sessions: Dict[bytes, Session] = {}
        self.lock = threading.Lock()

    def log(self, peer: str, message: str) -> None:
        if self.verbose:
            print(f"{peer}: {message}", file=sys.stderr, flush=True)

    def suites_for(self, version: int) -> List[Suite]:
        out = []
        for suite in SUITES:
            if suite.kx == "rsa" and self.fault != "robot":
                continue
            if suite.cipher == "cbc" and not self.cbc:
                continue
            if suite.usable(version):
                out.append(suite)
        return out

    # one connection ----------------------------------------------------------------------------

    def handle(self, sock: socket.socket, peer: str) -> None:
        sock.settimeout(self.timeout)
        wire = Wire(sock)
        conn = Connection(self, wire, peer)
        try:
            first = wire.peek(3)
            if first[0] & 0x80:
                raise HandshakeAbort("SSLv2-format hello: closing")
            if first[0] != CT_HANDSHAKE:
                raise HandshakeAbort(f"first record of type {first[0]}: closing")
            hello = ClientHello(conn.read_handshake(HS_CLIENT_HELLO))
            self.handshake(conn, hello)
            self.serve_http(conn)
        except HandshakeAbort as exc:
            self.log(peer, f"stopped: {exc}")
            if exc.alert is not None:
                with contextlib.suppress(OSError):
                    conn.send(conn.alert(exc.alert))
        except (OSError, ValueError, IndexError, struct.error, zlib.error) as exc:  # malformed input, dropped peer
            self.log(peer, f"stopped: {exc.__class__.__name__}: {exc}")
        finally:
            self.close(sock)

    @staticmethod
    def close(sock: socket.socket) -> None:
        """Close after reading what the peer already sent: closing on unread data sends a TCP reset,
        and a reset can reach the peer before it has read our last alert."""
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
            sock.settimeout(1.0)
            while sock.recv(65536):
                pass
        with contextlib.suppress(OSError):
            sock.close()

    def negotiate_version(self, conn: Connection, hello: ClientHello) -> int:
        version = min(hello.version, max(self.versions))
        if version not in self.versions:
            conn.version = max(0x0301, min(hello.version, 0x0303))
            raise HandshakeAbort(f"client version 0x{hello.version:04x}", ALERT_PROTOCOL_VERSION)
        conn.version = version
        if SCSV_FALLBACK in hello.suites and version < max(self.versions):
            if self.fault == "no-fallback-scsv":
                self.log(conn.peer, "TLS_FALLBACK_SCSV ignored")
            else:
                raise HandshakeAbort("TLS_FALLBACK_SCSV with a lower version", ALERT_INAPPROPRIATE_FALLBACK)
        return version

    def choose(self, version: int, hello: ClientHello) -> Tuple[Suite, Optional[int]]:
        client_groups = hello.groups
        # RFC 4492 4: without the extension any curve will do; P-256 is what every client has
        group = 23 if client_groups is None else next((g for g in GROUPS if g in client_groups), None)
        for suite in self.suites_for(version):
            if suite.code not in hello.suites:
                continue
            if suite.kx == "ecdhe" and group is None:
                continue
            return suite, (group if suite.kx == "ecdhe" else None)
        raise HandshakeAbort("no cipher suite in common", ALERT_HANDSHAKE_FAILURE)

    def handshake(self, conn: Connection, hello: ClientHello) -> None:
        version = self.negotiate_version(conn, hello)
        secure_reneg = SCSV_RENEGOTIATION in hello.suites or EXT_RENEGOTIATION_INFO in hello.extensions
        ems = EXT_EXTENDED_MASTER_SECRET in hello.extensions
        compression = COMPRESSION_NULL
        if self.fault == "compression" and COMPRESSION_DEFLATE in hello.compression:
            compression = COMPRESSION_DEFLATE
        server_random = struct.pack("!I", int(time.time())) + os.urandom(28)

        with self.lock:
            cached = self.sessions.get(hello.session_id) if hello.session_id else None
        if (
            cached is not None
            and cached.version == version
            and cached.suite.code in hello.suites
            and cached.ems == ems
            and cached.compression == compression
        ):
            self.resume(conn, hello, cached, server_random, secure_reneg)
            return

        suite, group = self.choose(version, hello)
        conn.suite = suite
        session_id = os.urandom(32)
        extensions = b""
        if secure_reneg:
            extensions += struct.pack("!HHB", EXT_RENEGOTIATION_INFO, 1, 0)  # RFC 5746 3.6
        if ems:
            extensions += struct.pack("!HH", EXT_EXTENDED_MASTER_SECRET, 0)
        if group is not None and EXT_EC_POINT_FORMATS in hello.extensions:
            extensions += struct.pack("!HHBB", EXT_EC_POINT_FORMATS, 2, 1, 0)
        if self.fault == "heartbleed" and EXT_HEARTBEAT in hello.extensions:
            extensions += struct.pack("!HHB", EXT_HEARTBEAT, 1, 1)  # peer_allowed_to_send
        stapling = self.ocsp_response is not None and EXT_STATUS_REQUEST in hello.extensions
        if stapling:
            extensions += struct.pack("!HH", EXT_STATUS_REQUEST, 0)
        server_hello = handshake_message(
            HS_SERVER_HELLO,
            struct.pack("!H", version)
            + server_random
            + bytes([len(session_id)])
            + session_id
            + struct.pack("!HB", suite.code, compression)
            + (struct.pack("!H", len(extensions)) + extensions if extensions else b""),
        )
        certs = b"".join(len(der).to_bytes(3, "big") + der for der in self.chain)
        flight = [server_hello, handshake_message(HS_CERTIFICATE, len(certs).to_bytes(3, "big") + certs)]
        if stapling:
            assert self.ocsp_response is not None
            body = b"\x01" + len(self.ocsp_response).to_bytes(3, "big") + self.ocsp_response
            flight.append(handshake_message(HS_CERTIFICATE_STATUS, body))
        share = None
        if group is not None:
            share = KeyShare(group)
            params = struct.pack("!BHB", 3, group, len(share.public)) + share.public
            flight.append(
                handshake_message(HS_SERVER_KEY_EXCHANGE, params + self.sign(version, hello, server_random, params))
            )
        flight.append(handshake_message(HS_SERVER_HELLO_DONE, b""))
        conn.send(conn.record(CT_HANDSHAKE, b"".join(flight)))
        transcript = hello.raw + b"".join(flight)
        self.log(
            conn.peer, f"ServerHello 0x{version:04x} {suite.name} group {group} ems {ems} compression {compression}"
        )

        exchange = conn.read_handshake(HS_CLIENT_KEY_EXCHANGE)
        transcript += exchange
        if share is not None:
            body = exchange[4:]
            if not body or body[0] != len(body) - 1:
                raise HandshakeAbort("malformed ECDHE ClientKeyExchange", ALERT_DECODE_ERROR)
            pre_master = share.agree(body[1:])
        else:
            pre_master = self.rsa_premaster(conn, hello, exchange[4:])
        hash_name = prf_hash(suite)
        if ems:
            seed = transcript_hash(version, hash_name, transcript)
            master = prf(version, hash_name, pre_master, b"extended master secret", seed, 48)
        else:
            master = prf(version, hash_name, pre_master, b"master secret", hello.random + server_random, 48)
        client_state, server_state = key_block(version, suite, master, hello.random, server_random)

        conn.read_change_cipher_spec()
        conn.read_state = client_state
        if compression == COMPRESSION_DEFLATE:
            conn.decompress = zlib.decompressobj()
        conn.pending_compression = compression
        finished = conn.read_handshake(HS_FINISHED)
        expected = prf(
            version, hash_name, master, b"client finished", transcript_hash(version, hash_name, transcript), 12
        )
        if not hmac.compare_digest(finished[4:], expected):
            raise HandshakeAbort("client Finished does not verify", ALERT_DECRYPT_ERROR)
        transcript += finished
        change = conn.change_write_state(server_state)
        verify = prf(
            version, hash_name, master, b"server finished", transcript_hash(version, hash_name, transcript), 12
        )
        conn.send(change, conn.record(CT_HANDSHAKE, handshake_message(HS_FINISHED, verify)))
        with self.lock:
            if len(self.sessions) > 1000:
                self.sessions.clear()
            self.sessions[session_id] = Session(version, suite, master, ems, compression)
        self.log(conn.peer, f"handshake complete ({suite.name})")

    def resume(
        self, conn: Connection, hello: ClientHello, session: Session, server_random: bytes, secure_reneg: bool
    ) -> None:
        """The abbreviated handshake (RFC 5246 7.3): the server's Finished first."""
        version, suite, master = session.version, session.suite, session.master
        conn.suite = suite
        extensions = b""
        if secure_reneg:
            extensions += struct.pack("!HHB", EXT_RENEGOTIATION_INFO, 1, 0)
        if session.ems:
            extensions += struct.pack("!HH", EXT_EXTENDED_MASTER_SECRET, 0)
        server_hello = handshake_message(
            HS_SERVER_HELLO,
            struct.pack("!H", version)
            + server_random
            + bytes([len(hello.session_id)])
            + hello.session_id
            + struct.pack("!HB", suite.code, session.compression)
            + (struct.pack("!H", len(extensions)) + extensions if extensions else b""),
        )
        client_state, server_state = key_block(version, suite, master, hello.random, server_random)
        hash_name = prf_hash(suite)
        transcript = hello.raw + server_hello
        conn.pending_compression = session.compression
        first = conn.record(CT_HANDSHAKE, server_hello)
        change = conn.change_write_state(server_state)
        verify = prf(
            version, hash_name, master, b"server finished", transcript_hash(version, hash_name, transcript), 12
        )
        ours = handshake_message(HS_FINISHED, verify)
        conn.send(first, change, conn.record(CT_HANDSHAKE, ours))
        transcript += ours
        conn.read_change_cipher_spec()
        conn.read_state = client_state
        if session.compression == COMPRESSION_DEFLATE:
            conn.decompress = zlib.decompressobj()
        finished = conn.read_handshake(HS_FINISHED)
        expected = prf(
            version, hash_name, master, b"client finished", transcript_hash(version, hash_name, transcript), 12
        )
        if not hmac.compare_digest(finished[4:], expected):
            raise HandshakeAbort("client Finished does not verify (resumption)", ALERT_DECRYPT_ERROR)
        self.log(conn.peer, f"session resumed ({suite.name})")

    def sign(self, version: int, hello: ClientHello, server_random: bytes, params: bytes) -> bytes:
        signed = hello.random + server_random + params
        if version < 0x0303:  # RFC 4346 7.4.3: MD5 + SHA-1, no DigestInfo, no algorithm field
            signature = rsa_sign(self.key, hashlib.md5(signed).digest() + hashlib.sha1(signed).digest())
            return struct.pack("!H", len(signature)) + signature
        schemes = hello.signature_schemes
        if schemes is None:
            scheme = 0x0201  # RFC 5246 7.4.1.4.1: the default is SHA-1
        else:
            scheme = next((s for s in schemes if s in RSA_PKCS1_SCHEMES), 0)
            if not scheme:
                raise HandshakeAbort("no RSA PKCS#1 signature scheme offered", ALERT_HANDSHAKE_FAILURE)
        hash_name = RSA_PKCS1_SCHEMES[scheme]
        signature = rsa_sign(self.key, _DIGEST_INFO[hash_name] + hashlib.new(hash_name, signed).digest())
        return struct.pack("!HH", scheme, len(signature)) + signature

    def rsa_premaster(self, conn: Connection, hello: ClientHello, body: bytes) -> bytes:
        """RFC 5246 7.4.7.1, and the fault: a decrypt_error alert when the block does not start with 00 02."""
        encrypted = body[2:] if conn.version > 0x0300 else body
        if len(encrypted) != self.key.size or int.from_bytes(body[:2], "big") != self.key.size:
            raise HandshakeAbort("RSA ClientKeyExchange of the wrong size", ALERT_DECODE_ERROR)
        block = self.key.decrypt(encrypted)
        if self.fault == "robot" and block[:2] != b"\x00\x02":
            raise HandshakeAbort("PKCS#1 block does not start with 00 02 (Bleichenbacher oracle)", ALERT_DECRYPT_ERROR)
        separator = block.find(b"\x00", 2)
        pre_master = block[separator + 1 :] if separator >= 10 else b""
        if block[:2] != b"\x00\x02" or len(pre_master) != 48 or pre_master[:2] != struct.pack("!H", hello.version):
            pre_master = struct.pack("!H", hello.version) + os.urandom(46)  # RFC 5246 7.4.7.1: carry on
        return pre_master

    # after the handshake -------------------------------------------------------------------------

    def serve_http(self, conn: Connection) -> None:
        request = b""
        while b"\r\n\r\n" not in request and len(request) < 65536:
            content_type, payload = conn.read_record()
            if content_type == CT_HANDSHAKE:  # a renegotiation: refused (RFC 5746 4.5 allows it)
                conn.handshake_buffer = b""
                conn.send(conn.alert(ALERT_NO_RENEGOTIATION, ALERT_WARNING))
                self.log(conn.peer, "client renegotiation refused (no_renegotiation warning)")
                continue
            if content_type != CT_APPLICATION_DATA:
                raise HandshakeAbort(
                    f"record type {content_type} instead of application data", ALERT_UNEXPECTED_MESSAGE
                )
            request += payload
        conn.send(
            conn.record(CT_APPLICATION_DATA, self.http_response(request)), conn.alert(ALERT_CLOSE_NOTIFY, ALERT_WARNING)
        )
        self.log(conn.peer, f"answered {request.split(b' ', 2)[:2]}")

    def http_response(self, request: bytes) -> bytes:
        body = f"faulty TLS lab server ({self.fault})\n".encode()
        head = [
            "HTTP/1.1 200 OK",
            "Content-Type: text/plain",
            f"Content-Length: {len(body)}",
            "Connection: close",
        ]
        if self.hsts:
            head.append(f"Strict-Transport-Security: {self.hsts}")
        payload = ("\r\n".join(head) + "\r\n\r\n").encode()
        return payload if request.startswith(b"HEAD ") else payload + body

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


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="TLS 1.0-1.2 lab server with one fault on purpose.")
    parser.add_argument("--cert", required=True, help="PEM: the RSA leaf first, then intermediates")
    parser.add_argument("--key", required=True, help="PEM: the leaf's RSA private key (PKCS#1 or PKCS#8)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--address", default="::", help="address to bind (default :: = dual-stack)")
    parser.add_argument("--fault", choices=FAULTS, required=True)
    parser.add_argument("--protocols", default="TLSv1.2", help="comma-separated: TLSv1, TLSv1.1, TLSv1.2")
    parser.add_argument("--cbc", action="store_true", help="also the ECDHE AES-CBC-SHA suites with TLS 1.2")
    parser.add_argument("--ocsp-response", help="DER OCSP response to staple (status_request)")
    parser.add_argument(
        "--hsts", default="max-age=63072000; includeSubDomains", help="Strict-Transport-Security value ('' for none)"
    )
    parser.add_argument("--verbose", action="store_true", help="one line per connection event on stderr")
    args = parser.parse_args(argv)
    protocols = [item.strip() for item in args.protocols.split(",") if item.strip()]
    unknown = sorted(set(protocols) - set(VERSIONS))
    if unknown or not protocols:
        parser.error(f"--protocols: {', '.join(unknown) or 'empty'}; choose from {', '.join(VERSIONS)}")
    try:
        chain, key = load_identity(args.cert, args.key)
        ocsp = None
        if args.ocsp_response:
            with open(args.ocsp_response, "rb") as handle:
                ocsp = handle.read()
    except (OSError, ValueError, IndexError) as exc:
        print(f"cannot use the certificate/key/OCSP response: {exc}", file=sys.stderr)
        return 2
    server = FaultyServer(
        chain,
        key,
        fault=args.fault,
        protocols=protocols,
        cbc=args.cbc,
        ocsp_response=ocsp,
        hsts=args.hsts,
        verbose=args.verbose,
    )
    listener = listen(args.address, args.port)
    print(
        f"listening on {args.address} port {listener.getsockname()[1]}: {', '.join(protocols)}, fault {args.fault}",
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        server.serve(listener)
    return 0


if __name__ == "__main__":
    sys.exit(main())
