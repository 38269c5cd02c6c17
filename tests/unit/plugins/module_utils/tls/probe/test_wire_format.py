# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hand-built ClientHello and the ServerHello/alert/SSLv2 parsers, on byte vectors."""

from __future__ import annotations

import struct
from typing import Dict, List, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.ciphers import (
    CIPHER_SUITES,
    cipher_iana_name,
    iana_name_for_openssl,
    suites_for_version,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.clienthello import (
    build_client_hello,
    build_sslv2_client_hello,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import verdict_for
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.records import (
    HRR_RANDOM,
    interpret_flight,
    interpret_sslv2,
    parse_certificate_message,
    parse_server_hello,
    parse_server_key_exchange,
)


def _decode_client_hello(record: bytes) -> Dict[str, object]:
    """A minimal independent decoder of our ClientHello record."""
    content_type, record_version, length = struct.unpack_from("!BHH", record)
    assert length == len(record) - 5
    body = record[5:]
    assert body[0] == 1  # client_hello
    assert struct.unpack("!I", b"\x00" + body[1:4])[0] == len(body) - 4
    offset = 4
    client_version = struct.unpack_from("!H", body, offset)[0]
    offset += 2 + 32
    sid_len = body[offset]
    offset += 1 + sid_len
    suites_len = struct.unpack_from("!H", body, offset)[0]
    suites = list(struct.unpack_from(f"!{suites_len // 2}H", body, offset + 2))
    offset += 2 + suites_len
    offset += 1 + body[offset]  # compression
    extensions: Dict[int, bytes] = {}
    if offset < len(body):
        ext_len = struct.unpack_from("!H", body, offset)[0]
        offset += 2
        end = offset + ext_len
        assert end == len(body)
        while offset < end:
            ext_type, size = struct.unpack_from("!HH", body, offset)
            extensions[ext_type] = body[offset + 4 : offset + 4 + size]
            offset += 4 + size
    return {
        "content_type": content_type,
        "record_version": record_version,
        "client_version": client_version,
        "session_id_length": sid_len,
        "suites": suites,
        "extensions": extensions,
    }


# (version, record version, client_version, has SNI/groups/sigalgs, has supported_versions+key_share)
CLIENT_HELLO_TABLE: List[Tuple[str, int, int, bool, bool]] = [
    ("SSLv3", 0x0300, 0x0300, False, False),
    ("TLSv1", 0x0301, 0x0301, True, False),
    ("TLSv1.1", 0x0301, 0x0302, True, False),
    ("TLSv1.2", 0x0301, 0x0303, True, False),
    ("TLSv1.3", 0x0301, 0x0303, True, True),
]


@pytest.mark.parametrize(("version", "record_version", "client_version", "tls_exts", "tls13_exts"), CLIENT_HELLO_TABLE)
def test_client_hello_offers_exactly_the_version_asked(
    version: str, record_version: int, client_version: int, tls_exts: bool, tls13_exts: bool
) -> None:
    hello = _decode_client_hello(build_client_hello(version, "www.example.test"))
    extensions = hello["extensions"]
    assert hello["content_type"] == 22
    assert hello["record_version"] == record_version
    assert hello["client_version"] == client_version
    assert (0x0000 in extensions) is tls_exts  # SNI
    assert (0x000A in extensions) is tls_exts  # supported_groups
    assert (0x000B in extensions) is tls_exts  # ec_point_formats
    assert (0x000D in extensions) is tls_exts  # signature_algorithms
    assert (0x002B in extensions) is tls13_exts  # supported_versions
    assert (0x0033 in extensions) is tls13_exts  # key_share
    assert 0x5600 not in hello["suites"]  # never TLS_FALLBACK_SCSV: it would make servers refuse


def test_client_hello_sni_carries_the_name() -> None:
    extensions = _decode_client_hello(build_client_hello("TLSv1.2", "www.example.test"))["extensions"]
    assert extensions[0x0000] == b"\x00\x13\x00\x00\x10www.example.test"


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "[::1]"])
def test_client_hello_sends_no_sni_for_ip_literals(address: str) -> None:
    extensions = _decode_client_hello(build_client_hello("TLSv1.2", address))["extensions"]
    assert 0x0000 not in extensions


def test_tls13_hello_offers_only_tls13_with_an_x25519_share() -> None:
    hello = _decode_client_hello(build_client_hello("TLSv1.3", "a.test", key_share=b"\x11" * 32))
    extensions = hello["extensions"]
    assert extensions[0x002B] == b"\x02\x03\x04"
    assert extensions[0x0033] == b"\x00\x24\x00\x1d\x00\x20" + b"\x11" * 32
    assert set(hello["suites"]) == {0x1301, 0x1302, 0x1303, 0x1304, 0x1305}
    assert hello["session_id_length"] == 32


@pytest.mark.parametrize(
    ("version", "present", "absent"),
    [
        ("SSLv3", [0x000A, 0x002F, 0x0005, 0x0003], [0xC02F, 0x009C, 0x1301]),
        ("TLSv1", [0xC013, 0x000A, 0x0004], [0xC02F, 0x003C, 0x1301]),
        ("TLSv1.2", [0xC02F, 0xCCA8, 0x009C, 0x000A, 0x0005, 0x0001, 0x0003], [0x1301]),
    ],
)
def test_suites_offered_fit_the_version(version: str, present: List[int], absent: List[int]) -> None:
    offered = _decode_client_hello(build_client_hello(version, "a.test"))["suites"]
    assert all(code in offered for code in present)
    assert not any(code in offered for code in absent)
    assert offered[-1] == 0x00FF  # renegotiation SCSV last


def test_suites_are_offered_forward_secret_aead_first() -> None:
    assert CIPHER_SUITES[suites_for_version("TLSv1.2")[0]][0].startswith("TLS_ECDHE_")


@pytest.mark.parametrize(
    ("openssl_name", "iana"),
    [
        ("ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        ("ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
        ("DHE-RSA-AES256-GCM-SHA384", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
        ("DES-CBC3-SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
        ("RC4-SHA", "TLS_RSA_WITH_RC4_128_SHA"),
        ("EXP-RC4-MD5", "TLS_RSA_EXPORT_WITH_RC4_40_MD5"),
        ("NULL-SHA", "TLS_RSA_WITH_NULL_SHA"),
        ("AES128-SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"),
        ("TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384"),
    ],
)
def test_cipher_table_maps_openssl_names_to_iana(openssl_name: str, iana: str) -> None:
    assert iana_name_for_openssl(openssl_name) == iana


def test_unknown_cipher_code_is_named_by_its_hex() -> None:
    assert cipher_iana_name(0xFAFA) == "0xFAFA"


def test_sslv2_client_hello_layout() -> None:
    record = build_sslv2_client_hello(challenge=b"\x00" * 16)
    length = struct.unpack("!H", record[:2])[0] & 0x7FFF
    assert length == len(record) - 2
    assert record[2] == 1  # CLIENT-HELLO
    assert struct.unpack_from("!HHHH", record, 3) == (0x0002, 21, 0, 16)


# --- server side vectors -----------------------------------------------------------------------


def _server_hello(version: int, cipher: int, *, random: bytes = b"\x01" * 32, extensions: bytes = b"") -> bytes:
    body = struct.pack("!H", version) + random + b"\x00" + struct.pack("!H", cipher) + b"\x00"
    if extensions:
        body += struct.pack("!H", len(extensions)) + extensions
    return b"\x02" + struct.pack("!I", len(body))[1:] + body


def _record(content_type: int, payload: bytes, version: int = 0x0303) -> bytes:
    return struct.pack("!BHH", content_type, version, len(payload)) + payload


TLS13_EXTS = bytes.fromhex("002b00020304") + bytes.fromhex("00330024001d0020") + b"\x22" * 32
HRR_EXTS = bytes.fromhex("002b00020304") + bytes.fromhex("003300020017")
CERT_MSG = b"\x0b" + struct.pack("!I", 3 + 3 + 4 + 3 + 2)[1:] + struct.pack("!I", 3 + 4 + 3 + 2)[1:]
CERT_MSG += b"\x00\x00\x04LEAF" + b"\x00\x00\x02CA"
SKE_X25519 = b"\x0c" + struct.pack("!I", 4 + 32)[1:] + b"\x03\x00\x1d\x20" + b"\x33" * 32
DONE = b"\x0e\x00\x00\x00"

# (name, wire bytes, eof, expected outcome, version, cipher, group, certificates, kex group, alert)
FLIGHT_TABLE = [
    (
        "tls12_full_flight_in_one_record",
        _record(22, _server_hello(0x0303, 0xC02F) + CERT_MSG + SKE_X25519 + DONE),
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
        _record(22, _server_hello(0x0303, 0xC02F) + CERT_MSG[:7]) + _record(22, CERT_MSG[7:] + SKE_X25519 + DONE),
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
        _record(22, _server_hello(0x0303, 0x1302, extensions=TLS13_EXTS)),
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
        _record(22, _server_hello(0x0303, 0x1301, random=HRR_RANDOM, extensions=HRR_EXTS)),
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
        _record(22, _server_hello(0x0301, 0x002F) + DONE, version=0x0301),
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
        _record(21, b"\x02\x46"),
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
        _record(21, b"\x02\x28", version=0x0301),
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
    [b"\x16", b"\x16\x03\x03\x00", _record(22, _server_hello(0x0303, 0xC02F) + CERT_MSG)[:-3]],
    ids=["one_byte", "partial_header", "partial_certificate"],
)
def test_incomplete_flight_asks_for_more(partial: bytes) -> None:
    assert interpret_flight(partial) is None


def test_hrr_is_flagged() -> None:
    hello = parse_server_hello(_server_hello(0x0303, 0x1301, random=HRR_RANDOM, extensions=HRR_EXTS)[4:])
    assert hello.retry_request is True


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
    flight = interpret_flight(_record(22, _server_hello(wire_version, 0x1301, random=random, extensions=extensions)))
    if flight is None:  # TLS <= 1.2 flights wait for ServerHelloDone
        flight = interpret_flight(
            _record(22, _server_hello(wire_version, 0x1301, random=random, extensions=extensions)), eof=True
        )
    assert verdict_for(offered, flight)[0] is accepted


def test_alert_means_refused() -> None:
    flight = interpret_flight(_record(21, b"\x02\x46"))
    assert verdict_for("TLSv1", flight) == (False, "alert protocol_version")


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
    ("tls_alert_means_refused", _record(21, b"\x02\x28"), False),
    ("close_means_refused", b"", False),
    ("garbage_is_unknown", b"HTTP/1.1 400 Bad Request\r\n\r\n", None),
]


@pytest.mark.parametrize(("answer", "accepted"), [row[1:] for row in SSLV2_TABLE], ids=[r[0] for r in SSLV2_TABLE])
def test_sslv2_answer(answer: bytes, accepted) -> None:
    verdict = interpret_sslv2(answer, eof=True)
    assert verdict is not None
    assert verdict[0] is accepted
