# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A PowerShell Remoting (MS-PSRP) endpoint on 127.0.0.1 that pypsrp (and Ansible's ``psrp`` connection) can talk to.

The WS-Management shell of :mod:`wsman_server` with the PowerShell resource URI
(``http://schemas.microsoft.com/powershell/Microsoft.PowerShell``), answering what pypsrp sends as the
real service does:

* ``Create`` carries ``creationXml``: the SESSION_CAPABILITY and INIT_RUNSPACEPOOL messages. The pool's
  first Receive answers SESSION_CAPABILITY (protocol 2.3, as Windows PowerShell 5.1 answers),
  APPLICATION_PRIVATE_DATA (its PSVersionTable) and RUNSPACEPOOL_STATE Opened.
* ``Command`` (its argument is the first fragment of CREATE_PIPELINE; ``Send`` on ``stdin`` carries the rest
  and then PIPELINE_INPUT messages up to END_OF_PIPELINE_INPUT): the pipeline's script text, its
  arguments and its input are recorded.
* The pipeline's Receive runs the "host": ``handler(script, input) -> (rc, output lines, error text)``
  and answers each output line as a PIPELINE_OUTPUT string, the exit code as the SetShouldExit host
  call (``exit N`` in a remote pipeline; Ansible reads its rc from it) and PIPELINE_STATE Completed.
* ``Signal`` (pypsrp stops the previous pipeline when the next one starts) and ``Delete`` (the pool closes).

Messages are built and read with pypsrp's own classes: the fragment layer with
``pypsrp.powershell.Fragment``, the messages with ``pypsrp.messages`` (``Message.pack`` for what the
server sends) and ``pypsrp.serializer.Serializer`` (CLIXML both ways). pypsrp is a client: it cannot
deserialize HostInfo into its typed classes, so what the client sends is read as pypsrp's
``GenericComplexObject``. Error records, host calls other than SetShouldExit, key exchange (SecureString)
and message encryption are not modelled: a handler that answers error text makes the endpoint fail.
"""

from __future__ import annotations

import base64
import struct
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from pypsrp.complex_objects import GenericComplexObject, HostMethodIdentifier, ObjectMeta
from pypsrp.messages import (
    ApplicationPrivateData,
    Destination,
    Message,
    MessageType,
    PipelineHostCall,
    PipelineOutput,
    PipelineState,
    RunspacePoolStateMessage,
    SessionCapability,
)
from pypsrp.powershell import Fragment
from pypsrp.serializer import Serializer

from ansible_collections.webedge.https.tests.unit.helpers.wsman_server import (
    NS,
    SHELL,
    TRANSFER,
    WsmanServer,
    _envelope,
)

__all__ = ["POWERSHELL", "Pipeline", "PsrpServer"]

POWERSHELL = "http://schemas.microsoft.com/powershell/Microsoft.PowerShell"
PROTOCOL_VERSION = "2.3"  # Windows PowerShell 5.1
OPENED, COMPLETED = 2, 4  # RunspacePoolState.OPENED, PSInvocationState.COMPLETED
SET_SHOULD_EXIT = 6  # HostMethodIdentifier
FRAGMENT_SIZE = 32768  # what the endpoint puts in one fragment of its answers

# handler(script text, input objects) -> (rc, output lines, error text)
PipelineHandler = Callable[[str, List[Any]], Tuple[int, List[str], str]]


@dataclass
class Pipeline:
    """One pipeline as the endpoint received it."""

    pool_id: str
    pipeline_id: str
    script: str = ""
    is_script: bool = False
    arguments: List[Any] = field(default_factory=list)
    no_input: bool = True
    input: List[Any] = field(default_factory=list)
    input_ended: bool = False
    sends: int = 0  # Send requests that carried its CREATE_PIPELINE rest and its input
    answered: bool = False
    stopped: bool = False


@dataclass
class Pool:
    pool_id: str
    min_runspaces: int = 0
    max_runspaces: int = 0
    outgoing: List[bytes] = field(default_factory=list)  # fragments waiting for the pool's Receive
    buffers: Dict[int, bytes] = field(default_factory=dict)  # incoming object id -> data so far
    next_object: int = 1


def _message_type(data: bytes) -> int:
    return int(struct.unpack("<I", data[4:8])[0])


def _message_xml(data: bytes) -> str:
    return data[40:].decode("utf-8-sig")


def _generic(data: bytes) -> GenericComplexObject:
    return Serializer().deserialize(_message_xml(data), ObjectMeta("ObjDynamic", object=GenericComplexObject))


class PsrpServer(WsmanServer):
    """``with PsrpServer(handler) as server:`` -> ``server.port``, ``server.pipelines``, ``server.pools_*``."""

    def __init__(self, handler: PipelineHandler, user: str = "ansible", password: str = "Pa55w.rd") -> None:
        super().__init__(lambda line, stdin: (1, b"", b"not a PowerShell endpoint"), user, password)
        self.pipeline_handler = handler
        self.pools: Dict[str, Pool] = {}
        self.pools_opened: List[str] = []
        self.pools_closed: List[str] = []
        self.pipelines: List[Pipeline] = []
        self._pipelines: Dict[str, Pipeline] = {}
        self._serializer = Serializer()

    # -- WS-Management ------------------------------------------------------------------------------
    def answer(self, data: bytes) -> Tuple[int, bytes]:
        root = ET.fromstring(data)
        resource = root.findtext("s:Header/w:ResourceURI", namespaces=NS) or ""
        action = root.findtext("s:Header/a:Action", namespaces=NS) or ""
        message_id = root.findtext("s:Header/a:MessageID", namespaces=NS) or ""
        shell_id = root.findtext("s:Header/w:SelectorSet/w:Selector[@Name='ShellId']", namespaces=NS) or ""
        body = root.find("s:Body", NS)
        assert resource == POWERSHELL, f"not the PowerShell resource URI: {resource!r}"
        assert body is not None, "no SOAP body"
        with self._lock:
            if action == f"{TRANSFER}/Create":
                return 200, self._pool_create(message_id, body)
            pool = self.pools[shell_id]
            if action == f"{TRANSFER}/Delete":
                self.pools_closed.append(shell_id)
                return 200, _envelope(f"{TRANSFER}/DeleteResponse", message_id, "")
            if action == f"{SHELL}/Command":
                return 200, self._pool_command(message_id, pool, body)
            if action == f"{SHELL}/Send":
                return 200, self._pool_send(message_id, pool, body)
            if action == f"{SHELL}/Receive":
                return 200, self._pool_receive(message_id, pool, body)
            if action == f"{SHELL}/Signal":
                signal = body.find("rsp:Signal", NS)
                assert signal is not None
                self._pipelines[str(signal.get("CommandId")).upper()].stopped = True
                return 200, _envelope(f"{SHELL}/SignalResponse", message_id, "<rsp:SignalResponse/>")
        return 500, f"unsupported action {action}".encode()

    def _pool_create(self, message_id: str, body: ET.Element) -> bytes:
        shell = body.find("rsp:Shell", NS)
        assert shell is not None and shell.get("ShellId"), "a runspace pool names its id as the ShellId"
        assert shell.findtext("rsp:InputStreams", namespaces=NS) == "stdin pr"
        pool = Pool(str(shell.get("ShellId")).upper())
        self.pools[pool.pool_id] = pool
        creation = shell.find("{http://schemas.microsoft.com/powershell}creationXml")
        assert creation is not None and creation.text, "no creationXml"
        messages = self._incoming(pool, base64.b64decode(creation.text))
        kinds = [_message_type(m) for m in messages]
        assert kinds == [MessageType.SESSION_CAPABILITY, MessageType.INIT_RUNSPACEPOOL], kinds
        capability = _generic(messages[0]).extended_properties
        assert capability["protocolversion"] >= "2.2", capability
        init = _generic(messages[1]).extended_properties
        pool.min_runspaces, pool.max_runspaces = int(init["MinRunspaces"]), int(init["MaxRunspaces"])
        self._queue(pool, None, SessionCapability(PROTOCOL_VERSION, "2.0", "1.1.0.1"))
        versions = {"PSVersion": "5.1.20348.2849", "PSEdition": "Desktop", "CLRVersion": "4.0.30319.42000"}
        self._queue(pool, None, ApplicationPrivateData({"PSVersionTable": versions}))
        self._queue(pool, None, RunspacePoolStateMessage(state=OPENED))
        self.pools_opened.append(pool.pool_id)
        reply = (
            "<x:ResourceCreated><a:Address>http://127.0.0.1/wsman</a:Address><a:ReferenceParameters>"
            f"<w:ResourceURI>{POWERSHELL}</w:ResourceURI><w:SelectorSet>"
            f'<w:Selector Name="ShellId">{pool.pool_id}</w:Selector></w:SelectorSet></a:ReferenceParameters>'
            f"</x:ResourceCreated><rsp:Shell><rsp:ShellId>{pool.pool_id}</rsp:ShellId>"
            f"<rsp:ResourceUri>{POWERSHELL}</rsp:ResourceUri><rsp:Owner>ansible</rsp:Owner>"
            "<rsp:InputStreams>stdin pr</rsp:InputStreams><rsp:OutputStreams>stdout</rsp:OutputStreams></rsp:Shell>"
        )
        return _envelope(f"{TRANSFER}/CreateResponse", message_id, reply)

    def _pool_command(self, message_id: str, pool: Pool, body: ET.Element) -> bytes:
        line = body.find("rsp:CommandLine", NS)
        assert line is not None and line.get("CommandId"), "a pipeline names its id as the CommandId"
        pipeline = Pipeline(pool.pool_id, str(line.get("CommandId")).upper())
        self._pipelines[pipeline.pipeline_id] = pipeline
        self.pipelines.append(pipeline)
        first = line.findtext("rsp:Arguments", namespaces=NS) or ""
        self._pipeline_messages(pool, base64.b64decode(first))
        reply = f"<rsp:CommandResponse><rsp:CommandId>{pipeline.pipeline_id}</rsp:CommandId></rsp:CommandResponse>"
        return _envelope(f"{SHELL}/CommandResponse", message_id, reply)

    def _pool_send(self, message_id: str, pool: Pool, body: ET.Element) -> bytes:
        stream = body.find("rsp:Send/rsp:Stream", NS)
        assert stream is not None and stream.get("Name") == "stdin", "only pipeline data goes on stdin"
        pipeline = self._pipelines[str(stream.get("CommandId")).upper()]
        pipeline.sends += 1
        self._pipeline_messages(pool, base64.b64decode(stream.text or ""))
        return _envelope(f"{SHELL}/SendResponse", message_id, "<rsp:SendResponse/>")

    def _pool_receive(self, message_id: str, pool: Pool, body: ET.Element) -> bytes:
        desired = body.find("rsp:Receive/rsp:DesiredStream", NS)
        assert desired is not None and desired.text == "stdout"
        command_id = desired.get("CommandId")
        state = ""
        if command_id is None:
            assert pool.outgoing, "a pool Receive with nothing to answer (the real service would wait)"
            out, pool.outgoing = b"".join(pool.outgoing), []
            stream = f'<rsp:Stream Name="stdout">{base64.b64encode(out).decode()}</rsp:Stream>'
        else:
            pipeline = self._pipelines[command_id.upper()]
            assert pipeline.no_input or pipeline.input_ended, "a Receive before the pipeline's input ended"
            assert not pipeline.answered, "a pipeline received twice"
            out = self._run(pool, pipeline)
            stream = (
                f'<rsp:Stream Name="stdout" CommandId="{command_id}">{base64.b64encode(out).decode()}</rsp:Stream>'
                f'<rsp:Stream Name="stdout" CommandId="{command_id}" End="true"></rsp:Stream>'
            )
            state = f'<rsp:CommandState CommandId="{command_id}" State="{SHELL}/CommandState/Done"/>'
        reply = f"<rsp:ReceiveResponse>{stream}{state}</rsp:ReceiveResponse>"
        return _envelope(f"{SHELL}/ReceiveResponse", message_id, reply)

    # -- MS-PSRP --------------------------------------------------------------------------------------
    def _run(self, pool: Pool, pipeline: Pipeline) -> bytes:
        rc, lines, error = self.pipeline_handler(pipeline.script, list(pipeline.input))
        assert not error, f"error records are not modelled by this endpoint: {error[:200]}"
        pipeline.answered = True
        fragments: List[bytes] = []
        for line in lines:
            output = Message(Destination.CLIENT, pool.pool_id, pipeline.pipeline_id, PipelineOutput(), self._serializer)
            output.data = line  # PIPELINE_OUTPUT carries the object itself: a string serializes as <S>
            fragments += self._fragments(pool, output.pack())
        call = PipelineHostCall(ci=-100, mi=HostMethodIdentifier(value=SET_SHOULD_EXIT), mp=[rc])
        for message in (call, PipelineState(state=COMPLETED)):
            packed = Message(Destination.CLIENT, pool.pool_id, pipeline.pipeline_id, message, self._serializer).pack()
            fragments += self._fragments(pool, packed)
        return b"".join(fragments)

    def _queue(self, pool: Pool, pipeline_id: Optional[str], message: Any) -> None:
        packed = Message(Destination.CLIENT, pool.pool_id, pipeline_id, message, self._serializer).pack()
        pool.outgoing += self._fragments(pool, packed)

    def _fragments(self, pool: Pool, data: bytes) -> List[bytes]:
        object_id, pool.next_object = pool.next_object, pool.next_object + 1
        pieces = [data[i : i + FRAGMENT_SIZE] for i in range(0, len(data), FRAGMENT_SIZE)] or [b""]
        last = len(pieces) - 1
        return [Fragment(object_id, n, piece, n == 0, n == last).pack() for n, piece in enumerate(pieces)]

    def _incoming(self, pool: Pool, data: bytes) -> List[bytes]:
        """The whole messages ``data`` completes (pypsrp's fragment layer; a message may span sends)."""
        messages = []
        while data:
            fragment, data = Fragment.unpack(data)
            so_far = pool.buffers.pop(fragment.object_id, b"")
            assert fragment.start == (so_far == b""), "a fragment out of order"
            if fragment.end:
                messages.append(so_far + fragment.data)
            else:
                pool.buffers[fragment.object_id] = so_far + fragment.data
        return messages

    def _pipeline_messages(self, pool: Pool, data: bytes) -> None:
        for message in self._incoming(pool, data):
            pipeline_id = str(uuid.UUID(bytes_le=message[24:40])).upper()
            pipeline = self._pipelines[pipeline_id]
            assert str(uuid.UUID(bytes_le=message[8:24])).upper() == pool.pool_id, "a message for another pool"
            kind = _message_type(message)
            if kind == MessageType.CREATE_PIPELINE:
                self._create_pipeline(pipeline, _generic(message).extended_properties)
            elif kind == MessageType.PIPELINE_INPUT:
                assert not pipeline.no_input and not pipeline.input_ended, "input the pipeline did not ask for"
                pipeline.input.append(self._serializer.deserialize(_message_xml(message)))
            elif kind == MessageType.END_OF_PIPELINE_INPUT:
                pipeline.input_ended = True
            else:
                raise AssertionError(f"message type {kind:#x} is not modelled")

    @staticmethod
    def _create_pipeline(pipeline: Pipeline, create: Dict[str, Any]) -> None:
        commands: Sequence[GenericComplexObject] = create["PowerShell"].extended_properties["Cmds"]
        assert len(commands) == 1, "one command per pipeline (Ansible's psrp connection sends one script)"
        command = commands[0].extended_properties
        pipeline.script, pipeline.is_script = command["Cmd"], bool(command["IsScript"])
        pipeline.arguments = list(command["Args"] or [])
        pipeline.no_input = bool(create["NoInput"])
