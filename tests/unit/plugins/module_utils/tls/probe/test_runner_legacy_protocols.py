# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Positive detection of SSLv3 and SSLv2: the probe against the lab's pure-Python legacy server.

The local OpenSSL cannot speak either protocol, so ``legacy_tls_server.py`` (the compliance lab's
"sslv3" endpoint) answers them by hand. testssl.sh and sslyze (with its OpenSSL 1.0.2) report the same
server as offering SSLv3 (and SSLv2 in SSLv2 mode), and complete full handshakes with it.
"""

from __future__ import annotations

import hashlib
from typing import Any, Dict

import pytest

from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint import evaluate_endpoint
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import probe_sslv2
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.result import PROBE_PROTOCOLS
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import get_profile
from ansible_collections.webedge.https.tests.unit.helpers.tls_probing import probe_one
from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import Pki, der_of, legacy_server, loopback

ONLY_SSLV3 = {"SSLv2": False, "SSLv3": True, "TLSv1": False, "TLSv1.1": False, "TLSv1.2": False, "TLSv1.3": False}


def _statuses(result: Dict[str, Any]) -> Dict[str, str]:
    return {cid: finding.status for cid, finding in evaluate_endpoint(result, get_profile("intermediate")).items()}


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
    assert cert["sha256_fingerprint"] == hashlib.sha256(der_of(pki.good.cert)).hexdigest()
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
        answer = probe_sslv2(loopback(port), 3.0)
        result = probe_one(f"localhost:{port}", pki.root)
    assert (answer.accepted, answer.detail) == (True, "SSLv2 SERVER-HELLO")
    # SSLv2 is accepted, every other version refused; nothing else can be read, and nothing crashes
    assert result["error"] is None
    assert result["protocols"] == {name: name == "SSLv2" for name in PROBE_PROTOCOLS}
    assert result["negotiated"] == {"version": None, "cipher": None, "cipher_openssl": None, "group": None}
    assert result["certificate"] is None
    assert _statuses(result)["TLS-01"] == "fail"


def test_sslv3_only_server_chain_is_judged_not_failed(pki: Pki) -> None:
    # The chain is trusted (root + intermediate); only the local TLS library cannot handshake.
    with legacy_server(pki.good, "--no-http") as port:
        result = probe_one(f"localhost:{port}", pki.root)
    assert result["certificate"]["chain_valid"] is True
    assert _statuses(result)["TLS-08"] == "pass"


@pytest.mark.parametrize("tls_hello", ["alert", "downgrade"])
def test_heartbleed_and_ccs_are_asked_in_sslv3_on_an_sslv3_only_server(pki: Pki, tls_hello: str) -> None:
    # Given an SSLv3-only server that refuses (or downgrades) every TLS hello: the Heartbleed and CCS
    # questions are asked with an SSLv3 hello, the only version it speaks, and get an answer
    with legacy_server(pki.good, "--tls-hello", tls_hello) as port:
        result = probe_one(f"localhost:{port}", pki.root)
    vulns = result["vulnerabilities"]
    assert vulns["heartbleed"]["applicable"] is True
    assert vulns["heartbleed"]["value"] is False, vulns["heartbleed"]
    assert vulns["ccs_injection"]["value"] is False, vulns["ccs_injection"]
    statuses = _statuses(result)
    assert (statuses["VULN-01"], statuses["VULN-02"]) == ("pass", "pass")
