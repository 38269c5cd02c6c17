# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Probe many endpoints at once: targets in, one ``ProbeResult`` per target out.

Every question about an endpoint is its own connection: six version probes, the real handshake
(+ HTTP GET), three TLS 1.2 cipher enumeration chains and the port-80 redirect. All of them, for
all endpoints, are jobs of one thread pool of ``concurrency x JOBS_PER_ENDPOINT`` threads, so
about ``concurrency`` endpoints are in flight at once, an endpoint's wall time is about its
longest enumeration chain, and no thread is created per endpoint (creating them cost more CPU
than the probes themselves).
"""

from __future__ import annotations

import socket
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple, Union
from urllib.parse import urlsplit

from ansible_collections.webedge.https.plugins.module_utils.compliance.schema import empty_probe_result
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.certinfo import (
    anchor_subjects,
    certificate_info,
    verify_chain_offline,
)
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
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.http import (
    check_redirect,
    hsts_result,
    redirect_result,
    server_header_has_version,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import (
    ConnectError,
    ResolvedAddress,
    VersionResult,
    enumerate_bucket,
    enumeration_buckets,
    probe_sslv2,
    probe_version,
)

__all__ = [
    "EndpointReport",
    "ProbeSettings",
    "Target",
    "TargetError",
    "parse_target",
    "parse_targets",
    "probe_endpoint",
    "probe_targets",
]

RAW_ORDER = ("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
_TARGET_KEYS = frozenset({"host", "port", "server_name", "address", "http_port"})


class TargetError(ValueError):
    """A target that cannot be parsed; the message names it."""


@dataclass(frozen=True)
class Target:
    host: str
    port: int = 443
    server_name: str = ""
    address: Optional[str] = None
    http_port: Optional[int] = None  # the plain-HTTP redirect check; None = the task's http_port

    @property
    def label(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _port(value: Any, original: Any, what: str = "port") -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not 1 <= int(text) <= 65535:
        raise TargetError(f"invalid {what} in target {original!r}: expected 1-65535")
    return int(text)


def _host(value: Any, original: Any) -> str:
    if not isinstance(value, str) or not value.strip() or any(ch.isspace() for ch in value.strip()):
        raise TargetError(f"invalid host in target {original!r}")
    return value.strip()


def _parse_url(text: str, original: Any) -> Target:
    """``https://host[:port][/path]``: the endpoint of an HTTPS URL (path, query and user info ignored)."""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise TargetError(f"invalid URL in target {original!r}: {exc}") from None
    if parts.scheme.lower() != "https":
        raise TargetError(f"target {original!r}: only https:// URLs can be probed, got {parts.scheme}://")
    host = _host(parts.hostname or "", original)
    return Target(host, port or 443, host)


def parse_target(spec: Any, default_port: int = 443) -> Target:
    """``host``, ``host:port``, ``[v6]:port``, a bare IPv6 address, an ``https://`` URL,
    or ``{host, port, server_name, address, http_port}``."""
    if isinstance(spec, Mapping):
        return _parse_mapping(spec, default_port)
    if not isinstance(spec, str):
        raise TargetError(f"target {spec!r} is neither a string nor a mapping")
    text = spec.strip()
    if "://" in text:
        return _parse_url(text, spec)
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            raise TargetError(f"unclosed '[' in target {spec!r}")
        host = text[1:close]
        rest = text[close + 1 :]
        if rest and not rest.startswith(":"):
            raise TargetError(f"unexpected {rest!r} after ']' in target {spec!r}")
        port = _port(rest[1:], spec) if rest else default_port
    elif text.count(":") == 1:
        host, _sep, port_text = text.partition(":")
        port = _port(port_text, spec)
    else:  # a name, an IPv4 address, or a bare IPv6 address
        host, port = text, default_port
    host = _host(host, spec)
    return Target(host, port, host)


def _parse_mapping(spec: Mapping, default_port: int) -> Target:
    unknown = set(spec) - _TARGET_KEYS
    if unknown:
        raise TargetError(f"unknown key(s) {', '.join(sorted(map(str, unknown)))} in target {dict(spec)!r}")
    if "host" not in spec:
        raise TargetError(f"target {dict(spec)!r} has no 'host'")
    parsed = parse_target(str(spec["host"]), default_port)
    port = _port(spec["port"], spec) if spec.get("port") is not None else parsed.port
    server_name = spec.get("server_name") or parsed.host
    address = spec.get("address")
    if address is not None:
        address = _host(str(address), spec).strip("[]")
    http_port = _port(spec["http_port"], spec, "http_port") if spec.get("http_port") is not None else None
    return Target(parsed.host, port, _host(str(server_name), spec), address, http_port)


def parse_targets(specs: Sequence[Any]) -> List[Target]:
    if not specs:
        raise TargetError("targets must name at least one endpoint")
    return [parse_target(spec) for spec in specs]


@dataclass(frozen=True)
class ProbeSettings:
    timeout: float = 5.0
    http_checks: bool = True
    http_port: int = 80
    contexts: Optional[Contexts] = None
    anchors: FrozenSet[bytes] = frozenset()


@dataclass
class EndpointReport:
    result: Dict[str, Any]
    notes: List[str] = field(default_factory=list)


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
    if all(result.accepted is None for result in tls_versions):
        return f"no TLS answer within {timeout:g} s ({handshake.error})"
    return f"no protocol version accepted ({handshake.error})"


def _served_chain(versions: Mapping[str, VersionResult], handshake: HandshakeResult) -> Optional[Tuple[bytes, ...]]:
    """The chain from our own cleartext (TLS <= 1.2) Certificate message, else from ``ssl`` when it has it."""
    for name in ("TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3"):
        flight = versions[name].flight
        usable = versions[name].accepted and flight is not None and flight.certificates
        if usable and (handshake.leaf_der is None or flight.certificates[0] == handshake.leaf_der):
            return flight.certificates
    return handshake.chain_der


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


# Jobs one endpoint puts in the shared pool: 5 raw versions + SSLv2, the handshake, 3 enumeration
# chains and the redirect check.
JOBS_PER_ENDPOINT = 11


@dataclass
class _Pending:
    """One endpoint's submitted jobs, collected by ``_finish``."""

    target: Target
    versions: Dict[str, Future]
    handshake: Future
    buckets: List[Future]
    redirect: Optional[Future]


def _submit(pool: ThreadPoolExecutor, target: Target, address: ResolvedAddress, settings: ProbeSettings) -> _Pending:
    """Put every question about one endpoint in ``pool``: each is its own connection."""
    timeout = settings.timeout
    contexts = settings.contexts or make_contexts(None)
    server_name = target.server_name
    versions = {name: pool.submit(probe_version, address, server_name, name, timeout) for name in RAW_ORDER}
    versions["SSLv2"] = pool.submit(probe_sslv2, address, timeout)
    handshake = pool.submit(
        ssl_handshake, address, server_name, target.port, contexts, timeout, http_checks=settings.http_checks
    )
    buckets = [pool.submit(enumerate_bucket, address, server_name, bucket, timeout) for bucket in enumeration_buckets()]
    redirect = None
    if settings.http_checks:
        http_port = target.http_port or settings.http_port
        redirect = pool.submit(check_redirect, address, server_name, http_port, timeout)
    return _Pending(target, versions, handshake, buckets, redirect)


def _enumeration(buckets: Sequence[Future]) -> Tuple[Optional[List[int]], str]:
    try:
        return [code for future in buckets for code in future.result()], ""
    except ConnectError as exc:
        return None, f"TLS 1.2 cipher enumeration failed: {exc}"


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
    with ThreadPoolExecutor(max_workers=JOBS_PER_ENDPOINT) as pool:
        return _finish(_submit(pool, target, address, settings), settings, now)


def _finish(pending: _Pending, settings: ProbeSettings, now: Optional[datetime]) -> EndpointReport:
    """Wait for one endpoint's jobs and turn their answers into its result."""
    report = _new_report(pending.target)
    result = report.result
    timeout = settings.timeout
    versions: Dict[str, VersionResult] = {name: future.result() for name, future in pending.versions.items()}
    handshake: HandshakeResult = pending.handshake.result()
    suites, enum_error = _enumeration(pending.buckets)
    redirect = pending.redirect.result() if pending.redirect else redirect_result(checked=False)
    server_name = pending.target.server_name

    report.notes.extend(handshake.notes)
    error = _endpoint_error(versions, handshake, timeout)
    result["redirect"] = redirect
    if error is not None:
        result["error"] = error
        if not any(v.connect_error for v in versions.values()):
            result["protocols"] = {name: versions[name].accepted for name in result["protocols"]}
        return report

    result["protocols"] = {name: versions[name].accepted for name in result["protocols"]}
    result["negotiated"] = _negotiated(versions, handshake)
    if suites is not None:
        result["tls12_ciphers"] = [cipher_iana_name(code) for code in suites]
    elif enum_error:
        report.notes.append(enum_error)

    _add_certificate(report, _served_chain(versions, handshake), handshake, settings, server_name, now)
    if settings.http_checks:
        _add_http(report, handshake)
    return report


def _add_certificate(
    report: EndpointReport,
    chain: Optional[Tuple[bytes, ...]],
    handshake: HandshakeResult,
    settings: ProbeSettings,
    server_name: str,
    now: Optional[datetime],
) -> None:
    leaf = handshake.leaf_der or (chain[0] if chain else None)
    if not leaf:
        return
    chain_valid, chain_error = handshake.chain_valid, handshake.chain_error
    if chain_valid is None and chain and settings.contexts is not None:
        # the local TLS library could not handshake (an SSLv3-only endpoint): judge the chain our hello read
        offline = verify_chain_offline(chain, settings.contexts.verify.get_ca_certs(binary_form=True))
        if offline[0] is not None:
            chain_valid, chain_error = offline
    cert, notes = certificate_info(
        leaf,
        chain,
        server_name=server_name,
        chain_valid=chain_valid,
        chain_error=chain_error,
        verified_peercert=handshake.verified_peercert,
        anchors=settings.anchors,
        now=now,
    )
    report.result["certificate"] = cert
    report.notes.extend(notes)
    if chain is None:
        report.notes.append("the served chain could not be read (TLS 1.3 only, and no chain API in this Python)")


def _add_http(report: EndpointReport, handshake: HandshakeResult) -> None:
    head = handshake.http
    if head is not None:
        report.result["hsts"] = hsts_result(head)
        server = head.header("Server")
        report.result["server_header"] = server
        report.result["server_header_has_version"] = server_header_has_version(server)
    elif handshake.http_error:
        report.notes.append(f"HTTPS GET /: {handshake.http_error}")


def probe_targets(
    targets: Sequence[Target],
    *,
    ca_file: Optional[str] = None,
    timeout: float = 5.0,
    concurrency: int = 32,
    http_checks: bool = True,
    http_port: int = 80,
    now: Optional[datetime] = None,
) -> List[EndpointReport]:
    """Probe every target concurrently; results come back in the order of ``targets``."""
    contexts = make_contexts(ca_file)
    settings = ProbeSettings(
        timeout=timeout,
        http_checks=http_checks,
        http_port=http_port,
        contexts=contexts,
        anchors=anchor_subjects(ca_file, contexts.verify),
    )
    now = now or datetime.now(timezone.utc)
    workers = max(1, min(concurrency, len(targets)))
    # One pool for every endpoint's jobs (threads are reused, not made per endpoint): jobs go in
    # endpoint by endpoint, so about ``concurrency`` endpoints are in flight at once.
    with ThreadPoolExecutor(max_workers=workers) as resolver:
        addresses = list(resolver.map(lambda target: _resolve_or_error(target, timeout), targets))
    with ThreadPoolExecutor(max_workers=workers * JOBS_PER_ENDPOINT) as pool:
        pending = [
            _submit(pool, target, address, settings) if isinstance(address, ResolvedAddress) else address
            for target, address in zip(targets, addresses)
        ]
        return [_finish_guarded(item, settings, now) for item in pending]


def _resolve_or_error(target: Target, timeout: float) -> Union[ResolvedAddress, EndpointReport]:
    try:
        return resolve(target, timeout)
    except ResolveError as exc:
        report = _new_report(target)
        report.result["error"] = str(exc)
        return report


def _finish_guarded(
    item: Union[_Pending, EndpointReport], settings: ProbeSettings, now: Optional[datetime]
) -> EndpointReport:
    if isinstance(item, EndpointReport):  # the name did not resolve
        return item
    try:
        return _finish(item, settings, now)
    except Exception as exc:  # a bug must cost one target, not the task
        report = _new_report(item.target)
        report.result["error"] = f"internal error while probing: {exc.__class__.__name__}: {exc}"
        return report
