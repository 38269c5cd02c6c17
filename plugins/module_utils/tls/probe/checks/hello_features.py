# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the version probes' ServerHellos already answer, without a connection of their own:
secure renegotiation (RFC 5746), extended master secret (RFC 7627), TLS compression, and the
stapled OCSP response (``vulnerabilities``, ``ocsp``).

Each is read from the hello of the highest version below TLS 1.3 the server accepts (TLS 1.3 has
none of these questions). Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any, Dict, Mapping, Optional, Sequence

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.base import (
    Basics,
    Endpoint,
    EndpointReport,
    ProbeCheck,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import VersionResult
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.records import (
    EXT_EXTENDED_MASTER_SECRET,
    EXT_RENEGOTIATION_INFO,
    ServerHello,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.x509lite import ocsp_status

__all__ = ["LEGACY_ORDER", "HelloFeatures", "highest_legacy", "outcome"]

# Below TLS 1.3, highest first.
LEGACY_ORDER = ("TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3")


def outcome(value: Any, reason: str, *, applicable: bool = True) -> Dict[str, Any]:
    """One ``vulnerabilities`` entry (``result.Outcome``)."""
    return {"applicable": applicable, "value": value, "reason": reason}


def highest_legacy(versions: Mapping[str, VersionResult], *, tls_only: bool = False) -> Optional[VersionResult]:
    """The answer of the highest version below TLS 1.3 the server accepted with a ServerHello."""
    for name in LEGACY_ORDER:
        if tls_only and name == "SSLv3":
            continue
        answer = versions[name]
        if answer.accepted and answer.flight is not None and answer.flight.server_hello is not None:
            return answer
    return None


def _not_applicable(versions: Mapping[str, VersionResult], what: str) -> Dict[str, Any]:
    if versions["TLSv1.3"].accepted:
        return outcome(None, f"TLS 1.3 only: {what} does not exist in TLS 1.3", applicable=False)
    return outcome(None, f"not checked: no version below TLS 1.3 answered with a ServerHello ({what})")


class HelloFeatures(ProbeCheck):
    name = "hello_features"

    def apply(self, endpoint: Endpoint, basics: Basics, answers: Sequence[Future], report: EndpointReport) -> None:
        result = report.result
        vulns = result["vulnerabilities"]
        best = highest_legacy(basics.versions)
        if best is None:
            for key, what in (
                ("secure_renegotiation", "renegotiation"),
                ("extended_master_secret", "the extended master secret"),
                ("compression", "compression"),
            ):
                vulns[key] = _not_applicable(basics.versions, what)
            return
        hello: ServerHello = best.flight.server_hello  # type: ignore[union-attr]
        label = best.version
        reneg = hello.has_extension(EXT_RENEGOTIATION_INFO)
        vulns["secure_renegotiation"] = outcome(
            reneg,
            f"{label} ServerHello {'has' if reneg else 'lacks'} renegotiation_info in answer to the SCSV",
        )
        tls = highest_legacy(basics.versions, tls_only=True)
        if tls is None:
            vulns["extended_master_secret"] = outcome(None, "SSLv3 only: no extensions", applicable=False)
        else:
            ems = tls.flight.server_hello.has_extension(EXT_EXTENDED_MASTER_SECRET)  # type: ignore[union-attr]
            vulns["extended_master_secret"] = outcome(
                ems, f"{tls.version} ServerHello {'has' if ems else 'lacks'} extended_master_secret"
            )
        compressed = [
            name
            for name in LEGACY_ORDER
            if basics.versions[name].accepted
            and basics.versions[name].flight is not None
            and basics.versions[name].flight.server_hello is not None  # type: ignore[union-attr]
            and basics.versions[name].flight.server_hello.compression != 0  # type: ignore[union-attr]
        ]
        vulns["compression"] = outcome(
            bool(compressed),
            f"DEFLATE selected with {', '.join(compressed)}" if compressed else f"no compression selected ({label})",
        )
        self._ocsp(best, result)

    @staticmethod
    def _ocsp(best: VersionResult, result: Dict[str, Any]) -> None:
        flight = best.flight
        if flight is None or not flight.complete:
            return
        staple = flight.ocsp_response
        response_status, cert_status = ocsp_status(staple) if staple else (None, None)
        result["ocsp"] = {"stapled": staple is not None, "response_status": response_status, "cert_status": cert_status}
