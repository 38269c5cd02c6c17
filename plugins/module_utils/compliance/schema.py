# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shapes exchanged between the TLS probe, the host checks, the controls and the reports.

``ProbeResult`` is the contract between ``tls_probe`` (which fills everything but
``findings``) and :func:`..controls.evaluate_endpoint` (which reads it). ``HostFacts`` is
what :func:`..controls.evaluate_host` reads. ``HostResults`` is what the compliance role
stores per host (in the hostvar ``webedge_https_compliance`` by default) and what the
``compliance_report`` action reads.

Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict

__all__ = [
    "PROBE_PROTOCOLS",
    "PROBE_SCHEMA_VERSION",
    "CertificateInfo",
    "ConfigTestFact",
    "FindingDict",
    "FirewallFact",
    "HostFacts",
    "HostResults",
    "HstsInfo",
    "ListeningFact",
    "NegotiatedInfo",
    "PrivateKeyFact",
    "ProbeResult",
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
    ``not_before``/``not_after`` are ISO 8601 in UTC.
    """

    subject: str
    issuer: str
    sans: List[str]
    not_before: str
    not_after: str
    days_remaining: int
    hostname_valid: bool
    chain_valid: bool
    chain_error: Optional[str]
    self_signed: bool
    key_type: str  # "RSA" | "EC" | "Ed25519"
    key_size: int
    curve: Optional[str]  # "secp256r1" ...
    signature_algorithm: str  # "sha256WithRSAEncryption"
    sha256_fingerprint: str  # hex, lower case, no colons
    intermediates_served: bool
    chain_length: int


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


class FindingDict(TypedDict):
    """A :class:`..controls.Finding` as plain data."""

    control: str
    status: str  # pass | fail | error | skip
    severity: str  # critical | high | medium | low | info
    message: str
    target: str
    observed: Any
    expected: Any


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
    findings: Dict[str, FindingDict]  # filled by evaluate_endpoint


class ListeningFact(TypedDict, total=False):
    port: int
    listening: bool
    process: Optional[str]  # process name owning the socket
    expected_process: Optional[str]  # None = any process will do
    addresses: List[str]


class FirewallFact(TypedDict, total=False):
    backend: str  # nftables | iptables | firewalld | ufw | windows
    port: int
    verdict: Optional[str]  # accept | drop | reject | unknown
    detail: Optional[str]


class PrivateKeyFact(TypedDict, total=False):
    """A key file on Linux (``mode``), or on Windows the key of a certificate (``acl``: access rules decide)."""

    path: str  # the key file; on Windows the certificate, Cert:\LocalMachine\My\<thumbprint>
    mode: Any  # "0600" (octal string) or int
    owner: Any  # Linux: user name; Windows: {"sid", "principal"}
    group: Optional[str]
    file: Optional[str]  # Windows: the key file under ProgramData\Microsoft\Crypto
    acl: Optional[List[Dict[str, Any]]]  # Windows: {"sid", "principal", "type", "rights", "inherit_only"}
    error: Optional[str]  # Windows: why the access rules could not be read
    allowed: List[str]  # Windows: principals (names or SIDs) allowed besides the built-in ones
    administrators: Optional[List[str]]  # Windows: SIDs of the direct members of Administrators


class ConfigTestFact(TypedDict, total=False):
    command: str  # "nginx -t"
    rc: Optional[int]
    output: str


class CertificateFingerprints(TypedDict, total=False):
    path: str
    on_disk: Optional[str]  # sha256 hex of the certificate file's leaf
    served: Optional[str]  # sha256 hex of what the endpoint served


class HostFacts(TypedDict, total=False):
    """Input of ``evaluate_host``; a missing key makes its control ``skip``."""

    listening: ListeningFact
    firewall: FirewallFact
    private_key: PrivateKeyFact
    config_test: ConfigTestFact
    certificate: CertificateFingerprints


class HostResults(TypedDict, total=False):
    """What the compliance role stores for one host, read by ``compliance_report``."""

    profile: str  # "intermediate"
    profile_version: str  # "5.7"
    controls: Dict[str, FindingDict]  # host controls (HOST-*)
    endpoints: List[ProbeResult]  # each with its "findings"


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
