# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test certificates made with cryptography (no trustme, no network), shared by the TLS tests."""

from __future__ import annotations

import datetime
import functools
import ipaddress
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


@dataclass(frozen=True)
class Pair:
    cert: x509.Certificate
    key: Any

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return key_pem(self.key)


def key_pem(key: Any, passphrase: Optional[bytes] = None) -> bytes:
    encryption = serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


@functools.lru_cache(maxsize=None)
def make_key(kind: str = "ec_p256") -> Any:
    """Cached per kind (RSA generation is slow); use ``fresh_key`` for a distinct one."""
    return fresh_key(kind)


def fresh_key(kind: str = "ec_p256") -> Any:
    if kind == "ec_p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "ec_p384":
        return ec.generate_private_key(ec.SECP384R1())
    if kind == "ec_p521":
        return ec.generate_private_key(ec.SECP521R1())
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:]))
    raise ValueError(kind)


def _sans(names: Sequence[str]) -> List[x509.GeneralName]:
    out: List[x509.GeneralName] = []
    for name in names:
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            out.append(x509.DNSName(name))
    return out


def make_cert(
    cn: str,
    *,
    issuer: Optional[Pair] = None,
    key: Any = None,
    ca: bool = False,
    sans: Optional[Sequence[str]] = None,
    not_before: Optional[datetime.datetime] = None,
    not_after: Optional[datetime.datetime] = None,
    days: int = 90,
    hash_algorithm: Optional[hashes.HashAlgorithm] = None,
    extensions: Sequence[x509.ExtensionType] = (),
) -> Pair:
    """A certificate for ``cn`` (self-signed without ``issuer``), RFC 5280-complete, with ``extensions`` added
    (not critical)."""
    key = key if key is not None else fresh_key("ec_p256")
    not_before = not_before or (NOW - datetime.timedelta(days=1))
    not_after = not_after or (NOW + datetime.timedelta(days=days))
    signer_key = issuer.key if issuer else key
    issuer_name = issuer.cert.subject if issuer else x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()), critical=False)
    )
    if not ca:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    if sans is not None:
        builder = builder.add_extension(x509.SubjectAlternativeName(_sans(sans)), critical=False)
    for extension in extensions:
        builder = builder.add_extension(extension, critical=False)
    algorithm = None if isinstance(signer_key, ed25519.Ed25519PrivateKey) else hash_algorithm or hashes.SHA256()
    return Pair(builder.sign(signer_key, algorithm), key)


@functools.lru_cache(maxsize=None)
def pki() -> Pki:
    """root -> intermediate -> leaf (www.example.com, example.com), valid around NOW."""
    root = make_cert("Test Root", ca=True, days=3650)
    inter = make_cert("Test Intermediate", ca=True, issuer=root, days=1825)
    leaf = make_cert("www.example.com", issuer=inter, sans=["www.example.com", "example.com"])
    return Pki(root, inter, leaf)


@dataclass(frozen=True)
class Pki:
    root: Pair
    inter: Pair
    leaf: Pair


_SHA256_RSA_OID = bytes.fromhex("06092a864886f70d01010b")
_WEAK_RSA_OIDS = {"sha1": bytes.fromhex("06092a864886f70d010105"), "md5": bytes.fromhex("06092a864886f70d010104")}


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def weak_signed(cert: x509.Certificate, issuer_key: rsa.RSAPrivateKey, digest: str = "sha1") -> x509.Certificate:
    """Re-sign an RSA-SHA256-signed certificate with SHA-1 or MD5.

    cryptography no longer signs certificates with those hashes, so the DER is edited by hand:
    swap the algorithm OID (same length) in the TBS part, sign it, and reassemble.
    """
    from cryptography.hazmat.primitives.asymmetric import padding

    oid = _WEAK_RSA_OIDS[digest]
    tbs = cert.tbs_certificate_bytes.replace(_SHA256_RSA_OID, oid)
    algorithm = hashes.SHA1() if digest == "sha1" else hashes.MD5()
    signature = issuer_key.sign(tbs, padding.PKCS1v15(), algorithm)
    alg_id = b"\x30" + _der_len(len(oid) + 2) + oid + b"\x05\x00"
    bits = b"\x03" + _der_len(len(signature) + 1) + b"\x00" + signature
    body = tbs + alg_id + bits
    return x509.load_der_x509_certificate(b"\x30" + _der_len(len(body)) + body)


def pem_of(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)
