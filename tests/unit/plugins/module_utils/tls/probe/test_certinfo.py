# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The standard-library certificate reader (what the probe has on targets): honest about what it cannot read."""

from __future__ import annotations

import hashlib
from typing import Sequence

import pytest

from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint import evaluate_endpoint
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.certinfo import (
    NO_READER_NOTE,
    StdlibCertificateReader,
    hostname_matches,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import get_profile
from ansible_collections.webedge.https.tests.unit.helpers.tls_probing import CERT_KEYS, probe
from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import OPENSSL, Pki, der_of, s_server

READER_ONLY = ("self_signed", "intermediates_served")


@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
def test_verified_chain_gives_names_and_dates_and_says_what_is_missing(pki: Pki) -> None:
    # Given a trusted server, probed with the standard library only
    with s_server(pki.good) as port:
        (report,) = probe([f"localhost:{port}"], pki.root, reader=StdlibCertificateReader())
    cert = report.result["certificate"]
    # Then what ssl tells after a verified handshake is there, in the reader's spelling
    assert set(cert) == CERT_KEYS
    assert cert["chain_valid"] is True
    assert cert["hostname_valid"] is True
    assert cert["sans"] == ["localhost", "127.0.0.1", "::1"]
    assert cert["subject"] and cert["not_after"].endswith("+00:00")
    assert 195 <= cert["days_remaining"] <= 200
    assert cert["sha256_fingerprint"] == hashlib.sha256(der_of(pki.good.cert)).hexdigest()
    assert cert["chain_length"] == 2
    # and what takes a certificate parser is null, with a note saying why and where it would be read
    assert {key: cert[key] for key in READER_ONLY} == dict.fromkeys(READER_ONLY)
    assert NO_READER_NOTE in report.notes
    # the key, the signature and every chain certificate come from the probe's own DER reader
    assert (cert["key_type"], cert["key_size"], cert["signature_algorithm"]) == ("RSA", 2048, "ecdsa-with-SHA256")
    assert [entry["key_type"] for entry in cert["chain"]] == ["RSA", "EC"]
    assert cert["ocsp_urls"] == [] and cert["must_staple"] is False
    # so only the control that needs a parser's chain building is undecided, not failed
    findings = evaluate_endpoint(report.result, get_profile("intermediate"))
    assert [findings[cid].status for cid in ("TLS-08", "TLS-09", "TLS-10", "TLS-11", "TLS-18")] == ["pass"] * 5
    assert findings["TLS-12"].status == "error"


@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
def test_untrusted_chain_leaves_only_fingerprint_and_trust_verdict(pki: Pki) -> None:
    with s_server(pki.good) as port:
        (report,) = probe([f"localhost:{port}"], pki.other_root, reader=StdlibCertificateReader())
    cert = report.result["certificate"]
    assert cert["chain_valid"] is False and cert["chain_error"]
    assert cert["sha256_fingerprint"] and cert["chain_length"] == 2
    assert cert["subject"] is None and cert["hostname_valid"] is None and cert["days_remaining"] is None
    findings = evaluate_endpoint(report.result, get_profile("intermediate"))
    assert findings["TLS-08"].status == "fail"
    assert {findings[cid].status for cid in ("TLS-09", "TLS-10", "TLS-12", "TLS-14")} == {"error"}
    assert findings["TLS-11"].status == "pass"  # read without a parser


def test_stdlib_reader_cannot_verify_offline() -> None:
    valid, reason = StdlibCertificateReader().verify_offline([b"leaf"], [b"root"])
    assert valid is None and "not verified" in str(reason)
    assert StdlibCertificateReader().anchor_subjects(None, None) == frozenset()


# (id, server name, DNS SANs, IP SANs, matches, fragment of the reason)
HOSTNAME_TABLE = [
    ("exact", "www.example.test", ["www.example.test"], [], True, ""),
    ("case_and_trailing_dot", "WWW.Example.Test.", ["www.example.test"], [], True, ""),
    ("wildcard_one_label", "a.example.test", ["*.example.test"], [], True, ""),
    ("wildcard_not_two_labels", "a.b.example.test", ["*.example.test"], [], False, "does not match"),
    ("wildcard_not_the_bare_domain", "example.test", ["*.example.test"], [], False, "does not match"),
    ("no_wildcard_on_a_tld", "example.com", ["*.com"], [], False, "does not match"),
    ("ip_in_ip_san", "127.0.0.1", ["localhost"], ["127.0.0.1"], True, ""),
    ("ipv6_any_spelling", "[::1]", [], ["0:0:0:0:0:0:0:1"], True, ""),
    ("ip_only_in_dns_san", "127.0.0.1", ["127.0.0.1"], [], False, "IP address SANs"),
    ("no_san_at_all", "www.example.test", [], [], False, "no subjectAltName"),
]


@pytest.mark.parametrize(
    ("name", "dns", "ips", "matches", "fragment"),
    [row[1:] for row in HOSTNAME_TABLE],
    ids=[row[0] for row in HOSTNAME_TABLE],
)
def test_hostname_matching(name: str, dns: Sequence[str], ips: Sequence[str], matches: bool, fragment: str) -> None:
    ok, why = hostname_matches(name, dns, ips)
    assert ok is matches
    assert fragment in why
