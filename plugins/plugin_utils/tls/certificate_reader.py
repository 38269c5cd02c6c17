# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The probe's certificate reader on the controller, with the ``cryptography`` library.

The ``tls_probe`` action (and ``tools/compare_scanners.py``) run the probe in-process and hand it
:class:`CryptographyCertificateReader`, which fills every field of a probe's ``certificate``: key
type, size and curve, signature algorithm, whether the leaf signed itself and whether the served
chain is complete, and verifies chains the local TLS library could not handshake for. Targets use
the standard-library reader of ``module_utils/tls/probe/certinfo.py`` instead.
"""

from __future__ import annotations

import ssl
import warnings
from datetime import datetime, timezone
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.certinfo import (
    CertificateReader,
    ChainVerdict,
    ServedChain,
    hostname_matches,
    new_certificate_info,
)

try:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
    from cryptography.x509.oid import ExtensionOID

    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - cryptography is an ansible-core dependency
    HAS_CRYPTOGRAPHY = False
try:
    from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

    HAS_VERIFIER = True
except ImportError:  # pragma: no cover - cryptography < 42
    HAS_VERIFIER = False

__all__ = ["HAS_CRYPTOGRAPHY", "CryptographyCertificateReader", "controller_reader"]


def controller_reader() -> Optional[CertificateReader]:
    """The reader for in-process probes: cryptography's, or None (the probe's own) without it."""
    return CryptographyCertificateReader() if HAS_CRYPTOGRAPHY else None


def _utc(cert: Any, attribute: str) -> datetime:
    value = getattr(cert, f"{attribute}_utc", None)
    if value is None:  # cryptography < 42
        value = getattr(cert, attribute).replace(tzinfo=timezone.utc)
    return value


def _key_details(key: Any) -> Tuple[Optional[str], Optional[int], Optional[str]]:
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size, None
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.curve.key_size, key.curve.name
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256, None
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456, None
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size, None
    return type(key).__name__, None, None


def _is_self_signed(cert: Any) -> bool:
    if cert.subject != cert.issuer:
        return False
    verify = getattr(cert, "verify_directly_issued_by", None)
    if verify is None:  # cryptography < 40: names alone
        return True
    try:
        verify(cert)
    except Exception:  # any failure means "does not verify with its own key"
        return False
    return True


def _chain_complete(leaf: Any, served: Sequence[Any], anchors: FrozenSet[bytes], chain_valid: Optional[bool]) -> bool:
    """Whether the served certificates lead from the leaf to a trust anchor (or to a served root)."""
    current = leaf
    used = {id(leaf)}
    while True:
        if _is_self_signed(current):
            return True
        if current.issuer.public_bytes() in anchors:
            return True
        parent = next((c for c in served if id(c) not in used and c.subject == current.issuer), None)
        if parent is None:
            break
        used.add(id(parent))
        current = parent
    if current is not leaf:
        # The leaf's issuer was served; the top's issuer is not known here (another store, or one read lazily).
        return True
    # Only the leaf was served and its issuer is no known anchor. With the system store (anchors read lazily,
    # so empty) a verified chain means the issuer is a root: nothing was missing.
    return bool(chain_valid) and not anchors


class CryptographyCertificateReader(CertificateReader):
    """Every certificate field, read with ``cryptography`` (controller side)."""

    def anchor_subjects(self, ca_file: Optional[str], context: Optional[ssl.SSLContext]) -> FrozenSet[bytes]:
        certs: List[Any] = []
        try:
            if ca_file:
                with open(ca_file, "rb") as handle:
                    data = handle.read()
                loader = getattr(x509, "load_pem_x509_certificates", None)
                certs = list(loader(data)) if loader else [x509.load_pem_x509_certificate(data)]
            elif context is not None:
                for der in context.get_ca_certs(binary_form=True):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # old roots with RFC 5280 quirks still count as anchors
                        try:
                            certs.append(x509.load_der_x509_certificate(der))
                        except ValueError:
                            continue
        except (OSError, ValueError):
            return frozenset()
        return frozenset(cert.subject.public_bytes() for cert in certs if _is_self_signed(cert))

    def verify_offline(
        self, chain_der: Sequence[bytes], trusted_der: Sequence[bytes], *, now: Optional[datetime] = None
    ) -> ChainVerdict:
        """``cryptography``'s RFC 5280 verifier checks the chain against ``trusted_der`` for serverAuth; the
        leaf is matched against its own first subjectAltName, because the name is judged separately.
        ``(None, reason)`` when it cannot be decided here (no cryptography 42+, no anchors, no SAN).
        """
        if not chain_der:
            return None, "no certificate was served"
        if not HAS_VERIFIER:
            return None, "not verified: the local TLS library could not handshake and cryptography 42+ is missing"
        if not trusted_der:
            return None, "not verified: no trust anchors loaded"
        try:
            leaf = x509.load_der_x509_certificate(chain_der[0])
            intermediates = [x509.load_der_x509_certificate(der) for der in chain_der[1:]]
            store = Store([x509.load_der_x509_certificate(der) for der in trusted_der])
        except ValueError as exc:
            return None, f"not verified: unreadable certificate ({exc})"
        try:
            san = leaf.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
        except x509.ExtensionNotFound:
            return None, "not verified: the certificate has no subjectAltName to verify it for"
        # a name the leaf covers: its first DNS SAN (a wildcard's "*" stands for any one label)
        names = [
            name.replace("*", "any", 1) if name.startswith("*.") else name
            for name in san.get_values_for_type(x509.DNSName)
        ]
        subject: Any = x509.DNSName(names[0]) if names else None
        if subject is None:
            addresses = san.get_values_for_type(x509.IPAddress)
            if not addresses:
                return None, "not verified: the certificate has no DNS or IP subjectAltName"
            subject = x509.IPAddress(addresses[0])
        builder = PolicyBuilder().store(store).time(now or datetime.now(timezone.utc))
        try:
            builder.build_server_verifier(subject).verify(leaf, intermediates)
        except VerificationError as exc:
            reason = str(exc).split(" (encountered", 1)[0]
            return False, reason
        return True, None

    def describe(self, served: ServedChain) -> Tuple[Dict[str, Any], List[str]]:
        now = served.now or datetime.now(timezone.utc)
        notes: List[str] = []
        leaf_der, chain, chain_valid = served.leaf_der, list(served.chain) if served.chain else None, served.chain_valid
        info = new_certificate_info(leaf_der, chain, chain_valid, served.chain_error)
        cert = x509.load_der_x509_certificate(leaf_der)
        try:
            san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
            dns_names = [str(name) for name in san.get_values_for_type(x509.DNSName)]
            ip_addresses = [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
        except x509.ExtensionNotFound:
            dns_names, ip_addresses = [], []
        not_before = _utc(cert, "not_valid_before")
        not_after = _utc(cert, "not_valid_after")
        hostname_ok, why = hostname_matches(served.server_name, dns_names, ip_addresses)
        if not hostname_ok:
            notes.append(f"hostname mismatch: {why}")
        key_type, key_size, curve = _key_details(cert.public_key())
        oid = cert.signature_algorithm_oid
        issuers = [x509.load_der_x509_certificate(der) for der in chain[1:]] if chain else []
        info.update(
            {
                "subject": cert.subject.rfc4514_string(),
                "issuer": cert.issuer.rfc4514_string(),
                "sans": dns_names + ip_addresses,
                "not_before": not_before.isoformat(),
                "not_after": not_after.isoformat(),
                "days_remaining": int((not_after - now).total_seconds() // 86400),
                "hostname_valid": hostname_ok,
                "self_signed": _is_self_signed(cert),
                "key_type": key_type,
                "key_size": key_size,
                "curve": curve,
                "signature_algorithm": getattr(oid, "_name", None) or oid.dotted_string,
                "intermediates_served": _chain_complete(cert, issuers, served.anchors, chain_valid) if chain else None,
            }
        )
        return info, notes
