# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The certificate an endpoint serves (``certificate``), read by the run's certificate reader.

The chain comes from the probe's own cleartext (TLS <= 1.2) Certificate message when it has one;
for a TLS 1.3-only server, from the probe's own reading of the encrypted flight (``tls13reader``,
which also gives the stapled OCSP response, ``ocsp``), else from ``ssl``. An endpoint the local TLS
library could not handshake with has its chain verified offline by the reader. Runs on targets
(Python 3.8+, standard library only).
"""

from __future__ import annotations

import functools
from concurrent.futures import Future
from typing import List, Mapping, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.certinfo import ServedChain
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.base import (
    Basics,
    BudgetExpired,
    Endpoint,
    EndpointReport,
    Job,
    Prior,
    ProbeCheck,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.handshake import HandshakeResult
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import ConnectError, VersionResult
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.tls13reader import (
    Tls13Flight,
    read_tls13_certificate,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.x509lite import ocsp_status

__all__ = ["ServedCertificate", "served_chain"]


_LEGACY = ("TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3")


def served_chain(
    versions: Mapping[str, VersionResult], handshake: HandshakeResult, tls13: Optional[Tls13Flight] = None
) -> Optional[Tuple[bytes, ...]]:
    """The chain from our own cleartext (TLS <= 1.2) Certificate message, else from our reading of the
    TLS 1.3 flight, else from ``ssl`` when it has it."""
    for name in _LEGACY:
        flight = versions[name].flight
        usable = versions[name].accepted and flight is not None and flight.certificates
        if usable and (handshake.leaf_der is None or flight.certificates[0] == handshake.leaf_der):
            return flight.certificates
    if tls13 is not None and tls13.chain and (handshake.leaf_der is None or tls13.chain[0] == handshake.leaf_der):
        return tls13.chain
    return handshake.chain_der


def _tls13_job(endpoint: Endpoint, prior: Prior) -> Optional[Tls13Flight]:
    """Only for a server that speaks TLS 1.3 alone: its chain and staple travel encrypted."""
    versions = prior.versions()
    if any(versions[name].accepted for name in _LEGACY) or not versions["TLSv1.3"].accepted:
        return None
    return read_tls13_certificate(endpoint.address, endpoint.server_name, endpoint.timeout())


class ServedCertificate(ProbeCheck):
    name = "certificate"

    def connections(self) -> int:
        return 1

    def jobs(self, endpoint: Endpoint, prior: Prior) -> List[Job]:
        return [functools.partial(_tls13_job, endpoint, prior)]

    def apply(self, endpoint: Endpoint, basics: Basics, answers: Sequence[Future], report: EndpointReport) -> None:
        settings, handshake = endpoint.settings, basics.handshake
        tls13 = self._tls13(answers, report)
        chain = served_chain(basics.versions, handshake, tls13)
        leaf = handshake.leaf_der or (chain[0] if chain else None)
        if not leaf:
            return
        chain_valid, chain_error = handshake.chain_valid, handshake.chain_error
        if chain_valid is None and chain and settings.contexts is not None:
            # the local TLS library could not handshake (an SSLv3-only endpoint): judge the chain our hello read
            offline = settings.reader.verify_offline(chain, settings.contexts.verify.get_ca_certs(binary_form=True))
            if offline[0] is not None:
                chain_valid, chain_error = offline
        cert, notes = settings.reader.describe(
            ServedChain(
                leaf,
                chain,
                endpoint.target.server_name,
                chain_valid,
                chain_error,
                verified_peercert=handshake.verified_peercert,
                anchors=settings.anchors,
                now=endpoint.now,
            )
        )
        report.result["certificate"] = cert
        report.notes.extend(notes)
        if tls13 is not None and tls13.chain is not None:
            staple = tls13.ocsp_response
            status, cert_status = ocsp_status(staple) if staple else (None, None)
            report.result["ocsp"] = {
                "stapled": staple is not None,
                "response_status": status,
                "cert_status": cert_status,
            }
        if chain is None:
            report.notes.append("the served chain could not be read (TLS 1.3 only, and no chain API in this Python)")

    @staticmethod
    def _tls13(answers: Sequence[Future], report: EndpointReport) -> Optional[Tls13Flight]:
        if not answers:
            return None
        try:
            flight = answers[0].result()
        except (ConnectError, BudgetExpired) as exc:
            report.notes.append(f"the TLS 1.3 certificate flight could not be read: {exc}")
            return None
        if flight is not None and flight.chain is None:
            report.notes.append(f"the TLS 1.3 certificate flight could not be read: {flight.reason}")
        return flight
