# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every key exchange group an endpoint accepts: with TLS 1.3 (``key_exchange.groups_tls13``: elliptic
curves, ffdhe, ML-KEM hybrids) and for ECDHE with TLS 1.2 (``key_exchange.groups_tls12``).

TLS 1.3 groups are read from HelloRetryRequests (hellos without a key share), which cost the server
no signature; TLS 1.2 curves from ServerKeyExchange messages. Both are split in buckets, one chain
of connections each, all chains at once. Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

import functools
from concurrent.futures import Future
from typing import List, Mapping, Optional, Sequence

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.base import (
    Basics,
    BudgetExpired,
    Endpoint,
    EndpointReport,
    Job,
    Prior,
    ProbeCheck,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.ciphers import GROUPS
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.enumeration import (
    TLS12_GROUP_BUCKETS,
    TLS13_GROUP_BUCKETS,
    enumerate_tls12_groups,
    enumerate_tls13_groups,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import ConnectError, VersionResult
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.x509lite import DerError, read_certificate

__all__ = ["KeyExchangeGroups"]


def _collect(answers: Sequence[Future], label: str, notes: List[str]) -> Optional[List[str]]:
    found: List[str] = []
    try:
        for future in answers:
            found.extend(future.result())
    except (ConnectError, BudgetExpired) as exc:
        notes.append(f"{label} group enumeration failed: {exc}")
        return None
    return found


def _certificate_curve(versions: Mapping[str, VersionResult]) -> Optional[int]:
    """The curve of the TLS 1.2 certificate when it is an EC key (None for RSA and others)."""
    flight = versions["TLSv1.2"].flight
    if flight is None or not flight.certificates:
        return None
    try:
        curve = read_certificate(flight.certificates[0]).curve
    except DerError:
        return None
    return next((code for code, group in GROUPS.items() if group == curve), None)


def _tls12_job(endpoint: Endpoint, prior: Prior, bucket: Sequence[int]) -> List[str]:
    """Waits for the version probes: no chain at all when TLS 1.2 is refused, and the certificate's curve
    kept in every hello of an ECDSA server (RFC 8422 5.1) - none for an RSA one, whose last round is then a
    cheap refusal instead of a signed flight."""
    versions = prior.versions()
    if not versions["TLSv1.2"].accepted:
        return []
    curve = _certificate_curve(versions)
    anchors = [curve] if curve is not None else []
    return enumerate_tls12_groups(endpoint.address, endpoint.server_name, bucket, endpoint.timeout, anchors)


class KeyExchangeGroups(ProbeCheck):
    name = "key_exchange_groups"

    def connections(self) -> int:
        return len(TLS13_GROUP_BUCKETS) + len(TLS12_GROUP_BUCKETS)

    def jobs(self, endpoint: Endpoint, prior: Prior) -> List[Job]:
        address, name, clock = endpoint.address, endpoint.server_name, endpoint.timeout
        tls13 = [
            functools.partial(enumerate_tls13_groups, address, name, bucket, clock) for bucket in TLS13_GROUP_BUCKETS
        ]
        tls12 = [functools.partial(_tls12_job, endpoint, prior, bucket) for bucket in TLS12_GROUP_BUCKETS]
        return tls13 + tls12

    def apply(self, endpoint: Endpoint, basics: Basics, answers: Sequence[Future], report: EndpointReport) -> None:
        kex = report.result["key_exchange"]
        split = len(TLS13_GROUP_BUCKETS)
        kex["groups_tls13"] = _collect(answers[:split], "TLS 1.3", report.notes)
        kex["groups_tls12"] = _collect(answers[split:], "TLS 1.2", report.notes)
