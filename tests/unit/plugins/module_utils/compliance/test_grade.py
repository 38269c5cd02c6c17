# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SSL Labs-style grade: scores, letters, caps and warnings, table-driven over crafted probe results."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from ansible_collections.webedge.https.plugins.module_utils.compliance.grade import GUIDE, cipher_bits, grade_endpoint
from ansible_collections.webedge.https.tests.unit.helpers.compliance_probes import with_changes


def test_compliant_intermediate_endpoint_gets_a_plus(good_probe: Dict[str, Any]) -> None:
    grade = grade_endpoint(good_probe)
    # RSA 2048 -> key exchange 90; AES-128 and AES-256/ChaCha20 -> cipher (80 + 100) / 2 = 90; TLS 1.2/1.3 -> 100
    assert (grade["protocol"], grade["key_exchange"], grade["cipher"]) == (100, 90, 90)
    assert grade["score"] == 30 + 27 + 36
    assert grade["grade"] == "A+" and grade["caps"] == [] and grade["warnings"] == []
    assert grade["guide"] == GUIDE


def test_failed_probe_has_no_grade(good_probe: Dict[str, Any]) -> None:
    assert grade_endpoint(with_changes(good_probe, {"error": "connection refused"})) is None


# (id, changes, grade, a reason that must appear among caps or warnings)
GRADE_TABLE = [
    ("no_hsts_is_a_not_a_plus", {"hsts": None}, "A", None),
    ("short_hsts_warns", {"hsts/max_age": 3600}, "A-", "HSTS max-age is too short"),
    ("no_tls13_warns", {"protocols/TLSv1.3": False, "tls13_ciphers": []}, "A-", "TLS 1.3 is not supported"),
    ("tls10_caps_b", {"protocols/TLSv1": True}, "B", "TLS 1.0 is offered"),
    ("sslv3_caps_b", {"protocols/SSLv3": True}, "B", "SSLv3 is offered"),
    ("sslv2_caps_f", {"protocols/SSLv2": True}, "F", "SSLv2 is offered"),
    (
        "legacy_only_caps_c",
        {"protocols/TLSv1.2": False, "protocols/TLSv1.3": False, "protocols/TLSv1": True, "tls13_ciphers": []},
        "C",
        "TLS 1.2 or TLS 1.3 are not offered",
    ),
    ("rsa_1024_caps_b", {"certificate/key_size": 1024}, "B", "weak public key"),
    ("rsa_512_caps_f", {"certificate/key_size": 512}, "F", "insecure public key"),
    ("dh_1024_caps_b", {"key_exchange/dh_bits": 1024}, "B", "weak public key"),
    ("heartbleed_f", {"vulnerabilities/heartbleed/value": True}, "F", "Heartbleed"),
    ("ccs_f", {"vulnerabilities/ccs_injection/value": True}, "F", "CCS injection"),
    ("robot_weak_f", {"vulnerabilities/robot/value": "weak_oracle"}, "F", "ROBOT"),
    ("compression_c", {"vulnerabilities/compression/value": True}, "C", "CRIME"),
    (
        "no_secure_renegotiation_warns",
        {"vulnerabilities/secure_renegotiation/value": False},
        "A-",
        "Secure renegotiation",
    ),
    (
        "insecure_client_renegotiation_f",
        {"vulnerabilities/secure_renegotiation/value": False, "vulnerabilities/client_renegotiation/value": True},
        "F",
        "Insecure client-initiated renegotiation",
    ),
    ("no_fallback_scsv_warns", {"vulnerabilities/fallback_scsv/value": False}, "A-", "TLS_FALLBACK_SCSV"),
    ("name_mismatch_m", {"certificate/hostname_valid": False}, "M", "Domain name mismatch"),
    ("untrusted_t", {"certificate/chain_valid": False}, "T", "Untrusted certificate chain"),
    ("self_signed_t", {"certificate/chain_valid": False, "certificate/self_signed": True}, "T", "Self-signed"),
    ("expired_t", {"certificate/days_remaining": -1}, "T", "Certificate expired"),
    (
        "incomplete_chain_b",
        {"certificate/chain_valid": False, "certificate/intermediates_served": False},
        "B",
        "chain incomplete",
    ),
    (
        "sha1_intermediate_t",
        {
            "certificate/chain": [
                {"signature_algorithm": "sha256WithRSAEncryption"},
                {"signature_algorithm": "sha1WithRSAEncryption"},
            ]
        },
        "T",
        "SHA1",
    ),
    (
        "sha1_root_is_ignored",
        {
            "certificate/chain": [
                {"signature_algorithm": "sha256WithRSAEncryption"},
                {"signature_algorithm": "sha1WithRSAEncryption", "self_signed": True},
            ]
        },
        "A+",
        None,
    ),
    ("md5_leaf_f", {"certificate/chain": [{"signature_algorithm": "md5WithRSAEncryption"}]}, "F", "md5"),
    (
        "no_forward_secrecy_no_aead_b",
        {"tls13_ciphers": [], "protocols/TLSv1.3": False, "tls12_ciphers": ["TLS_RSA_WITH_AES_128_CBC_SHA"]},
        "B",
        "Forward Secrecy",
    ),
    (
        "3des_with_tls12_c",
        {"tls12_ciphers": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"]},
        "C",
        "SWEET32",
    ),
    ("rc4_c", {"tls12_ciphers": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_RC4_128_SHA"]}, "C", "RC4"),
    ("export_f", {"tls12_ciphers": ["TLS_RSA_EXPORT_WITH_RC4_40_MD5"]}, "F", "Export suite offered"),
    ("null_cipher_f", {"tls12_ciphers": ["TLS_RSA_WITH_NULL_SHA256"]}, "F", "weaker than 112 bits"),
    (
        "poodle_c",
        {"protocols/SSLv3": True, "legacy_ciphers": {"SSLv3": ["TLS_RSA_WITH_AES_128_CBC_SHA"]}},
        "C",
        "POODLE",
    ),
]


@pytest.mark.parametrize(("changes", "letter", "reason"), [r[1:] for r in GRADE_TABLE], ids=[r[0] for r in GRADE_TABLE])
def test_grade(good_probe: Dict[str, Any], changes: Dict[str, Any], letter: str, reason) -> None:
    grade = grade_endpoint(with_changes(good_probe, changes))
    assert grade["grade"] == letter, grade
    texts = [cap["reason"] for cap in grade["caps"]] + grade["warnings"]
    if reason:
        assert any(reason.lower() in text.lower() for text in texts), texts


def test_worst_cap_wins_and_t_replaces_the_letter(good_probe: Dict[str, Any]) -> None:
    probe = with_changes(
        good_probe,
        {"protocols/TLSv1": True, "certificate/chain_valid": False, "vulnerabilities/heartbleed/value": True},
    )
    assert grade_endpoint(probe)["grade"] == "T"
    probe = with_changes(good_probe, {"protocols/TLSv1": True, "vulnerabilities/heartbleed/value": True})
    assert grade_endpoint(probe)["grade"] == "F"


def test_unread_facts_are_named(good_probe: Dict[str, Any]) -> None:
    grade = grade_endpoint(with_changes(good_probe, {"certificate/key_type": None, "certificate/key_size": None}))
    assert grade["incomplete"] == ["the certificate key"]


@pytest.mark.parametrize(
    ("suite", "bits"),
    [
        ("TLS_AES_128_GCM_SHA256", 128),
        ("TLS_CHACHA20_POLY1305_SHA256", 256),
        ("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 256),
        ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", 112),
        ("TLS_RSA_WITH_DES_CBC_SHA", 56),
        ("TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", 40),
        ("TLS_RSA_WITH_NULL_SHA", 0),
        ("TLS_RSA_WITH_RC4_128_SHA", 128),
    ],
)
def test_cipher_bits(suite: str, bits: int) -> None:
    assert cipher_bits(suite) == bits
