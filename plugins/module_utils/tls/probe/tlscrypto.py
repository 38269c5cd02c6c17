# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The little cryptography the probe's own TLS 1.2 client needs, in pure Python (standard library only).

The client-initiated renegotiation question needs one real handshake and one encrypted record
(the renegotiating ClientHello), and targets have no crypto library. So: key agreement (X25519,
RFC 7748; NIST P-256/P-384/P-521 ECDH; finite-field DH), the TLS PRFs (RFC 5246, RFC 2246) and
*encryption only* for the record protections a server may choose (AES-GCM, ChaCha20-Poly1305,
AES-CBC with HMAC). Nothing here is constant-time or meant to protect secrets: the probe's keys are
throwaway and only ever talk to the server being judged. Runs on targets (Python 3.8+).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from typing import Dict, List, Optional, Tuple

__all__ = [
    "CURVES",
    "aes_cbc_encrypt",
    "aes_gcm_encrypt",
    "aes_gcm_xor",
    "chacha20_poly1305_encrypt",
    "chacha20_xor",
    "ecdh_keypair",
    "ecdh_shared",
    "prf",
    "x25519",
    "x25519_keypair",
]

# --- X25519 (RFC 7748) --------------------------------------------------------------------------

_P25519 = 2**255 - 19


def x25519(scalar: bytes, u: bytes) -> bytes:
    """The X25519 function: ``scalar`` times the point with u-coordinate ``u`` (both 32 bytes, little-endian)."""
    k = bytearray(scalar)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    n = int.from_bytes(bytes(k), "little")
    x1 = int.from_bytes(u, "little") & ((1 << 255) - 1)
    p = _P25519
    x2, z2, x3, z3, swap = 1, 0, x1, 1, 0
    for t in range(254, -1, -1):
        bit = (n >> t) & 1
        if swap ^ bit:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = bit
        a = x2 + z2
        aa = a * a % p
        b = x2 - z2
        bb = b * b % p
        e = aa - bb
        c = x3 + z3
        d = x3 - z3
        da = d * a % p
        cb = c * b % p
        x3 = (da + cb) ** 2 % p
        z3 = x1 * (da - cb) ** 2 % p
        x2 = aa * bb % p
        z2 = e * (aa + 121665 * e) % p
    if swap:
        x2, z2 = x3, z3
    return (x2 * pow(z2, p - 2, p) % p).to_bytes(32, "little")


def x25519_keypair() -> Tuple[bytes, bytes]:
    """``(private, public)``."""
    private = os.urandom(32)
    return private, x25519(private, (9).to_bytes(32, "little"))


# --- NIST curves (short Weierstrass, a = -3), Jacobian coordinates -----------------------------------

# name -> (p, b, Gx, Gy, byte length)
CURVES: Dict[str, Tuple[int, int, int, int, int]] = {
    "secp256r1": (
        2**256 - 2**224 + 2**192 + 2**96 - 1,
        0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
        0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
        0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
        32,
    ),
    "secp384r1": (
        2**384 - 2**128 - 2**96 + 2**32 - 1,
        0xB3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF,
        0xAA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB7,
        0x3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F,
        48,
    ),
    "secp521r1": (
        2**521 - 1,
        0x0051953EB9618E1C9A1F929A21A0B68540EEA2DA725B99B315F3B8B489918EF109E156193951EC7E937B1652C0BD3BB1BF073573DF883D2C34F1EF451FD46B503F00,
        0x00C6858E06B70404E9CD9E3ECB662395B4429C648139053FB521F828AF606B4D3DBAA14B5E77EFE75928FE1DC127A2FFA8DE3348B3C1856A429BF97E7E31C2E5BD66,
        0x011839296A789A3BC0045C8A5FB42C7D1BD998F54449579B446817AFBD17273E662C97EE72995EF42640C550B9013FAD0761353C7086A272C24088BE94769FD16650,
        66,
    ),
}

_Point = Tuple[int, int, int]  # Jacobian (X, Y, Z); Z == 0 is infinity


def _double(point: _Point, p: int) -> _Point:
    x, y, z = point
    if z == 0 or y == 0:
        return (1, 1, 0)
    zz = z * z % p
    m = 3 * (x - zz) * (x + zz) % p  # a = -3
    yy = y * y % p
    s = 4 * x * yy % p
    x3 = (m * m - 2 * s) % p
    y3 = (m * (s - x3) - 8 * yy * yy) % p
    return x3, y3, 2 * y * z % p


def _add(one: _Point, two: _Point, p: int) -> _Point:
    if one[2] == 0:
        return two
    if two[2] == 0:
        return one
    x1, y1, z1 = one
    x2, y2, z2 = two
    z1z1 = z1 * z1 % p
    z2z2 = z2 * z2 % p
    u1 = x1 * z2z2 % p
    u2 = x2 * z1z1 % p
    s1 = y1 * z2 * z2z2 % p
    s2 = y2 * z1 * z1z1 % p
    if u1 == u2:
        return _double(one, p) if s1 == s2 else (1, 1, 0)
    h = (u2 - u1) % p
    r = (s2 - s1) % p
    hh = h * h % p
    hhh = h * hh % p
    v = u1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    y3 = (r * (v - x3) - s1 * hhh) % p
    return x3, y3, z1 * z2 * h % p


def _multiply(k: int, x: int, y: int, p: int) -> Tuple[int, int]:
    result: _Point = (1, 1, 0)
    addend: _Point = (x, y, 1)
    while k:
        if k & 1:
            result = _add(result, addend, p)
        addend = _double(addend, p)
        k >>= 1
    rx, ry, rz = result
    if rz == 0:
        raise ValueError("point at infinity")
    zinv = pow(rz, p - 2, p)
    return rx * zinv * zinv % p, ry * zinv * zinv * zinv % p


def ecdh_keypair(curve: str) -> Tuple[int, bytes]:
    """``(private scalar, uncompressed public point)`` on a NIST curve."""
    p, _b, gx, gy, size = CURVES[curve]
    private = int.from_bytes(os.urandom(size + 8), "big") % (p - 3) + 1
    x, y = _multiply(private, gx, gy, p)
    return private, b"\x04" + x.to_bytes(size, "big") + y.to_bytes(size, "big")


def ecdh_shared(curve: str, private: int, peer: bytes) -> bytes:
    """The x coordinate of ``private`` times the peer's uncompressed point (checked to be on the curve)."""
    p, b, _gx, _gy, size = CURVES[curve]
    if len(peer) != 1 + 2 * size or peer[0] != 4:
        raise ValueError("not an uncompressed point of this curve")
    x = int.from_bytes(peer[1 : 1 + size], "big")
    y = int.from_bytes(peer[1 + size :], "big")
    if (y * y - (x * x * x - 3 * x + b)) % p:
        raise ValueError("the peer's point is not on the curve")
    return _multiply(private, x, y, p)[0].to_bytes(size, "big")


# --- TLS PRFs -----------------------------------------------------------------------------------------


def _p_hash(name: str, secret: bytes, seed: bytes, length: int) -> bytes:
    out = b""
    a = seed
    while len(out) < length:
        a = hmac.new(secret, a, name).digest()
        out += hmac.new(secret, a + seed, name).digest()
    return out[:length]


def prf(version: int, hash_name: str, secret: bytes, label: bytes, seed: bytes, length: int) -> bytes:
    """TLS 1.2's PRF with ``hash_name`` (RFC 5246), or TLS 1.0/1.1's MD5 xor SHA-1 PRF (RFC 2246)."""
    if version >= 0x0303:
        return _p_hash(hash_name, secret, label + seed, length)
    half = (len(secret) + 1) // 2
    md5 = _p_hash("md5", secret[:half], label + seed, length)
    sha = _p_hash("sha1", secret[len(secret) - half :], label + seed, length)
    return bytes(a ^ b for a, b in zip(md5, sha))


# --- AES (encryption only) ----------------------------------------------------------------------------


def _xtime(value: int) -> int:
    value <<= 1
    return (value ^ 0x11B) & 0xFF if value & 0x100 else value


def _sbox() -> List[int]:
    """The AES S-box, computed (multiplicative inverse in GF(2^8), then the affine map)."""
    box = [0] * 256
    p = q = 1
    while True:
        p = p ^ _xtime(p)  # p * 3
        q ^= q << 1
        q ^= q << 2
        q ^= q << 4
        q &= 0xFF
        if q & 0x80:
            q ^= 0x09  # q / 3
        rot = q ^ ((q << 1) | (q >> 7)) ^ ((q << 2) | (q >> 6)) ^ ((q << 3) | (q >> 5)) ^ ((q << 4) | (q >> 4))
        box[p] = (rot ^ 0x63) & 0xFF
        if p == 1:
            break
    box[0] = 0x63
    return box


_SBOX = _sbox()
_T0 = []
for _value in _SBOX:
    _two = _xtime(_value)
    _T0.append((_two << 24) | (_value << 16) | (_value << 8) | (_two ^ _value))
_T1 = [((t >> 8) | (t << 24)) & 0xFFFFFFFF for t in _T0]
_T2 = [((t >> 16) | (t << 16)) & 0xFFFFFFFF for t in _T0]
_T3 = [((t >> 24) | (t << 8)) & 0xFFFFFFFF for t in _T0]


def _expand_key(key: bytes) -> List[int]:
    nk = len(key) // 4
    if nk not in (4, 6, 8):
        raise ValueError("AES keys are 16, 24 or 32 bytes")
    words = list(struct.unpack(f">{nk}I", key))
    rcon = 1
    for i in range(nk, 4 * (nk + 7)):
        temp = words[-1]
        if i % nk == 0:
            temp = ((temp << 8) | (temp >> 24)) & 0xFFFFFFFF
            temp = (
                (_SBOX[temp >> 24] << 24)
                | (_SBOX[(temp >> 16) & 0xFF] << 16)
                | (_SBOX[(temp >> 8) & 0xFF] << 8)
                | _SBOX[temp & 0xFF]
            )
            temp ^= rcon << 24
            rcon = _xtime(rcon)
        elif nk > 6 and i % nk == 4:
            temp = (
                (_SBOX[temp >> 24] << 24)
                | (_SBOX[(temp >> 16) & 0xFF] << 16)
                | (_SBOX[(temp >> 8) & 0xFF] << 8)
                | _SBOX[temp & 0xFF]
            )
        words.append(words[i - nk] ^ temp)
    return words


def _encrypt_block(words: List[int], block: bytes) -> bytes:
    rounds = len(words) // 4 - 1
    s0, s1, s2, s3 = struct.unpack(">4I", block)
    s0 ^= words[0]
    s1 ^= words[1]
    s2 ^= words[2]
    s3 ^= words[3]
    for r in range(1, rounds):
        k = 4 * r
        t0 = _T0[s0 >> 24] ^ _T1[(s1 >> 16) & 0xFF] ^ _T2[(s2 >> 8) & 0xFF] ^ _T3[s3 & 0xFF] ^ words[k]
        t1 = _T0[s1 >> 24] ^ _T1[(s2 >> 16) & 0xFF] ^ _T2[(s3 >> 8) & 0xFF] ^ _T3[s0 & 0xFF] ^ words[k + 1]
        t2 = _T0[s2 >> 24] ^ _T1[(s3 >> 16) & 0xFF] ^ _T2[(s0 >> 8) & 0xFF] ^ _T3[s1 & 0xFF] ^ words[k + 2]
        t3 = _T0[s3 >> 24] ^ _T1[(s0 >> 16) & 0xFF] ^ _T2[(s1 >> 8) & 0xFF] ^ _T3[s2 & 0xFF] ^ words[k + 3]
        s0, s1, s2, s3 = t0, t1, t2, t3
    k = 4 * rounds
    out = []
    for a, b, c, d, w in ((s0, s1, s2, s3, 0), (s1, s2, s3, s0, 1), (s2, s3, s0, s1, 2), (s3, s0, s1, s2, 3)):
        word = (
            (_SBOX[a >> 24] << 24) | (_SBOX[(b >> 16) & 0xFF] << 16) | (_SBOX[(c >> 8) & 0xFF] << 8) | _SBOX[d & 0xFF]
        )
        out.append(word ^ words[k + w])
    return struct.pack(">4I", *out)


def aes_cbc_encrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """AES-CBC of ``data`` (already padded to 16 bytes)."""
    words = _expand_key(key)
    out = b""
    previous = iv
    for offset in range(0, len(data), 16):
        block = bytes(a ^ b for a, b in zip(data[offset : offset + 16], previous))
        previous = _encrypt_block(words, block)
        out += previous
    return out


_GCM_R = 0xE1 << 120


def _gf_multiply(x: int, y: int) -> int:
    z = 0
    v = y
    for i in range(127, -1, -1):
        if (x >> i) & 1:
            z ^= v
        v = (v >> 1) ^ _GCM_R if v & 1 else v >> 1
    return z


def _ghash(h: int, aad: bytes, ciphertext: bytes) -> int:
    y = 0
    for data in (aad, ciphertext):
        for offset in range(0, len(data), 16):
            block = data[offset : offset + 16].ljust(16, b"\x00")
            y = _gf_multiply(y ^ int.from_bytes(block, "big"), h)
    lengths = struct.pack(">QQ", len(aad) * 8, len(ciphertext) * 8)
    return _gf_multiply(y ^ int.from_bytes(lengths, "big"), h)


def aes_gcm_xor(key: bytes, nonce: bytes, data: bytes) -> bytes:
    """AES-GCM's counter mode alone (counter from 2): encrypts, or decrypts without checking the tag."""
    words = _expand_key(key)
    out = b""
    for index, offset in enumerate(range(0, len(data), 16)):
        stream = _encrypt_block(words, nonce + struct.pack(">I", index + 2))
        out += bytes(a ^ b for a, b in zip(data[offset : offset + 16], stream))
    return out


def aes_gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """AES-GCM with a 12-byte nonce: ciphertext followed by the 16-byte tag."""
    words = _expand_key(key)
    h = int.from_bytes(_encrypt_block(words, b"\x00" * 16), "big")
    out = aes_gcm_xor(key, nonce, plaintext)
    tag = _ghash(h, aad, out) ^ int.from_bytes(_encrypt_block(words, nonce + b"\x00\x00\x00\x01"), "big")
    return out + tag.to_bytes(16, "big")


# --- ChaCha20-Poly1305 (RFC 8439) ---------------------------------------------------------------------


def _rotl(value: int, count: int) -> int:
    return ((value << count) | (value >> (32 - count))) & 0xFFFFFFFF


def _chacha_block(key: bytes, counter: int, nonce: bytes) -> bytes:
    state = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
    state += [*list(struct.unpack("<8I", key)), counter, *list(struct.unpack("<3I", nonce))]
    x = list(state)

    def quarter(a: int, b: int, c: int, d: int) -> None:
        x[a] = (x[a] + x[b]) & 0xFFFFFFFF
        x[d] = _rotl(x[d] ^ x[a], 16)
        x[c] = (x[c] + x[d]) & 0xFFFFFFFF
        x[b] = _rotl(x[b] ^ x[c], 12)
        x[a] = (x[a] + x[b]) & 0xFFFFFFFF
        x[d] = _rotl(x[d] ^ x[a], 8)
        x[c] = (x[c] + x[d]) & 0xFFFFFFFF
        x[b] = _rotl(x[b] ^ x[c], 7)

    for _round in range(10):
        quarter(0, 4, 8, 12)
        quarter(1, 5, 9, 13)
        quarter(2, 6, 10, 14)
        quarter(3, 7, 11, 15)
        quarter(0, 5, 10, 15)
        quarter(1, 6, 11, 12)
        quarter(2, 7, 8, 13)
        quarter(3, 4, 9, 14)
    return struct.pack("<16I", *((a + b) & 0xFFFFFFFF for a, b in zip(x, state)))


def _poly1305(key: bytes, message: bytes) -> bytes:
    r = int.from_bytes(key[:16], "little") & 0x0FFFFFFC0FFFFFFC0FFFFFFC0FFFFFFF
    s = int.from_bytes(key[16:], "little")
    p = (1 << 130) - 5
    acc = 0
    for offset in range(0, len(message), 16):
        chunk = message[offset : offset + 16]
        acc = (acc + int.from_bytes(chunk + b"\x01", "little")) * r % p
    return ((acc + s) & ((1 << 128) - 1)).to_bytes(16, "little")


def chacha20_xor(key: bytes, nonce: bytes, data: bytes) -> bytes:
    """ChaCha20 from block counter 1 (as in the AEAD): encrypts, or decrypts without checking the tag."""
    out = b""
    for index, offset in enumerate(range(0, len(data), 64)):
        stream = _chacha_block(key, index + 1, nonce)
        out += bytes(a ^ b for a, b in zip(data[offset : offset + 64], stream))
    return out


def chacha20_poly1305_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """ChaCha20-Poly1305 AEAD: ciphertext followed by the 16-byte tag."""
    out = chacha20_xor(key, nonce, plaintext)
    poly_key = _chacha_block(key, 0, nonce)[:32]

    def pad16(data: bytes) -> bytes:
        return data + b"\x00" * (-len(data) % 16)

    mac_data = pad16(aad) + pad16(out) + struct.pack("<QQ", len(aad), len(out))
    return out + _poly1305(poly_key, mac_data)


def digest(name: str, data: bytes) -> bytes:
    """``hashlib.new(name, data)``, MD5 allowed where a FIPS build marks it not for security (TLS 1.0 PRF)."""
    try:
        return hashlib.new(name, data, usedforsecurity=False).digest()  # type: ignore[call-arg]
    except TypeError:  # Python 3.8
        return hashlib.new(name, data).digest()


def random_nonzero(length: int) -> bytes:
    """``length`` random bytes none of which is zero (PKCS #1 v1.5 padding)."""
    out = b""
    while len(out) < length:
        out += bytes(b for b in os.urandom(length) if b)
    return out[:length]


def rsa_encrypt_pkcs1(n: int, e: int, message: bytes) -> bytes:
    """RSAES-PKCS1-v1_5 encryption of ``message`` with the public key ``(n, e)``."""
    size = (n.bit_length() + 7) // 8
    padded = b"\x00\x02" + random_nonzero(size - len(message) - 3) + b"\x00" + message
    return pow(int.from_bytes(padded, "big"), e, n).to_bytes(size, "big")


def optional_hmac(key: bytes, data: bytes, name: str) -> Optional[bytes]:
    return hmac.new(key, data, name).digest() if key else None
