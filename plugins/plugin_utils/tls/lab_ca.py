# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local certificate authority for labs and tests, on the controller (no network).

Controller-side only (``cryptography``): imported by the ``tls_lab_ca`` action plugin.

Certificates are RFC 5280-complete, as strict verifiers (cryptography's, Go's,
rustls) demand: Subject and Authority Key Identifiers, KeyUsage (critical),
BasicConstraints (critical); leaves add ExtendedKeyUsage serverAuth and a
subjectAltName. A CA may sign through an intermediate.

Idempotent: :func:`ensure_ca` and :func:`ensure_leaf` reuse existing files while
they are valid for ``renew_days`` more days, were issued by the current CA and (for
leaves) carry exactly the requested names.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.specs.tls_lab_ca import KEY_TYPE_CHOICES
from ansible_collections.webedge.https.plugins.plugin_utils.tls.certificate import (
    CRYPTOGRAPHY_IMPORT_ERROR,
    HAS_CRYPTOGRAPHY,
    to_a_label,
)

if HAS_CRYPTOGRAPHY:  # the action plugin reports a missing library with CRYPTOGRAPHY_IMPORT_ERROR
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = [
    "CRYPTOGRAPHY_IMPORT_ERROR",
    "HAS_CRYPTOGRAPHY",
    "Issued",
    "LabCAError",
    "build_ca",
    "build_leaf",
    "ensure_ca",
    "ensure_leaf",
    "generate_key",
    "leaf_matches",
    "san_entries",
    "write_file",
]

KEY_TYPES = tuple(KEY_TYPE_CHOICES)
PrivateKey = Any  # cryptography's RSA, EC or Ed25519 private key
_BACKDATE = datetime.timedelta(minutes=5)


class LabCAError(ValueError):
    """A lab CA request that cannot be served; the message names the value."""


@dataclass(frozen=True)
class Issued:
    """A certificate and key, as PEM, and whether they were (or would be) newly made."""

    cert_pem: bytes
    key_pem: bytes
    created: bool
    reason: str = ""


def generate_key(key_type: str) -> PrivateKey:
    if key_type == "ec_p256":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "ec_p384":
        return ec.generate_private_key(ec.SECP384R1())
    if key_type.startswith("rsa") and key_type[3:].isdigit():
        return rsa.generate_private_key(public_exponent=65537, key_size=int(key_type[3:]))
    if key_type == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    raise LabCAError(f"key_type: {key_type!r} is not one of {', '.join(KEY_TYPES)}")


def _hash_for(key: PrivateKey) -> Optional[hashes.HashAlgorithm]:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return None
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size >= 384:
        return hashes.SHA384()
    return hashes.SHA256()


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _not_after(cert: x509.Certificate) -> datetime.datetime:
    value = getattr(cert, "not_valid_after_utc", None)
    return value if value is not None else cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)


def san_entries(hostnames: Sequence[str]) -> List[x509.GeneralName]:
    """dNSName (A-label) or iPAddress entries, in the order given, duplicates dropped."""
    out: List[x509.GeneralName] = []
    for name in hostnames:
        name = str(name).strip()
        if not name:
            raise LabCAError("hostnames: an empty hostname was given")
        try:
            entry: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(name))
        except ValueError:
            entry = x509.DNSName(to_a_label(name))
        if entry not in out:
            out.append(entry)
    return out


def _base_builder(
    subject: x509.Name,
    issuer_name: x509.Name,
    key: PrivateKey,
    now: datetime.datetime,
    valid_days: int,
    *,
    ca: bool,
    path_length: Optional[int] = None,
    key_encipherment: bool = False,
) -> x509.CertificateBuilder:
    """What every lab certificate has: names, key, serial, validity, BasicConstraints and KeyUsage (both critical).

    A CA signs certificates and CRLs; a leaf signs handshakes (and an RSA leaf also enciphers keys).
    """
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + datetime.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=key_encipherment,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )


def build_ca(
    common_name: str,
    *,
    key_type: str = "ec_p256",
    valid_days: int = 3650,
    issuer: Optional[Tuple[x509.Certificate, PrivateKey]] = None,
    path_length: Optional[int] = None,
    now: Optional[datetime.datetime] = None,
) -> Tuple[x509.Certificate, PrivateKey]:
    """A root CA (self-signed) or, with ``issuer``, an intermediate signed by it."""
    now = now or _now()
    key = generate_key(key_type)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "webedge lab"),
        ]
    )
    issuer_cert, issuer_key = issuer if issuer else (None, key)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    if issuer_cert is None:
        aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)
        issuer_name = subject
    else:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key())  # type: ignore[arg-type]
        issuer_name = issuer_cert.subject
    builder = (
        _base_builder(subject, issuer_name, key, now, valid_days, ca=True, path_length=path_length)
        .add_extension(ski, critical=False)
        .add_extension(aki, critical=False)
    )
    cert = builder.sign(issuer_key, _hash_for(issuer_key))  # type: ignore[arg-type]
    return cert, key


def build_leaf(
    hostnames: Sequence[str],
    issuer: Optional[Tuple[x509.Certificate, PrivateKey]],
    *,
    key_type: str = "ec_p256",
    valid_days: int = 90,
    key: Optional[PrivateKey] = None,
    now: Optional[datetime.datetime] = None,
) -> Tuple[x509.Certificate, PrivateKey]:
    """A server certificate for ``hostnames`` (the first is the CN), signed by ``issuer``.

    ``issuer=None`` makes it self-signed: signed with its own key, issuer = subject, still a leaf
    (BasicConstraints CA:FALSE), so it carries exactly that fault. Validity runs from ``now`` (minus
    a few minutes) for ``valid_days``; a ``now`` far enough in the past makes an expired certificate.
    Both faults are what ``tools/lab_fault_certs.py`` makes for the compliance lab.
    """
    if not hostnames:
        raise LabCAError("hostnames: at least one name is required for a leaf certificate")
    now = now or _now()
    key = key or generate_key(key_type)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, to_a_label(str(hostnames[0])))])
    if issuer is None:
        issuer_name, issuer_public, issuer_key = subject, key.public_key(), key
    else:
        issuer_name, issuer_public, issuer_key = issuer[0].subject, issuer[0].public_key(), issuer[1]
    rsa_key = isinstance(key, rsa.RSAPrivateKey)
    sans = san_entries(hostnames)
    builder = (
        _base_builder(subject, issuer_name, key, now, valid_days, ca=False, key_encipherment=rsa_key)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public),  # type: ignore[arg-type]
            critical=False,
        )
    )
    return builder.sign(issuer_key, _hash_for(issuer_key)), key  # type: ignore[arg-type]


def _public_der(key: object) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[attr-defined]


def _load_pair(cert_pem: bytes, key_pem: bytes) -> Optional[Tuple[x509.Certificate, PrivateKey]]:
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        return None
    if _public_der(cert.public_key()) != _public_der(key.public_key()):
        return None
    return cert, key  # type: ignore[return-value]


def leaf_matches(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    hostnames: Sequence[str],
    renew_days: int,
    now: Optional[datetime.datetime] = None,
) -> str:
    """Why an existing leaf must be re-issued, or '' when it can stay."""
    now = now or _now()
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:
        return "not issued by the current CA"
    if _not_after(cert) - now < datetime.timedelta(days=renew_days):
        return f"expires within {renew_days} days"
    try:
        sans = list(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
    except x509.ExtensionNotFound:
        return "no subjectAltName"
    if set(sans) != set(san_entries(hostnames)):
        return "names differ"
    return ""


def _read(path: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def ensure_ca(
    cert_path: str,
    key_path: str,
    *,
    common_name: str,
    key_type: str = "ec_p256",
    valid_days: int = 3650,
    renew_days: int = 30,
    issuer: Optional[Tuple[x509.Certificate, PrivateKey]] = None,
    path_length: Optional[int] = None,
) -> Issued:
    """Reuse the CA at the paths while valid (and signed by ``issuer`` when given), else make one (not written)."""
    cert_pem, key_pem = _read(cert_path), _read(key_path)
    if cert_pem is not None and key_pem is not None:
        pair = _load_pair(cert_pem, key_pem)
        if pair is None:
            reason = "existing files do not parse or do not match"
        elif _not_after(pair[0]) - _now() < datetime.timedelta(days=renew_days):
            reason = f"expires within {renew_days} days"
        elif issuer is not None and not _issued_by(pair[0], issuer[0]):
            reason = "not issued by the current root"
        else:
            return Issued(cert_pem, key_pem, created=False)
    else:
        reason = "absent"
    cert, key = build_ca(common_name, key_type=key_type, valid_days=valid_days, issuer=issuer, path_length=path_length)
    return Issued(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key), created=True, reason=reason)


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:
        return False
    return True


def ensure_leaf(
    cert_path: str,
    key_path: str,
    *,
    hostnames: Sequence[str],
    issuer: Tuple[x509.Certificate, PrivateKey],
    key_type: str = "ec_p256",
    valid_days: int = 90,
    renew_days: int = 30,
) -> Issued:
    """Reuse the leaf at the paths while it matches (see :func:`leaf_matches`), else issue one (not written)."""
    if renew_days >= valid_days:
        raise LabCAError(f"renew_days ({renew_days}) must be smaller than valid_days ({valid_days})")
    cert_pem, key_pem = _read(cert_path), _read(key_path)
    reason = "absent"
    if cert_pem is not None and key_pem is not None:
        pair = _load_pair(cert_pem, key_pem)
        if pair is None:
            reason = "existing files do not parse or do not match"
        else:
            reason = leaf_matches(pair[0], issuer[0], hostnames, renew_days)
            if not reason:
                return Issued(cert_pem, key_pem, created=False)
    cert, key = build_leaf(hostnames, issuer, key_type=key_type, valid_days=valid_days)
    return Issued(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key), created=True, reason=reason)


def load_pair(cert_pem: bytes, key_pem: bytes) -> Tuple[x509.Certificate, PrivateKey]:
    pair = _load_pair(cert_pem, key_pem)
    if pair is None:
        raise LabCAError("CA certificate and key do not parse or do not match")
    return pair


def write_file(path: str, content: bytes, mode: int) -> None:
    """Atomically write a controller file, created with ``mode`` from the start (keys: 0600)."""
    directory = os.path.dirname(path) or "."
    temp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        os.fchmod(fd, mode)
        os.write(fd, content)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(temp, path)
