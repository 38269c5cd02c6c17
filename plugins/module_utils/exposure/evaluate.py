# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every listening socket joined with the firewall's verdict: exposed yes, no or unknown, and why.

Platform-neutral: the listeners come from ``listening/`` (Linux) or the Windows read, the verdicts
from a ``decide(packet)`` function (Linux: ``firewall/path.evaluate_path`` over the kernel's
rulesets; Windows: the Windows Defender Firewall evaluator).

For each socket and each address family it accepts (an IPv4 socket: IPv4; ``::`` dual-stack: both;
limited to the source's family when a source is given):

* bound to a loopback address: not exposed (only this host connects), no verdict asked;
* otherwise the verdict for a NEW connection from the source to the socket's port, sent to the
  socket's own address (or to any address of the host, for a wildcard): ``accept`` is exposed,
  ``drop``/``reject`` is not, ``unknown`` is unknown - with the reason the evaluator gives.

A port a DNAT sends elsewhere (a container's published port) is decided on the forward path:
the socket on the host port (podman's conmon, ``docker-proxy``) never sees the connection, the
container does. A DNATed port nothing on the host listens on is reported too (no socket).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.exposure.request import ExposureRequest
from ansible_collections.webedge.https.plugins.module_utils.firewall.verdict import Packet, Verdict
from ansible_collections.webedge.https.plugins.module_utils.listening.expectations import Listener

__all__ = ["EXPOSED", "Exposure", "FamilyExposure", "assess", "assess_all", "report"]

EXPOSED = {"accept": "yes", "drop": "no", "reject": "no"}
Decide = Callable[[Packet], Verdict]
MAX_LISTED = 10


@dataclass(frozen=True)
class FamilyExposure:
    """One address family of one socket.

    Attributes:
        exposed: ``yes``, ``no`` or ``unknown``.
        path: ``input``, ``forward`` (DNATed to another address), ``prerouting`` (stopped or not
            decidable in a nat chain), ``loopback`` (no verdict asked) or ``family`` (the source is
            of the other family).
    """

    family: str
    exposed: str
    path: str
    verdict: Optional[str] = None
    decided_by: str = ""
    reason: str = ""
    nat_to: Optional[str] = None
    nat_by: str = ""

    def as_dict(self) -> Dict[str, Any]:
        return {
            "exposed": self.exposed,
            "path": self.path,
            "verdict": self.verdict,
            "decided_by": self.decided_by,
            "reason": self.reason,
            "nat_to": self.nat_to,
            "nat_by": self.nat_by or None,
        }


@dataclass(frozen=True)
class Exposure:
    """One socket (or a DNATed port without one: ``listener`` None) and its exposure per family."""

    protocol: str
    port: int
    families: Tuple[FamilyExposure, ...]
    listener: Optional[Listener] = None
    family: Optional[str] = None  # the socket's family; for a DNATed port the one evaluated

    @property
    def exposed(self) -> str:
        answers = [f.exposed for f in self.families]
        if "yes" in answers:
            return "yes"
        return "unknown" if "unknown" in answers else "no"

    @property
    def deciding(self) -> FamilyExposure:
        return next(f for f in self.families if f.exposed == self.exposed)

    @property
    def owner_text(self) -> str:
        """``python3 (pid 812, webedge-listen.service)``; a DNATed port: where it goes."""
        if self.listener is None:
            target = next((f.nat_to for f in self.families if f.nat_to), None)
            return f"forwarded to {target}" if target else "no listening socket"
        owner, service = self.listener.owner, self.listener.service
        what = [f"pid {owner.pid}"] if owner.pid is not None else ["owner unknown"]
        if service is not None and service.describe():
            what.append(service.describe())
        return f"{owner.process or '?'} ({', '.join(what)})"

    def as_dict(self) -> Dict[str, Any]:
        lsn = self.listener
        sock, owner = (lsn.socket, lsn.owner) if lsn is not None else (None, None)
        service = lsn.service if lsn is not None else None
        deciding = self.deciding
        return {
            "protocol": self.protocol,
            "family": sock.family if sock is not None else self.family,
            "address": sock.address if sock is not None else None,
            "port": self.port,
            "dual_stack": lsn.dual_stack if lsn is not None else False,
            "exposed": self.exposed,
            "decided_by": deciding.decided_by,
            "reason": deciding.reason,
            "families": {f.family: f.as_dict() for f in self.families},
            "pid": owner.pid if owner is not None else None,
            "process": owner.process if owner is not None else None,
            "user": owner.user if owner is not None else None,
            "owner_unknown_reason": owner.unknown_reason if owner is not None else None,
            "unit": service.unit if service is not None else None,
            "socket_unit": service.socket_unit if service is not None else None,
            "container": service.container if service is not None else None,
        }


def _family_views(listener: Listener) -> List[Tuple[str, str]]:
    views = []
    if listener.ipv4_view is not None:
        views.append(("ipv4", listener.ipv4_view))
    if listener.ipv6_view is not None:
        views.append(("ipv6", listener.ipv6_view))
    return views


def _from_verdict(family: str, verdict: Verdict) -> FamilyExposure:
    return FamilyExposure(
        family,
        EXPOSED.get(verdict.verdict, "unknown"),
        getattr(verdict, "path", "input"),
        verdict.verdict,
        verdict.decided_by,
        verdict.reason,
        getattr(verdict, "nat_to", None),
        getattr(verdict, "nat_by", ""),
    )


def assess(
    listener: Listener, request: ExposureRequest, decide: Decide, interfaces: Dict[str, Optional[str]]
) -> Exposure:
    """The exposure of one listening socket, per family it accepts."""
    sock = listener.socket
    wanted = request.source_family
    results: List[FamilyExposure] = []
    views = _family_views(listener)
    for family, view in views:
        if wanted is not None and family != wanted:
            continue
        if ipaddress.ip_address(view).is_loopback:
            reason = f"bound to {view}, a loopback address: only this host can connect"
            results.append(FamilyExposure(family, "no", "loopback", reason=reason))
            continue
        destination = None if view in ("0.0.0.0", "::") else view
        packet = Packet(
            family, sock.protocol, sock.port, request.source_address, interfaces.get(family), destination=destination
        )
        results.append(_from_verdict(family, decide(packet)))
    if not results:
        accepted = " and ".join(f for f, _v in views) or "no family"
        reason = f"the socket accepts {accepted} only; the source {request.source} is {wanted}"
        results.append(FamilyExposure(wanted or "ipv4", "no", "family", reason=reason))
    return Exposure(sock.protocol, sock.port, tuple(results), listener)


def assess_all(
    listeners: Sequence[Listener],
    request: ExposureRequest,
    decide: Decide,
    interfaces: Dict[str, Optional[str]],
    nat_candidates: Iterable[Tuple[str, str, int]] = (),
) -> List[Exposure]:
    """Every selected socket, then every DNATed port (``(family, protocol, port)``) no socket covers."""
    found = [
        assess(lsn, request, decide, interfaces)
        for lsn in listeners
        if request.wants(lsn.socket.protocol, lsn.socket.port)
    ]
    covered = {
        (family, lsn.socket.protocol, lsn.socket.port) for lsn in listeners for family, _view in _family_views(lsn)
    }
    for family, protocol, port in sorted(set(nat_candidates)):
        if (family, protocol, port) in covered or not request.wants(protocol, port):
            continue
        if request.source_family not in (None, family):
            continue
        verdict = decide(Packet(family, protocol, port, request.source_address, interfaces.get(family)))
        if getattr(verdict, "nat_to", None) is None:
            continue  # the DNAT does not apply to this source or interface: nothing there
        found.append(Exposure(protocol, port, (_from_verdict(family, verdict),), None, family))
    return sorted(found, key=_order)


def _order(item: Exposure) -> Tuple[Any, ...]:
    lsn = item.listener
    if lsn is None:
        return (item.protocol, item.port, item.family or "", "", 1, 0)
    sock = lsn.socket
    return (item.protocol, item.port, sock.family, sock.address, 0, sock.inode)


def _grouped(items: Sequence[Exposure], answer: str) -> List[Dict[str, Any]]:
    groups: Dict[Tuple[str, int], Dict[str, Any]] = {}
    for item in items:
        chosen = [f for f in item.families if f.exposed == answer]
        if not chosen:
            continue
        group = groups.setdefault(
            (item.protocol, item.port),
            {"port": item.port, "protocol": item.protocol, "families": [], "owners": [], "reasons": []},
        )
        for fam in chosen:
            if fam.family not in group["families"]:
                group["families"].append(fam.family)
            why = fam.reason if answer == "unknown" else fam.decided_by
            if why and why not in group["reasons"]:
                group["reasons"].append(why)
        if item.owner_text not in group["owners"]:
            group["owners"].append(item.owner_text)
    for group in groups.values():
        group["families"].sort()
    return [groups[key] for key in sorted(groups)]


def _label(groups: Sequence[Dict[str, Any]]) -> str:
    shown = ", ".join(f"{g['port']}/{g['protocol']}" for g in groups[:MAX_LISTED])
    more = f" and {len(groups) - MAX_LISTED} more" if len(groups) > MAX_LISTED else ""
    return shown + more


def report(
    items: Sequence[Exposure],
    request: ExposureRequest,
    interfaces: Dict[str, Optional[str]],
    notes: Sequence[str] = (),
) -> Dict[str, Any]:
    """The module result (``changed`` false; ``failed`` when ``fail_on_unexpected`` finds something)."""
    exposed = _grouped(items, "yes")
    unknown = _grouped(items, "unknown")
    unexpected = (
        [g for g in exposed if not request.allows(g["protocol"], g["port"])] if request.allowed is not None else []
    )
    sockets = sum(1 for item in items if item.listener is not None)
    closed = sum(1 for item in items if item.exposed == "no")
    parts = [f"{sockets} listening socket(s)"]
    parts.append(f"exposed: {_label(exposed)}" if exposed else "none exposed")
    if unknown:
        parts.append(f"unknown: {_label(unknown)}")
    parts.append(f"{closed} not exposed")
    msg = "; ".join(parts)
    if unexpected:
        owners = " | ".join(f"{g['port']}/{g['protocol']}: {', '.join(g['owners'])}" for g in unexpected[:MAX_LISTED])
        msg = f"{len(unexpected)} exposed port(s) not in the allow-list - {owners}; {msg}"
    result: Dict[str, Any] = {
        "changed": False,
        "source": request.source,
        "interfaces": dict(interfaces),
        "exposure": [item.as_dict() for item in items],
        "exposed": exposed,
        "unknown": unknown,
        "allowed": None if request.allowed is None else [str(a) for a in request.allowed],
        "unexpected": unexpected,
        "notes": list(notes),
        "msg": msg,
    }
    if unexpected and request.fail_on_unexpected:
        result["failed"] = True
    return result
