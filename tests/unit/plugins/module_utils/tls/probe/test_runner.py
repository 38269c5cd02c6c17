# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The probe against real local servers: protocol versions, addressing, dead and foreign ports, concurrency."""

from __future__ import annotations

import time
from typing import Any, Dict, Sequence

import pytest

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.result import PROBE_PROTOCOLS
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.runner import (
    JOBS_PER_ENDPOINT,
    THREADS_PER_ENDPOINT,
)
from ansible_collections.webedge.https.tests.unit.helpers.tls_probing import probe, probe_one
from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import (
    OPENSSL,
    Pki,
    free_port,
    gated_servers,
    http_server,
    ipv6_available,
    resetting_server,
    s_server,
    slow_loris_server,
    tcp_server,
)

pytestmark = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")


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
    ("reset_in_the_middle_of_the_server_hello", lambda: resetting_server(after=40), 2.0, "closed"),
    ("slow_loris_trickles_one_byte_at_a_time", lambda: slow_loris_server(0.2), 1.0, "no TLS answer"),
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
    # it ends, whatever the server does (the slow loris would trickle forever): every connection of the
    # endpoint shares a budget of twice the timeout (Budget's own tests); the margin is for a loaded CI
    # machine, this is a hang guard, not a speed figure
    assert elapsed < timeout * 2 + 10, elapsed


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


# --- concurrency (its speed is measured in benchmarks/compliance, never asserted here) -----------


def test_endpoints_are_probed_at_the_same_time() -> None:
    # Given 20 servers that hold every connection unanswered until connections to `expected` of them
    # are held at once. The runner's one pool has concurrency x THREADS_PER_ENDPOINT threads taking
    # jobs endpoint by endpoint, each endpoint's version probes first: the first `expected` endpoints'
    # version probes are all running before any answer comes back.
    targets = 20
    threads = min(32, targets) * THREADS_PER_ENDPOINT
    expected = min(targets, (threads - len(PROBE_PROTOCOLS) - 1) // JOBS_PER_ENDPOINT + 1)
    assert expected >= 2, "the pool no longer holds two endpoints' first connections at once"
    with gated_servers(targets, release_at=expected) as (ports, gate):
        # When they are probed in one call (timeouts far beyond the gate's hold, so no clock decides)
        reports = probe([f"127.0.0.1:{port}" for port in ports], None, timeout=30.0)
    # Then connections to `expected` endpoints were open at the same moment (one endpoint after the
    # other would never hold two), more than one endpoint's thread share, and every endpoint got its
    # answer: a refusal of every version, as the servers said
    assert gate.released, (gate.peak_servers, gate.peak)
    assert gate.peak_servers >= expected
    assert gate.peak > THREADS_PER_ENDPOINT
    assert [r.result["target"] for r in reports] == [f"127.0.0.1:{port}" for port in ports]
    for report in reports:
        assert report.result["error"] is not None
        assert report.result["protocols"]["TLSv1.2"] is False
