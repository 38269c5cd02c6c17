# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The served certificate, read by the controller's reader: trust, names, key, chain completeness, dates."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.tls_probing import CERT_KEYS, probe, probe_one
from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import OPENSSL, Pki, s_server

pytestmark = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")


# --- certificates ------------------------------------------------------------------------------

# (id, leaf, serve the intermediate, trust anchor attribute, expected certificate fields)
CERT_TABLE = [
    (
        "trusted_chain_with_intermediate",
        "good",
        True,
        "root",
        {
            "chain_valid": True,
            "chain_error": None,
            "hostname_valid": True,
            "intermediates_served": True,
            "chain_length": 2,
            "self_signed": False,
            "key_type": "RSA",
            "key_size": 2048,
            "curve": None,
            "signature_algorithm": "ecdsa-with-SHA256",
        },
    ),
    (
        "intermediate_not_served",
        "good",
        False,
        "root",
        {"chain_valid": False, "intermediates_served": False, "chain_length": 1, "hostname_valid": True},
    ),
    ("expired_certificate", "expired", True, "root", {"chain_valid": False, "hostname_valid": True}),
    ("wrong_hostname", "wrong_name", True, "root", {"chain_valid": True, "hostname_valid": False}),
    (
        "self_signed",
        "self_signed",
        False,
        "root",
        {"chain_valid": False, "self_signed": True, "chain_length": 1, "hostname_valid": True},
    ),
    ("untrusted_anchor", "good", True, "other_root", {"chain_valid": False, "intermediates_served": True}),
    ("ec_key", "ec", True, "root", {"chain_valid": True, "key_type": "EC", "key_size": 256, "curve": "secp256r1"}),
]


@pytest.mark.parametrize(
    ("leaf", "serve_chain", "anchor", "expected"), [row[1:] for row in CERT_TABLE], ids=[row[0] for row in CERT_TABLE]
)
def test_certificate(pki: Pki, leaf: str, serve_chain: bool, anchor: str, expected: Dict[str, Any]) -> None:
    with s_server(getattr(pki, leaf), chain=serve_chain) as port:
        report = probe([f"localhost:{port}"], getattr(pki, anchor))[0]
    cert = report.result["certificate"]
    assert report.result["error"] is None
    assert set(cert) == CERT_KEYS
    assert {key: cert[key] for key in expected} == expected
    # the rest is collected even when trust or the name fails
    assert report.result["protocols"]["TLSv1.3"] is True
    assert cert["sans"] == ["localhost", "127.0.0.1", "::1"] or leaf == "wrong_name"
    if cert["chain_valid"] is False:
        assert cert["chain_error"]
    if cert["hostname_valid"] is False:
        assert any("hostname mismatch" in note for note in report.notes)


def test_expired_certificate_days_and_reason(pki: Pki) -> None:
    with s_server(pki.expired) as port:
        cert = probe_one(f"localhost:{port}", pki.root)["certificate"]
    assert cert["days_remaining"] < 0
    assert "expired" in cert["chain_error"]


def test_valid_certificate_days_remaining(pki: Pki) -> None:
    with s_server(pki.good) as port:
        cert = probe_one(f"localhost:{port}", pki.root)["certificate"]
    assert 195 <= cert["days_remaining"] <= 200
    assert cert["not_after"].endswith("+00:00")


def test_tls13_only_server_chain_still_read(pki: Pki) -> None:
    # No cleartext Certificate message in TLS 1.3: the chain comes from ssl's unverified chain.
    with s_server(pki.good, "-tls1_3") as port:
        cert = probe_one(f"localhost:{port}", pki.root)["certificate"]
    assert cert["chain_length"] in (2, None)
