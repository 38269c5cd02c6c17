# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each endpoint control passes on a compliant probe and fails (or errors/skips) on a crafted one."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.module_utils.compliance.catalog import CATALOG
from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint import (
    CERTIFICATE_CONTROL_IDS,
    ENDPOINT_CHECKS,
    ENDPOINT_CONTROL_IDS,
    evaluate_endpoint,
)
from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import findings_to_dict
from ansible_collections.webedge.https.plugins.module_utils.compliance.host import HOST_CHECKS, HOST_CONTROL_IDS
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import get_profile
from ansible_collections.webedge.https.tests.unit.helpers.compliance_probes import (
    NOW,
    with_changes,
)

INTERMEDIATE = get_profile("intermediate", "5.7")


def test_every_catalog_control_has_a_check():
    assert set(ENDPOINT_CONTROL_IDS) | set(HOST_CONTROL_IDS) == set(CATALOG)
    assert set(ENDPOINT_CHECKS) == set(ENDPOINT_CONTROL_IDS)
    assert set(HOST_CHECKS) == set(HOST_CONTROL_IDS)
    assert set(ENDPOINT_CONTROL_IDS) >= CERTIFICATE_CONTROL_IDS


def test_compliant_intermediate_probe_passes_every_endpoint_control(good_probe):
    findings = evaluate_endpoint(good_probe, INTERMEDIATE, now=NOW)
    assert list(findings) == list(ENDPOINT_CONTROL_IDS)
    assert {cid: f.status for cid, f in findings.items()} == dict.fromkeys(ENDPOINT_CONTROL_IDS, "pass")
    assert all(f.target == "web1.lab.example:443" for f in findings.values())


FAILS = [
    # id, control, changes, status, severity, message fragment
    ("sslv2_accepted", "TLS-01", {"protocols/SSLv2": True}, "fail", "critical", "SSLv2 accepted"),
    ("sslv2_unknown", "TLS-01", {"protocols/SSLv2": None}, "error", "critical", "could not determine"),
    ("sslv3_accepted", "TLS-02", {"protocols/SSLv3": True}, "fail", "critical", "SSLv3 accepted"),
    ("tls10_accepted", "TLS-03", {"protocols/TLSv1": True}, "fail", "high", "TLS 1.0 accepted; profile intermediate"),
    ("tls11_accepted", "TLS-04", {"protocols/TLSv1.1": True}, "fail", "high", "TLS 1.1 accepted"),
    ("tls12_refused", "TLS-05", {"protocols/TLSv1.2": False}, "fail", "high", "TLS 1.2 refused"),
    ("tls13_refused", "TLS-06", {"protocols/TLSv1.3": False}, "fail", "medium", "TLS 1.3 refused"),
    (
        "cbc_suite_accepted",
        "TLS-07",
        {"tls12_ciphers": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"]},
        "fail",
        "high",
        "outside profile intermediate 5.7: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    ),
    (
        "static_rsa_accepted",
        "TLS-07",
        {"tls12_ciphers": ["TLS_RSA_WITH_AES_128_GCM_SHA256"]},
        "fail",
        "high",
        "without forward secrecy: TLS_RSA_WITH_AES_128_GCM_SHA256",
    ),
    ("ciphers_not_enumerated", "TLS-07", {"tls12_ciphers": None}, "error", "high", "not enumerated"),
    (
        "negotiated_outside",
        "TLS-07",
        {"negotiated/cipher": "TLS_RSA_WITH_AES_256_CBC_SHA"},
        "fail",
        "high",
        "negotiated TLS_RSA_WITH_AES_256_CBC_SHA",
    ),
    (
        "untrusted_chain",
        "TLS-08",
        {"certificate/chain_valid": False, "certificate/chain_error": "unable to get local issuer certificate"},
        "fail",
        "critical",
        "unable to get local issuer certificate",
    ),
    (
        "self_signed",
        "TLS-08",
        {"certificate/chain_valid": False, "certificate/self_signed": True},
        "fail",
        "critical",
        "self-signed",
    ),
    ("name_mismatch", "TLS-09", {"certificate/hostname_valid": False}, "fail", "critical", "not valid for web1"),
    # what no certificate reader filled (the probe ran as a module) is undecided, not a verdict
    ("names_not_read", "TLS-09", {"certificate/hostname_valid": None}, "error", "critical", "names were not read"),
    (
        "expired",
        "TLS-10",
        {"certificate/days_remaining": -3, "certificate/not_after": "2025-06-11T00:00:00Z"},
        "fail",
        "high",
        "expired (2025-06-11)",
    ),
    ("expires_soon", "TLS-10", {"certificate/days_remaining": 10}, "fail", "medium", "expires in 10 days"),
    ("not_yet_valid", "TLS-10", {"certificate/not_before": "2025-07-01T00:00:00Z"}, "fail", "high", "not valid before"),
    ("rsa_1024", "TLS-11", {"certificate/key_size": 1024}, "fail", "high", "RSA key of 1024 bits, fewer than 2048"),
    (
        "sha1_signature",
        "TLS-11",
        {"certificate/signature_algorithm": "sha1WithRSAEncryption"},
        "fail",
        "high",
        "weak signature algorithm sha1WithRSAEncryption",
    ),
    (
        "ec_p521",
        "TLS-11",
        {
            "certificate/key_type": "EC",
            "certificate/key_size": 521,
            "certificate/curve": "secp521r1",
            "certificate/signature_algorithm": "ecdsa-with-SHA512",
        },
        "fail",
        "high",
        "EC curve secp521r1",
    ),
    (
        "ed25519",
        "TLS-11",
        {"certificate/key_type": "Ed25519", "certificate/signature_algorithm": "ED25519"},
        "fail",
        "high",
        "Ed25519 key",
    ),
    (
        "key_not_read",
        "TLS-11",
        {"certificate/key_type": None, "certificate/key_size": None, "certificate/signature_algorithm": None},
        "error",
        "high",
        "key and signature were not read",
    ),
    (
        "chain_incomplete",
        "TLS-12",
        {"certificate/intermediates_served": False, "certificate/chain_length": 1},
        "fail",
        "medium",
        "intermediates are missing",
    ),
    ("group_x448", "TLS-13", {"negotiated/group": "X448"}, "fail", "medium", "negotiated group X448"),
    ("group_unknown", "TLS-13", {"negotiated/group": None}, "skip", "medium", "not reported"),
    (
        "lifespan_too_long",
        "TLS-14",
        {"certificate/not_before": "2024-01-01T00:00:00Z", "certificate/not_after": "2026-01-01T00:00:00Z"},
        "fail",
        "low",
        "lifespan 731 days, more than profile intermediate's 366",
    ),
    ("hsts_missing", "HTTP-01", {"hsts/present": False}, "fail", "medium", "no Strict-Transport-Security"),
    ("hsts_short", "HTTP-01", {"hsts/max_age": 3600}, "fail", "medium", "max-age=3600, less than 15768000"),
    ("hsts_below_profile", "HTTP-01", {"hsts/max_age": 31536000}, "fail", "low", "less than the profile's 63072000"),
    ("redirect_302", "HTTP-02", {"redirect/status": 302}, "fail", "medium", "not a permanent redirect"),
    (
        "redirect_other_host",
        "HTTP-02",
        {"redirect/location": "https://evil.example/", "redirect/to_https_same_host": False},
        "fail",
        "medium",
        "not to https on the same host",
    ),
    ("no_redirect", "HTTP-02", {"redirect/status": 200, "redirect/location": None}, "fail", "medium", "answered 200"),
    ("redirect_not_checked", "HTTP-02", {"redirect/checked": False}, "skip", "medium", "not checked"),
    ("redirect_error", "HTTP-02", {"redirect/error": "connection refused"}, "error", "medium", "connection refused"),
    (
        "server_version",
        "HTTP-03",
        {"server_header": "nginx/1.24.0", "server_header_has_version": True},
        "fail",
        "low",
        "nginx/1.24.0",
    ),
    (
        "server_version_detected_here",
        "HTTP-03",
        {"server_header": "Apache/2.4.62 (Debian)", "server_header_has_version": None},
        "fail",
        "low",
        "reveals a version",
    ),
]


@pytest.mark.parametrize(
    ("control", "changes", "status", "severity", "fragment"),
    [case[1:] for case in FAILS],
    ids=[case[0] for case in FAILS],
)
def test_crafted_probe_fails_its_control(good_probe, control, changes, status, severity, fragment):
    findings = evaluate_endpoint(with_changes(good_probe, changes), INTERMEDIATE, now=NOW)
    finding = findings[control]
    assert (finding.status, finding.severity) == (status, severity)
    assert fragment in finding.message
    others = {cid: f.status for cid, f in findings.items() if cid != control and f.status != "pass"}
    # a crafted change touches its own control; only closely related ones may move with it
    assert set(others) <= {"TLS-05", "TLS-07", "TLS-08", "TLS-10", "TLS-14"}, others


PROFILE_CASES = [
    # modern is TLS 1.3 only, ECDSA only
    ("modern_tls12_offered", ("modern", "5.7"), "TLS-05", {}, "fail", "expects it refused"),
    ("modern_tls12_refused", ("modern", "5.7"), "TLS-05", {"protocols/TLSv1.2": False}, "pass", "as profile modern"),
    ("modern_any_tls12_suite", ("modern", "5.7"), "TLS-07", {}, "fail", "outside profile modern"),
    (
        "modern_no_tls12",
        ("modern", "5.7"),
        "TLS-07",
        {"protocols/TLSv1.2": False, "tls12_ciphers": None},
        "skip",
        "TLS 1.2 refused",
    ),
    ("modern_rsa_cert", ("modern", "5.7"), "TLS-11", {}, "fail", "allows ecdsa only"),
    ("old_allows_tls10", ("old", "5.7"), "TLS-03", {"protocols/TLSv1": True}, "pass", "which profile old 5.7 allows"),
    (
        "v60_drops_dhe",
        ("intermediate", "6.0"),
        "TLS-07",
        {"tls12_ciphers": ["TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"]},
        "fail",
        "outside profile intermediate 6.0",
    ),
    (
        "v57_keeps_dhe",
        ("intermediate", "5.7"),
        "TLS-07",
        {"tls12_ciphers": ["TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"]},
        "pass",
        "forward secret",
    ),
    (
        "v60_accepts_mlkem",
        ("intermediate", "6.0"),
        "TLS-13",
        {"negotiated/group": "X25519MLKEM768"},
        "pass",
        "X25519MLKEM768",
    ),
    ("v57_rejects_mlkem", ("intermediate", "5.7"), "TLS-13", {"negotiated/group": "X25519MLKEM768"}, "fail", "not in"),
    ("p256_alias_accepted", ("intermediate", "5.7"), "TLS-13", {"negotiated/group": "secp256r1"}, "pass", "secp256r1"),
]


@pytest.mark.parametrize(
    ("profile", "control", "changes", "status", "fragment"),
    [case[1:] for case in PROFILE_CASES],
    ids=[case[0] for case in PROFILE_CASES],
)
def test_profile_decides_the_verdict(good_probe, profile, control, changes, status, fragment):
    finding = evaluate_endpoint(with_changes(good_probe, changes), get_profile(*profile), now=NOW)[control]
    assert finding.status == status
    assert fragment in finding.message


def test_ecdsa_certificate_passes_modern(good_probe):
    probe = with_changes(
        good_probe,
        {
            "protocols/TLSv1.2": False,
            "tls12_ciphers": None,
            "certificate/key_type": "EC",
            "certificate/key_size": 256,
            "certificate/curve": "secp256r1",
            "certificate/signature_algorithm": "ecdsa-with-SHA256",
            "certificate/not_before": "2025-05-01T00:00:00Z",
            "certificate/not_after": "2025-07-30T00:00:00Z",
            "certificate/days_remaining": 45,
        },
    )
    findings = evaluate_endpoint(probe, get_profile("modern"), now=NOW)
    assert {cid: f.status for cid, f in findings.items() if f.status != "pass"} == {"TLS-07": "skip"}


def test_probe_error_makes_every_endpoint_control_an_error(good_probe):
    probe = with_changes(good_probe, {"error": "connection refused"})
    findings = evaluate_endpoint(probe, INTERMEDIATE, now=NOW)
    assert {f.status for f in findings.values()} == {"error"}
    assert "connection refused" in findings["TLS-01"].message


def test_missing_certificate_is_an_error_not_a_pass(good_probe):
    findings = evaluate_endpoint(with_changes(good_probe, {"certificate": None}), INTERMEDIATE, now=NOW)
    assert {findings[c].status for c in ("TLS-08", "TLS-09", "TLS-10", "TLS-11", "TLS-12", "TLS-14")} == {"error"}


def test_findings_serialize_to_the_probe_schema(good_probe):
    as_dict = findings_to_dict(evaluate_endpoint(good_probe, INTERMEDIATE, now=NOW))
    assert set(as_dict["TLS-01"]) == {"control", "status", "severity", "message", "target", "observed", "expected"}
    assert as_dict["TLS-10"]["observed"] == 200
