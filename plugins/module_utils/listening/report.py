# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The listening_ports module's work, without Ansible: validate, read, resolve, check, report.

``listening`` is shaped by the ``ports`` and ``protocols`` filters; expectations are checked
against every listening socket of their protocol, whatever the filters. Each listener reported
carries the systemd unit and the container it serves (``services.py``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from ansible_collections.webedge.https.plugins.module_utils.listening.expectations import (
    Expectation,
    ExpectationError,
    Listener,
    Outcome,
    check,
    parse_expectations,
    parse_protocols,
)
from ansible_collections.webedge.https.plugins.module_utils.listening.owners import Owner, find_owners
from ansible_collections.webedge.https.plugins.module_utils.listening.procnet import (
    PROTOCOLS,
    Socket,
    read_bindv6only,
    read_sockets,
    sort_key,
)
from ansible_collections.webedge.https.plugins.module_utils.listening.services import Service, ServiceResolver
from ansible_collections.webedge.https.plugins.module_utils.listening.sockdiag import read_v6only
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange, PortSpecError, parse_port_specs

__all__ = [
    "LIVE_PROC",
    "Query",
    "QueryError",
    "dual_stack_inodes",
    "parse_query",
    "read_listeners",
    "run",
    "selected",
    "sort_listeners",
    "summarize",
]

LIVE_PROC = "/proc"
Runner = Callable[[Sequence[str]], Tuple[int, str, str]]

_FACT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class QueryError(ValueError):
    """Bad module input; the message names the bad value."""


@dataclass(frozen=True)
class Query:
    ports: Tuple[PortRange, ...] = ()
    protocols: Tuple[str, ...] = PROTOCOLS
    expectations: Tuple[Expectation, ...] = ()
    fail_on_missing: bool = True
    fact_name: Optional[str] = None


def parse_query(params: Dict[str, Any]) -> Query:
    """Validate every option before any work is done."""
    try:
        ports = tuple(parse_port_specs(params.get("ports") or []))
        protocols = parse_protocols(params.get("protocols") or PROTOCOLS)
        expectations = tuple(parse_expectations(params.get("expect")))
    except (PortSpecError, ExpectationError) as exc:
        raise QueryError(str(exc)) from None
    fact_name = params.get("fact_name")
    if fact_name is not None and not _FACT_NAME.match(fact_name):
        raise QueryError(
            f"invalid fact_name {fact_name!r}: use letters, digits and underscores, not starting with a digit"
        )
    fail = params.get("fail_on_missing")
    return Query(ports, protocols, expectations, True if fail is None else bool(fail), fact_name)


def dual_stack_inodes(
    sockets: Sequence[Socket], bindv6only: Optional[bool], v6only: Optional[Mapping[int, bool]] = None
) -> Set[int]:
    """The IPv6 wildcard (``::``) sockets that also accept IPv4.

    ``v6only`` is each socket's own IPV6_V6ONLY option as the kernel reports it over netlink
    (``sockdiag.py``); it decides where known. Otherwise (/proc/net does not show the option) a
    ``::`` socket is taken as dual-stack when the namespace default ``net.ipv6.bindv6only`` is 0 -
    except a TCP ``::`` socket sharing its port with an IPv4 TCP listener: the kernel refuses
    that IPv4 bind next to a dual-stack socket (short of SO_REUSEPORT on both), so that ``::``
    socket is IPv6-only (nginx's ``listen [::]:443`` next to ``listen 443``).
    """
    if bindv6only is None:
        return set()
    known = v6only or {}
    ipv4_tcp_ports = {s.port for s in sockets if s.family == "ipv4" and s.protocol == "tcp"}
    dual: Set[int] = set()
    for s in sockets:
        if s.family != "ipv6" or s.address != "::":
            continue
        if s.inode in known:
            if not known[s.inode]:
                dual.add(s.inode)
        elif not bindv6only and not (s.protocol == "tcp" and s.port in ipv4_tcp_ports):
            dual.add(s.inode)
    return dual


class _Resolver:
    """Owners of sockets, resolved in batches: each batch scans /proc once, for new inodes only.

    Then each owner's service (systemd unit, container), read once per owning pid; a socket PID 1
    holds is systemd's socket activation and belongs to the service its socket unit activates.
    """

    def __init__(self, proc_root: str, runner: Optional[Runner] = None) -> None:
        self._root = proc_root
        self._owners: Dict[int, Owner] = {}
        root = os.path.dirname(os.path.abspath(proc_root)) or "/"  # /proc -> /; a test tree -> its root
        self._services = ServiceResolver(proc_root, root, runner)

    def owners(self, sockets: Iterable[Socket]) -> Dict[int, Owner]:
        todo = {s.inode: s.uid for s in sockets if s.inode not in self._owners}
        if todo:
            self._owners.update(find_owners(todo, self._root))
        return self._owners

    def service(self, sock: Socket, owner: Owner) -> Optional[Service]:
        if owner.pid is None:
            return None
        if owner.pid == 1:
            activated = self._services.activated(sock.protocol, sock.address, sock.port)
            if activated is not None:
                return activated
        return self._services.of_pid(owner.pid)

    def listeners(self, sockets: Iterable[Socket], dual: Set[int]) -> List[Listener]:
        sockets = list(sockets)
        owners = self.owners(sockets)
        return sort_listeners(
            Listener(s, owners[s.inode], s.inode in dual, self.service(s, owners[s.inode])) for s in sockets
        )


def sort_listeners(listeners: Iterable[Listener]) -> List[Listener]:
    """The order of ``listening``: protocol, port, family, address, pid (unknown last), socket."""
    return sorted(listeners, key=_listener_key)


def _listener_key(listener: Listener) -> Tuple[Any, ...]:
    """protocol, port, family, address, then pid (unknown last), then the socket inode: stable."""
    pid = listener.owner.pid
    return (*sort_key(listener.socket)[:4], pid is None, pid or 0, listener.socket.inode)


def _selected(sock: Socket, query: Query) -> bool:
    return sock.protocol in query.protocols and (not query.ports or any(sock.port in r for r in query.ports))


def selected(listeners: Iterable[Listener], query: Query) -> List[Listener]:
    """The listeners ``ports`` and ``protocols`` select for ``listening``."""
    return [lsn for lsn in listeners if _selected(lsn.socket, query)]


def read_listeners(
    proc_root: str = LIVE_PROC, protocols: Iterable[str] = PROTOCOLS, runner: Optional[Runner] = None
) -> Tuple[List[Listener], Optional[bool]]:
    """Every listening socket of ``protocols`` with its owner, dual-stack flag and service; and ``bindv6only``."""
    sockets = read_sockets(proc_root, set(protocols))
    bindv6only, dual = _dual_stack(sockets, proc_root)
    return _Resolver(proc_root, runner).listeners(sockets, dual), bindv6only


def _dual_stack(sockets: Sequence[Socket], proc_root: str) -> Tuple[Optional[bool], Set[int]]:
    bindv6only = read_bindv6only(proc_root)
    v6only: Dict[int, bool] = {}
    wildcard = sorted({s.protocol for s in sockets if s.family == "ipv6" and s.address == "::"})
    if wildcard and os.path.realpath(proc_root) == LIVE_PROC:  # netlink sees this host, not a captured tree
        v6only = read_v6only(wildcard)
    return bindv6only, dual_stack_inodes(sockets, bindv6only, v6only)


def run(query: Query, proc_root: str = LIVE_PROC, runner: Optional[Runner] = None) -> Dict[str, Any]:
    """The module result (without ``changed``/``failed``): listening, matched, missing, msg.

    ``runner`` (``argv -> (rc, out, err)``) is only used for ``systemctl list-sockets`` when PID 1
    holds a listening socket (socket activation).
    """
    needed = set(query.protocols) | {e.protocol for e in query.expectations}
    sockets = read_sockets(proc_root, needed)
    bindv6only, dual = _dual_stack(sockets, proc_root)
    resolver = _Resolver(proc_root, runner)

    shown = [s for s in sockets if _selected(s, query)]
    expected_ports = {(e.port, e.protocol) for e in query.expectations}
    on_expected = [s for s in sockets if (s.port, s.protocol) in expected_ports]
    resolver.owners(shown + on_expected)  # one /proc scan for both
    outcomes: List[Outcome] = []
    if query.expectations:
        candidates = resolver.listeners(on_expected, dual)
        outcomes = [check(e, candidates, bindv6only) for e in query.expectations]
        if not all(o.met for o in outcomes):
            # the messages name what listens instead, so every socket read needs its owner now
            everything = resolver.listeners(sockets, dual)
            outcomes = [o if o.met else check(o.expectation, everything, bindv6only) for o in outcomes]

    return summarize(resolver.listeners(shown, dual), outcomes, bindv6only)


def summarize(shown: Sequence[Listener], outcomes: Sequence[Outcome], bindv6only: Optional[bool]) -> Dict[str, Any]:
    """The module result (without ``changed``/``failed``) from the listeners shown and the outcomes.

    Shared by every platform: Linux (:func:`run`) and Windows (``listening/windows.py``).
    """
    listening = [lsn.as_dict() for lsn in shown]
    reported = list(shown) + [lsn for o in outcomes if o.met for lsn in o.listeners]
    matched = [
        dict(o.expectation.as_dict(), listening=[lsn.as_dict() for lsn in o.listeners]) for o in outcomes if o.met
    ]
    missing = [dict(o.expectation.as_dict(), message=o.message) for o in outcomes if not o.met]
    what = "expected listener(s)"
    if any(o.expectation.state == "absent" for o in outcomes):
        what = "expectation(s)"
    if missing:
        verb = "not met" if what == "expectation(s)" else "missing"
        msg = f"{len(missing)} of {len(outcomes)} {what} {verb}: " + " | ".join(str(m["message"]) for m in missing)
    elif outcomes:
        verb = "met" if what == "expectation(s)" else "found"
        msg = f"all {len(outcomes)} {what} {verb}; {len(listening)} listening socket(s) reported"
    else:
        msg = f"{len(listening)} listening socket(s) reported"
    return {
        "listening": listening,
        "processes": processes(reported),
        "owner_unknown_reason": owner_unknown_reason(reported),
        "matched": matched,
        "missing": missing,
        "bindv6only": bindv6only,
        "msg": msg,
    }


def processes(listeners: Sequence[Listener]) -> Dict[str, Dict[str, Optional[str]]]:
    """Each owning process once, by pid (a string: a JSON object's key): a pre-forking server's
    thousands of sockets name their command line once, not once per socket."""
    out: Dict[str, Dict[str, Optional[str]]] = {}
    for lsn in listeners:
        owner = lsn.owner
        if owner.pid is not None and str(owner.pid) not in out:
            out[str(owner.pid)] = {"process": owner.process, "user": owner.user, "cmdline": owner.cmdline}
    return out


def owner_unknown_reason(listeners: Sequence[Listener]) -> Optional[str]:
    """Why some owners could not be seen (one text per run on Linux), each distinct reason once; None when
    every owner was seen."""
    reasons: List[str] = []
    for lsn in listeners:
        reason = lsn.owner.unknown_reason
        if reason is not None and reason not in reasons:
            reasons.append(reason)
    return "; ".join(reasons) if reasons else None
