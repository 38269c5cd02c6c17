# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The probe against real local servers: openssl s_server, Python HTTP(S) servers, dead and foreign ports."""

from __future__ import annotations

import subprocess
import time
from contextlib import ExitStack
from typing import Any, Dict, List, Optional, Sequence

import pytest

from ansible_collections.webedge.https.plugins.module_utils.compliance.schema import PROBE_PROTOCOLS
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.runner import (
    EndpointReport,
    parse_targets,
    probe_targets,
)
from ansible_collections.webedge.https.tests.unit.plugins.module_utils.tls.probe.servers import (
    OPENSSL,
    Pki,
    free_port,
    http_server,
    ipv6_available,
    s_server,
    tcp_server,
)

pytestmark = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")

RESULT_KEYS = {
    "target",
    "host",
    "port",
    "server_name",
    "error",
    "protocols",
    "negotiated",
    "tls12_ciphers",
    "certificate",
    "hsts",
    "redirect",
    "server_header",
    "server_header_has_version",
    "findings",
}
CERT_KEYS = {
    "subject",
    "issuer",
    "sans",
    "not_before",
    "not_after",
    "days_remaining",
    "hostname_valid",
    "chain_valid",
    "chain_error",
    "self_signed",
    "key_type",
    "key_size",
    "curve",
    "signature_algorithm",
    "sha256_fingerprint",
    "intermediates_served",
    "chain_length",
}


def probe(targets: Sequence[Any], ca_file: Any, **options: Any) -> List[EndpointReport]:
    options.setdefault("timeout", 3.0)
    options.setdefault("http_checks", False)
    return probe_targets(parse_targets(list(targets)), ca_file=str(ca_file) if ca_file else None, **options)


def probe_one(target: Any, ca_file: Any, **options: Any) -> Dict[str, Any]:
    (report,) = probe([target], ca_file, **options)
    assert set(report.result) == RESULT_KEYS
    return report.result


# --- protocol versions -------------------------------------------------------------------------

LEGACY = ("-cipher", "ALL:@SECLEVEL=0")
# (id, s_server arguments, protocols expected, negotiated version)
PROTOCOL_TABLE = [
    (
        "default_config_refuses_ssl3_tls10_tls11",
        (),
        {"SSLv2": False, "SSLv3": False, "TLSv1": False, "TLSv1.1": False, "TLSv1.2": True, "TLSv1.3": True},
        "TLSv1.3",
    ),
    (
        "tls10_and_tls11_enabled_are_detected_by_raw_hello",
        ("-min_protocol", "TLSv1", *LEGACY),
        {"SSLv2": False, "SSLv3": False, "TLSv1": True, "TLSv1.1": True, "TLSv1.2": True, "TLSv1.3": True},
        "TLSv1.3",
    ),
    (
        "tls10_only_server",
        ("-tls1", *LEGACY),
        {"SSLv2": False, "SSLv3": False, "TLSv1": True, "TLSv1.1": False, "TLSv1.2": False, "TLSv1.3": False},
        "TLSv1",
    ),
    (
        "tls11_only_server",
        ("-tls1_1", *LEGACY),
        {"SSLv2": False, "SSLv3": False, "TLSv1": False, "TLSv1.1": True, "TLSv1.2": False, "TLSv1.3": False},
        "TLSv1.1",
    ),
    (
        "tls12_only_server",
        ("-tls1_2",),
        {"SSLv2": False, "SSLv3": False, "TLSv1": False, "TLSv1.1": False, "TLSv1.2": True, "TLSv1.3": False},
        "TLSv1.2",
    ),
    (
        "tls13_only_server",
        ("-tls1_3",),
        {"SSLv2": False, "SSLv3": False, "TLSv1": False, "TLSv1.1": False, "TLSv1.2": False, "TLSv1.3": True},
        "TLSv1.3",
    ),
]


@pytest.mark.parametrize(
    ("args", "protocols", "negotiated"), [row[1:] for row in PROTOCOL_TABLE], ids=[row[0] for row in PROTOCOL_TABLE]
)
def test_protocol_versions(pki: Pki, args: Sequence[str], protocols: Dict[str, bool], negotiated: str) -> None:
    # Given an s_server with these protocol settings
    with s_server(pki.good, *args) as port:
        # When it is probed
        result = probe_one(f"localhost:{port}", pki.root)
    # Then every version is reported as the server configured it, and nothing is unknown
    assert result["error"] is None
    assert set(result["protocols"]) == set(PROBE_PROTOCOLS)
    assert result["protocols"] == protocols
    assert result["negotiated"]["version"] == negotiated
    assert result["negotiated"]["cipher"].startswith("TLS_")
    assert result["certificate"]["sha256_fingerprint"]


def test_tls13_group_comes_from_key_share(pki: Pki) -> None:
    with s_server(pki.ec, "-tls1_3", "-groups", "secp384r1") as port:
        result = probe_one(f"localhost:{port}", pki.root)
    # the server does not take our X25519 share: a HelloRetryRequest, still TLS 1.3
    assert result["protocols"]["TLSv1.3"] is True
    assert result["negotiated"]["group"] == "secp384r1"


def test_tls12_group_comes_from_server_key_exchange(pki: Pki) -> None:
    with s_server(pki.good, "-tls1_2", "-groups", "secp384r1") as port:
        result = probe_one(f"localhost:{port}", pki.root)
    assert result["negotiated"]["version"] == "TLSv1.2"
    assert result["negotiated"]["group"] == "secp384r1"


# --- TLS 1.2 cipher enumeration ----------------------------------------------------------------


def _openssl_default_rsa_tls12() -> List[str]:
    listing = subprocess.run(
        [str(OPENSSL), "ciphers", "-V", "-stdname", "-s", "-tls1_2", "DEFAULT"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    names = []
    for line in listing.splitlines():
        fields = line.split()
        if "Au=RSA" in fields and "TLSv1.3" not in fields:
            names.append(fields[2])
    return names


# (id, s_server cipher arguments, expected IANA names; None = what OpenSSL itself lists for an RSA key)
CIPHER_TABLE = [
    ("default_list_matches_openssl_own_view", ("-tls1_2",), None),
    (
        "weak_rsa_kex_cbc_suite_is_found",
        ("-tls1_2", "-cipher", "AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256"),
        ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"],
    ),
    (
        "mozilla_intermediate_rsa_suites",
        ("-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305"),
        [
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        ],
    ),
    ("tls12_refused_means_no_suites", ("-tls1_3",), []),
]


@pytest.mark.parametrize(("args", "expected"), [row[1:] for row in CIPHER_TABLE], ids=[row[0] for row in CIPHER_TABLE])
def test_tls12_cipher_enumeration(pki: Pki, args: Sequence[str], expected: Optional[List[str]]) -> None:
    with s_server(pki.good, *args) as port:
        result = probe_one(f"localhost:{port}", pki.root)
    wanted = _openssl_default_rsa_tls12() if expected is None else expected
    assert sorted(result["tls12_ciphers"]) == sorted(wanted)


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


# --- addressing ---------------------------------------------------------------------------------


@pytest.mark.skipif(not ipv6_available(), reason="no IPv6 loopback")
def test_ipv6_literal_target(pki: Pki) -> None:
    with s_server(pki.good, host="::1") as port:
        result = probe_one(f"[::1]:{port}", pki.root)
    assert result["target"] == f"[::1]:{port}"
    assert result["host"] == "::1"
    assert result["protocols"]["TLSv1.2"] is True
    assert result["certificate"]["hostname_valid"] is True


def test_address_with_server_name_never_resolves_the_host(pki: Pki) -> None:
    with s_server(pki.wrong_name) as port:
        target = {
            "host": "www.webedge.invalid",
            "port": port,
            "address": "127.0.0.1",
            "server_name": "other.example.test",
        }
        result = probe_one(target, pki.root)
    assert result["error"] is None
    assert result["target"] == f"www.webedge.invalid:{port}"
    assert result["server_name"] == "other.example.test"
    assert result["certificate"]["hostname_valid"] is True


# --- failures are results, not crashes ----------------------------------------------------------


def _closed_port() -> Any:
    return ExitStackValue(free_port())


class ExitStackValue:
    def __init__(self, value: int) -> None:
        self.value = value

    def __enter__(self) -> int:
        return self.value

    def __exit__(self, *exc: Any) -> None:
        return None


# (id, server factory, timeout, expected fragment of the error)
ERROR_TABLE = [
    ("closed_port", _closed_port, 2.0, "connection refused"),
    ("plain_http_service_is_not_tls", lambda: http_server(status=200), 2.0, "not a TLS service"),
    ("ssh_like_banner_is_not_tls", lambda: tcp_server(b"SSH-2.0-OpenSSH_9.2\r\n"), 2.0, "not a TLS service"),
    ("silent_service_times_out", lambda: tcp_server(None), 0.5, "no TLS answer"),
]


@pytest.mark.parametrize(
    ("factory", "timeout", "fragment"), [row[1:] for row in ERROR_TABLE], ids=[row[0] for row in ERROR_TABLE]
)
def test_unusable_endpoint_is_an_error_result(pki: Pki, factory: Any, timeout: float, fragment: str) -> None:
    with factory() as port:
        started = time.monotonic()
        result = probe_one(f"127.0.0.1:{port}", pki.root, timeout=timeout)
        elapsed = time.monotonic() - started
    assert fragment in result["error"]
    assert result["certificate"] is None
    assert elapsed < timeout * 3 + 1


def test_unresolvable_name_is_an_error_result(pki: Pki) -> None:
    result = probe_one("nothing.webedge.invalid:443", pki.root)
    assert "does not resolve" in result["error"]
    assert result["protocols"] == {name: None for name in PROBE_PROTOCOLS}


def test_one_task_mixes_good_and_bad_targets_in_order(pki: Pki) -> None:
    closed = free_port()
    with s_server(pki.good) as port:
        reports = probe([f"localhost:{port}", f"127.0.0.1:{closed}", "nothing.webedge.invalid"], pki.root)
    assert [r.result["target"] for r in reports] == [
        f"localhost:{port}",
        f"127.0.0.1:{closed}",
        "nothing.webedge.invalid:443",
    ]
    assert [r.result["error"] is None for r in reports] == [True, False, False]


# --- HTTP checks --------------------------------------------------------------------------------

# (id, extra headers, Server header, expected hsts, expected has_version)
HSTS_TABLE = [
    (
        "full_hsts_and_versioned_server",
        [("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload")],
        "nginx/1.22.1",
        {"present": True, "max_age": 63072000, "include_subdomains": True, "preload": True},
        True,
    ),
    (
        "no_hsts_and_bare_server",
        [],
        "nginx",
        {"present": False, "max_age": None, "include_subdomains": False, "preload": False},
        False,
    ),
    (
        "short_hsts_only_first_header_counts",
        [("Strict-Transport-Security", "max-age=300"), ("Strict-Transport-Security", "max-age=63072000")],
        "Apache/2.4.57 (Debian)",
        {"present": True, "max_age": 300, "include_subdomains": False, "preload": False},
        True,
    ),
]


@pytest.mark.parametrize(
    ("headers", "server", "hsts", "has_version"), [row[1:] for row in HSTS_TABLE], ids=[row[0] for row in HSTS_TABLE]
)
def test_hsts_and_server_header(pki: Pki, headers: Any, server: str, hsts: Dict[str, Any], has_version: bool) -> None:
    with http_server(headers=headers, server_header=server, tls=pki.good) as port:
        result = probe_one(f"localhost:{port}", pki.root, http_checks=True, http_port=free_port())
    assert {key: result["hsts"][key] for key in hsts} == hsts
    assert result["server_header"] == server
    assert result["server_header_has_version"] is has_version


# (id, status, Location, expected to_https_same_host)
REDIRECT_TABLE = [
    ("permanent_redirect_to_https_same_host", 308, "https://localhost/", True),
    ("moved_to_https_same_host_with_path", 301, "https://LOCALHOST/index.html", True),
    ("redirect_to_another_host", 301, "https://other.example.test/", False),
    ("redirect_to_plain_http", 301, "http://localhost/", False),
    ("no_redirect", 200, None, False),
]


@pytest.mark.parametrize(
    ("status", "location", "same_host"), [row[1:] for row in REDIRECT_TABLE], ids=[row[0] for row in REDIRECT_TABLE]
)
def test_port80_redirect(pki: Pki, status: int, location: Optional[str], same_host: bool) -> None:
    headers = [("Location", location)] if location else []
    with ExitStack() as stack:
        http_port = stack.enter_context(http_server(status=status, headers=headers))
        tls_port = stack.enter_context(s_server(pki.good))
        result = probe_one(f"localhost:{tls_port}", pki.root, http_checks=True, http_port=http_port)
    assert result["redirect"] == {
        "checked": True,
        "status": status,
        "location": location,
        "to_https_same_host": same_host,
        "error": None,
    }


def test_target_http_port_overrides_the_task_http_port(pki: Pki) -> None:
    # Given two endpoints on one host whose redirects live on different plain-HTTP ports
    with ExitStack() as stack:
        redirecting = stack.enter_context(http_server(status=301, headers=[("Location", "https://localhost/")]))
        tls_port = stack.enter_context(s_server(pki.good))
        own, default = probe(
            [{"host": "localhost", "port": tls_port, "http_port": redirecting}, f"localhost:{tls_port}"],
            pki.root,
            http_checks=True,
            http_port=free_port(),  # nothing listens here
        )
    # Then the target with its own http_port is checked there, the other on the task's port
    assert own.result["redirect"]["status"] == 301
    assert own.result["redirect"]["to_https_same_host"] is True
    assert default.result["redirect"]["status"] is None
    assert "connection refused" in default.result["redirect"]["error"]


def test_closed_http_port_is_reported_not_fatal(pki: Pki) -> None:
    with s_server(pki.good) as port:
        result = probe_one(f"localhost:{port}", pki.root, http_checks=True, http_port=free_port())
    assert result["error"] is None
    assert result["redirect"]["checked"] is True
    assert "connection refused" in result["redirect"]["error"]
    assert result["redirect"]["to_https_same_host"] is None


def test_http_checks_off(pki: Pki) -> None:
    with s_server(pki.good) as port:
        result = probe_one(f"localhost:{port}", pki.root, http_checks=False)
    assert result["hsts"] is None
    assert result["redirect"]["checked"] is False
    assert result["server_header"] is None


# --- speed --------------------------------------------------------------------------------------


def test_twenty_endpoints_take_about_as_long_as_one(pki: Pki) -> None:
    with ExitStack() as stack:
        ports = [stack.enter_context(s_server(pki.good)) for _index in range(20)]
        started = time.monotonic()
        probe([f"localhost:{ports[0]}"], pki.root)
        one = time.monotonic() - started
        started = time.monotonic()
        reports = probe([f"localhost:{port}" for port in ports], pki.root)
        twenty = time.monotonic() - started
    assert all(r.result["error"] is None for r in reports)
    assert one < 2.0
    assert twenty < max(3 * one, 3.0)
