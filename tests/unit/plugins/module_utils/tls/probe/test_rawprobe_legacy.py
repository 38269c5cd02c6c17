# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The raw SSLv3 and SSLv2 hellos against the lab's pure-Python legacy server (no OpenSSL speaks them)."""

from __future__ import annotations

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import probe_sslv2, probe_version
from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import Pki, der_of, legacy_server, loopback


def test_sslv3_hello_reads_the_served_chain(pki: Pki) -> None:
    with legacy_server(pki.good, "--no-http") as port:
        answer = probe_version(loopback(port), "localhost", "SSLv3", 3.0)
        refused = probe_version(loopback(port), "localhost", "TLSv1", 3.0)
    assert answer.accepted is True
    assert answer.detail == "ServerHello SSLv3"
    assert answer.flight is not None and answer.flight.complete
    assert answer.flight.certificates == (der_of(pki.good.cert), der_of(pki.intermediate))
    assert refused.accepted is False
    assert refused.detail == "alert protocol_version"


def test_sslv3_only_server_refuses_sslv2(pki: Pki) -> None:
    with legacy_server(pki.good) as port:
        answer = probe_sslv2(loopback(port), 3.0)
    assert answer.accepted is False
