# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Probe many endpoints at once: targets in, one ``ProbeResult`` per target out.

Every question about an endpoint is its own connection: six version probes and the real
handshake (+ HTTP GET), which every check reads (:class:`.checks.base.Basics`), then the jobs
of each registered check (``checks/registry.py``: suite and group enumeration chains, the
vulnerability questions, resumption, the port-80 redirect, ...). All of them, for all endpoints,
are jobs of one thread pool of ``concurrency x THREADS_PER_ENDPOINT`` threads, taken in the order
they were queued (endpoint by endpoint, each endpoint's version probes first): several endpoints
are in flight at once, an endpoint's wall time is about its longest chain, and no thread is created
per endpoint (creating them cost more CPU than the probes).
An endpoint's connections share one :class:`.checks.base.Budget`: nothing about it runs longer
than twice the timeout, however slowly the server answers.
"""

from __future__ import annotations

import socket
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.certinfo import (
    CertificateReader,
    StdlibCertificateReader,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.base import (
    Basics,
    Budget,
    BudgetExpired,
    Endpoint,
    EndpointReport,
    Prior,
    ProbeSettings,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.registry import PROBE_CHECKS
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.ciphers import (
    cipher_iana_name,
    cipher_openssl_name,
    group_name,
    iana_name_for_openssl,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.handshake import (
    Contexts,
    HandshakeResult,
    make_contexts,
    ssl_handshake,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import (
    ResolvedAddress,
    VersionResult,
    probe_sslv2,
    probe_version,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.result import empty_probe_result
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.targets import Target

__all__ = ["JOBS_PER_ENDPOINT", "THREADS_PER_ENDPOINT", "probe_endpoint", "probe_targets"]

RAW_ORDER = ("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")

# Jobs one endpoint puts in the shared pool: 5 raw versions + SSLv2 and the handshake, then every
# check's own (enumeration chains, vulnerability questions, resumption, the redirect).
JOBS_PER_ENDPOINT = len(RAW_ORDER) + 2 + sum(check.connections() for check in PROBE_CHECKS)
# Threads per endpoint in the shared pool (``concurrency x THREADS_PER_ENDPOINT`` threads): most jobs are one
# quick exchange, so fewer threads than jobs keep every chain moving. One endpoint alone sees at most this
# many connections at once; with many endpoints the pool takes jobs in order, so the first endpoints'
# jobs (up to JOBS_PER_ENDPOINT each) run at once and the later ones start as threads free up.
THREADS_PER_ENDPOINT = 8


class ResolveError(Exception):
    pass


def resolve(target: Target, timeout: float) -> ResolvedAddress:
    name = target.address or target.host
    try:
        infos = socket.getaddrinfo(name, target.port, 0, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ResolveError(f"name {name!r} does not resolve: {exc.strerror or exc}") from None
    except (OSError, UnicodeError) as exc:
        raise ResolveError(f"name {name!r} does not resolve: {exc}") from None
    if not infos:
        raise ResolveError(f"name {name!r} does not resolve: no addresses")
    family, _type, _proto, _canon, sockaddr = infos[0]
    return ResolvedAddress(family, tuple(sockaddr))


def _endpoint_error(versions: Mapping[str, VersionResult], handshake: HandshakeResult, timeout: float) -> Optional[str]:
    """The endpoint-level error when nothing TLS could be done, else None."""
    if any(result.accepted for result in versions.values()) or handshake.error is None:
        return None
    tls_versions = [versions[name] for name in RAW_ORDER]
    if handshake.connect_error or all(result.connect_error for result in tls_versions):
        return handshake.error if handshake.connect_error else tls_versions[0].connect_error
    garbage = next((result.detail for result in tls_versions if result.not_tls), None)
    if garbage:
        return garbage
    cut = next((result.detail for result in tls_versions if "in the middle of its answer" in result.detail), None)
    if cut:
        return cut
    if all(result.accepted is None for result in tls_versions):
        return f"no TLS answer within {timeout:g} s ({handshake.error})"
    return f"no protocol version accepted ({handshake.error})"


def _negotiated(versions: Mapping[str, VersionResult], handshake: HandshakeResult) -> Dict[str, Any]:
    version = handshake.version
    cipher_openssl = handshake.cipher_openssl
    cipher = iana_name_for_openssl(cipher_openssl) if cipher_openssl else None
    if version is None:  # only a legacy version works: report what our own hello got
        best = next((versions[name] for name in reversed(RAW_ORDER) if versions[name].accepted), None)
        hello = best.flight.server_hello if best and best.flight else None
        if best is None or hello is None:
            return {"version": None, "cipher": None, "cipher_openssl": None, "group": None}
        version = best.version
        cipher = cipher_iana_name(hello.cipher)
        cipher_openssl = cipher_openssl_name(hello.cipher)
    group: Optional[str] = None
    source = versions.get(version or "")
    if source is not None and source.flight is not None and source.accepted:
        hello = source.flight.server_hello
        if version == "TLSv1.3" and hello is not None and hello.group is not None:
            group = group_name(hello.group)
        elif version != "TLSv1.3":
            group = source.flight.kex_group
    return {"version": version, "cipher": cipher, "cipher_openssl": cipher_openssl, "group": group}


@dataclass
class _Pending:
    """One endpoint's submitted jobs, collected by ``_finish``."""

    endpoint: Endpoint
    versions: Dict[str, Future]
    handshake: Future
    checks: List[List[Future]]  # per check of PROBE_CHECKS, in order


def _version_job(endpoint: Endpoint, name: str) -> VersionResult:
    try:
        timeout = endpoint.timeout()
    except BudgetExpired as exc:
        return VersionResult(name, None, str(exc))
    if name == "SSLv2":
        return probe_sslv2(endpoint.address, timeout)
    return probe_version(endpoint.address, endpoint.target.server_name, name, timeout)


def _handshake_job(endpoint: Endpoint, contexts: Contexts) -> HandshakeResult:
    try:
        timeout = endpoint.timeout()
    except BudgetExpired as exc:
        return HandshakeResult(error=str(exc))
    return ssl_handshake(
        endpoint.address,
        endpoint.target.server_name,
        endpoint.target.port,
        contexts,
        timeout,
        http_checks=endpoint.settings.http_checks,
    )


def _submit(pool: ThreadPoolExecutor, endpoint: Endpoint) -> _Pending:
    """Put every question about one endpoint in ``pool``: each is its own connection (the version
    probes first: jobs that wait for them find them running or done)."""
    contexts = endpoint.settings.contexts or make_contexts(None)
    versions = {name: pool.submit(_version_job, endpoint, name) for name in (*RAW_ORDER, "SSLv2")}
    handshake = pool.submit(_handshake_job, endpoint, contexts)
    prior = Prior(versions)
    checks = [[pool.submit(job) for job in check.jobs(endpoint, prior)] for check in PROBE_CHECKS]
    return _Pending(endpoint, versions, handshake, checks)


def _new_report(target: Target) -> EndpointReport:
    result = empty_probe_result(target.host, target.port, target.server_name)
    result["target"] = target.label
    return EndpointReport(result)


def probe_endpoint(target: Target, settings: ProbeSettings, *, now: Optional[datetime] = None) -> EndpointReport:
    """Probe one endpoint; never raises for network trouble (it becomes ``error``)."""
    try:
        address = resolve(target, settings.timeout)
    except ResolveError as exc:
        report = _new_report(target)
        report.result["error"] = str(exc)
        return report
    with ThreadPoolExecutor(max_workers=THREADS_PER_ENDPOINT) as pool:
        return _finish(_submit(pool, Endpoint(target, address, settings, now, Budget(settings.timeout))))


def _finish(pending: _Pending) -> EndpointReport:
    """Wait for one endpoint's jobs and turn their answers into its result."""
    endpoint = pending.endpoint
    report = _new_report(endpoint.target)
    result = report.result
    versions: Dict[str, VersionResult] = {name: future.result() for name, future in pending.versions.items()}
    basics = Basics(versions, pending.handshake.result())
    report.notes.extend(basics.handshake.notes)
    error = _endpoint_error(versions, basics.handshake, endpoint.settings.timeout)
    for check, answers in zip(PROBE_CHECKS, pending.checks):
        if check.after_error:
            check.apply(endpoint, basics, answers, report)
    if error is not None:
        result["error"] = error
        if not any(v.connect_error for v in versions.values()):
            result["protocols"] = {name: versions[name].accepted for name in result["protocols"]}
        return report

    result["protocols"] = {name: versions[name].accepted for name in result["protocols"]}
    result["negotiated"] = _negotiated(versions, basics.handshake)
    for check, answers in zip(PROBE_CHECKS, pending.checks):
        if not check.after_error:
            check.apply(endpoint, basics, answers, report)
    return report


def probe_targets(
    targets: Sequence[Target],
    *,
    ca_file: Optional[str] = None,
    timeout: float = 5.0,
    concurrency: int = 32,
    http_checks: bool = True,
    http_port: int = 80,
    now: Optional[datetime] = None,
    reader: Optional[CertificateReader] = None,
) -> List[EndpointReport]:
    """Probe every target concurrently; results come back in the order of ``targets``.

    ``reader`` reads the served certificates; the standard-library one when None (see ``certinfo``).
    """
    reader = reader or StdlibCertificateReader()
    contexts = make_contexts(ca_file)
    settings = ProbeSettings(
        timeout=timeout,
        http_checks=http_checks,
        http_port=http_port,
        contexts=contexts,
        anchors=reader.anchor_subjects(ca_file, contexts.verify),
        reader=reader,
    )
    now = now or datetime.now(timezone.utc)
    workers = max(1, min(concurrency, len(targets)))
    # One pool for every endpoint's jobs (threads are reused, not made per endpoint): jobs go in
    # endpoint by endpoint, so about ``concurrency`` endpoints are in flight at once.
    with ThreadPoolExecutor(max_workers=workers) as resolver:
        addresses = list(resolver.map(lambda target: _resolve_or_error(target, timeout), targets))
    with ThreadPoolExecutor(max_workers=workers * THREADS_PER_ENDPOINT) as pool:
        pending = [
            _submit(pool, Endpoint(target, address, settings, now, Budget(timeout)))
            if isinstance(address, ResolvedAddress)
            else address
            for target, address in zip(targets, addresses)
        ]
        return [_finish_guarded(item) for item in pending]


def _resolve_or_error(target: Target, timeout: float) -> Union[ResolvedAddress, EndpointReport]:
    try:
        return resolve(target, timeout)
    except ResolveError as exc:
        report = _new_report(target)
        report.result["error"] = str(exc)
        return report


def _finish_guarded(item: Union[_Pending, EndpointReport]) -> EndpointReport:
    if isinstance(item, EndpointReport):  # the name did not resolve
        return item
    try:
        return _finish(item)
    except Exception as exc:  # a bug must cost one target, not the task
        report = _new_report(item.endpoint.target)
        report.result["error"] = f"internal error while probing: {exc.__class__.__name__}: {exc}"
        return report
