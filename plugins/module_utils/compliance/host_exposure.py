# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HOST-07: only the ports of the allow-list are exposed.

Reads the result of ``exposure_info`` run with the allow-list (``allowed``): every listening socket
joined with the firewall's verdict for a new connection from outside (container-published ports
included). Fails with each exposed port the allow-list does not cover and who serves it; a port
whose exposure cannot be decided and that the allow-list does not cover is an ``error`` naming the
reason. Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from typing import Any, List, Mapping, Optional

from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import Finding, new_finding
from ansible_collections.webedge.https.plugins.module_utils.exposure.request import parse_allowed
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import ValidationError

__all__ = ["check_exposure"]

_SHOWN = 5  # ports named in a message; the rest are counted


def _port(group: Mapping[str, Any]) -> str:
    return f"{group.get('port')}/{group.get('protocol')}"


def _listing(groups: List[Mapping[str, Any]], key: str) -> str:
    parts = [f"{_port(g)} ({'; '.join(str(v) for v in g.get(key) or []) or '?'})" for g in groups[:_SHOWN]]
    more = len(groups) - _SHOWN
    return ", ".join(parts) + (f" and {more} more" if more > 0 else "")


def check_exposure(fact: Optional[Mapping[str, Any]], target: str) -> Finding:
    """``fact``: an ``exposure_info`` result (``exposed``, ``unknown``, ``allowed``, ``unexpected``; ``msg``
    when it failed), see ``schema.ExposureFact``."""
    if fact is None:
        return new_finding("HOST-07", "skip", "exposed ports not audited", target)
    if fact.get("exposed") is None:
        return new_finding("HOST-07", "error", f"exposure_info failed: {fact.get('msg') or 'no result'}", target)
    if fact.get("allowed") is None:
        return new_finding("HOST-07", "error", "exposure_info ran without an allow-list (allowed)", target)
    allowed = [str(a) for a in fact["allowed"]]
    try:
        entries = parse_allowed(allowed)
    except ValidationError as exc:
        return new_finding("HOST-07", "error", f"the allow-list is not valid: {exc}", target)
    shown_allowed = ", ".join(allowed) or "nothing"
    unexpected = list(fact.get("unexpected") or [])
    exposed = [_port(g) for g in fact.get("exposed") or []]
    if unexpected:
        return new_finding(
            "HOST-07",
            "fail",
            f"{len(unexpected)} port(s) exposed beyond the allow-list ({shown_allowed}): "
            f"{_listing(unexpected, 'owners')}",
            target,
            observed=exposed,
            expected=allowed,
        )
    undecided = [
        g
        for g in fact.get("unknown") or []
        if not any(a.covers(str(g.get("protocol")), int(g.get("port") or 0)) for a in entries)
    ]
    if undecided:
        return new_finding(
            "HOST-07",
            "error",
            f"could not tell whether {len(undecided)} port(s) outside the allow-list are exposed: "
            f"{_listing(undecided, 'reasons')}",
            target,
            observed=exposed,
            expected=allowed,
        )
    return new_finding(
        "HOST-07",
        "pass",
        f"only allowed ports are exposed: {', '.join(exposed) or 'none'} (allowed: {shown_allowed})",
        target,
        observed=exposed,
        expected=allowed,
    )
