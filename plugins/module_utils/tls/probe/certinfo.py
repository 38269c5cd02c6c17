# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Certificate details of what an endpoint served, read by an injected :class:`CertificateReader`.

The probe runs where Ansible runs it, with the standard library only. What a certificate says
(key, signature, whether it signed itself, whether the served chain is complete) takes a
certificate parser, so the probe is given a reader:

* :class:`StdlibCertificateReader` (the default, used on targets and by the module): the
  fingerprint, the chain and every certificate's key and signature (``x509lite``) and, after a
  verified handshake, names and dates from ``ssl``; whether the leaf signed itself and whether the
  chain is complete stay None and :data:`NO_READER_NOTE` says why.
* On the controller the ``tls_probe`` action runs the probe in-process and injects the
  ``cryptography``-based reader of ``plugin_utils/tls/certificate_reader.py``, which fills
  every field.

Both build on :func:`new_certificate_info` and :func:`hostname_matches`, so their shared fields
are the same. Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

import abc
import hashlib
import ipaddress
import ssl
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.x509lite import (
    DerError,
    chain_entry,
    read_certificate,
)

__all__ = [
    "NO_READER_NOTE",
    "CertificateReader",
    "ChainVerdict",
    "ServedChain",
    "StdlibCertificateReader",
    "fill_from_peercert",
    "hostname_matches",
    "new_certificate_info",
]

NO_READER_NOTE = (
    "certificate self-signed and chain-completeness details are read only when the probe runs "
    "inside Ansible's own process on the controller (delegate_to: localhost, without become, environment or "
    "async); where it ran they are null"
)

ChainVerdict = Tuple[Optional[bool], Optional[str]]


@dataclass(frozen=True)
class ServedChain:
    """What one endpoint served, and what the handshake made of it, for a reader to describe.

    Attributes:
        leaf_der: the server certificate (DER).
        chain: the served chain, leaf first, when it could be read.
        server_name: the name the certificate must cover.
        chain_valid: the handshake's (or offline) verdict on trust, None when not judged.
        chain_error: why the chain is not trusted.
        verified_peercert: ``ssl``'s ``getpeercert()`` after a verified handshake.
        anchors: DER subjects of the trust anchors (for chain completeness).
        now: the time certificates are judged at (None: now).
    """

    leaf_der: bytes
    chain: Optional[Sequence[bytes]]
    server_name: str
    chain_valid: Optional[bool]
    chain_error: Optional[str]
    verified_peercert: Optional[Dict[str, Any]] = None
    anchors: FrozenSet[bytes] = frozenset()
    now: Optional[datetime] = None


class CertificateReader(abc.ABC):
    """Reads served certificates for the probe; one instance serves a whole run (thread-safe)."""

    @abc.abstractmethod
    def anchor_subjects(self, ca_file: Optional[str], context: Optional[ssl.SSLContext]) -> FrozenSet[bytes]:
        """DER subjects of the self-signed trust anchors (``ca_file``, else those ``context`` loaded)."""

    @abc.abstractmethod
    def verify_offline(
        self, chain_der: Sequence[bytes], trusted_der: Sequence[bytes], *, now: Optional[datetime] = None
    ) -> ChainVerdict:
        """Path validation of a served chain without a handshake: ``(chain_valid, chain_error)``.

        For endpoints the local TLS library cannot handshake with (SSLv3 only), whose chain the
        probe still read from its own hello. ``(None, reason)`` when it cannot be decided.
        """

    @abc.abstractmethod
    def describe(self, served: ServedChain) -> Tuple[Dict[str, Any], List[str]]:
        """The ``certificate`` part of a probe result, and notes (hostname mismatch, degradations)."""


def _dns_matches(pattern: str, host: str) -> bool:
    """RFC 6125 matching: exact, or a wildcard as the whole left-most label (``*.example.com``)."""
    pattern = pattern.rstrip(".").lower()
    host = host.rstrip(".").lower()
    if pattern == host:
        return True
    if not pattern.startswith("*.") or "*" in pattern[2:]:
        return False
    suffix = pattern[1:]  # ".example.com"
    if suffix.count(".") < 2:  # no "*.com"
        return False
    return host.endswith(suffix) and "." not in host[: -len(suffix)] and len(host) > len(suffix)


def hostname_matches(server_name: str, dns_names: Sequence[str], ip_addresses: Sequence[str]) -> Tuple[bool, str]:
    """Whether ``server_name`` is covered by the SANs; the second item says why not."""
    candidate = server_name.strip("[]")
    try:
        wanted_ip = ipaddress.ip_address(candidate)
    except ValueError:
        wanted_ip = None
    if wanted_ip is not None:
        if any(ipaddress.ip_address(ip) == wanted_ip for ip in ip_addresses):
            return True, ""
        listed = ", ".join(ip_addresses) or "none"
        return False, f"{candidate} is not among the certificate's IP address SANs ({listed})"
    if not dns_names and not ip_addresses:
        return False, "the certificate has no subjectAltName (the subject CN is not used for matching)"
    if any(_dns_matches(name, candidate) for name in dns_names):
        return True, ""
    names = ", ".join(list(dns_names) + list(ip_addresses))
    return False, f"{candidate} does not match the certificate's names ({names})"


def new_certificate_info(
    leaf_der: bytes,
    served_chain: Optional[Sequence[bytes]],
    chain_valid: Optional[bool],
    chain_error: Optional[str],
) -> Dict[str, Any]:
    """Every field of ``CertificateInfo``: what the standard library reads filled (fingerprint, the
    chain's entries, the leaf's key, signature, OCSP responders and must-staple), the rest None."""
    info = {
        "subject": None,
        "issuer": None,
        "sans": [],
        "not_before": None,
        "not_after": None,
        "days_remaining": None,
        "hostname_valid": None,
        "chain_valid": chain_valid,
        "chain_error": chain_error,
        "self_signed": None,
        "key_type": None,
        "key_size": None,
        "curve": None,
        "signature_algorithm": None,
        "sha256_fingerprint": hashlib.sha256(leaf_der).hexdigest(),
        "intermediates_served": None,
        "chain_length": len(served_chain) if served_chain else None,
        "chain": [chain_entry(der) for der in (served_chain or [leaf_der])],
        "ocsp_urls": None,
        "must_staple": None,
    }
    try:
        facts = read_certificate(leaf_der)
    except DerError:
        return info
    info.update(
        {
            "key_type": facts.key_type,
            "key_size": facts.key_size,
            "curve": facts.curve,
            "signature_algorithm": facts.signature_algorithm,
            "ocsp_urls": list(facts.ocsp_urls),
            "must_staple": facts.must_staple,
        }
    )
    return info


def _names_from_peercert(peercert: Dict[str, Any], key: str) -> str:
    parts = []
    for rdn in peercert.get(key, ()):
        for attr, value in rdn:
            short = {"commonName": "CN", "organizationName": "O", "countryName": "C"}.get(attr, attr)
            parts.append(f"{short}={value}")
    return ",".join(reversed(parts))


def fill_from_peercert(
    info: Dict[str, Any], peercert: Dict[str, Any], server_name: str, now: datetime, notes: List[str]
) -> None:
    """Names and dates from ``ssl``'s ``getpeercert()`` (given only after a verified handshake)."""
    dns_names = [value for kind, value in peercert.get("subjectAltName", ()) if kind == "DNS"]
    # ssl spells IPv6 SANs in full (0:0:0:0:0:0:0:1); the compressed form is what a certificate reader reports
    ip_addresses = [
        str(ipaddress.ip_address(value.strip()))
        for kind, value in peercert.get("subjectAltName", ())
        if kind == "IP Address"
    ]
    hostname_ok, why = hostname_matches(server_name, dns_names, ip_addresses)
    if not hostname_ok:
        notes.append(f"hostname mismatch: {why}")
    info["subject"] = _names_from_peercert(peercert, "subject")
    info["issuer"] = _names_from_peercert(peercert, "issuer")
    info["sans"] = dns_names + ip_addresses
    info["hostname_valid"] = hostname_ok
    for key, field in (("notBefore", "not_before"), ("notAfter", "not_after")):
        if key in peercert:
            stamp = datetime.fromtimestamp(ssl.cert_time_to_seconds(peercert[key]), timezone.utc)
            info[field] = stamp.isoformat()
            if field == "not_after":
                info["days_remaining"] = int((stamp - now).total_seconds() // 86400)


class StdlibCertificateReader(CertificateReader):
    """What the standard library can tell: fingerprint and chain length, names and dates once verified."""

    def anchor_subjects(self, ca_file: Optional[str], context: Optional[ssl.SSLContext]) -> FrozenSet[bytes]:
        return frozenset()

    def verify_offline(
        self, chain_der: Sequence[bytes], trusted_der: Sequence[bytes], *, now: Optional[datetime] = None
    ) -> ChainVerdict:
        return None, "not verified: the local TLS library could not handshake and no certificate parser is available"

    def describe(self, served: ServedChain) -> Tuple[Dict[str, Any], List[str]]:
        info = new_certificate_info(served.leaf_der, served.chain, served.chain_valid, served.chain_error)
        notes = [NO_READER_NOTE]
        if served.verified_peercert:
            now = served.now or datetime.now(timezone.utc)
            fill_from_peercert(info, served.verified_peercert, served.server_name, now, notes)
        return info, notes
