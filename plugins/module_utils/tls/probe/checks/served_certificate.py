# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The certificate an endpoint serves (``certificate``), read by the run's certificate reader.

The chain comes from the probe's own cleartext (TLS <= 1.2) Certificate message when it has one,
else from ``ssl``. An endpoint the local TLS library could not handshake with has its chain
verified offline by the reader. Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Mapping, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.certinfo import ServedChain
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.base import (
    Basics,
    Endpoint,
    EndpointReport,
    ProbeCheck,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.handshake import HandshakeResult
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import VersionResult

__all__ = ["ServedCertificate", "served_chain"]


def served_chain(versions: Mapping[str, VersionResult], handshake: HandshakeResult) -> Optional[Tuple[bytes, ...]]:
    """The chain from our own cleartext (TLS <= 1.2) Certificate message, else from ``ssl`` when it has it."""
    for name in ("TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3"):
        flight = versions[name].flight
        usable = versions[name].accepted and flight is not None and flight.certificates
        if usable and (handshake.leaf_der is None or flight.certificates[0] == handshake.leaf_der):
            return flight.certificates
    return handshake.chain_der


class ServedCertificate(ProbeCheck):
    name = "certificate"

    def apply(self, endpoint: Endpoint, basics: Basics, answers: Sequence[Future], report: EndpointReport) -> None:
        settings, handshake = endpoint.settings, basics.handshake
        chain = served_chain(basics.versions, handshake)
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
        if chain is None:
            report.notes.append("the served chain could not be read (TLS 1.3 only, and no chain API in this Python)")
