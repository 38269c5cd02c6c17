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
        "legacy_version_suite_outside",
        "TLS-07",
        {"protocols/TLSv1": True, "legacy_ciphers": {"TLSv1": ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"]}},
        "fail",
        "high",
        "outside profile intermediate 5.7: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    ),
    (
        "legacy_version_not_enumerated",
        "TLS-07",
        {"protocols/TLSv1.1": True, "legacy_ciphers": {"TLSv1.1": None}},
        "error",
        "high",
        "not checked: the suites accepted with TLSv1.1 were not enumerated",
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
    (
        "group_x448_accepted",
        "TLS-13",
        {"key_exchange/groups_tls13": ["x25519", "x448"]},
        "fail",
        "medium",
        "outside profile intermediate 5.7: x448",
    ),
    (
        "ffdhe_accepted_with_tls13",
        "TLS-13",
        {"key_exchange/groups_tls13": ["x25519", "ffdhe2048"]},
        "fail",
        "medium",
        "ffdhe2048",
    ),
    ("tls12_curve_outside", "TLS-13", {"key_exchange/groups_tls12": ["secp521r1"]}, "fail", "medium", "secp521r1"),
    ("groups_not_enumerated", "TLS-13", {"key_exchange/groups_tls13": None}, "error", "medium", "not enumerated"),
    (
        "tls13_ccm_accepted",
        "TLS-15",
        {"tls13_ciphers": ["TLS_AES_128_GCM_SHA256", "TLS_AES_128_CCM_8_SHA256"]},
        "fail",
        "high",
        "outside profile intermediate 5.7: TLS_AES_128_CCM_8_SHA256",
    ),
    ("tls13_suites_not_enumerated", "TLS-15", {"tls13_ciphers": None}, "error", "high", "not enumerated"),
    ("dh_1024", "TLS-16", {"key_exchange/dh_bits": 1024}, "fail", "high", "1024-bit parameters, fewer than 2048"),
    ("no_dhe", "TLS-16", {"key_exchange/dh_bits": None}, "skip", "high", "not applicable: no DHE"),
    ("ecdh_224", "TLS-17", {"key_exchange/ecdh_bits": 224}, "fail", "medium", "224-bit group, fewer than 256"),
    (
        "chain_sha1_intermediate",
        "TLS-18",
        {
            "certificate/chain": [
                {"key_type": "RSA", "key_size": 2048},
                {
                    "subject": "CN=old CA",
                    "key_type": "RSA",
                    "key_size": 2048,
                    "signature_algorithm": "sha1WithRSAEncryption",
                    "self_signed": False,
                },
            ]
        },
        "fail",
        "high",
        "CN=old CA: sha1WithRSAEncryption signature",
    ),
    (
        "chain_rsa1024_intermediate",
        "TLS-18",
        {
            "certificate/chain": [
                {"key_type": "RSA"},
                {
                    "subject": "CN=small",
                    "key_type": "RSA",
                    "key_size": 1024,
                    "signature_algorithm": "sha256WithRSAEncryption",
                },
            ]
        },
        "fail",
        "high",
        "CN=small: RSA key of 1024 bits",
    ),
    (
        "chain_sha1_root_is_fine",
        "TLS-18",
        {
            "certificate/chain": [
                {"key_type": "RSA"},
                {
                    "subject": "CN=root",
                    "key_type": "RSA",
                    "key_size": 4096,
                    "signature_algorithm": "sha1WithRSAEncryption",
                    "self_signed": True,
                },
            ]
        },
        "pass",
        "high",
        "strong keys and signatures",
    ),
    (
        "chain_leaf_only",
        "TLS-18",
        {"certificate/chain": [{"key_type": "RSA"}]},
        "skip",
        "high",
        "no certificate besides",
    ),
    ("not_stapled", "TLS-20", {"ocsp/stapled": False}, "fail", "low", "no OCSP response stapled"),
    ("no_responder", "TLS-20", {"certificate/ocsp_urls": []}, "skip", "low", "names no OCSP responder"),
    ("staple_revoked", "TLS-20", {"ocsp/cert_status": "revoked"}, "fail", "low", "revoked"),
    ("must_staple_unstapled", "TLS-21", {"ocsp/stapled": False}, "fail", "high", "without an OCSP response"),
    ("not_must_staple", "TLS-21", {"certificate/must_staple": False}, "skip", "high", "not must-staple"),
    (
        "no_resumption",
        "TLS-22",
        {"vulnerabilities/session_resumption_ids/value": False},
        "fail",
        "low",
        "no resumption",
    ),
    ("heartbleed", "VULN-01", {"vulnerabilities/heartbleed/value": True}, "fail", "critical", "heartbeat"),
    (
        "heartbleed_tls13_only",
        "VULN-01",
        {"vulnerabilities/heartbleed": {"applicable": False, "value": None, "reason": "TLS 1.3 only"}},
        "skip",
        "critical",
        "not applicable: TLS 1.3 only",
    ),
    (
        "heartbleed_undecided",
        "VULN-01",
        {
            "vulnerabilities/heartbleed": {
                "applicable": True,
                "value": None,
                "reason": "not checked: connection refused",
            }
        },
        "error",
        "critical",
        "not checked: connection refused",
    ),
    ("ccs_injection", "VULN-02", {"vulnerabilities/ccs_injection/value": True}, "fail", "high", "ChangeCipherSpec"),
    (
        "robot_strong",
        "VULN-03",
        {
            "vulnerabilities/robot": {
                "applicable": True,
                "value": "strong_oracle",
                "reason": "RSA padding oracle (strong)",
            }
        },
        "fail",
        "critical",
        "strong",
    ),
    (
        "robot_weak",
        "VULN-03",
        {"vulnerabilities/robot": {"applicable": True, "value": "weak_oracle", "reason": "RSA padding oracle (weak)"}},
        "fail",
        "medium",
        "weak",
    ),
    (
        "robot_inconsistent",
        "VULN-03",
        {"vulnerabilities/robot": {"applicable": True, "value": None, "reason": "not checked: inconsistent"}},
        "error",
        "critical",
        "inconsistent",
    ),
    (
        "no_secure_renegotiation",
        "VULN-04",
        {"vulnerabilities/secure_renegotiation/value": False},
        "fail",
        "high",
        "renegotiation_info",
    ),
    (
        "client_renegotiation",
        "VULN-05",
        {"vulnerabilities/client_renegotiation/value": True},
        "fail",
        "medium",
        "renegotiation",
    ),
    ("compression", "VULN-06", {"vulnerabilities/compression/value": True}, "fail", "high", "compression"),
    ("no_fallback_scsv", "VULN-07", {"vulnerabilities/fallback_scsv/value": False}, "fail", "medium", "fallback"),
    (
        "no_ems",
        "VULN-08",
        {"vulnerabilities/extended_master_secret/value": False},
        "fail",
        "medium",
        "extended_master_secret",
    ),
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
    assert set(others) <= {
        "TLS-03",
        "TLS-04",
        "TLS-05",
        "TLS-07",
        "TLS-08",
        "TLS-10",
        "TLS-14",
        "TLS-15",
        "TLS-20",
        "TLS-21",
    }, others


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
        "no version up to TLS 1.2",
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
        {"key_exchange/groups_tls13": ["X25519MLKEM768", "x25519"]},
        "pass",
        "X25519MLKEM768",
    ),
    (
        "v57_rejects_mlkem",
        ("intermediate", "5.7"),
        "TLS-13",
        {"key_exchange/groups_tls13": ["X25519MLKEM768", "x25519"]},
        "fail",
        "outside profile intermediate 5.7: X25519MLKEM768",
    ),
    (
        "p256_alias_accepted",
        ("intermediate", "5.7"),
        "TLS-13",
        {"key_exchange/groups_tls12": ["secp256r1"]},
        "pass",
        "secp256r1",
    ),
    ("old_needs_server_order", ("old", "5.7"), "TLS-19", {}, "fail", "follows the client's suite order"),
    ("old_server_order_kept", ("old", "5.7"), "TLS-19", {"key_exchange/server_order": True}, "pass", "imposes"),
    (
        "intermediate_either_order",
        ("intermediate", "5.7"),
        "TLS-19",
        {"key_exchange/server_order": True},
        "pass",
        "lets the client choose",
    ),
    ("modern_sets_no_dh_size", ("modern", "5.7"), "TLS-16", {}, "skip", "sets no dh_param_size"),
    ("old_dh_1024_allowed", ("old", "5.7"), "TLS-16", {"key_exchange/dh_bits": 1024}, "pass", "1024 bits or more"),
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
    assert {cid: f.status for cid, f in findings.items() if f.status != "pass"} == {"TLS-07": "skip", "TLS-16": "skip"}


def test_probe_error_makes_every_endpoint_control_an_error(good_probe):
    probe = with_changes(good_probe, {"error": "connection refused"})
    findings = evaluate_endpoint(probe, INTERMEDIATE, now=NOW)
    assert {f.status for f in findings.values()} == {"error"}
    assert "connection refused" in findings["TLS-01"].message


def test_missing_certificate_is_an_error_not_a_pass(good_probe):
    findings = evaluate_endpoint(with_changes(good_probe, {"certificate": None}), INTERMEDIATE, now=NOW)
    assert {findings[c].status for c in CERTIFICATE_CONTROL_IDS} == {"error"}


def test_findings_serialize_to_the_probe_schema(good_probe):
    as_dict = findings_to_dict(evaluate_endpoint(good_probe, INTERMEDIATE, now=NOW))
    assert set(as_dict["TLS-01"]) == {"control", "status", "severity", "message", "target", "observed", "expected"}
    assert as_dict["TLS-10"]["observed"] == 200


def test_a_question_that_does_not_arise_says_so_once(good_probe):
    # the probe's reason already starts "not applicable": the finding does not repeat it
    probe = with_changes(
        good_probe,
        {
            "vulnerabilities/fallback_scsv/applicable": False,
            "vulnerabilities/fallback_scsv/value": None,
            "vulnerabilities/fallback_scsv/reason": "not applicable: the server accepts one protocol version only",
        },
    )
    finding = evaluate_endpoint(probe, INTERMEDIATE, now=NOW)["VULN-07"]
    assert finding.status == "skip"
    assert finding.message == "not applicable: the server accepts one protocol version only"
