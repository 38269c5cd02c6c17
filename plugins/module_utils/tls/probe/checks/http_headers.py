# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HSTS and Server headers of ``GET /`` over TLS (``hsts``, ``server_header``).

The request rides on the real handshake's connection, so this check opens none of its own.
Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Sequence

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.base import (
    Basics,
    Endpoint,
    EndpointReport,
    ProbeCheck,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.http import (
    hsts_result,
    server_header_has_version,
)

__all__ = ["HttpHeaders"]


class HttpHeaders(ProbeCheck):
    name = "http_headers"

    def apply(self, endpoint: Endpoint, basics: Basics, answers: Sequence[Future], report: EndpointReport) -> None:
        if not endpoint.settings.http_checks:
            return
        handshake = basics.handshake
        head = handshake.http
        if head is not None:
            report.result["hsts"] = hsts_result(head)
            server = head.header("Server")
            report.result["server_header"] = server
            report.result["server_header_has_version"] = server_header_has_version(server)
        elif handshake.http_error:
            report.notes.append(f"HTTPS GET /: {handshake.http_error}")
