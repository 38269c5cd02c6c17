# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``listening_ports`` on a Windows host: one PowerShell read, then the Linux code's checks.

Ansible runs no Python on Windows, so this runs on the CONTROLLER (the ``listening_ports``
action plugin calls :func:`run` with a PowerShell runner). The host runs ONE script
(``listening_ps.READ_SCRIPT``); its answer becomes the same :class:`Socket`,
:class:`Owner` and :class:`Listener` objects the Linux code builds from ``/proc``, and the
expectations and the result go through the same ``expectations.check`` and
``report.summarize``, so the result has the same shape and the same messages.

What differs, because Windows reports different things:

* Every listener's owning pid is known (``OwningProcess``); pid 0 means Windows had none to
  report (an unknown owner). A process that exits between the two reads keeps its pid, with
  no name and an ``owner_unknown_reason``.
* ``process`` is the process name without ``.exe`` (``Get-Process``); an expectation's
  ``process`` also matches the program's file name (``nginx.exe``, ``Win32_Process.Name``).
* ``user`` (``DOMAIN\\user``) and ``cmdline`` are None where Windows does not let the
  connection's user read them (another user's process without elevation; protected ones).
* Dual-stack: an IPv6 socket on Windows is IPv6-only unless its program clears
  ``IPV6_V6ONLY``, and the listener tables do not show that option. So no socket is
  reported as dual-stack: an IPv4 expectation is met only by an IPv4 listener (Microsoft's
  networking blog says a dual-mode socket opens an endpoint in both stacks; whether the
  IPv4 one is listed is not documented). ``bindv6only`` is None: Windows has no such setting.
* UDP: Windows' UDP table has no remote address, so every bound UDP endpoint counts.
* Sockets have no inode; each gets a sequence number in its place (identity and order only).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.listening.expectations import Listener, Outcome, check
from ansible_collections.webedge.https.plugins.module_utils.listening.model import PROTOCOLS, Owner, Socket
from ansible_collections.webedge.https.plugins.module_utils.listening.query import (
    Query,
    selected,
    sort_listeners,
    summarize,
)
from ansible_collections.webedge.https.plugins.plugin_utils.windows.answer import records, text
from ansible_collections.webedge.https.plugins.plugin_utils.windows.listening_ps import READ_SCRIPT
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import (
    PowerShellError,
    ScriptRunner,
    call,
    render,
)

__all__ = ["DUAL_STACK_NOTE", "WindowsRead", "parse_read", "read_script", "report", "run"]

NO_UID = -1  # Windows sockets have no uid; the owner's user comes from the process
DUAL_STACK_NOTE = "Windows does not report whether a :: socket is dual-mode; it counts as IPv6-only"
SYSTEM_PID = 4


@dataclass(frozen=True)
class WindowsRead:
    """What the read script saw, as the Linux code's objects.

    Attributes:
        listeners: every listening socket read, sorted as ``listening`` is.
        warnings: entries skipped because Windows reported them in an unexpected form.
        elevated: whether the script ran elevated (administrator); None when not reported.
    """

    listeners: Tuple[Listener, ...]
    warnings: Tuple[str, ...] = ()
    elevated: Optional[bool] = None


def read_script(protocols: Iterable[str]) -> str:
    """The read script with its input: the protocols to read (``tcp``, ``udp``)."""
    wanted = [p for p in PROTOCOLS if p in set(protocols)]
    return render(READ_SCRIPT, {"protocols": wanted})


def _text(value: Any) -> Optional[str]:
    """A property as text, None when empty (the Linux code's "unknown")."""
    return text(value) or None


def _address(value: str) -> Tuple[str, str]:
    """``(family, address)`` as the Linux code prints it (compressed, no brackets); ValueError if not an IP."""
    address = ipaddress.ip_address(value.strip().strip("[]"))
    return ("ipv4" if address.version == 4 else "ipv6"), str(address)


def _owner(pid: int, process: Optional[Mapping[str, Any]]) -> Owner:
    if pid == 0:
        return Owner(None, None, None, None, "Windows reports no owning process for it (OwningProcess 0)")
    if process is None:
        return Owner(
            pid,
            None,
            None,
            None,
            f"no process {pid} was found when the process list was read a moment later (it exited)",
        )
    name = _text(process.get("name"))
    program = _text(process.get("program"))
    if name is None and program is not None:
        name = program[:-4] if program.lower().endswith(".exe") else program
    if name is None and pid == SYSTEM_PID:
        name = "System"
    return Owner(pid, name, _text(process.get("user")), _text(process.get("cmdline")), None, program)


def parse_read(answer: Mapping[str, Any]) -> WindowsRead:
    """The read script's JSON answer -> listeners (unparseable entries skipped, with a warning)."""
    if answer.get("version") != 1:
        raise PowerShellError(f"windows: unexpected answer from the listening_ports read script: {dict(answer)!r}")
    processes: Dict[int, Mapping[str, Any]] = {}
    for record in records(answer.get("processes")):
        try:
            processes[int(record["pid"])] = record
        except (KeyError, TypeError, ValueError):
            continue
    warnings: List[str] = []
    seen = set()
    listeners: List[Listener] = []
    for record in records(answer.get("sockets")):
        try:
            protocol = str(record["protocol"])
            family, address = _address(str(record["address"]))
            port, pid = int(record["port"]), int(record["pid"])
        except (KeyError, TypeError, ValueError):
            warnings.append(f"skipped an endpoint Windows reported in an unexpected form: {dict(record)!r}")
            continue
        if protocol not in PROTOCOLS or not 0 < port < 65536:
            if port != 0:  # port 0: not bound to a port yet, as on Linux
                warnings.append(f"skipped an endpoint Windows reported in an unexpected form: {dict(record)!r}")
            continue
        key = (protocol, address, port, pid)
        if key in seen:
            continue
        seen.add(key)
        sock = Socket(protocol, family, address, port, NO_UID, len(seen))
        listeners.append(Listener(sock, _owner(pid, processes.get(pid)), dual_stack=False))
    elevated = answer.get("elevated")
    return WindowsRead(
        tuple(sort_listeners(listeners)), tuple(warnings), elevated if isinstance(elevated, bool) else None
    )


def _wants_ipv4(outcome: Outcome) -> bool:
    expectation = outcome.expectation
    return expectation.family == "ipv4" or (expectation.address is not None and "." in expectation.address)


def _with_note(outcome: Outcome, listeners: Sequence[Listener]) -> Outcome:
    """An IPv4 expectation missing for want of an IPv4 listener, with a ``::`` one on its port, says why."""
    expectation = outcome.expectation
    if outcome.met or not _wants_ipv4(outcome):
        return outcome
    if check(replace(expectation, process=None), listeners, None).met:
        return outcome  # an IPv4 listener is there: it failed on the process, the note does not apply
    wildcard = any(
        lsn.socket.address == "::"
        and lsn.socket.port == expectation.port
        and lsn.socket.protocol == expectation.protocol
        for lsn in listeners
    )
    if not wildcard:
        return outcome
    return Outcome(expectation, outcome.listeners, f"{outcome.message} ({DUAL_STACK_NOTE})")


def report(query: Query, read: WindowsRead) -> Dict[str, Any]:
    """The task result: the same keys, messages and checks as the Linux module."""
    listeners = read.listeners
    outcomes = [_with_note(check(e, listeners, None), listeners) for e in query.expectations]
    result = summarize(selected(listeners, query), outcomes, None)
    result["changed"] = False
    if query.fact_name:
        result["ansible_facts"] = {query.fact_name: result["listening"]}
    if result["missing"] and query.fail_on_missing:
        result["failed"] = True
    warnings = list(read.warnings)
    if read.elevated is False and any(lsn.owner.pid is not None and lsn.owner.user is None for lsn in listeners):
        warnings.append(
            "the connection is not elevated: the user and command line of other users' processes are not readable"
        )
    if warnings:
        result["warnings"] = warnings
    return result


def run(query: Query, runner: ScriptRunner) -> Dict[str, Any]:
    """One read round trip on the host, then the report (``query`` is already validated)."""
    needed = set(query.protocols) | {e.protocol for e in query.expectations}
    answer = call(runner, read_script(needed), "listening_ports read")
    return report(query, parse_read(answer))
