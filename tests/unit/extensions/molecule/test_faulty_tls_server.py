# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance lab's faulty TLS server (``extensions/molecule/shared/lab-files/faulty_tls_server.py``).

Its primitives against published vectors and the cryptography library; full handshakes with
``openssl s_client`` and Python's ssl (every group, GCM and CBC suites, TLS 1.0-1.2, session
resumption, OCSP stapling, the HTTP answer); and each fault as the scanners probe it (the bytes
sslyze and testssl.sh send), next to the same probe against the server without the fault.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import importlib.util
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from typing import Any, Iterator, List

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509 import ocsp

from ansible_collections.webedge.https.tests.unit.helpers.faulty_tls import (
    EXT_HEARTBEAT,
    EXT_STATUS_REQUEST,
    FAULTY_SERVER,
    LAB_FILES,
    RawClient,
    client_hello,
    default_extensions,
    faulty_server,
    record,
)
from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import Pki, make_pki

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")

ECDHE_GCM = [0xC02F, 0xC030]
ONE_DAY = datetime.timedelta(days=1)
ALERT_UNEXPECTED_MESSAGE = 10
ALERT_BAD_RECORD_MAC = 20
ALERT_HANDSHAKE_FAILURE = 40
ALERT_DECRYPT_ERROR = 51
ALERT_INAPPROPRIATE_FALLBACK = 86


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def server_module() -> Iterator[Any]:
    sys.path.insert(0, str(LAB_FILES))  # it imports legacy_tls_server, its neighbour, as the lab runs it
    try:
        spec = importlib.util.spec_from_file_location("faulty_tls_server", FAULTY_SERVER)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(LAB_FILES))


# --- primitives ------------------------------------------------------------------------------------


def test_x25519_matches_rfc7748(server_module: Any) -> None:
    # RFC 7748 5.2, first vector
    scalar = bytes.fromhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4")
    u = bytes.fromhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")
    expected = "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"
    assert server_module.x25519(scalar, u).hex() == expected


@pytest.mark.parametrize(("group", "curve"), [(23, ec.SECP256R1()), (24, ec.SECP384R1())], ids=["P-256", "P-384"])
def test_nist_ecdh_agrees_with_cryptography(server_module: Any, group: int, curve: ec.EllipticCurve) -> None:
    share = server_module.KeyShare(group)
    peer = ec.generate_private_key(curve)
    ours_public = ec.EllipticCurvePublicKey.from_encoded_point(curve, share.public)  # raises if off the curve
    peer_point = peer.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert share.agree(peer_point) == peer.exchange(ec.ECDH(), ours_public)


def test_nist_ecdh_refuses_a_point_off_the_curve(server_module: Any) -> None:
    share = server_module.KeyShare(23)
    bad = b"\x04" + (1).to_bytes(32, "big") + (1).to_bytes(32, "big")
    with pytest.raises(server_module.HandshakeAbort, match="not on the curve"):
        share.agree(bad)


@pytest.mark.parametrize(
    ("key", "ciphertext"),
    [
        ("000102030405060708090a0b0c0d0e0f", "69c4e0d86a7b0430d8cdb78070b4c55a"),
        ("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "8ea2b7ca516745bfeafc49904b496089"),
    ],
    ids=["aes128", "aes256"],
)
def test_fast_aes_matches_fips197(server_module: Any, key: str, ciphertext: str) -> None:
    aes = server_module.FastAES(bytes.fromhex(key))
    assert aes.encrypt_block(bytes.fromhex("00112233445566778899aabbccddeeff")).hex() == ciphertext


@pytest.mark.parametrize("key_size", [16, 32])
@pytest.mark.parametrize("length", [0, 2, 16, 45])
def test_gcm_agrees_with_cryptography(server_module: Any, key_size: int, length: int) -> None:
    key, nonce, aad, plaintext = os.urandom(key_size), os.urandom(12), os.urandom(13), os.urandom(length)
    sealed = server_module.GCM(key).seal(nonce, plaintext, aad)
    assert sealed == AESGCM(key).encrypt(nonce, plaintext, aad)
    assert server_module.GCM(key).open(nonce, sealed, aad) == plaintext
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    assert server_module.GCM(key).open(nonce, tampered, aad) is None


# --- full handshakes with real clients ---------------------------------------------------------------


def s_client(port: int, *args: str, request: bytes = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n") -> str:
    assert OPENSSL is not None
    command = [OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost", "-ign_eof", *args]
    done = subprocess.run(command, input=request, capture_output=True, timeout=30, check=False)
    return done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")


@needs_openssl
@pytest.mark.parametrize(
    ("options", "cipher", "key"),
    [
        (["-groups", "X25519"], "ECDHE-RSA-AES128-GCM-SHA256", "X25519"),
        (["-groups", "P-256"], "ECDHE-RSA-AES128-GCM-SHA256", "prime256v1"),
        (["-groups", "P-384", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384"], "ECDHE-RSA-AES256-GCM-SHA384", "secp384r1"),
    ],
    ids=["x25519-aes128gcm", "p256-aes128gcm", "p384-aes256gcm"],
)
def test_openssl_client_completes_handshake_and_reads_the_answer(
    pki: Pki, options: List[str], cipher: str, key: str
) -> None:
    with faulty_server(pki.good, "none") as port:
        out = s_client(port, "-tls1_2", "-CAfile", str(pki.root), *options)
    assert f"Cipher is {cipher}" in out
    assert key in out
    assert "Verify return code: 0 (ok)" in out
    assert "Secure Renegotiation IS supported" in out
    assert "Extended master secret: yes" in out
    assert "HTTP/1.1 200 OK" in out
    assert "Strict-Transport-Security: max-age=63072000; includeSubDomains" in out


@needs_openssl
@pytest.mark.parametrize(("flag", "version"), [("-tls1", "TLSv1"), ("-tls1_1", "TLSv1.1")])
def test_cbc_suites_below_tls12(pki: Pki, flag: str, version: str) -> None:
    with faulty_server(pki.good, "none", "--protocols", "TLSv1,TLSv1.1,TLSv1.2") as port:
        out = s_client(port, flag, "-cipher", "DEFAULT:@SECLEVEL=0")
    assert f"Protocol  : {version}\n" in out
    assert "ECDHE-RSA-AES128-SHA" in out
    assert "HTTP/1.1 200 OK" in out


@needs_openssl
def test_session_id_resumption(pki: Pki, tmp_path: Any) -> None:
    session = tmp_path / "session.pem"
    with faulty_server(pki.good, "none") as port:
        first = s_client(port, "-tls1_2", "-sess_out", str(session))
        second = s_client(port, "-tls1_2", "-sess_in", str(session))
    assert "New, TLSv1.2" in first
    assert "Reused, TLSv1.2" in second


@needs_openssl
def test_staples_the_ocsp_response(pki: Pki, tmp_path: Any) -> None:
    leaf = x509.load_pem_x509_certificate(pki.good.cert.read_bytes())
    issuer = x509.load_pem_x509_certificate(pki.intermediate.read_bytes())
    # make_pki keeps no CA key: a responder of its own signs (the client is not asked to trust it)
    responder_key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    responder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "test responder")]))
        .issuer_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "test responder")]))
        .public_key(responder_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(responder_key, hashes.SHA256())
    )
    response = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            leaf, issuer, hashes.SHA1(), ocsp.OCSPCertStatus.GOOD, now, now + datetime.timedelta(days=1), None, None
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, responder)
        .sign(responder_key, hashes.SHA256())
    )
    der = tmp_path / "ocsp.der"
    der.write_bytes(response.public_bytes(serialization.Encoding.DER))
    with faulty_server(pki.good, "none", "--ocsp-response", str(der)) as port:
        out = s_client(port, "-tls1_2", "-status")
    assert "OCSP Response Status: successful" in out
    assert "Cert Status: good" in out


def test_python_ssl_verifies_and_reads(pki: Pki) -> None:
    context = ssl.create_default_context(cafile=str(pki.root))
    with faulty_server(pki.good, "none") as port:
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.version() == "TLSv1.2"
            tls.sendall(b"HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            answer = tls.recv(4096)
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nServer:" not in answer


@needs_openssl
def test_client_renegotiation_is_refused(pki: Pki) -> None:
    """s_client's "R" command (not available with -ign_eof): the server answers no_renegotiation."""
    assert OPENSSL is not None
    with faulty_server(pki.good, "none") as port:
        command = [OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}", "-tls1_2"]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert process.stdin is not None
        time.sleep(1.0)
        process.stdin.write(b"R\n")
        process.stdin.flush()
        time.sleep(1.0)
        process.stdin.close()
        assert process.stdout is not None
        out = process.stdout.read().decode(errors="replace")
        process.wait(timeout=30)
    assert "RENEGOTIATING" in out
    assert "no renegotiation" in out


# --- the faults, probed as the scanners probe them ----------------------------------------------------


def test_heartbleed_answers_an_over_long_heartbeat(pki: Pki) -> None:
    """testssl.sh: a heartbeat request claiming 16384 bytes and carrying none, after ServerHelloDone."""
    extensions = {**default_extensions(), EXT_HEARTBEAT: b"\x01"}
    with faulty_server(pki.good, "heartbleed") as port, RawClient(port) as client:
        flight = client.hello(client_hello(0x0303, ECDHE_GCM, extensions=extensions))
        assert flight.extensions.get(EXT_HEARTBEAT) == b"\x01"
        client.send(record(24, b"\x01\x40\x00"))
        answer = b""
        while len(answer) < 3 + 0x4000:
            item = client.read_record()
            assert item is not None, f"only {len(answer)} bytes of heartbeat answer"
            assert item[0] == 24
            answer += item[2]
    assert answer[0] == 2 and int.from_bytes(answer[1:3], "big") == 0x4000


def test_heartbleed_echoes_sslyzes_unpadded_heartbeat(pki: Pki) -> None:
    """sslyze: right after the ClientHello, a heartbeat of 16381 0x01 bytes without padding."""
    with faulty_server(pki.good, "heartbleed") as port, RawClient(port) as client:
        client.send(
            client_hello(0x0303, ECDHE_GCM) + record(24, b"\x01" + (16381).to_bytes(2, "big") + b"\x01" * 16381)
        )
        received = b""
        while b"\x01" * 10 not in received:
            item = client.read_record()
            assert item is not None
            received += item[2]


def test_heartbeat_refused_without_the_fault(pki: Pki) -> None:
    with faulty_server(pki.good, "none") as port, RawClient(port) as client:
        flight = client.hello(
            client_hello(0x0303, ECDHE_GCM, extensions={**default_extensions(), EXT_HEARTBEAT: b"\x01"})
        )
        assert EXT_HEARTBEAT not in flight.extensions
        client.send(record(24, b"\x01\x40\x00"))
        assert client.alert() == (2, ALERT_UNEXPECTED_MESSAGE)


@pytest.mark.parametrize(
    ("fault", "expected"), [("ccs", ALERT_BAD_RECORD_MAC), ("none", ALERT_UNEXPECTED_MESSAGE)], ids=["ccs", "correct"]
)
def test_early_change_cipher_spec(pki: Pki, fault: str, expected: int) -> None:
    """sslyze: after ServerHelloDone a ChangeCipherSpec, then two bytes of application data."""
    with faulty_server(pki.good, fault) as port, RawClient(port) as client:
        flight = client.hello(client_hello(0x0303, ECDHE_GCM))
        assert 14 in flight.messages
        client.send(record(20, b"\x01") + record(23, b"\x00\x00"))
        assert client.alert() == (2, expected)


def test_ccs_second_change_cipher_spec_with_cbc(pki: Pki) -> None:
    """testssl.sh: CBC suites, no extensions at all, then two ChangeCipherSpec records."""
    with faulty_server(pki.good, "ccs", "--cbc") as port, RawClient(port) as client:
        flight = client.hello(client_hello(0x0303, [0xC013, 0x002F, 0x0035], extensions={}))
        assert flight.suite == 0xC013
        client.send(record(20, b"\x01"))
        client.send(record(20, b"\x01"))
        assert client.alert() == (2, ALERT_BAD_RECORD_MAC)


def _robot_exchange(pki: Pki, port: int, block_hex: str) -> Any:
    leaf = x509.load_pem_x509_certificate(pki.good.cert.read_bytes())
    numbers = leaf.public_key().public_numbers()  # type: ignore[union-attr]
    size = (numbers.n.bit_length() + 7) // 8
    encrypted = pow(int(block_hex, 16), numbers.e, numbers.n).to_bytes(size, "big")
    exchange = b"\x10" + (size + 2).to_bytes(3, "big") + size.to_bytes(2, "big") + encrypted
    with RawClient(port) as client:
        flight = client.hello(client_hello(0x0303, [0x009C, 0x009D]))
        assert flight.suite == 0x009C
        client.send(record(22, exchange) + record(20, b"\x01") + record(22, os.urandom(64)))
        return client.alert()


def test_robot_is_a_strong_oracle(pki: Pki) -> None:
    """The five ClientKeyExchange blocks of the ROBOT test: the first two bytes decide the answer."""
    size = (x509.load_pem_x509_certificate(pki.good.cert.read_bytes()).public_key().key_size + 7) // 8  # type: ignore[union-attr]
    pad = ("abcd" * size)[: 2 * (size - 48 - 3)]
    pms = "aa" + "112233445566778899" * 5  # 46 bytes, after the 2 version bytes
    assert len(pms) == 92
    blocks = {
        "valid": f"0002{pad}000303{pms}",
        "wrong first two bytes": f"4117{pad}000303{pms}",
        "wrong position of 00": f"0002{pad}11{pms}0011",
        "no 00 in the middle": f"0002{pad}111111{pms}",
        "wrong version": f"0002{pad}000202{pms}",
    }
    with faulty_server(pki.good, "robot") as port:
        answers = {name: _robot_exchange(pki, port, block) for name, block in blocks.items()}
    assert answers.pop("wrong first two bytes") == (2, ALERT_DECRYPT_ERROR)
    assert set(answers.values()) == {(2, ALERT_BAD_RECORD_MAC)}


def test_robot_answers_hold_under_concurrent_connections(pki: Pki) -> None:
    """Twenty ROBOT exchanges at once all get their alert (the AES tables were once built lazily and
    two first connections raced: some connections then ended without an alert)."""
    size = (x509.load_pem_x509_certificate(pki.good.cert.read_bytes()).public_key().key_size + 7) // 8  # type: ignore[union-attr]
    block = "0002" + ("abcd" * size)[: 2 * (size - 48 - 3)] + "000303" + "aa" + "112233445566778899" * 5
    with faulty_server(pki.good, "robot") as port, concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: _robot_exchange(pki, port, block), range(20)))
    assert answers == [(2, ALERT_BAD_RECORD_MAC)] * 20


def test_rsa_key_exchange_only_with_the_robot_fault(pki: Pki) -> None:
    with faulty_server(pki.good, "none") as port, RawClient(port) as client:
        assert client.hello(client_hello(0x0303, [0x009C, 0x009D])).alert == (2, ALERT_HANDSHAKE_FAILURE)


@pytest.mark.parametrize(("fault", "method"), [("compression", 1), ("none", 0)], ids=["compression", "correct"])
def test_deflate_negotiated_only_with_the_fault(pki: Pki, fault: str, method: int) -> None:
    with faulty_server(pki.good, fault) as port, RawClient(port) as client:
        assert client.hello(client_hello(0x0303, ECDHE_GCM, compression=(1, 0))).compression == method


@pytest.mark.parametrize(
    ("fault", "answer"),
    [("no-fallback-scsv", 0x0302), ("none", ALERT_INAPPROPRIATE_FALLBACK)],
    ids=["no-fallback-scsv", "correct"],
)
def test_fallback_scsv(pki: Pki, fault: str, answer: int) -> None:
    """A TLS 1.1 hello with TLS_FALLBACK_SCSV to a TLS 1.1 + 1.2 server."""
    with faulty_server(pki.good, fault, "--protocols", "TLSv1.1,TLSv1.2") as port, RawClient(port) as client:
        flight = client.hello(client_hello(0x0302, [0xC013, 0x5600]))
    if answer == ALERT_INAPPROPRIATE_FALLBACK:
        assert flight.alert == (2, answer)
    else:
        assert flight.version == answer and 14 in flight.messages


def test_status_request_without_a_response_staples_nothing(pki: Pki) -> None:
    with faulty_server(pki.good, "none") as port, RawClient(port) as client:
        flight = client.hello(
            client_hello(
                0x0303, ECDHE_GCM, extensions={**default_extensions(), EXT_STATUS_REQUEST: b"\x01\x00\x00\x00\x00"}
            )
        )
    assert EXT_STATUS_REQUEST not in flight.extensions
    assert 22 not in flight.messages  # no CertificateStatus
