# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The check registry: every check is named once, and the runner's pool has room for every job."""

from __future__ import annotations

import socket

import pytest

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.base import Endpoint, Prior, ProbeSettings
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.registry import PROBE_CHECKS
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import ResolvedAddress
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.runner import (
    JOBS_PER_ENDPOINT,
    THREADS_PER_ENDPOINT,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.targets import Target

ENDPOINT = Target("localhost", 443, "localhost", http_port=8080)
ADDRESS = ResolvedAddress(socket.AF_INET, ("127.0.0.1", 443))


def test_check_names_are_unique_and_set() -> None:
    names = [check.name for check in PROBE_CHECKS]
    assert all(names)
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("http_checks", [True, False])
@pytest.mark.parametrize("check", PROBE_CHECKS, ids=[check.name for check in PROBE_CHECKS])
def test_a_check_asks_for_no_more_connections_than_it_declares(check, http_checks: bool) -> None:
    endpoint = Endpoint(ENDPOINT, ADDRESS, ProbeSettings(http_checks=http_checks))
    jobs = check.jobs(endpoint, Prior({}))  # callables only: nothing connects until the runner runs them
    assert len(jobs) <= check.connections()
    assert all(callable(job) for job in jobs)


def test_jobs_per_endpoint_counts_every_check() -> None:
    # 5 raw version hellos + the SSLv2 hello + the real handshake, then every check's own jobs
    assert 7 + sum(check.connections() for check in PROBE_CHECKS) == JOBS_PER_ENDPOINT
    assert THREADS_PER_ENDPOINT < JOBS_PER_ENDPOINT
