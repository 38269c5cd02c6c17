# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Certificate validation on the controller, before anything reaches a host.

Controller-side only: imported by the ``tls_certificate`` action plugin, never by a
module, so it may use ``cryptography``. Every check raises :class:`CertificateError`
with a message that names the problem and the value at fault.

What is checked (:func:`validate`):

* PEM parses (certificate, chain, private key; an encrypted key needs its passphrase);
* the private key belongs to the certificate;
* the chain links: each certificate is signed by the next; given out of order it is
  put in order, a missing link fails;
* the leaf (and every chain certificate) is valid now, the leaf for at least
  ``min_days_valid`` more days;
* every requested hostname is covered by a subjectAltName (RFC 6125 wildcards, IDN
  names compared as A-labels, IP addresses against iPAddress entries);
* key type and strength (allowed key types, RSA bits);
* no SHA-1 or MD5 signature on the leaf or an intermediate.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
    from cryptography.x509.oid import NameOID

    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_IMPORT_ERROR: Optional[str] = None
except ImportError as _exc:  # the action plugin reports it; this file is never imported on targets
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = str(_exc)

__all__ = [
    "HAS_CRYPTOGRAPHY",
    "CertificateError",
    "CertificateInfo",
    "ValidatedMaterial",
    "certificate_info",
    "check_hostnames",
    "check_key_strength",
    "describe_private_key",
    "hostname_matches",
    "key_type_name",
    "load_certificates",
    "load_private_key",
    "order_chain",
    "to_a_label",
    "validate",
]

# cryptography's public and private key classes (rsa, ec, ed25519, ed448, dsa)
PublicKey = Any
PrivateKey = Any

_PEM_BLOCK = re.compile(
    rb"-----BEGIN (?P<label>[A-Z0-9 ]+)-----\r?\n.*?-----END (?P=label)-----",
    re.DOTALL,
)
_CERT_LABELS = (b"CERTIFICATE", b"TRUSTED CERTIFICATE", b"X509 CERTIFICATE")
_KEY_LABELS = (b"PRIVATE KEY", b"RSA PRIVATE KEY", b"EC PRIVATE KEY", b"ENCRYPTED PRIVATE KEY", b"DSA PRIVATE KEY")
_WEAK_HASHES = ("sha1", "md5", "md2", "md4")
_LDH_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


class CertificateError(ValueError):
    """Certificate material that may not be deployed; the message names the problem."""


@dataclass(frozen=True)
class CertificateInfo:
    """What the module returns about a certificate (public data only)."""

    subject: str
    issuer: str
    subject_alt_names: List[str]
    not_before: str
    not_after: str
    days_remaining: int
    sha256_fingerprint: str
    serial_number: str
    signature_algorithm: str
    key_type: str
    key_size: int

    def to_dict(self) -> Dict[str, Any]:
        """Every field, as plain data (what ``tls_certificate`` returns about the leaf)."""
        return {**dataclasses.asdict(self), "subject_alt_names": list(self.subject_alt_names)}


@dataclass(frozen=True)
class ValidatedMaterial:
    """Certificate material that passed every check, ready for the module.

    ``private_key_pem`` is key material: never put it in a result, a diff or a log.
    """

    certificate_pem: bytes
    chain_pem: bytes
    private_key_pem: Optional[bytes]
    info: CertificateInfo
    chain_length: int
    chain_subjects: List[str] = field(default_factory=list)
    private_key_public_sha256: Optional[str] = None
    warnings: List[str] = field(default_factory=list)


# --------------------------------------------------------------------------- parsing


def _to_bytes(data: Union[str, bytes]) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def load_certificates(data: Union[str, bytes], what: str = "certificate") -> List[x509.Certificate]:
    """Every certificate in a PEM text, in file order; fails on garbage or a non-certificate block."""
    raw = _to_bytes(data)
    blocks = list(_PEM_BLOCK.finditer(raw))
    if not blocks:
        raise CertificateError(f"{what}: no PEM certificate found (expected '-----BEGIN CERTIFICATE-----')")
    certs: List[x509.Certificate] = []
    for index, block in enumerate(blocks, start=1):
        label = block.group("label")
        if label in _KEY_LABELS:
            raise CertificateError(f"{what}: PEM block {index} is a private key, not a certificate")
        if label not in _CERT_LABELS:
            raise CertificateError(f"{what}: PEM block {index} is a {label.decode()!r}, not a certificate")
        try:
            certs.append(x509.load_pem_x509_certificate(block.group(0)))
        except ValueError as exc:
            raise CertificateError(f"{what}: PEM block {index} does not parse as an X.509 certificate ({exc})") from exc
    return certs


def load_private_key(
    data: Union[str, bytes], passphrase: Optional[Union[str, bytes]] = None
) -> Tuple[PrivateKey, bytes, bool]:
    """Parse a PEM private key; returns (key, the PEM block as given, whether it was encrypted).

    Messages never contain key material.
    """
    raw = _to_bytes(data)
    blocks = [b for b in _PEM_BLOCK.finditer(raw) if b.group("label") in _KEY_LABELS]
    if not blocks:
        if any(b.group("label") in _CERT_LABELS for b in _PEM_BLOCK.finditer(raw)):
            raise CertificateError("private key: found a certificate, not a private key")
        raise CertificateError("private key: no PEM private key found (expected '-----BEGIN PRIVATE KEY-----')")
    if len(blocks) > 1:
        raise CertificateError(f"private key: expected one private key, found {len(blocks)}")
    block = blocks[0].group(0)
    encrypted = blocks[0].group("label") == b"ENCRYPTED PRIVATE KEY" or b"Proc-Type: 4,ENCRYPTED" in block
    password = _to_bytes(passphrase) if passphrase else None
    if encrypted and password is None:
        raise CertificateError("private key: the key is encrypted; set private_key_passphrase")
    try:
        key = serialization.load_pem_private_key(block, password=password if encrypted else None)
    except TypeError as exc:
        raise CertificateError(f"private key: {exc}") from None
    except ValueError:
        if encrypted:
            raise CertificateError("private key: could not decrypt the key (wrong private_key_passphrase?)") from None
        raise CertificateError("private key: the PEM block does not parse as a private key") from None
    except UnsupportedAlgorithm as exc:
        raise CertificateError(f"private key: unsupported key algorithm ({exc})") from None
    return key, block + b"\n", encrypted  # type: ignore[return-value]


# --------------------------------------------------------------------------- descriptions


def _utc(value: datetime.datetime) -> datetime.datetime:
    return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)


def _not_before(cert: x509.Certificate) -> datetime.datetime:
    value = getattr(cert, "not_valid_before_utc", None)
    return value if value is not None else _utc(cert.not_valid_before)


def _not_after(cert: x509.Certificate) -> datetime.datetime:
    value = getattr(cert, "not_valid_after_utc", None)
    return value if value is not None else _utc(cert.not_valid_after)


def _iso(value: datetime.datetime) -> str:
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def key_type_name(key: Union[PublicKey, PrivateKey]) -> Tuple[str, int]:
    """(type, size) of a key: ``("rsa", 2048)``, ``("ec_p256", 256)``, ``("ed25519", 256)``..."""
    if isinstance(key, (rsa.RSAPublicKey, rsa.RSAPrivateKey)):
        return "rsa", key.key_size
    if isinstance(key, (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey)):
        names = {"secp256r1": "ec_p256", "secp384r1": "ec_p384", "secp521r1": "ec_p521"}
        return names.get(key.curve.name, f"ec_{key.curve.name}"), key.curve.key_size
    if isinstance(key, (ed25519.Ed25519PublicKey, ed25519.Ed25519PrivateKey)):
        return "ed25519", 256
    if isinstance(key, (ed448.Ed448PublicKey, ed448.Ed448PrivateKey)):
        return "ed448", 456
    if isinstance(key, (dsa.DSAPublicKey, dsa.DSAPrivateKey)):
        return "dsa", key.key_size
    return type(key).__name__, 0


def _name(name: x509.Name) -> str:
    return name.rfc4514_string()


def _sans(cert: x509.Certificate) -> Optional[x509.SubjectAlternativeName]:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None


def _san_strings(cert: x509.Certificate) -> List[str]:
    sans = _sans(cert)
    if sans is None:
        return []
    out = [f"DNS:{v}" for v in sans.get_values_for_type(x509.DNSName)]
    out += [f"IP:{v}" for v in sans.get_values_for_type(x509.IPAddress)]
    return out


def certificate_info(cert: x509.Certificate, now: Optional[datetime.datetime] = None) -> CertificateInfo:
    """Public facts about a certificate, as returned to users and shown in diffs."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    key_type, key_size = key_type_name(cert.public_key())  # type: ignore[arg-type]
    not_after = _not_after(cert)
    return CertificateInfo(
        subject=_name(cert.subject),
        issuer=_name(cert.issuer),
        subject_alt_names=_san_strings(cert),
        not_before=_iso(_not_before(cert)),
        not_after=_iso(not_after),
        days_remaining=(not_after - now).days,
        sha256_fingerprint=_fingerprint(cert),
        serial_number=format(cert.serial_number, "X"),
        signature_algorithm=cert.signature_algorithm_oid._name,
        key_type=key_type,
        key_size=key_size,
    )


def describe_private_key(key: PrivateKey) -> str:
    """SHA-256 of the public key (SubjectPublicKeyInfo DER): identifies a private key without revealing it."""
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def _short(cert: x509.Certificate) -> str:
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return f"'{cns[0].value}'" if cns else f"'{_name(cert.subject)}'"


# --------------------------------------------------------------------------- chain


def _signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _self_signed(cert: x509.Certificate) -> bool:
    return _signed_by(cert, cert)


def order_chain(leaf: x509.Certificate, chain: Sequence[x509.Certificate]) -> List[x509.Certificate]:
    """Put the chain in order (each certificate signed by the next), starting at the leaf's issuer.

    Duplicates are dropped. Fails when a chain certificate cannot be linked (a
    missing intermediate) or when the leaf's issuer is not given at all.
    """
    remaining: List[x509.Certificate] = []
    seen = {leaf.fingerprint(hashes.SHA256())}
    for cert in chain:
        digest = cert.fingerprint(hashes.SHA256())
        if digest not in seen:
            seen.add(digest)
            remaining.append(cert)
    ordered: List[x509.Certificate] = []
    current = leaf
    while remaining:
        if _self_signed(current) and ordered:
            break
        issuer = next((c for c in remaining if _signed_by(current, c)), None)
        if issuer is None:
            break
        ordered.append(issuer)
        remaining.remove(issuer)
        current = issuer
    if remaining:
        named = ", ".join(_short(c) for c in remaining)
        by_name = [c for c in remaining if c.subject == current.issuer]
        if by_name:
            raise CertificateError(
                f"chain: {_short(current)} names {_name(current.issuer)!r} as issuer, but its signature "
                f"does not verify with the chain certificate of that name"
            )
        raise CertificateError(
            f"chain: missing link: no certificate for issuer {_name(current.issuer)!r} of {_short(current)}; "
            f"the chain certificates {named} cannot be linked to the leaf"
        )
    return ordered


# --------------------------------------------------------------------------- names


def to_a_label(name: str) -> str:
    """A DNS name in lower-case A-label (punycode) form; a ``*`` label is kept as is.

    Uses the ``idna`` package (IDNA 2008, UTS 46) when installed, else Python's IDNA 2003 codec.
    """
    name = name.strip().rstrip(".")
    labels = []
    for label in name.split("."):
        if label == "*" or label.isascii():
            labels.append(label.lower())
            continue
        labels.append(_encode_label(label))
    return ".".join(labels)


def _encode_label(label: str) -> str:
    try:
        import idna  # type: ignore[import-not-found]

        return idna.encode(label, uts46=True).decode("ascii").lower()
    except ImportError:
        pass
    except Exception as exc:  # idna.IDNAError and friends
        raise CertificateError(f"hostname label {label!r} is not a valid IDN label ({exc})") from None
    try:
        return label.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise CertificateError(f"hostname label {label!r} is not a valid IDN label ({exc})") from None


def _ip(value: str) -> Optional[Union[ipaddress.IPv4Address, ipaddress.IPv6Address]]:
    try:
        return ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return None


def hostname_matches(hostname: str, pattern: str) -> Tuple[bool, bool]:
    """Does a dNSName pattern cover a hostname? Returns (matches, matched through a partial-label wildcard).

    RFC 6125 section 6.4.3: a wildcard only in the left-most label, one wildcard at most,
    it matches exactly one label (never the bare parent, never across dots), not in an
    IDN A-label (``xn--``), and the pattern needs at least two labels after the wildcard.
    Partial-label wildcards (``www*.example.com``) match as RFC 6125 allows, flagged so the
    caller can warn (modern browsers do not accept them).
    """
    host = to_a_label(hostname)
    pat = to_a_label(pattern)
    if "*" not in pat:
        return host == pat, False
    pat_labels = pat.split(".")
    host_labels = host.split(".")
    first, rest = pat_labels[0], pat_labels[1:]
    if any("*" in label for label in rest) or first.count("*") != 1:
        return False, False  # wildcard outside the left-most label, or more than one
    if len(rest) < 2:
        return False, False  # "*.com", "*"
    if len(host_labels) != len(pat_labels) or host_labels[1:] != rest:
        return False, False  # bare parent or deeper names
    if first == "*":
        return bool(host_labels[0]), False
    if first.startswith("xn--") or host_labels[0].startswith("xn--"):
        return False, False  # no wildcard matching inside an IDN label
    prefix, _star, suffix = first.partition("*")
    label = host_labels[0]
    # the wildcard stands for at least one character of the label
    ok = len(label) > len(prefix) + len(suffix) and label.startswith(prefix) and label.endswith(suffix)
    return ok, ok


def check_hostnames(cert: x509.Certificate, hostnames: Sequence[str]) -> List[str]:
    """Fail unless every hostname is covered by a subjectAltName; returns warnings."""
    if not hostnames:
        return []
    sans = _sans(cert)
    if sans is None:
        raise CertificateError(
            "certificate has no subjectAltName extension; clients ignore the subject CN, so no hostname is covered"
        )
    dns_names = sans.get_values_for_type(x509.DNSName)
    ip_names = sans.get_values_for_type(x509.IPAddress)
    warnings: List[str] = []
    missing: List[str] = []
    for hostname in hostnames:
        address = _ip(hostname)
        if address is not None:
            if address not in ip_names:
                missing.append(hostname)
            continue
        if not hostname.strip():
            raise CertificateError("hostnames: an empty hostname was given")
        matched = False
        for pattern in dns_names:
            ok, partial = hostname_matches(hostname, pattern)
            if ok:
                matched = True
                if partial:
                    warnings.append(
                        f"hostname {hostname!r} is covered only by the partial-label wildcard {pattern!r}; "
                        "RFC 6125 allows it but modern browsers reject it"
                    )
                break
        if not matched:
            missing.append(hostname)
    if missing:
        have = ", ".join(_san_strings(cert)) or "none"
        raise CertificateError(
            f"hostnames not covered by the certificate's subjectAltNames: {', '.join(repr(m) for m in missing)} "
            f"(the certificate has: {have})"
        )
    return warnings


# --------------------------------------------------------------------------- strength and dates


def check_key_strength(
    key: PublicKey, allowed_types: Sequence[str], min_rsa_bits: int = 2048, what: str = "certificate"
) -> None:
    kind, size = key_type_name(key)
    if kind == "rsa" and size < min_rsa_bits:
        raise CertificateError(f"{what}: RSA key of {size} bits is too weak (at least {min_rsa_bits} bits required)")
    if kind not in allowed_types and not (kind == "rsa" and "rsa" in allowed_types):
        raise CertificateError(f"{what}: key type {kind} is not allowed (key_types: {', '.join(allowed_types)})")


def _check_signature_hash(cert: x509.Certificate, what: str) -> None:
    try:
        algorithm = cert.signature_hash_algorithm
    except UnsupportedAlgorithm:
        oid = cert.signature_algorithm_oid.dotted_string
        raise CertificateError(f"{what}: unsupported signature algorithm {oid}") from None
    if algorithm is not None and algorithm.name in _WEAK_HASHES:
        raise CertificateError(
            f"{what} {_short(cert)} is signed with {algorithm.name.upper()} "
            f"({cert.signature_algorithm_oid._name}); SHA-256 or stronger is required"
        )


def _check_dates(cert: x509.Certificate, now: datetime.datetime, what: str) -> None:
    if _not_before(cert) > now:
        raise CertificateError(f"{what} {_short(cert)} is not valid yet (not before {_iso(_not_before(cert))})")
    if _not_after(cert) <= now:
        raise CertificateError(f"{what} {_short(cert)} expired on {_iso(_not_after(cert))}")


def _public_der(key: Union[PublicKey, PrivateKey]) -> bytes:
    if hasattr(key, "public_key"):
        key = key.public_key()  # type: ignore[union-attr,assignment]
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[union-attr]


def _pem(certs: Sequence[x509.Certificate]) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


# --------------------------------------------------------------------------- entry point


def validate(
    *,
    certificate: Union[str, bytes],
    private_key: Optional[Union[str, bytes]] = None,
    chain: Optional[Union[str, bytes]] = None,
    passphrase: Optional[str] = None,
    decrypt_private_key: bool = True,
    hostnames: Sequence[str] = (),
    min_days_valid: int = 0,
    key_types: Sequence[str] = ("rsa", "ec_p256", "ec_p384"),
    min_rsa_bits: int = 2048,
    now: Optional[datetime.datetime] = None,
) -> ValidatedMaterial:
    """Run every check; returns the material to install (certificates re-encoded, the chain ordered).

    A ``certificate`` text holding several certificates is read as leaf first, then chain.
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if min_days_valid < 0:
        raise CertificateError(f"min_days_valid: {min_days_valid} is negative")
    unknown = [k for k in key_types if k not in ("rsa", "ec_p256", "ec_p384", "ed25519")]
    if unknown:
        raise CertificateError(f"key_types: unknown key type {unknown[0]!r}")
    certs = load_certificates(certificate, "certificate")
    leaf, extra = certs[0], certs[1:]
    chain_certs = extra + (load_certificates(chain, "chain") if chain and _to_bytes(chain).strip() else [])

    key_pem: Optional[bytes] = None
    key_digest: Optional[str] = None
    if private_key is not None:
        key, key_pem, encrypted = load_private_key(private_key, passphrase)
        if _public_der(key) != _public_der(leaf.public_key()):  # type: ignore[arg-type]
            raise CertificateError(
                f"private key does not match the certificate {_short(leaf)} "
                f"(the key's public key sha256 is {describe_private_key(key)})"
            )
        key_digest = describe_private_key(key)
        if encrypted and decrypt_private_key:
            key_pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )

    # weak signatures first: they would otherwise surface as links that do not verify
    _check_signature_hash(leaf, "certificate")
    for cert in chain_certs:
        if cert.subject != cert.issuer:  # a root's self-signature is not relied upon
            _check_signature_hash(cert, "chain certificate")
    ordered = order_chain(leaf, chain_certs)
    _check_dates(leaf, now, "certificate")
    remaining = _not_after(leaf) - now
    if remaining < datetime.timedelta(days=min_days_valid):
        raise CertificateError(
            f"certificate {_short(leaf)} expires on {_iso(_not_after(leaf))}, in {remaining.days} days; "
            f"min_days_valid requires at least {min_days_valid}"
        )
    for cert in ordered:
        _check_dates(cert, now, "chain certificate")
    check_key_strength(leaf.public_key(), key_types, min_rsa_bits, "certificate")  # type: ignore[arg-type]
    for cert in ordered:
        kind, size = key_type_name(cert.public_key())  # type: ignore[arg-type]
        if kind in ("rsa", "dsa") and size < min_rsa_bits:
            raise CertificateError(
                f"chain certificate {_short(cert)}: {kind.upper()} key of {size} bits is too weak "
                f"(at least {min_rsa_bits} bits required)"
            )
    warnings = check_hostnames(leaf, hostnames)

    return ValidatedMaterial(
        certificate_pem=_pem([leaf]),
        chain_pem=_pem(ordered),
        private_key_pem=key_pem,
        info=certificate_info(leaf, now),
        chain_length=len(ordered),
        chain_subjects=[_name(c.subject) for c in ordered],
        private_key_public_sha256=key_digest,
        warnings=warnings,
    )
