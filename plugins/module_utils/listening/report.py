# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The listening_ports module's work, without Ansible: validate, read, resolve, check, report.

``listening`` is shaped by the ``ports`` and ``protocols`` filters; expectations are checked
against every listening socket of their protocol, whatever the filters. Each listener reported
carries the systemd unit and the container it serves (``services.py``).
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from ansible_collections.webedge.https.plugins.module_utils.listening.expectations import Listener, Outcome, check
from ansible_collections.webedge.https.plugins.module_utils.listening.model import PROTOCOLS, Owner, Service, Socket
from ansible_collections.webedge.https.plugins.module_utils.listening.owners import find_owners
from ansible_collections.webedge.https.plugins.module_utils.listening.procnet import read_bindv6only, read_sockets
from ansible_collections.webedge.https.plugins.module_utils.listening.query import (  # re-exported for callers
    Query,
    QueryError,
    parse_query,
    selected,
    shows,
    sort_listeners,
    summarize,
)
from ansible_collections.webedge.https.plugins.module_utils.listening.services import ServiceResolver
from ansible_collections.webedge.https.plugins.module_utils.listening.sockdiag import read_v6only

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

    shown = [s for s in sockets if shows(s, query)]
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
