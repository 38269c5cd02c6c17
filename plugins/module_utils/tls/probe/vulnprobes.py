# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vulnerability questions that go past the server's first flight, one connection each.

* :func:`probe_heartbleed` (CVE-2014-0160): after ServerHelloDone a heartbeat request claims a
  16 KiB payload it does not carry; a vulnerable server answers with its memory.
* :func:`probe_ccs_injection` (CVE-2014-0224): after ServerHelloDone an early ChangeCipherSpec and
  an application-data record; a vulnerable server tries to decrypt the latter (bad_record_mac).
* :func:`robot_attempt` (ROBOT, Boeck/Somorovsky/Young 2017): an RSA ClientKeyExchange with one of
  five PKCS #1 v1.5 paddings; what the server answers (:func:`robot_verdict` compares them).
* :func:`probe_fallback_scsv` (RFC 7507): a hello capped below the server's best version, with
  TLS_FALLBACK_SCSV.

When a server keeps silent for a moment, each half-closes the connection, so none waits for a
timeout on a server that does not answer the question. Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

import struct
from typing import Dict, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.ciphers import CIPHER_SUITES, suites_for_version
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.clienthello import (
    RAW_VERSIONS,
    build_client_hello,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.conversation import (
    CT_ALERT,
    CT_APPLICATION_DATA,
    CT_CHANGE_CIPHER_SPEC,
    CT_HANDSHAKE,
    CT_HEARTBEAT,
    Conversation,
    FirstFlight,
    record,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import ResolvedAddress
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.x509lite import rsa_public_numbers

__all__ = [
    "ROBOT_PAYLOADS",
    "RSA_KX_SUITES",
    "Answer",
    "probe_ccs_injection",
    "probe_fallback_scsv",
    "probe_heartbleed",
    "robot_attempt",
    "robot_verdict",
]

# (value, reason); value None: not decided. ``NOT_APPLICABLE`` marks a question that does not arise.
Answer = Tuple[Optional[object], str]
NOT_APPLICABLE = "not applicable"

_HEARTBEAT_LENGTH = 0x4000

RSA_KX_SUITES: Tuple[int, ...] = tuple(
    code for code in suites_for_version("TLSv1.2") if CIPHER_SUITES[code][0].startswith("TLS_RSA_WITH_")
)
# sslyze's order: AES-GCM first (the suites modern RSA servers still offer), then the rest.
RSA_KX_SUITES = tuple(sorted(RSA_KX_SUITES, key=lambda code: "_GCM_" not in CIPHER_SUITES[code][0]))

ROBOT_PAYLOADS = ("valid", "wrong_first_bytes", "wrong_00_position", "no_00", "wrong_version")
_PMS = bytes(range(0x10, 0x10 + 46))


def _first_flight(conv: Conversation, hello: bytes) -> FirstFlight:
    conv.send(hello)
    return conv.read_first_flight()


def _refused(flight: FirstFlight) -> str:
    return f"alert {flight.alert.name}" if flight.alert else flight.end


def probe_heartbleed(
    address: ResolvedAddress, server_name: Optional[str], timeout: float, version: str = "TLSv1.2"
) -> Answer:
    """Whether the server leaks memory in answer to a heartbeat request, asked with a ``version`` hello
    (the highest the server accepts below TLS 1.3: a version-intolerant SSLv3 server alerts on others).
    Raises ConnectError."""
    with Conversation(address, timeout) as conv:
        flight = _first_flight(conv, build_client_hello(version, server_name, heartbeat=True))
        if flight.hello is None:
            return None, f"{NOT_APPLICABLE}: no version below TLS 1.3 accepted ({_refused(flight)})"
        if not flight.done:
            return None, f"not checked: the first flight ended early ({flight.end})"
        version = flight.hello.version
        request = b"\x01" + struct.pack("!H", _HEARTBEAT_LENGTH) + b"\x00" * 16  # no payload at all
        conv.send(record(CT_HEARTBEAT, version, request))
        while True:
            rec = conv.next_record(nudge=True)
            if rec is None and conv.ended == "timeout":
                return None, f"not checked: no answer to the heartbeat within {timeout:g} s"
            if rec is None:
                return False, "no heartbeat answer (the connection was closed)"
            if rec.content_type == CT_HEARTBEAT and len(rec.payload) > len(request):
                return True, f"the server answered a heartbeat with {len(rec.payload)} bytes of its memory"
            if rec.content_type == CT_ALERT:
                return False, f"the heartbeat request was refused ({rec.alert.name if rec.alert else 'alert'})"


def probe_ccs_injection(
    address: ResolvedAddress, server_name: Optional[str], timeout: float, version: str = "TLSv1.2"
) -> Answer:
    """Whether the server accepts an early ChangeCipherSpec (CVE-2014-0224), asked with a ``version``
    hello. Raises ConnectError."""
    with Conversation(address, timeout) as conv:
        flight = _first_flight(conv, build_client_hello(version, server_name))
        if flight.hello is None:
            return None, f"{NOT_APPLICABLE}: no version below TLS 1.3 accepted ({_refused(flight)})"
        if not flight.done:
            return None, f"not checked: the first flight ended early ({flight.end})"
        version = flight.hello.version
        conv.send(record(CT_CHANGE_CIPHER_SPEC, version, b"\x01") + record(CT_APPLICATION_DATA, version, b"\x00\x00"))
        rec = conv.next_record(nudge=True)
        while rec is not None and rec.content_type != CT_ALERT:
            rec = conv.next_record(nudge=True)
    if rec is None and conv.ended == "timeout":
        return None, f"not checked: no answer to the early ChangeCipherSpec within {timeout:g} s"
    if rec is None or rec.alert is None:
        return False, "the early ChangeCipherSpec ended the connection"
    if rec.alert.description == 20:
        return True, "the server accepted an early ChangeCipherSpec (bad_record_mac on the next record)"
    return False, f"the early ChangeCipherSpec was refused ({rec.alert.name})"


def _robot_message(kind: str, n: int, e: int, version: int) -> bytes:
    size = (n.bit_length() + 7) // 8
    pad = (b"\xab\xcd" * size)[: size - 48 - 3]
    ver = struct.pack("!H", version)
    plain = {
        "valid": b"\x00\x02" + pad + b"\x00" + ver + _PMS,
        "wrong_first_bytes": b"\x41\x17" + pad + b"\x00" + ver + _PMS,
        "wrong_00_position": b"\x00\x02" + pad + b"\x11" + _PMS + b"\x00\x11",
        "no_00": b"\x00\x02" + pad + b"\x11\x11\x11" + _PMS,
        "wrong_version": b"\x00\x02" + pad + b"\x00\x02\x02" + _PMS,
    }[kind]
    encrypted = pow(int.from_bytes(plain, "big"), e, n).to_bytes(size, "big")
    body = encrypted if version == 0x0300 else struct.pack("!H", size) + encrypted
    return b"\x10" + struct.pack("!I", len(body))[1:] + body


# A Finished record that cannot decrypt (the pre-master secret is never the server's).
_GARBAGE_FINISHED = bytes((7 * i + 3) & 0xFF for i in range(80))


def robot_attempt(
    address: ResolvedAddress, server_name: Optional[str], kind: str, with_finished: bool, timeout: float
) -> str:
    """The server's answer to one ROBOT payload: ``no_rsa``, ``alert <n>``, ``closed``, ``timeout`` or
    ``record <type>``. The ClientKeyExchange is followed by ChangeCipherSpec and a Finished that
    cannot decrypt (``with_finished``) or by a half-close (a FIN: the server reads the
    ClientKeyExchange, answers it if it is an oracle, then finds the end). Raises ConnectError."""
    with Conversation(address, timeout) as conv:
        flight = _first_flight(conv, build_client_hello("TLSv1.2", server_name, suites=RSA_KX_SUITES))
        if flight.hello is None and flight.end in ("alert", "closed"):
            return "no_rsa"
        if flight.hello is None or not flight.done:
            return f"unanswered ({flight.end})"
        numbers = rsa_public_numbers(flight.certificates[0]) if flight.certificates else None
        if numbers is None:
            return "no_rsa"
        version = flight.hello.version
        payload = record(CT_HANDSHAKE, version, _robot_message(kind, numbers[0], numbers[1], version))
        if with_finished:
            payload += record(CT_CHANGE_CIPHER_SPEC, version, b"\x01")
            payload += record(CT_HANDSHAKE, version, _GARBAGE_FINISHED)
        conv.send(payload)
        if not with_finished:  # a server that waits for the Finished ends on our half-close, not the timeout
            conv.half_close()
        rec = conv.next_record()
        if rec is None:
            return conv.ended or "closed"
        if rec.content_type == CT_ALERT and rec.alert is not None:
            return f"alert {rec.alert.description}"
        return f"record {rec.content_type}"


def robot_verdict(answers: Dict[str, Sequence[str]]) -> Answer:
    """``(strong_oracle | weak_oracle | no_oracle, reason)`` from each payload's answers (one per run).

    As the ROBOT paper and sslyze classify: different answers to the same payload -> undecided;
    one answer for all -> no oracle; payloads 2-4 (wrong first bytes, misplaced 0x00, no 0x00)
    answered alike but unlike the valid one -> weak oracle; otherwise a strong oracle.
    """
    if any(len(set(runs)) != 1 for runs in answers.values()):
        return None, "not checked: the server answered the same ROBOT payload differently (inconsistent)"
    first = {kind: runs[0] for kind, runs in answers.items()}
    if len(set(first.values())) == 1:
        return "no_oracle", f"every ROBOT payload got the same answer ({first['valid']})"
    described = ", ".join(f"{kind}: {answer}" for kind, answer in first.items())
    if first["wrong_first_bytes"] == first["wrong_00_position"] == first["no_00"]:
        return "weak_oracle", f"RSA padding oracle (weak): {described}"
    return "strong_oracle", f"RSA padding oracle (strong): {described}"


def probe_fallback_scsv(
    address: ResolvedAddress, server_name: Optional[str], accepted: Sequence[str], timeout: float
) -> Answer:
    """Whether a fallback hello (``TLS_FALLBACK_SCSV``, capped at the second-highest version in
    ``accepted``, highest first) is refused. Raises ConnectError."""
    if len(accepted) < 2:
        return None, f"{NOT_APPLICABLE}: the server accepts one protocol version only"
    lower = accepted[1]
    payload = build_client_hello(lower, server_name, fallback_scsv=True)
    with Conversation(address, timeout) as conv:
        flight = _first_flight(conv, payload)
    if flight.hello is not None and flight.hello.version == RAW_VERSIONS[lower]:
        return False, f"a {lower} hello with TLS_FALLBACK_SCSV was accepted although {accepted[0]} is supported"
    if flight.alert is not None and flight.alert.description == 86:
        return True, f"a {lower} fallback hello got alert inappropriate_fallback"
    return True, f"a {lower} fallback hello was refused ({_refused(flight)})"
