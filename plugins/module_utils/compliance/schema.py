# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shapes exchanged between the host checks, the controls and the reports.

The probe's own result (``ProbeResult``) lives with the probe, in ``tls/probe/result.py``:
:func:`.endpoint.evaluate_endpoint` reads it. ``HostFacts`` is what :func:`.host.evaluate_host`
reads. ``HostResults`` is what the compliance role stores per host (in the hostvar
``webedge_https_compliance`` by default) and what the ``compliance_report`` action reads.

Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.result import ProbeResult

__all__ = [
    "CertificateFileFact",
    "CertificateFingerprints",
    "CertificatesOnDiskFact",
    "ConfigTestFact",
    "ExposureFact",
    "FindingDict",
    "FirewallFact",
    "HostFacts",
    "HostResults",
    "ListeningFact",
    "PrivateKeyFact",
]


class FindingDict(TypedDict):
    """A :class:`.finding.Finding` as plain data."""

    control: str
    status: str  # pass | fail | error | skip
    severity: str  # critical | high | medium | low | info
    message: str
    target: str
    observed: Any
    expected: Any


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


class CertificateFileFact(TypedDict, total=False):
    path: str
    pem: Optional[str]  # the file's content (public certificates); None when it could not be read
    missing: bool


class CertificatesOnDiskFact(TypedDict, total=False):
    """Every certificate file the web server configuration names (HOST-06)."""

    min_days_valid: int  # the compliance role's compliance_min_days_valid (default 30)
    files: List[CertificateFileFact]


class ExposureFact(TypedDict, total=False):
    """HOST-07: the result of ``exposure_info`` run with the allow-list (only these keys are read)."""

    exposed: List[Dict[str, Any]]  # {port, protocol, families, owners, reasons}
    unknown: List[Dict[str, Any]]  # as exposed, reasons say why
    allowed: Optional[List[str]]  # the allow-list as exposure_info understood it ("443", "53/udp")
    unexpected: List[Dict[str, Any]]  # the exposed entries the allow-list does not cover
    msg: str  # why it failed, when it did


class HostFacts(TypedDict, total=False):
    """Input of ``evaluate_host``; a missing key makes its control ``skip``."""

    listening: ListeningFact
    firewall: FirewallFact
    private_key: PrivateKeyFact
    config_test: ConfigTestFact
    certificate: CertificateFingerprints
    certificates_on_disk: CertificatesOnDiskFact
    exposure: ExposureFact


class HostResults(TypedDict, total=False):
    """What the compliance role stores for one host, read by ``compliance_report``."""

    profile: str  # "intermediate"
    profile_version: str  # "5.7"
    controls: Dict[str, FindingDict]  # host controls (HOST-*)
    endpoints: List[ProbeResult]  # each with its "findings"
