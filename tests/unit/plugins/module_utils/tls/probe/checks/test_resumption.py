# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Session resumption by id and by ticket (TLS 1.2), against openssl s_server with each turned off."""

from __future__ import annotations

from typing import Sequence

import pytest

from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint import evaluate_endpoint
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import get_profile
from ansible_collections.webedge.https.tests.unit.helpers.tls_probing import probe_one
from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import OPENSSL, Pki, s_server

pytestmark = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")

# (id, s_server arguments, resumed by id, resumed by ticket, TLS-22)
RESUMPTION_TABLE = [
    ("ids_and_tickets", (), True, True, "pass"),
    ("ids_only", ("-no_ticket",), True, False, "pass"),
    ("tickets_only", ("-no_cache",), False, True, "pass"),
    ("none", ("-no_cache", "-no_ticket"), False, False, "fail"),
]


@pytest.mark.parametrize(
    ("args", "ids", "tickets", "status"), [r[1:] for r in RESUMPTION_TABLE], ids=[r[0] for r in RESUMPTION_TABLE]
)
def test_resumption(pki: Pki, args: Sequence[str], ids: bool, tickets: bool, status: str) -> None:
    with s_server(pki.good, "-tls1_2", *args) as port:
        result = probe_one(f"localhost:{port}", pki.root)
    vulns = result["vulnerabilities"]
    assert (vulns["session_resumption_ids"]["value"], vulns["session_resumption_tickets"]["value"]) == (ids, tickets)
    assert evaluate_endpoint(result, get_profile("intermediate"))["TLS-22"].status == status
