# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Probe many endpoints at once: targets in, one ``ProbeResult`` per target out.

Endpoints run concurrently (``concurrency`` threads); inside an endpoint every question is its
own connection and they run concurrently too: six version probes, the real handshake (+ HTTP
GET), the port-80 redirect and three TLS 1.2 cipher enumeration chains. An endpoint's wall time
is therefore about the longest enumeration chain, not the sum.
"""

from __future__ import annotations

import socket
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.compliance.schema import empty_probe_result
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.certinfo import anchor_subjects, certificate_info
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
    ResolvedAddress,
    VersionResult,
    enumerate_tls12_ciphers,
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
_TARGET_KEYS = frozenset({"host", "port", "server_name", "address"})


class TargetError(ValueError):
    """A target that cannot be parsed; the message names it."""


@dataclass(frozen=True)
class Target:
    host: str
    port: int = 443
    server_name: str = ""
    address: Optional[str] = None

    @property
    def label(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _port(value: Any, original: Any) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not 1 <= int(text) <= 65535:
        raise TargetError(f"invalid port in target {original!r}: expected 1-65535")
    return int(text)


def _host(value: Any, original: Any) -> str:
    if not isinstance(value, str) or not value.strip() or any(ch.isspace() for ch in value.strip()):
        raise TargetError(f"invalid host in target {original!r}")
    return value.strip()


def parse_target(spec: Any, default_port: int = 443) -> Target:
    """``host``, ``host:port``, ``[v6]:port``, a bare IPv6 address, or ``{host, port, server_name, address}``."""
    if isinstance(spec, Mapping):
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
        return Target(parsed.host, port, _host(str(server_name), spec), address)
    if not isinstance(spec, str):
        raise TargetError(f"target {spec!r} is neither a string nor a mapping")
    text = spec.strip()
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


def probe_endpoint(target: Target, settings: ProbeSettings, *, now: Optional[datetime] = None) -> EndpointReport:
    """Probe one endpoint; never raises for network trouble (it becomes ``error``)."""
    result = empty_probe_result(target.host, target.port, target.server_name)
    result["target"] = target.label
    report = EndpointReport(result)
    timeout = settings.timeout
    try:
        address = resolve(target, timeout)
    except ResolveError as exc:
        result["error"] = str(exc)
        return report
    contexts = settings.contexts or make_contexts(None)
    server_name = target.server_name
    with ThreadPoolExecutor(max_workers=10) as pool:
        version_futures: Dict[str, Future] = {
            name: pool.submit(probe_version, address, server_name, name, timeout) for name in RAW_ORDER
        }
        version_futures["SSLv2"] = pool.submit(probe_sslv2, address, timeout)
        handshake_future = pool.submit(
            ssl_handshake, address, server_name, target.port, contexts, timeout, http_checks=settings.http_checks
        )
        enum_future = pool.submit(enumerate_tls12_ciphers, address, server_name, timeout)
        redirect_future = (
            pool.submit(check_redirect, address, server_name, settings.http_port, timeout)
            if settings.http_checks
            else None
        )
        versions: Dict[str, VersionResult] = {name: future.result() for name, future in version_futures.items()}
        handshake: HandshakeResult = handshake_future.result()
        suites, enum_error = enum_future.result()
        redirect = redirect_future.result() if redirect_future else redirect_result(checked=False)

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

    chain = _served_chain(versions, handshake)
    leaf = handshake.leaf_der or (chain[0] if chain else None)
    if leaf:
        chain_valid, chain_error = handshake.chain_valid, handshake.chain_error
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
        result["certificate"] = cert
        report.notes.extend(notes)
        if chain is None:
            report.notes.append("the served chain could not be read (TLS 1.3 only, and no chain API in this Python)")

    if settings.http_checks:
        head = handshake.http
        if head is not None:
            result["hsts"] = hsts_result(head)
            server = head.header("Server")
            result["server_header"] = server
            result["server_header_has_version"] = server_header_has_version(server)
        elif handshake.http_error:
            report.notes.append(f"HTTPS GET /: {handshake.http_error}")
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

    def one(target: Target) -> EndpointReport:
        try:
            return probe_endpoint(target, settings, now=now)
        except Exception as exc:  # a bug must cost one target, not the task
            report = EndpointReport(empty_probe_result(target.host, target.port, target.server_name))
            report.result["target"] = target.label
            report.result["error"] = f"internal error while probing: {exc.__class__.__name__}: {exc}"
            return report

    workers = max(1, min(concurrency, len(targets)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, targets))
