# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The listening_ports options and result, on every platform: validate the options, shape the result.

No reading here: the Linux reader (``report.py``, on the target) and the Windows path
(``plugin_utils/windows/listening.py``, on the controller) both build :class:`Listener` objects
and hand them to :func:`summarize`, so the action plugin imports this and never the Linux reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.listening.expectations import (
    Expectation,
    ExpectationError,
    Listener,
    Outcome,
    parse_expectations,
    parse_protocols,
)
from ansible_collections.webedge.https.plugins.module_utils.listening.model import PROTOCOLS, Socket, sort_key
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange, PortSpecError, parse_port_specs

__all__ = [
    "Query",
    "QueryError",
    "owner_unknown_reason",
    "parse_query",
    "processes",
    "selected",
    "shows",
    "sort_listeners",
    "summarize",
]

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


def sort_listeners(listeners: Iterable[Listener]) -> List[Listener]:
    """The order of ``listening``: protocol, port, family, address, pid (unknown last), socket."""
    return sorted(listeners, key=_listener_key)


def _listener_key(listener: Listener) -> Tuple[Any, ...]:
    """protocol, port, family, address, then pid (unknown last), then the socket inode: stable."""
    pid = listener.owner.pid
    return (*sort_key(listener.socket)[:4], pid is None, pid or 0, listener.socket.inode)


def shows(sock: Socket, query: Query) -> bool:
    return sock.protocol in query.protocols and (not query.ports or any(sock.port in r for r in query.ports))


def selected(listeners: Iterable[Listener], query: Query) -> List[Listener]:
    """The listeners ``ports`` and ``protocols`` select for ``listening``."""
    return [lsn for lsn in listeners if shows(lsn.socket, query)]


def summarize(shown: Sequence[Listener], outcomes: Sequence[Outcome], bindv6only: Optional[bool]) -> Dict[str, Any]:
    """The module result (without ``changed``/``failed``) from the listeners shown and the outcomes.

    Shared by every platform: Linux (``report.run``) and Windows (``plugin_utils/windows/listening.py``).
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
