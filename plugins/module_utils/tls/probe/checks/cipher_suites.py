# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The suites an endpoint accepts with TLS 1.2 (``tls12_ciphers``) and with each older version it
accepts (``legacy_ciphers``), the key exchange each accepted suite used (``key_exchange``:
``suite_groups``, ``dh_bits``, ``ecdh_bits``) and whether the server imposes its order
(``key_exchange.server_order``).

The suites are split into buckets, each enumerated by its own chain of connections, so an
endpoint's wall time is about its longest chain. The TLS 1.2 chains start at once; the older
versions' chains wait for the version probes and run only for a version the server accepts.
Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Dict, List, Optional, Sequence

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.base import (
    Basics,
    BudgetExpired,
    Endpoint,
    EndpointReport,
    Job,
    Prior,
    ProbeCheck,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.ciphers import cipher_iana_name, group_bits
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.enumeration import (
    SuiteEnumeration,
    enumerate_suites,
    suite_buckets,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import ConnectError

__all__ = ["LEGACY_VERSIONS", "CipherSuites"]

LEGACY_VERSIONS = ("TLSv1.1", "TLSv1", "SSLv3")


def _tls12_job(endpoint: Endpoint, bucket: List[int]) -> Job:
    def run() -> List[Optional[SuiteEnumeration]]:
        return [enumerate_suites(endpoint.address, endpoint.server_name, "TLSv1.2", bucket, endpoint.timeout)]

    return run


def _legacy_job(endpoint: Endpoint, prior: Prior, version: str) -> Job:
    """A version below TLS 1.2: waits for the version probes, then its buckets one after the other
    (rare, so its chains need no threads of their own)."""

    def run() -> List[Optional[SuiteEnumeration]]:
        if not prior.versions()[version].accepted:
            return [None]
        return [
            enumerate_suites(endpoint.address, endpoint.server_name, version, bucket, endpoint.timeout)
            for bucket in suite_buckets(version)
        ]

    return run


def _versions() -> List[str]:
    return ["TLSv1.2", *LEGACY_VERSIONS]


class CipherSuites(ProbeCheck):
    name = "cipher_suites"

    def connections(self) -> int:
        return len(suite_buckets("TLSv1.2")) + len(LEGACY_VERSIONS)

    def jobs(self, endpoint: Endpoint, prior: Prior) -> List[Job]:
        tls12 = [_tls12_job(endpoint, bucket) for bucket in suite_buckets("TLSv1.2")]
        return tls12 + [_legacy_job(endpoint, prior, version) for version in LEGACY_VERSIONS]

    def apply(self, endpoint: Endpoint, basics: Basics, answers: Sequence[Future], report: EndpointReport) -> None:
        result = report.result
        kex = result["key_exchange"]
        pending = list(answers)
        orders: List[bool] = []
        for version in _versions():
            futures = (
                [pending.pop(0) for _bucket in suite_buckets(version)] if version == "TLSv1.2" else [pending.pop(0)]
            )
            try:
                found = [item for future in futures for item in future.result()]
            except (ConnectError, BudgetExpired) as exc:
                label = "TLS 1.2" if version == "TLSv1.2" else version
                report.notes.append(f"{label} cipher enumeration failed: {exc}")
                if version != "TLSv1.2":
                    result["legacy_ciphers"][version] = None
                continue
            if version != "TLSv1.2" and all(item is None for item in found):
                continue  # the version is refused: nothing to enumerate
            names: List[str] = []
            for enumeration in found:
                if enumeration is None:
                    continue
                if enumeration.server_order is not None:
                    orders.append(enumeration.server_order)
                for choice in enumeration.choices:
                    name = cipher_iana_name(choice.code)
                    names.append(name)
                    if choice.kex:
                        kex["suite_groups"].setdefault(name, choice.kex)
            if version == "TLSv1.2":
                result["tls12_ciphers"] = names
            else:
                result["legacy_ciphers"][version] = names
        if orders:
            kex["server_order"] = orders[0]
        _sizes(kex, result)


def _sizes(kex: Dict, result: Dict) -> None:
    """``dh_bits``/``ecdh_bits``: the smallest DH prime and ECDHE group over the accepted suites
    (TLS 1.3's default group counts for ECDHE too)."""
    groups = list(kex["suite_groups"].values())
    negotiated = result["negotiated"]
    if negotiated.get("version") == "TLSv1.3" and negotiated.get("group"):
        groups.append(str(negotiated["group"]))
    dh = [_dh_bits(value) for value in groups if value.startswith(("DH-", "ffdhe"))]
    sizes = [group_bits(value) for value in groups if not value.startswith(("DH-", "ffdhe"))]
    kex["dh_bits"] = min(dh) if dh else None
    known = [bits for bits in sizes if bits]
    kex["ecdh_bits"] = min(known) if known else None


def _dh_bits(value: str) -> int:
    return int(value[3:]) if value.startswith("DH-") else int(group_bits(value) or 0)
