# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A WS-Management endpoint on 127.0.0.1 that pywinrm (and Ansible's ``winrm`` connection) can talk to.

The WinRS shell protocol (MS-WSMV 3.1.4.1 and the WinRS extension), over HTTP with Basic
authentication, as the real service answers it for what pywinrm sends:

* ``Create`` (a ``cmd`` shell) -> ``ResourceCreated`` with the ``ShellId`` selector and ``rsp:Shell``;
* ``Command`` -> ``rsp:CommandResponse/CommandId``;
* ``Send`` (``rsp:Stream Name="stdin"``, base64, ``End="true"`` on the last chunk) -> ``SendResponse``;
* ``Receive`` -> ``rsp:ReceiveResponse`` with the ``stdout``/``stderr`` streams (base64) and the
  ``CommandState .../Done`` with its ``ExitCode``;
* ``Signal`` (terminate) -> ``SignalResponse``; ``Delete`` (the shell) -> an empty body.

Every response carries ``a:RelatesTo`` with the request's ``MessageID`` (pywinrm checks it).
A wrong user or password gets 401, as the service answers.

The endpoint records each command: its command line (``rsp:Command`` plus ``rsp:Arguments``), its
standard input reassembled from the ``Send`` chunks, and how many chunks carried it. What the
"host" answers is up to ``handler(command_line, stdin) -> (rc, stdout bytes, stderr bytes)``:
it runs when the last stdin chunk arrives (or at the first Receive for a command without input).
No message encryption: Basic over HTTP, with pywinrm's ``message_encryption`` left at ``auto``.
"""

from __future__ import annotations

import base64
import threading
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, List, Optional, Tuple
from xml.sax.saxutils import escape

__all__ = ["Command", "WsmanServer"]

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
}
SHELL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
TRANSFER = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
DONE = f"{SHELL}/CommandState/Done"

Handler = Callable[[str, bytes], Tuple[int, bytes, bytes]]


@dataclass
class Command:
    """One command as the endpoint received it."""

    shell_id: str
    command_id: str
    command_line: str
    stdin: bytes = b""
    chunks: int = 0
    stdin_ended: bool = False
    result: Optional[Tuple[int, bytes, bytes]] = None
    delivered: bool = False
    signalled: bool = False


@dataclass
class Record:
    shells_created: List[str] = field(default_factory=list)
    shells_deleted: List[str] = field(default_factory=list)
    commands: List[Command] = field(default_factory=list)
    connections: int = 0  # TCP connections accepted (a new HTTP session opens a new one)


def _envelope(action: str, relates_to: str, body: str) -> bytes:
    namespaces = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NS.items())
    return (
        f'<?xml version="1.0" encoding="utf-8"?><s:Envelope xml:lang="en-US" {namespaces}><s:Header>'
        f"<a:Action>{escape(action)}</a:Action><a:MessageID>uuid:{uuid.uuid4()}</a:MessageID>"
        "<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>"
        f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo></s:Header><s:Body>{body}</s:Body></s:Envelope>"
    ).encode()


class WsmanServer:
    """``with WsmanServer(handler) as server:`` -> ``server.port``, ``server.record``."""

    def __init__(self, handler: Handler, user: str = "ansible", password: str = "Pa55w.rd") -> None:
        self.handler = handler
        self.credentials = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.record = Record()
        self._lock = threading.Lock()
        self._commands: Dict[str, Command] = {}
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with server._lock:
                    server.record.connections += 1

            def log_message(self, *args: object) -> None:  # quiet
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length)
                if self.path != "/wsman" or self.headers.get("Authorization") != server.credentials:
                    self._reply(401, b"", {"WWW-Authenticate": 'Basic realm="WSMAN"'})
                    return
                try:
                    status, payload = server.answer(data)
                except Exception as exc:  # a bug in the simulator: say so to the client
                    status, payload = 500, str(exc).encode()
                self._reply(status, payload, {"Content-Type": "application/soap+xml;charset=UTF-8"})

            def _reply(self, status: int, payload: bytes, headers: Dict[str, str]) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> WsmanServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- the protocol ---------------------------------------------------------------------------
    def answer(self, data: bytes) -> Tuple[int, bytes]:
        root = ET.fromstring(data)
        action = root.findtext("s:Header/a:Action", namespaces=NS) or ""
        message_id = root.findtext("s:Header/a:MessageID", namespaces=NS) or ""
        shell_id = root.findtext("s:Header/w:SelectorSet/w:Selector[@Name='ShellId']", namespaces=NS)
        body = root.find("s:Body", NS)
        assert body is not None, "no SOAP body"
        with self._lock:
            if action == f"{TRANSFER}/Create":
                return 200, self._create(message_id)
            if action == f"{TRANSFER}/Delete":
                self.record.shells_deleted.append(str(shell_id))
                return 200, _envelope(f"{TRANSFER}/DeleteResponse", message_id, "")
            if action == f"{SHELL}/Command":
                return 200, self._command(message_id, str(shell_id), body)
            if action == f"{SHELL}/Send":
                return 200, self._send(message_id, body)
            if action == f"{SHELL}/Receive":
                return 200, self._receive(message_id, body)
            if action == f"{SHELL}/Signal":
                command_id = body.find("rsp:Signal", NS).get("CommandId")  # type: ignore[union-attr]
                self._commands[str(command_id)].signalled = True
                return 200, _envelope(f"{SHELL}/SignalResponse", message_id, "<rsp:SignalResponse/>")
        return 500, f"unsupported action {action}".encode()

    def _create(self, message_id: str) -> bytes:
        shell_id = str(uuid.uuid4()).upper()
        self.record.shells_created.append(shell_id)
        body = (
            "<x:ResourceCreated><a:Address>http://127.0.0.1/wsman</a:Address><a:ReferenceParameters>"
            f"<w:ResourceURI>{SHELL}/cmd</w:ResourceURI><w:SelectorSet>"
            f'<w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet></a:ReferenceParameters>'
            f"</x:ResourceCreated><rsp:Shell><rsp:ShellId>{shell_id}</rsp:ShellId>"
            f"<rsp:ResourceUri>{SHELL}/cmd</rsp:ResourceUri><rsp:Owner>ansible</rsp:Owner>"
            "<rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams>"
            "</rsp:Shell>"
        )
        return _envelope(f"{TRANSFER}/CreateResponse", message_id, body)

    def _command(self, message_id: str, shell_id: str, body: ET.Element) -> bytes:
        line = body.find("rsp:CommandLine", NS)
        assert line is not None and shell_id in self.record.shells_created, "a command outside a shell"
        parts = [line.findtext("rsp:Command", default="", namespaces=NS)]
        parts += [arg.text or "" for arg in line.findall("rsp:Arguments", NS)]
        command = Command(shell_id, str(uuid.uuid4()).upper(), " ".join(parts))
        self._commands[command.command_id] = command
        self.record.commands.append(command)
        reply = f"<rsp:CommandResponse><rsp:CommandId>{command.command_id}</rsp:CommandId></rsp:CommandResponse>"
        return _envelope(f"{SHELL}/CommandResponse", message_id, reply)

    def _send(self, message_id: str, body: ET.Element) -> bytes:
        stream = body.find("rsp:Send/rsp:Stream", NS)
        assert stream is not None and stream.get("Name") == "stdin"
        command = self._commands[str(stream.get("CommandId"))]
        assert not command.stdin_ended, "stdin sent after its end"
        command.stdin += base64.b64decode(stream.text or "")
        command.chunks += 1
        if stream.get("End") == "true":
            command.stdin_ended = True
            command.result = self.handler(command.command_line, command.stdin)
        return _envelope(f"{SHELL}/SendResponse", message_id, "<rsp:SendResponse/>")

    def _receive(self, message_id: str, body: ET.Element) -> bytes:
        desired = body.find("rsp:Receive/rsp:DesiredStream", NS)
        command = self._commands[str(desired.get("CommandId") if desired is not None else "")]
        if command.result is None:
            command.result = self.handler(command.command_line, command.stdin)
        rc, out, err = command.result
        command.delivered = True
        cid = command.command_id
        reply = (
            "<rsp:ReceiveResponse>"
            f'<rsp:Stream Name="stdout" CommandId="{cid}">{base64.b64encode(out).decode()}</rsp:Stream>'
            f'<rsp:Stream Name="stdout" CommandId="{cid}" End="true"></rsp:Stream>'
            f'<rsp:Stream Name="stderr" CommandId="{cid}">{base64.b64encode(err).decode()}</rsp:Stream>'
            f'<rsp:Stream Name="stderr" CommandId="{cid}" End="true"></rsp:Stream>'
            f'<rsp:CommandState CommandId="{cid}" State="{DONE}"><rsp:ExitCode>{rc}</rsp:ExitCode>'
            "</rsp:CommandState></rsp:ReceiveResponse>"
        )
        return _envelope(f"{SHELL}/ReceiveResponse", message_id, reply)
