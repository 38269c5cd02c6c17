# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper: the compliance lab's faulty TLS server (``faulty_tls_server.py``) on loopback, and a
raw TLS 1.0-1.2 client that sends what the scanners send to find its faults (a ClientHello of our
choosing, then heartbeats, an early ChangeCipherSpec or Bleichenbacher ClientKeyExchanges).

The client only reads the server's answers (records, alerts, the ServerHello); it never encrypts.
"""

from __future__ import annotations

import socket
import struct
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import Issued, _serving, free_port

LAB_FILES = Path(__file__).resolve().parents[3] / "extensions" / "molecule" / "shared" / "lab-files"
FAULTY_SERVER = LAB_FILES / "faulty_tls_server.py"

# a ClientHello's extensions, by type
EXT_STATUS_REQUEST = 5
EXT_SUPPORTED_GROUPS = 10
EXT_EC_POINT_FORMATS = 11
EXT_SIGNATURE_ALGORITHMS = 13
EXT_HEARTBEAT = 15
EXT_EXTENDED_MASTER_SECRET = 23
EXT_RENEGOTIATION_INFO = 0xFF01


@contextmanager
def faulty_server(issued: Issued, fault: str, *args: str, host: str = "127.0.0.1") -> Iterator[int]:
    """``faulty_tls_server.py --fault FAULT`` serving ``issued`` (an RSA leaf, with its chain); yields the port."""
    port = free_port(host)
    command = [sys.executable, str(FAULTY_SERVER), "--cert", str(issued.fullchain), "--key", str(issued.key)]
    command += ["--address", host, "--port", str(port), "--fault", fault, *args]
    with _serving(command, host, port, "faulty_tls_server"):
        yield port


def extension(ext_type: int, body: bytes) -> bytes:
    return struct.pack("!HH", ext_type, len(body)) + body


def default_extensions() -> Dict[int, bytes]:
    """What a TLS 1.2 client sends: groups, point formats, signature schemes, RI, EMS."""
    groups = [29, 23, 24]
    schemes = [0x0401, 0x0501, 0x0201]
    return {
        EXT_SUPPORTED_GROUPS: struct.pack("!H", 2 * len(groups)) + struct.pack(f"!{len(groups)}H", *groups),
        EXT_EC_POINT_FORMATS: b"\x01\x00",
        EXT_SIGNATURE_ALGORITHMS: struct.pack("!H", 2 * len(schemes)) + struct.pack(f"!{len(schemes)}H", *schemes),
        EXT_RENEGOTIATION_INFO: b"\x00",
        EXT_EXTENDED_MASTER_SECRET: b"",
    }


def client_hello(
    version: int,
    suites: Sequence[int],
    *,
    extensions: Optional[Dict[int, bytes]] = None,
    compression: Sequence[int] = (0,),
    random: bytes = b"\x5a" * 32,
) -> bytes:
    """A ClientHello record (record version TLS 1.0, as clients send it)."""
    exts = b"".join(extension(t, b) for t, b in (default_extensions() if extensions is None else extensions).items())
    body = (
        struct.pack("!H", version)
        + random
        + b"\x00"
        + struct.pack("!H", 2 * len(suites))
        + struct.pack(f"!{len(suites)}H", *suites)
        + bytes([len(compression)])
        + bytes(compression)
        + (struct.pack("!H", len(exts)) + exts if exts else b"")
    )
    message = b"\x01" + len(body).to_bytes(3, "big") + body
    return record(22, message, 0x0301)


def record(content_type: int, payload: bytes, version: int = 0x0303) -> bytes:
    return struct.pack("!BHH", content_type, version, len(payload)) + payload


@dataclass
class ServerFlight:
    """What the server answered to the ClientHello, until its ServerHelloDone (or an alert)."""

    version: int = 0
    suite: int = 0
    compression: int = -1
    extensions: Dict[int, bytes] = field(default_factory=dict)
    messages: List[int] = field(default_factory=list)
    alert: Optional[Tuple[int, int]] = None


class RawClient:
    """One TCP connection to the server, read record by record."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 5.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read_record(self) -> Optional[Tuple[int, int, bytes]]:
        """(type, version, payload) of the next record, or None at EOF, reset or timeout."""
        while len(self.buffer) < 5 or len(self.buffer) < 5 + int.from_bytes(self.buffer[3:5], "big"):
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return None
            if not chunk:
                return None
            self.buffer += chunk
        content_type, version, length = struct.unpack("!BHH", self.buffer[:5])
        payload = self.buffer[5 : 5 + length]
        self.buffer = self.buffer[5 + length :]
        return content_type, version, payload

    def hello(self, data: bytes) -> ServerFlight:
        """Send ``data`` (a ClientHello) and read the answer up to ServerHelloDone or an alert."""
        self.send(data)
        flight = ServerFlight()
        pending = b""
        while 14 not in flight.messages:
            item = self.read_record()
            if item is None:
                return flight
            content_type, _version, payload = item
            if content_type == 21:
                flight.alert = (payload[0], payload[1])
                return flight
            pending += payload
            while len(pending) >= 4 and len(pending) >= 4 + int.from_bytes(pending[1:4], "big"):
                length = int.from_bytes(pending[1:4], "big")
                message, pending = pending[: 4 + length], pending[4 + length :]
                flight.messages.append(message[0])
                if message[0] == 2:
                    self._server_hello(message[4:], flight)
        return flight

    @staticmethod
    def _server_hello(body: bytes, flight: ServerFlight) -> None:
        flight.version = struct.unpack_from("!H", body, 0)[0]
        sid_len = body[34]
        flight.suite, flight.compression = struct.unpack_from("!HB", body, 35 + sid_len)
        offset = 38 + sid_len
        if offset + 2 <= len(body):
            end = offset + 2 + struct.unpack_from("!H", body, offset)[0]
            offset += 2
            while offset + 4 <= end:
                ext_type, ext_len = struct.unpack_from("!HH", body, offset)
                flight.extensions[ext_type] = body[offset + 4 : offset + 4 + ext_len]
                offset += 4 + ext_len

    def alert(self) -> Optional[Tuple[int, int]]:
        """The next alert the server sends (level, description), skipping other records; None at EOF."""
        while True:
            item = self.read_record()
            if item is None:
                return None
            if item[0] == 21:
                return item[2][0], item[2][1]
