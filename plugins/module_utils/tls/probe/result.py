# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the probe measures about one endpoint: the ``ProbeResult`` shape, owned by the probe.

``tls_probe`` fills every key but ``findings``; the compliance controls read it and fill
``findings`` (the probe never judges). Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict

__all__ = [
    "PROBE_PROTOCOLS",
    "PROBE_SCHEMA_VERSION",
    "VULNERABILITY_KEYS",
    "CertificateInfo",
    "ChainEntry",
    "HstsInfo",
    "KeyExchangeInfo",
    "NegotiatedInfo",
    "OcspInfo",
    "Outcome",
    "ProbeResult",
    "ProtocolSupport",
    "RedirectInfo",
    "empty_probe_result",
    "not_checked",
]

PROBE_SCHEMA_VERSION = 2

# Keys of ``ProbeResult["protocols"]``: True = accepted, False = refused, None = could not be determined.
PROBE_PROTOCOLS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")

# The keys contain dots, so this one uses the functional form.
ProtocolSupport = TypedDict(
    "ProtocolSupport",
    {
        "SSLv2": Optional[bool],
        "SSLv3": Optional[bool],
        "TLSv1": Optional[bool],
        "TLSv1.1": Optional[bool],
        "TLSv1.2": Optional[bool],
        "TLSv1.3": Optional[bool],
    },
)


class NegotiatedInfo(TypedDict):
    """What a default handshake negotiated."""

    version: Optional[str]  # "TLSv1.3"
    cipher: Optional[str]  # IANA name, "TLS_AES_256_GCM_SHA384"
    cipher_openssl: Optional[str]  # OpenSSL name
    group: Optional[str]  # "x25519", None when not known


class ChainEntry(TypedDict):
    """One certificate of the served chain (leaf first); what the reader could not read is None."""

    subject: Optional[str]
    issuer: Optional[str]
    key_type: Optional[str]  # "RSA" | "EC" | "Ed25519" | "DSA"
    key_size: Optional[int]
    curve: Optional[str]
    signature_algorithm: Optional[str]
    self_signed: Optional[bool]
    sha256_fingerprint: str


class CertificateInfo(TypedDict):
    """The leaf certificate served, and what the probe made of the chain.

    ``intermediates_served`` is True when the served chain holds every certificate needed
    between the leaf and a trust anchor (also when the leaf is issued by the anchor itself).
    ``not_before``/``not_after`` are ISO 8601 in UTC. Where no certificate reader ran (see
    ``certinfo``), the fields it fills are None.
    """

    subject: Optional[str]
    issuer: Optional[str]
    sans: List[str]
    not_before: Optional[str]
    not_after: Optional[str]
    days_remaining: Optional[int]
    hostname_valid: Optional[bool]
    chain_valid: Optional[bool]
    chain_error: Optional[str]
    self_signed: Optional[bool]
    key_type: Optional[str]  # "RSA" | "EC" | "Ed25519"
    key_size: Optional[int]
    curve: Optional[str]  # "secp256r1" ...
    signature_algorithm: Optional[str]  # "sha256WithRSAEncryption"
    sha256_fingerprint: str  # hex, lower case, no colons
    intermediates_served: Optional[bool]
    chain_length: Optional[int]
    chain: List[ChainEntry]  # every served certificate, leaf first
    ocsp_urls: Optional[List[str]]  # the leaf's OCSP responders (AIA); None when not read
    must_staple: Optional[bool]  # the leaf carries the TLS Feature extension (status_request)


class HstsInfo(TypedDict):
    present: bool
    max_age: Optional[int]
    include_subdomains: bool
    preload: bool
    raw: Optional[str]


class RedirectInfo(TypedDict):
    """The answer of ``http://host/`` (port 80)."""

    checked: bool
    status: Optional[int]
    location: Optional[str]
    to_https_same_host: Optional[bool]
    error: Optional[str]


class KeyExchangeInfo(TypedDict):
    """Key exchange: every group accepted, what each accepted suite used, and suite order.

    Group names are the IANA registry's (``x25519``, ``secp256r1``, ``ffdhe2048``, ``X25519MLKEM768``).
    """

    groups_tls13: Optional[List[str]]  # accepted with TLS 1.3 ([] TLS 1.3 refused; None not enumerated)
    groups_tls12: Optional[List[str]]  # accepted for ECDHE with TLS 1.2
    suite_groups: Dict[str, str]  # accepted suite (<= TLS 1.2, IANA) -> its ServerKeyExchange group ("DH-2048")
    dh_bits: Optional[int]  # smallest DH prime over the accepted DHE suites; None when none is accepted
    ecdh_bits: Optional[int]  # smallest ECDHE group picked by default (x25519 = 256)
    server_order: Optional[bool]  # True: the server imposes its suite order (<= TLS 1.2)


class OcspInfo(TypedDict):
    stapled: Optional[bool]  # an OCSP response was stapled (asked with TLS <= 1.2); None: not asked
    response_status: Optional[str]  # "successful", "tryLater", ... of the stapled response
    cert_status: Optional[str]  # "good" | "revoked" | "unknown" when the response could be read


class Outcome(TypedDict):
    """One vulnerability or feature question: ``applicable`` False -> not applicable here; ``value``
    None (when applicable) -> could not be determined, ``reason`` says why."""

    applicable: bool
    value: Any
    reason: str


# Keys of ``ProbeResult["vulnerabilities"]`` and the meaning of their ``value``.
VULNERABILITY_KEYS = (
    "heartbleed",  # bool: vulnerable
    "ccs_injection",  # bool: vulnerable
    "robot",  # "strong_oracle" | "weak_oracle" | "no_oracle"
    "secure_renegotiation",  # bool: RFC 5746 supported
    "client_renegotiation",  # bool: a client-initiated renegotiation was accepted
    "compression",  # bool: TLS compression selected
    "fallback_scsv",  # bool: TLS_FALLBACK_SCSV honoured
    "extended_master_secret",  # bool: RFC 7627 supported
    "session_resumption_ids",  # bool: a session was resumed by its id
    "session_resumption_tickets",  # bool: a session was resumed by a ticket
)


class ProbeResult(TypedDict):
    """One ``tls_probe`` result for one ``host:port`` (``error`` set when nothing could be probed)."""

    target: str  # "host:port"
    host: str
    port: int
    server_name: str
    error: Optional[str]
    protocols: ProtocolSupport
    negotiated: NegotiatedInfo
    tls12_ciphers: Optional[List[str]]  # IANA names accepted with TLS 1.2; None = not enumerated
    tls13_ciphers: Optional[List[str]]  # IANA names accepted with TLS 1.3; [] = TLS 1.3 refused
    legacy_ciphers: Dict[str, Optional[List[str]]]  # accepted version below TLS 1.2 -> its suites
    key_exchange: KeyExchangeInfo
    ocsp: OcspInfo
    vulnerabilities: Dict[str, Outcome]  # VULNERABILITY_KEYS
    certificate: Optional[CertificateInfo]
    hsts: Optional[HstsInfo]
    redirect: Optional[RedirectInfo]
    server_header: Optional[str]
    server_header_has_version: Optional[bool]
    findings: Dict[str, Dict[str, Any]]  # filled by the compliance controls, never by the probe
    grade: Optional[Dict[str, Any]]  # SSL Labs-style grade, filled by the compliance side


def not_checked(reason: str) -> Dict[str, Any]:
    """An :class:`Outcome` that could not be determined."""
    return {"applicable": True, "value": None, "reason": reason}


def empty_probe_result(host: str, port: int, server_name: Optional[str] = None, error: Optional[str] = None) -> Dict:
    """A ``ProbeResult`` with every field present and nothing known (what a failed probe returns)."""
    return {
        "target": f"{host}:{port}",
        "host": host,
        "port": port,
        "server_name": server_name or host,
        "error": error,
        "protocols": {name: None for name in PROBE_PROTOCOLS},
        "negotiated": {"version": None, "cipher": None, "cipher_openssl": None, "group": None},
        "tls12_ciphers": None,
        "tls13_ciphers": None,
        "legacy_ciphers": {},
        "key_exchange": {
            "groups_tls13": None,
            "groups_tls12": None,
            "suite_groups": {},
            "dh_bits": None,
            "ecdh_bits": None,
            "server_order": None,
        },
        "ocsp": {"stapled": None, "response_status": None, "cert_status": None},
        "vulnerabilities": {key: not_checked("not probed") for key in VULNERABILITY_KEYS},
        "certificate": None,
        "hsts": None,
        "redirect": None,
        "server_header": None,
        "server_header_has_version": None,
        "findings": {},
        "grade": None,
    }
