# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a version was accepted, from the server's answer to a hello offering only that version."""

from __future__ import annotations

import socket

import pytest

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import (
    ResolvedAddress,
    connect,
    verdict_for,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.records import interpret_flight
from ansible_collections.webedge.https.tests.unit.helpers.tls_wire import (
    HRR_EXTS,
    HRR_RANDOM,
    TLS13_EXTS,
    record,
    server_hello,
)

# (offered, ServerHello version, HRR, expected verdict)
VERDICT_TABLE = [
    ("TLSv1.1", 0x0302, False, True),
    ("TLSv1.1", 0x0301, False, False),  # a lower version than offered: TLS 1.1 refused
    ("TLSv1.2", 0x0303, False, True),
    ("TLSv1.3", 0x0304, False, True),
    ("TLSv1.3", 0x0303, False, False),  # 1.2 picked although only 1.3 offered
    ("TLSv1.3", 0x0304, True, True),  # HelloRetryRequest
]


@pytest.mark.parametrize(("offered", "answered", "hrr", "accepted"), VERDICT_TABLE)
def test_version_verdict(offered: str, answered: int, hrr: bool, accepted: bool) -> None:
    extensions = HRR_EXTS if hrr else (TLS13_EXTS if answered == 0x0304 else b"")
    wire_version = 0x0303 if answered == 0x0304 else answered
    random = HRR_RANDOM if hrr else b"\x01" * 32
    flight = interpret_flight(record(22, server_hello(wire_version, 0x1301, random=random, extensions=extensions)))
    if flight is None:  # TLS <= 1.2 flights wait for ServerHelloDone
        flight = interpret_flight(
            record(22, server_hello(wire_version, 0x1301, random=random, extensions=extensions)), eof=True
        )
    assert verdict_for(offered, flight)[0] is accepted


def test_alert_means_refused() -> None:
    flight = interpret_flight(record(21, b"\x02\x46"))
    assert verdict_for("TLSv1", flight) == (False, "alert protocol_version")


def test_connections_send_without_waiting_for_acks() -> None:
    """Nagle's algorithm off: a resumed handshake's close_notify waited 40 ms for the server's delayed ACK."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        sock = connect(ResolvedAddress(socket.AF_INET, listener.getsockname()), 2.0)
        with sock:
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
