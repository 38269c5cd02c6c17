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
    "CertificateInfo",
    "HstsInfo",
    "NegotiatedInfo",
    "ProbeResult",
    "ProtocolSupport",
    "RedirectInfo",
    "empty_probe_result",
]

PROBE_SCHEMA_VERSION = 1

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
    certificate: Optional[CertificateInfo]
    hsts: Optional[HstsInfo]
    redirect: Optional[RedirectInfo]
    server_header: Optional[str]
    server_header_has_version: Optional[bool]
    findings: Dict[str, Dict[str, Any]]  # filled by the compliance controls, never by the probe


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
        "certificate": None,
        "hsts": None,
        "redirect": None,
        "server_header": None,
        "server_header_has_version": None,
        "findings": {},
    }
