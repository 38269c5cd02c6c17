# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The TLS 1.2 cipher suites an endpoint accepts (``tls12_ciphers``), enumerated by hand-built hellos.

The suites are split into buckets, each enumerated by its own chain of connections, so an
endpoint's wall time is about its longest chain. Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

import functools
from concurrent.futures import Future
from typing import List, Sequence

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.base import (
    Basics,
    Endpoint,
    EndpointReport,
    Job,
    ProbeCheck,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.ciphers import cipher_iana_name
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import (
    ConnectError,
    enumerate_bucket,
    enumeration_buckets,
)

__all__ = ["Tls12CipherSuites"]


class Tls12CipherSuites(ProbeCheck):
    name = "tls12_cipher_suites"

    def connections(self) -> int:
        return len(enumeration_buckets())

    def jobs(self, endpoint: Endpoint) -> List[Job]:
        address, server_name, timeout = endpoint.address, endpoint.target.server_name, endpoint.settings.timeout
        return [
            functools.partial(enumerate_bucket, address, server_name, bucket, timeout)
            for bucket in enumeration_buckets()
        ]

    def apply(self, endpoint: Endpoint, basics: Basics, answers: Sequence[Future], report: EndpointReport) -> None:
        try:
            codes = [code for future in answers for code in future.result()]
        except ConnectError as exc:
            report.notes.append(f"TLS 1.2 cipher enumeration failed: {exc}")
            return
        report.result["tls12_ciphers"] = [cipher_iana_name(code) for code in codes]
