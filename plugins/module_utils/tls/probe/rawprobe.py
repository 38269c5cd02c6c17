# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Socket side of the hand-built handshakes: one connection per question.

* ``probe_version``: is this protocol version accepted (plus, for TLS <= 1.2, the served chain
  and the ServerKeyExchange group; for TLS 1.3 the key_share group)?
* ``probe_sslv2``: does the server answer an SSLv2 CLIENT-HELLO with a SERVER-HELLO?
* ``enumerate_tls12_ciphers``: which TLS 1.2 suites does it accept (offer, read, remove, repeat)?
"""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.ciphers import CIPHER_SUITES, suites_for_version
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.clienthello import (
    RAW_VERSIONS,
    build_client_hello,
    build_sslv2_client_hello,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.records import (
    ServerFlight,
    interpret_flight,
    interpret_sslv2,
)

__all__ = [
    "ConnectError",
    "ResolvedAddress",
    "VersionResult",
    "connect",
    "enumerate_bucket",
    "enumerate_tls12_ciphers",
    "enumeration_buckets",
    "exchange",
    "probe_sslv2",
    "probe_version",
]

MAX_ENUMERATION_ROUNDS = 48


class ConnectError(Exception):
    """The TCP connection could not be made; ``str()`` is the reason."""


@dataclass(frozen=True)
class ResolvedAddress:
    family: int
    sockaddr: Tuple[Any, ...]

    @property
    def ip(self) -> str:
        return str(self.sockaddr[0])


def connect(address: ResolvedAddress, timeout: float) -> socket.socket:
    sock = socket.socket(address.family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(address.sockaddr)
    except ConnectionRefusedError:
        sock.close()
        raise ConnectError("connection refused") from None
    except socket.timeout:
        sock.close()
        raise ConnectError(f"connection timed out after {timeout:g} s") from None
    except OSError as exc:
        sock.close()
        raise ConnectError(f"connection failed: {exc.strerror or exc}") from None
    return sock


def _read_until(sock: socket.socket, timeout: float, decide: Any) -> Any:
    """Read until ``decide(data, eof)`` returns something other than None."""
    deadline = time.monotonic() + timeout
    data = b""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return decide(data, True, True)
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return decide(data, True, True)
        except OSError:  # reset by peer counts as a close
            chunk = b""
        if not chunk:
            return decide(data, True, False)
        data += chunk
        verdict = decide(data, False, False)
        if verdict is not None:
            return verdict


def exchange(address: ResolvedAddress, payload: bytes, timeout: float, *, stop_after_hello: bool) -> ServerFlight:
    """Send ``payload`` (a ClientHello record) and interpret the first flight. Raises ConnectError."""
    sock = connect(address, timeout)
    try:
        try:
            sock.sendall(payload)
        except OSError as exc:
            return ServerFlight("closed", detail=f"send failed: {exc}")

        def decide(data: bytes, eof: bool, timed_out: bool) -> Optional[ServerFlight]:
            if timed_out and not data:
                return ServerFlight("timeout", detail=f"no answer within {timeout:g} s")
            return interpret_flight(data, eof=eof, stop_after_hello=stop_after_hello)

        return _read_until(sock, timeout, decide)
    finally:
        sock.close()


@dataclass(frozen=True)
class VersionResult:
    """Answer to one version probe.

    Attributes:
        version: ``SSLv2`` .. ``TLSv1.3``.
        accepted: True/False, or None when the answer said nothing (timeout, not TLS, no connection).
        detail: why, in words.
        flight: the server's first flight (None for SSLv2 and on connection errors).
        connect_error: set when the TCP connection itself failed.
    """

    version: str
    accepted: Optional[bool]
    detail: str
    flight: Optional[ServerFlight] = None
    connect_error: Optional[str] = None
    not_tls: bool = False


def verdict_for(version: str, flight: ServerFlight) -> Tuple[Optional[bool], str]:
    """Turn a flight into accepted/refused for the version offered."""
    if flight.outcome == "hello" and flight.server_hello is not None:
        hello = flight.server_hello
        wanted = RAW_VERSIONS[version]
        if hello.retry_request:
            return wanted == 0x0304, "HelloRetryRequest (TLS 1.3)"
        if hello.version == wanted:
            return True, f"ServerHello {hello.version_name}"
        return False, f"ServerHello with {hello.version_name} instead"
    if flight.outcome == "alert" and flight.alert is not None:
        return False, f"alert {flight.alert.name}"
    if flight.outcome == "closed":
        return False, flight.detail or "connection closed"
    return None, flight.detail or flight.outcome


def probe_version(address: ResolvedAddress, server_name: Optional[str], version: str, timeout: float) -> VersionResult:
    """Offer exactly ``version`` with a broad suite list; read up to ServerHelloDone for TLS <= 1.2."""
    payload = build_client_hello(version, server_name)
    try:
        flight = exchange(address, payload, timeout, stop_after_hello=False)
    except ConnectError as exc:
        return VersionResult(version, None, str(exc), connect_error=str(exc))
    accepted, detail = verdict_for(version, flight)
    return VersionResult(version, accepted, detail, flight, not_tls=flight.outcome == "not_tls")


def probe_sslv2(address: ResolvedAddress, timeout: float) -> VersionResult:
    try:
        sock = connect(address, timeout)
    except ConnectError as exc:
        return VersionResult("SSLv2", None, str(exc), connect_error=str(exc))
    try:
        try:
            sock.sendall(build_sslv2_client_hello())
        except OSError as exc:
            return VersionResult("SSLv2", False, f"send failed: {exc}")

        def decide(data: bytes, eof: bool, timed_out: bool) -> Optional[Tuple[Optional[bool], str]]:
            if timed_out and not data:
                return None, f"no answer within {timeout:g} s"
            return interpret_sslv2(data, eof=eof)

        accepted, detail = _read_until(sock, timeout, decide)
    finally:
        sock.close()
    return VersionResult("SSLv2", accepted, detail)


def _kex_bucket(code: int) -> int:
    name = CIPHER_SUITES[code][0]
    if "_ECDHE_ECDSA_" in name:
        return 0
    if "_ECDHE_RSA_" in name:
        return 1
    return 2


def enumerate_bucket(
    address: ResolvedAddress, server_name: Optional[str], suites: Sequence[int], timeout: float
) -> List[int]:
    """Accepted suites of one bucket: offer, read the choice, remove it, repeat. Raises ConnectError."""
    offered = list(suites)
    accepted: List[int] = []
    for _round in range(MAX_ENUMERATION_ROUNDS):
        if not offered:
            break
        payload = build_client_hello("TLSv1.2", server_name, suites=offered)
        flight = exchange(address, payload, timeout, stop_after_hello=True)
        hello = flight.server_hello
        if flight.outcome != "hello" or hello is None or hello.version != 0x0303 or hello.cipher not in offered:
            if flight.outcome in ("timeout", "not_tls"):
                raise ConnectError(flight.detail or flight.outcome)
            break
        accepted.append(hello.cipher)
        offered.remove(hello.cipher)
    return accepted


def enumeration_buckets() -> List[List[int]]:
    """The TLS 1.2 suites we offer, split by key exchange family (ECDHE-ECDSA, ECDHE-RSA, the rest).

    A server only ever picks within the family its certificate allows, so enumerating each bucket
    as its own chain loses nothing, and the chains can run concurrently.
    """
    buckets: List[List[int]] = [[], [], []]
    for code in suites_for_version("TLSv1.2"):
        buckets[_kex_bucket(code)].append(code)
    return buckets


def enumerate_tls12_ciphers(
    address: ResolvedAddress, server_name: Optional[str], timeout: float
) -> Tuple[Optional[List[int]], str]:
    """Accepted TLS 1.2 suite codes, the buckets' chains run concurrently. ``(None, reason)`` on failure."""
    buckets = enumeration_buckets()
    try:
        with ThreadPoolExecutor(max_workers=len(buckets)) as pool:
            found = list(pool.map(lambda bucket: enumerate_bucket(address, server_name, bucket, timeout), buckets))
    except ConnectError as exc:
        return None, f"TLS 1.2 cipher enumeration failed: {exc}"
    return [code for bucket in found for code in bucket], ""
