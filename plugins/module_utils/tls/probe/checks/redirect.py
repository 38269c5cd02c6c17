# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plain-HTTP answer on the endpoint's HTTP port (``redirect``): does it send clients to https?

Port 80 is another service than the TLS port, so its answer is kept even when the TLS side gave
none. Runs on targets (Python 3.8+, standard library only).
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
    Prior,
    ProbeCheck,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.http import check_redirect, redirect_result

__all__ = ["PlainHttpRedirect"]


class PlainHttpRedirect(ProbeCheck):
    name = "redirect"
    after_error = True

    def connections(self) -> int:
        return 1

    def jobs(self, endpoint: Endpoint, prior: Prior) -> List[Job]:
        settings = endpoint.settings
        if not settings.http_checks:
            return []
        http_port = endpoint.target.http_port or settings.http_port
        return [
            functools.partial(
                check_redirect, endpoint.address, endpoint.target.server_name, http_port, settings.timeout
            )
        ]

    def apply(self, endpoint: Endpoint, basics: Basics, answers: Sequence[Future], report: EndpointReport) -> None:
        report.result["redirect"] = answers[0].result() if answers else redirect_result(checked=False)
