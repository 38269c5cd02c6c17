# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ServerHello/alert/Certificate/ServerKeyExchange/SSLv2 parsers, on byte vectors."""

from __future__ import annotations

import struct

import pytest

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.records import (
    interpret_flight,
    interpret_sslv2,
    parse_certificate_message,
    parse_server_hello,
    parse_server_key_exchange,
)
from ansible_collections.webedge.https.tests.unit.helpers.tls_wire import (
    HRR_EXTS,
    HRR_RANDOM,
    TLS13_EXTS,
    record,
    server_hello,
)

CERT_MSG = b"\x0b" + struct.pack("!I", 3 + 3 + 4 + 3 + 2)[1:] + struct.pack("!I", 3 + 4 + 3 + 2)[1:]
CERT_MSG += b"\x00\x00\x04LEAF" + b"\x00\x00\x02CA"
SKE_X25519 = b"\x0c" + struct.pack("!I", 4 + 32)[1:] + b"\x03\x00\x1d\x20" + b"\x33" * 32
DONE = b"\x0e\x00\x00\x00"

# (name, wire bytes, eof, expected outcome, version, cipher, group, certificates, kex group, alert)
FLIGHT_TABLE = [
    (
        "tls12_full_flight_in_one_record",
        record(22, server_hello(0x0303, 0xC02F) + CERT_MSG + SKE_X25519 + DONE),
        False,
        "hello",
        0x0303,
        0xC02F,
        None,
        (b"LEAF", b"CA"),
        "x25519",
        None,
    ),
    (
        "tls12_flight_split_over_records",
        record(22, server_hello(0x0303, 0xC02F) + CERT_MSG[:7]) + record(22, CERT_MSG[7:] + SKE_X25519 + DONE),
        False,
        "hello",
        0x0303,
        0xC02F,
        None,
        (b"LEAF", b"CA"),
        "x25519",
        None,
    ),
    (
        "tls13_serverhello_has_legacy_0303_and_supported_versions",
        record(22, server_hello(0x0303, 0x1302, extensions=TLS13_EXTS)),
        False,
        "hello",
        0x0304,
        0x1302,
        0x001D,
        (),
        None,
        None,
    ),
    (
        "hello_retry_request_still_means_tls13",
        record(22, server_hello(0x0303, 0x1301, random=HRR_RANDOM, extensions=HRR_EXTS)),
        False,
        "hello",
        0x0304,
        0x1301,
        0x0017,
        (),
        None,
        None,
    ),
    (
        "tls10_downgrade_answer",
        record(22, server_hello(0x0301, 0x002F) + DONE, version=0x0301),
        False,
        "hello",
        0x0301,
        0x002F,
        None,
        (),
        None,
        None,
    ),
    (
        "protocol_version_alert",
        record(21, b"\x02\x46"),
        False,
        "alert",
        None,
        None,
        None,
        (),
        None,
        "protocol_version",
    ),
    (
        "handshake_failure_alert_tls10_record",
        record(21, b"\x02\x28", version=0x0301),
        False,
        "alert",
        None,
        None,
        None,
        (),
        None,
        "handshake_failure",
    ),
    ("http_answer_is_not_tls", b"HTTP/1.1 400 Bad Request\r\n\r\n", False, "not_tls", None, None, None, (), None, None),
    ("ssh_banner_is_not_tls", b"SSH-2.0-OpenSSH_9.2\r\n", False, "not_tls", None, None, None, (), None, None),
    ("close_without_answer", b"", True, "closed", None, None, None, (), None, None),
]


@pytest.mark.parametrize(
    ("data", "eof", "outcome", "version", "cipher", "group", "certs", "kex", "alert"),
    [row[1:] for row in FLIGHT_TABLE],
    ids=[row[0] for row in FLIGHT_TABLE],
)
def test_server_flight_is_interpreted(data, eof, outcome, version, cipher, group, certs, kex, alert) -> None:
    flight = interpret_flight(data, eof=eof)
    assert flight is not None
    assert flight.outcome == outcome
    if version is not None:
        assert flight.server_hello is not None
        assert flight.server_hello.version == version
        assert flight.server_hello.cipher == cipher
        assert flight.server_hello.group == group
    assert flight.certificates == certs
    assert flight.kex_group == kex
    assert (flight.alert.name if flight.alert else None) == alert


@pytest.mark.parametrize(
    "partial",
    [b"\x16", b"\x16\x03\x03\x00", record(22, server_hello(0x0303, 0xC02F) + CERT_MSG)[:-3]],
    ids=["one_byte", "partial_header", "partial_certificate"],
)
def test_incomplete_flight_asks_for_more(partial: bytes) -> None:
    assert interpret_flight(partial) is None


def test_hrr_is_flagged() -> None:
    hello = parse_server_hello(server_hello(0x0303, 0x1301, random=HRR_RANDOM, extensions=HRR_EXTS)[4:])
    assert hello.retry_request is True


def test_dhe_server_key_exchange_reports_prime_size() -> None:
    prime = b"\xff" * 256
    body = struct.pack("!H", len(prime)) + prime + b"\x00\x01\x02"
    assert parse_server_key_exchange(body, 0x009E) == "DH-2048"


def test_certificate_message_keeps_served_order() -> None:
    assert parse_certificate_message(CERT_MSG[4:]) == (b"LEAF", b"CA")


SSLV2_SERVER_HELLO = bytes.fromhex("8012") + b"\x04\x00\x01" + bytes.fromhex("0002000000030010") + b"\x01\x00\x80"
# (name, answer, accepted)
SSLV2_TABLE = [
    ("sslv2_server_hello_means_accepted", SSLV2_SERVER_HELLO, True),
    ("sslv2_error_means_refused", bytes.fromhex("8003") + b"\x00\x00\x01", False),
    ("tls_alert_means_refused", record(21, b"\x02\x28"), False),
    ("close_means_refused", b"", False),
    ("garbage_is_unknown", b"HTTP/1.1 400 Bad Request\r\n\r\n", None),
]


@pytest.mark.parametrize(("answer", "accepted"), [row[1:] for row in SSLV2_TABLE], ids=[r[0] for r in SSLV2_TABLE])
def test_sslv2_answer(answer: bytes, accepted) -> None:
    verdict = interpret_sslv2(answer, eof=True)
    assert verdict is not None
    assert verdict[0] is accepted
