# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Positive detection of SSLv3 and SSLv2: the probe against the lab's pure-Python legacy server.

The local OpenSSL cannot speak either protocol, so ``legacy_tls_server.py`` (the compliance lab's
"sslv3" endpoint) answers them by hand. testssl.sh and sslyze (with its OpenSSL 1.0.2) report the same
server as offering SSLv3 (and SSLv2 in SSLv2 mode), and complete full handshakes with it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import socket
from pathlib import Path
from typing import Any, Dict

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import load_pem_x509_certificate

from ansible_collections.webedge.https.plugins.module_utils.compliance.controls import evaluate_endpoint
from ansible_collections.webedge.https.plugins.module_utils.compliance.schema import PROBE_PROTOCOLS
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.certinfo import verify_chain_offline
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import (
    ResolvedAddress,
    probe_sslv2,
    probe_version,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.runner import parse_targets, probe_targets
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import get_profile
from ansible_collections.webedge.https.tests.unit.plugins.module_utils.tls.probe.servers import (
    LEGACY_SERVER,
    Pki,
    legacy_server,
)

ONLY_SSLV3 = {"SSLv2": False, "SSLv3": True, "TLSv1": False, "TLSv1.1": False, "TLSv1.2": False, "TLSv1.3": False}


def _der(path: Path) -> bytes:
    return load_pem_x509_certificate(path.read_bytes()).public_bytes(serialization.Encoding.DER)


def _address(port: int) -> ResolvedAddress:
    return ResolvedAddress(socket.AF_INET, ("127.0.0.1", port))


def probe_one(target: str, ca_file: Path) -> Dict[str, Any]:
    (report,) = probe_targets(parse_targets([target]), ca_file=str(ca_file), timeout=3.0, http_checks=False)
    return report.result


def _statuses(result: Dict[str, Any]) -> Dict[str, str]:
    return {cid: finding.status for cid, finding in evaluate_endpoint(result, get_profile("intermediate")).items()}


# --- SSLv3 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("tls_hello", ["alert", "downgrade"])
def test_sslv3_only_server_is_detected(pki: Pki, tls_hello: str) -> None:
    # Given an SSLv3-only server that alerts on (or answers with SSLv3 to) every TLS hello
    with legacy_server(pki.good, "--tls-hello", tls_hello) as port:
        # When it is probed
        result = probe_one(f"localhost:{port}", pki.root)
    # Then SSLv3 is accepted and nothing else, and the endpoint is usable, not an error
    assert result["error"] is None
    assert set(result["protocols"]) == set(PROBE_PROTOCOLS)
    assert result["protocols"] == ONLY_SSLV3
    # the only handshake that worked is our own SSLv3 hello: its answer is what was negotiated
    assert result["negotiated"] == {
        "version": "SSLv3",
        "cipher": "TLS_RSA_WITH_AES_128_CBC_SHA",
        "cipher_openssl": "AES128-SHA",
        "group": None,
    }
    assert result["tls12_ciphers"] == []
    # the certificate comes from the SSLv3 Certificate message (the local library never saw it)
    cert = result["certificate"]
    assert cert["sha256_fingerprint"] == hashlib.sha256(_der(pki.good.cert)).hexdigest()
    assert cert["chain_length"] == 2
    assert cert["intermediates_served"] is True
    assert cert["key_type"] == "RSA"
    assert cert["hostname_valid"] is True


def test_sslv3_only_server_fails_the_sslv3_control(pki: Pki) -> None:
    with legacy_server(pki.good) as port:
        result = probe_one(f"localhost:{port}", pki.root)
    statuses = _statuses(result)
    # TLS-02 "SSLv3 is refused" fails; the SSLv2/TLS 1.0/TLS 1.1 controls pass (refused)
    assert statuses["TLS-02"] == "fail"
    assert [statuses[cid] for cid in ("TLS-01", "TLS-03", "TLS-04")] == ["pass", "pass", "pass"]
    # no TLS 1.2/1.3, and the suite negotiated (AES128-SHA over SSLv3) is outside the profile
    assert [statuses[cid] for cid in ("TLS-05", "TLS-06", "TLS-07")] == ["fail", "fail", "fail"]


def test_sslv3_hello_reads_the_served_chain(pki: Pki) -> None:
    with legacy_server(pki.good, "--no-http") as port:
        answer = probe_version(_address(port), "localhost", "SSLv3", 3.0)
        refused = probe_version(_address(port), "localhost", "TLSv1", 3.0)
    assert answer.accepted is True
    assert answer.detail == "ServerHello SSLv3"
    assert answer.flight is not None and answer.flight.complete
    assert answer.flight.certificates == (_der(pki.good.cert), _der(pki.intermediate))
    assert refused.accepted is False
    assert refused.detail == "alert protocol_version"


# --- SSLv2 -------------------------------------------------------------------------------------


def test_sslv2_and_sslv3_server_is_detected(pki: Pki) -> None:
    with legacy_server(pki.good, "--protocols", "SSLv2,SSLv3") as port:
        result = probe_one(f"localhost:{port}", pki.root)
    assert result["error"] is None
    assert result["protocols"] == {**ONLY_SSLV3, "SSLv2": True}
    assert result["negotiated"]["version"] == "SSLv3"
    statuses = _statuses(result)
    assert statuses["TLS-01"] == "fail"
    assert statuses["TLS-02"] == "fail"


def test_sslv2_only_server_is_detected_without_crashing(pki: Pki) -> None:
    with legacy_server(pki.good, "--protocols", "SSLv2") as port:
        answer = probe_sslv2(_address(port), 3.0)
        result = probe_one(f"localhost:{port}", pki.root)
    assert (answer.accepted, answer.detail) == (True, "SSLv2 SERVER-HELLO")
    # SSLv2 is accepted, every other version refused; nothing else can be read, and nothing crashes
    assert result["error"] is None
    assert result["protocols"] == {name: name == "SSLv2" for name in PROBE_PROTOCOLS}
    assert result["negotiated"] == {"version": None, "cipher": None, "cipher_openssl": None, "group": None}
    assert result["certificate"] is None
    assert _statuses(result)["TLS-01"] == "fail"


def test_sslv3_only_server_refuses_sslv2(pki: Pki) -> None:
    with legacy_server(pki.good) as port:
        answer = probe_sslv2(_address(port), 3.0)
    assert answer.accepted is False


# --- chain trust without a handshake (the local TLS library cannot verify an SSLv3-only server) --


def test_chain_read_over_sslv3_verifies_offline(pki: Pki) -> None:
    with legacy_server(pki.good, "--no-http") as port:
        flight = probe_version(_address(port), "localhost", "SSLv3", 3.0).flight
    assert flight is not None
    assert verify_chain_offline(flight.certificates, [_der(pki.root)]) == (True, None)
    valid, error = verify_chain_offline(flight.certificates, [_der(pki.other_root)])
    assert valid is False and error


def test_sslv3_only_server_chain_is_judged_not_failed(pki: Pki) -> None:
    # The chain is trusted (root + intermediate); only the local TLS library cannot handshake.
    with legacy_server(pki.good, "--no-http") as port:
        result = probe_one(f"localhost:{port}", pki.root)
    assert result["certificate"]["chain_valid"] is True
    assert _statuses(result)["TLS-08"] == "pass"


def test_offline_verification_reports_expiry_and_missing_anchors(pki: Pki) -> None:
    expired = (_der(pki.expired.cert), _der(pki.intermediate))
    valid, error = verify_chain_offline(expired, [_der(pki.root)])
    assert valid is False
    assert "not valid at validation time" in str(error)
    assert verify_chain_offline(expired, [])[0] is None
    assert verify_chain_offline((), [_der(pki.root)])[0] is None


# --- the server's own primitives, against published vectors ------------------------------------


@pytest.fixture(scope="module")
def lab_server_module() -> Any:
    spec = importlib.util.spec_from_file_location("legacy_tls_server", LEGACY_SERVER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# FIPS-197 appendix C.1 and C.3
AES_VECTORS = [
    ("000102030405060708090a0b0c0d0e0f", "69c4e0d86a7b0430d8cdb78070b4c55a"),
    ("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "8ea2b7ca516745bfeafc49904b496089"),
]


@pytest.mark.parametrize(("key", "ciphertext"), AES_VECTORS, ids=["aes128", "aes256"])
def test_lab_server_aes_matches_fips197(lab_server_module: Any, key: str, ciphertext: str) -> None:
    aes = lab_server_module.AES(bytes.fromhex(key))
    plaintext = bytes.fromhex("00112233445566778899aabbccddeeff")
    assert aes.encrypt_block(plaintext).hex() == ciphertext
    assert aes.decrypt_block(bytes.fromhex(ciphertext)) == plaintext


def test_lab_server_rc4_matches_rfc6229(lab_server_module: Any) -> None:
    # RFC 6229, 40-bit key 0x0102030405: keystream bytes 0-15
    stream = lab_server_module.RC4(bytes.fromhex("0102030405")).crypt(bytes(16))
    assert stream.hex() == "b2396305f03dc027ccc3524a0a1118a8"


def test_lab_server_reads_the_test_rsa_key(lab_server_module: Any, pki: Pki) -> None:
    chain, key = lab_server_module.load_identity(str(pki.good.fullchain), str(pki.good.key))
    assert chain == [_der(pki.good.cert), _der(pki.intermediate)]
    # PKCS#1 v1.5 round trip with the public half from the certificate
    public = load_pem_x509_certificate(pki.good.cert.read_bytes()).public_key()
    from cryptography.hazmat.primitives.asymmetric import padding

    secret = bytes(range(48))
    block = public.encrypt(secret, padding.PKCS1v15())  # type: ignore[union-attr]
    assert lab_server_module.pkcs1_unpad(key.decrypt(block), 48) == secret
