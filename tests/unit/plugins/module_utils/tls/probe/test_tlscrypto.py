# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The probe's pure-Python cryptography against the cryptography library (and RFC test vectors)."""

from __future__ import annotations

import hashlib
import hmac
import os

import pytest

from ansible_collections.webedge.https.plugins.module_utils.tls.probe import tlscrypto

cryptography = pytest.importorskip("cryptography")

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa, x25519
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305


def test_x25519_rfc7748_vector() -> None:
    scalar = bytes.fromhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4")
    u = bytes.fromhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")
    expected = "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"
    assert tlscrypto.x25519(scalar, u).hex() == expected


def test_x25519_agrees_with_cryptography() -> None:
    private, public = tlscrypto.x25519_keypair()
    peer = x25519.X25519PrivateKey.generate()
    peer_public = peer.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert tlscrypto.x25519(private, peer_public) == peer.exchange(x25519.X25519PublicKey.from_public_bytes(public))


@pytest.mark.parametrize(
    ("name", "curve"), [("secp256r1", ec.SECP256R1()), ("secp384r1", ec.SECP384R1()), ("secp521r1", ec.SECP521R1())]
)
def test_nist_ecdh_agrees_with_cryptography(name: str, curve) -> None:
    scalar, public = tlscrypto.ecdh_keypair(name)
    peer = ec.generate_private_key(curve)
    peer_point = peer.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    ours = tlscrypto.ecdh_shared(name, scalar, peer_point)
    assert ours == peer.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(curve, public))


def test_a_point_off_the_curve_is_refused() -> None:
    scalar, public = tlscrypto.ecdh_keypair("secp256r1")
    bad = public[:-1] + bytes([public[-1] ^ 1])
    with pytest.raises(ValueError, match="not on the curve"):
        tlscrypto.ecdh_shared("secp256r1", scalar, bad)


@pytest.mark.parametrize("key_len", [16, 32])
@pytest.mark.parametrize("size", [0, 1, 16, 77])
def test_aes_gcm_agrees_with_cryptography(key_len: int, size: int) -> None:
    key, nonce, plain, aad = os.urandom(key_len), os.urandom(12), os.urandom(size), os.urandom(13)
    assert tlscrypto.aes_gcm_encrypt(key, nonce, plain, aad) == AESGCM(key).encrypt(nonce, plain, aad)


@pytest.mark.parametrize("key_len", [16, 32])
def test_aes_cbc_agrees_with_cryptography(key_len: int) -> None:
    key, iv, plain = os.urandom(key_len), os.urandom(16), os.urandom(64)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    assert tlscrypto.aes_cbc_encrypt(key, iv, plain) == encryptor.update(plain) + encryptor.finalize()


@pytest.mark.parametrize("size", [0, 63, 64, 200])
def test_chacha20_poly1305_agrees_with_cryptography(size: int) -> None:
    key, nonce, plain, aad = os.urandom(32), os.urandom(12), os.urandom(size), os.urandom(13)
    assert tlscrypto.chacha20_poly1305_encrypt(key, nonce, plain, aad) == ChaCha20Poly1305(key).encrypt(
        nonce, plain, aad
    )


def test_tls12_prf_is_p_sha256() -> None:
    secret, label, seed = b"secret", b"test label", b"seed"
    first = hmac.new(secret, label + seed, hashlib.sha256).digest()
    expected = hmac.new(secret, first + label + seed, hashlib.sha256).digest()
    assert tlscrypto.prf(0x0303, "sha256", secret, label, seed, 32) == expected


def test_tls10_prf_xors_md5_and_sha1_halves() -> None:
    out = tlscrypto.prf(0x0301, "sha256", b"0123456789", b"label", b"seed", 20)
    md5 = tlscrypto._p_hash("md5", b"01234", b"labelseed", 20)
    sha = tlscrypto._p_hash("sha1", b"56789", b"labelseed", 20)
    assert out == bytes(a ^ b for a, b in zip(md5, sha))


def test_rsa_pkcs1_encryption_decrypts_with_cryptography() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = key.public_key().public_numbers()
    message = os.urandom(48)
    assert key.decrypt(tlscrypto.rsa_encrypt_pkcs1(numbers.n, numbers.e, message), PKCS1v15()) == message
