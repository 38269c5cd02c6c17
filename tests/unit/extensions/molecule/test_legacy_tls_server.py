# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance lab's legacy-protocol server (``extensions/molecule/shared/lab-files/legacy_tls_server.py``):
its own primitives against published vectors, and its reading of the test PKI's RSA key."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509 import load_pem_x509_certificate

from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import LEGACY_SERVER, Pki, der_of, make_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def lab_server_module() -> Any:
    spec = importlib.util.spec_from_file_location("legacy_tls_server", LEGACY_SERVER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# FIPS-197 appendix C.1 and C.3
AES_VECTORS = [
    ("000102030405060708090a0b0c0d0e0f", "69c4e0d86a7b0430d8cdb78070b4c55a"),
    ("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "8ea2b7ca516745bfeafc49904b496089"),
]


@pytest.mark.parametrize(("key", "ciphertext"), AES_VECTORS, ids=["aes128", "aes256"])
def test_lab_server_aes_matches_fips197(lab_server_module: Any, key: str, ciphertext: str) -> None:
    aes = lab_server_module.AES(bytes.fromhex(key))
    plaintext = bytes.fromhex("00112233445566778899aabbccddeeff")
    assert aes.encrypt_block(plaintext).hex() == ciphertext
    assert aes.decrypt_block(bytes.fromhex(ciphertext)) == plaintext


def test_lab_server_rc4_matches_rfc6229(lab_server_module: Any) -> None:
    # RFC 6229, 40-bit key 0x0102030405: keystream bytes 0-15
    stream = lab_server_module.RC4(bytes.fromhex("0102030405")).crypt(bytes(16))
    assert stream.hex() == "b2396305f03dc027ccc3524a0a1118a8"


def test_lab_server_reads_the_test_rsa_key(lab_server_module: Any, pki: Pki) -> None:
    chain, key = lab_server_module.load_identity(str(pki.good.fullchain), str(pki.good.key))
    assert chain == [der_of(pki.good.cert), der_of(pki.intermediate)]
    # PKCS#1 v1.5 round trip with the public half from the certificate
    public = load_pem_x509_certificate(pki.good.cert.read_bytes()).public_key()
    secret = bytes(range(48))
    block = public.encrypt(secret, padding.PKCS1v15())  # type: ignore[union-attr]
    assert lab_server_module.pkcs1_unpad(key.decrypt(block), 48) == secret
