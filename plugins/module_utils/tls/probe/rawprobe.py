# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Socket side of the hand-built handshakes: one connection per question.

* ``probe_version``: is this protocol version accepted (plus, for TLS <= 1.2, the served chain
  and the ServerKeyExchange group; for TLS 1.3 the key_share group)?
* ``probe_sslv2``: does the server answer an SSLv2 CLIENT-HELLO with a SERVER-HELLO?

The enumerations (suites, groups) built on ``exchange`` live in ``enumeration``.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from typing import Any, Optional, Tuple

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
    "exchange",
    "probe_sslv2",
    "probe_version",
]


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
    # Every question is a few small writes answered by the server: with Nagle's algorithm on, a write
    # that follows an unacknowledged one waits for the server's delayed ACK (40 ms on Linux), e.g. the
    # close_notify after a resumed handshake's Finished. Nothing here benefits from coalescing.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
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
            flight = interpret_flight(data, eof=eof, stop_after_hello=stop_after_hello)
            if timed_out and flight is not None and flight.outcome == "closed":  # still trickling in: no answer
                return ServerFlight("timeout", detail=f"no complete answer within {timeout:g} s ({len(data)} bytes)")
            if flight is not None and flight.outcome == "closed" and data:
                detail = "the server closed or reset the connection in the middle of its answer"
                return ServerFlight("closed", detail=f"{detail} ({len(data)} bytes)")
            return flight

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
    if flight.outcome == "closed" and "in the middle of its answer" in flight.detail:
        return None, flight.detail  # it began to answer, then died: neither accepted nor refused
    if flight.outcome == "closed":
        return False, flight.detail or "connection closed"
    return None, flight.detail or flight.outcome


def probe_version(address: ResolvedAddress, server_name: Optional[str], version: str, timeout: float) -> VersionResult:
    """Offer exactly ``version`` with a broad suite list; read up to ServerHelloDone for TLS <= 1.2.

    Hellos up to TLS 1.2 also ask for OCSP stapling and offer DEFLATE besides no compression, so
    their ServerHello answers the stapling, compression, renegotiation_info and extended master
    secret questions without a connection of their own.
    """
    legacy = version != "TLSv1.3"
    payload = build_client_hello(version, server_name, status_request=legacy, compression=legacy)
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
