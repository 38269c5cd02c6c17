# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A raw TLS conversation over one connection: send records, read records, all within one timeout.

For the questions that go past the server's first flight (Heartbleed, CCS injection, ROBOT, the
client-initiated renegotiation): the caller writes records it built itself and reads the server's
records one at a time. Nothing here decrypts. Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import ResolvedAddress, connect
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.records import (
    HS_SERVER_HELLO,
    HS_SERVER_HELLO_DONE,
    Alert,
    ParseError,
    ServerHello,
    parse_certificate_message,
    parse_server_hello,
)

__all__ = ["Conversation", "FirstFlight", "Record", "record"]

CT_CHANGE_CIPHER_SPEC = 20
CT_ALERT = 21
CT_HANDSHAKE = 22
CT_APPLICATION_DATA = 23
CT_HEARTBEAT = 24
HS_CERTIFICATE = 11
HS_SERVER_KEY_EXCHANGE = 12


@dataclass(frozen=True)
class Record:
    content_type: int
    version: int
    payload: bytes

    @property
    def alert(self) -> Optional[Alert]:
        if self.content_type == CT_ALERT and len(self.payload) == 2:
            return Alert(self.payload[0], self.payload[1])
        return None


def record(content_type: int, version: int, payload: bytes) -> bytes:
    """One TLS record on the wire."""
    return struct.pack("!BHH", content_type, version, len(payload)) + payload


@dataclass
class FirstFlight:
    """The server's messages up to ServerHelloDone, raw (for a transcript) and parsed.

    ``end`` says why reading stopped: ``done`` (ServerHelloDone read), ``alert``, ``closed``,
    ``timeout``, ``not_tls``.
    """

    end: str
    messages: List[Tuple[int, bytes]] = field(default_factory=list)  # (type, whole message with header)
    hello: Optional[ServerHello] = None
    certificates: Tuple[bytes, ...] = ()
    key_exchange: Optional[bytes] = None  # the ServerKeyExchange body
    alert: Optional[Alert] = None

    @property
    def done(self) -> bool:
        return self.end == "done"


class Conversation:
    """One TCP connection and its receive buffer; every read shares one deadline. Use as a context manager.

    Raises ConnectError when the connection cannot be made.
    """

    def __init__(self, address: ResolvedAddress, timeout: float) -> None:
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.sock = connect(address, timeout)
        self.buffer = b""
        self.ended: Optional[str] = None  # "closed" | "timeout" once the server stopped answering

    def __enter__(self) -> Conversation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()

    def send(self, data: bytes) -> bool:
        """Send ``data``; False when the server already closed."""
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def half_close(self) -> None:
        """Send a FIN (no more data from us), keep reading."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_WR)

    def _fill(self, until: Optional[float] = None) -> bool:
        """Read more bytes into the buffer; False (and ``ended`` set) at EOF, reset or the deadline
        (``until``, if sooner, ends the wait with ``ended`` = ``pause`` instead)."""
        remaining = self.deadline - time.monotonic()
        if until is not None and until < self.deadline:
            remaining = until - time.monotonic()
            if remaining <= 0:
                self.ended = "pause"
                return False
        if remaining <= 0:
            self.ended = "timeout"
            return False
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            self.ended = "pause" if until is not None and until < self.deadline else "timeout"
            return False
        except OSError:
            chunk = b""
        if not chunk:
            self.ended = "closed"
            return False
        self.buffer += chunk
        return True

    def next_record(self, nudge: bool = False, pause: float = 0.25) -> Optional[Record]:
        """The next record, or None when the server closed, the time ran out or it sent something
        else than TLS records (``ended`` is then ``not_tls``).

        With ``nudge``: when nothing came within ``pause`` seconds, half-close the connection (a FIN,
        no data), so a server that silently waits for more ends now instead of at the timeout. A FIN,
        not an alert: a server that aborts with our bytes still unread resets the connection, and the
        reset can destroy the alert it had sent before.
        """
        until = time.monotonic() + pause if nudge else None
        while True:
            if len(self.buffer) >= 5:
                content_type, version, length = struct.unpack_from("!BHH", self.buffer)
                if content_type not in (20, 21, 22, 23, 24) or self.buffer[1] != 3 or length > 18432:
                    self.ended = "not_tls"
                    return None
                if len(self.buffer) >= 5 + length:
                    payload = self.buffer[5 : 5 + length]
                    self.buffer = self.buffer[5 + length :]
                    return Record(content_type, version, payload)
            if self._fill(until):
                continue
            if self.ended != "pause":
                return None
            self.ended, until = None, None
            self.half_close()

    def read_first_flight(self) -> FirstFlight:
        """Read the server's handshake messages up to ServerHelloDone (an alert or the end stops it).

        A TLS 1.3 ServerHello (or HelloRetryRequest) ends the flight at once (``end`` = ``tls13``): what
        follows is encrypted, and stays in the buffer for the caller. ChangeCipherSpec records (TLS 1.3
        compatibility mode) are skipped.
        """
        flight = FirstFlight(end="closed")
        pending = b""
        while True:
            rec = self.next_record()
            if rec is None:
                flight.end = self.ended or "closed"
                return flight
            if rec.content_type == CT_ALERT:
                flight.alert = rec.alert
                flight.end = "alert"
                return flight
            if rec.content_type == CT_CHANGE_CIPHER_SPEC and not pending:
                continue
            if rec.content_type != CT_HANDSHAKE:
                flight.end = "not_tls"
                return flight
            pending += rec.payload
            while len(pending) >= 4:
                length = struct.unpack("!I", b"\x00" + pending[1:4])[0]
                if len(pending) < 4 + length:
                    break
                message, pending = pending[: 4 + length], pending[4 + length :]
                try:
                    self._take(flight, message)
                except ParseError:
                    flight.end = "not_tls"
                    return flight
                if message[0] == HS_SERVER_HELLO_DONE:
                    flight.end = "done"
                    return flight
                hello = flight.hello
                if hello is not None and (hello.version >= 0x0304 or hello.retry_request):
                    flight.end = "tls13"
                    return flight

    @staticmethod
    def _take(flight: FirstFlight, message: bytes) -> None:
        kind, body = message[0], message[4:]
        flight.messages.append((kind, message))
        if kind == HS_SERVER_HELLO:
            flight.hello = parse_server_hello(body)
        elif kind == HS_CERTIFICATE:
            flight.certificates = parse_certificate_message(body)
        elif kind == HS_SERVER_KEY_EXCHANGE:
            flight.key_exchange = body
