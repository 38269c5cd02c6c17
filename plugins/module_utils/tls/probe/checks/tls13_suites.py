# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The TLS 1.3 suites an endpoint accepts (``tls13_ciphers``), the five RFC 8446 suites (CCM included).

One connection per suite, all at once: each hello offers that suite alone and no key share, so the
server answers with a HelloRetryRequest (no certificate, no signature) when it accepts the suite.
Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

import functools
from concurrent.futures import Future
from typing import List, Sequence

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.base import (
    Basics,
    BudgetExpired,
    Endpoint,
    EndpointReport,
    Job,
    Prior,
    ProbeCheck,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.ciphers import cipher_iana_name
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.enumeration import TLS13_SUITES, probe_tls13_suite
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import ConnectError

__all__ = ["Tls13CipherSuites"]


class Tls13CipherSuites(ProbeCheck):
    name = "tls13_cipher_suites"

    def connections(self) -> int:
        return len(TLS13_SUITES)

    def jobs(self, endpoint: Endpoint, prior: Prior) -> List[Job]:
        return [
            functools.partial(probe_tls13_suite, endpoint.address, endpoint.server_name, suite, endpoint.timeout)
            for suite in TLS13_SUITES
        ]

    def apply(self, endpoint: Endpoint, basics: Basics, answers: Sequence[Future], report: EndpointReport) -> None:
        accepted: List[str] = []
        for suite, future in zip(TLS13_SUITES, answers):
            try:
                if future.result():
                    accepted.append(cipher_iana_name(suite))
            except (ConnectError, BudgetExpired) as exc:
                report.notes.append(f"TLS 1.3 cipher enumeration failed: {exc}")
                return
        if not accepted and basics.versions["TLSv1.3"].accepted:
            report.notes.append("TLS 1.3 is accepted but no suite answered with a HelloRetryRequest")
            return
        report.result["tls13_ciphers"] = accepted
