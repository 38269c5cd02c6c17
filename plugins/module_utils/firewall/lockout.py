# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lockout check: never remove the rule the task's own connection relies on.

One check for every backend. Where the connections come from differs: on Linux the module
reads ``SSH_CONNECTION`` (:func:`parse_ssh_connection`); the Windows read returns the
connections it saw (its ``SSH_CONNECTION``, the established TCP connections to the task's
ports, or, when it saw none, those ports with an unknown client) in ``Ruleset.connections``.
"""

from __future__ import annotations

import ipaddress
from typing import List, Optional, Sequence

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import Connection, Plan
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FAMILIES, FirewallError, Rule

__all__ = ["LockoutError", "check_lockout", "parse_ssh_connection"]

_ANY_ADDRESS = {"ipv4": "0.0.0.0", "ipv6": "::"}


class LockoutError(FirewallError):
    """The change would cut off the connection the task runs over."""


def parse_ssh_connection(value: Optional[str]) -> Optional[Connection]:
    """``"client_ip client_port server_ip server_port"`` -> :class:`Connection` (or None)."""
    if not value:
        return None
    parts = value.split()
    if len(parts) != 4 or not parts[3].isdigit():
        return None
    try:
        address = ipaddress.ip_address(parts[0].split("%", 1)[0])
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:  # type: ignore[union-attr]
        address = address.ipv4_mapped  # type: ignore[union-attr]
    return Connection(port=int(parts[3]), client=str(address))


def _cut_off(plan: Plan, connection: Connection) -> List[Rule]:
    """The owned rules the plan removes that ``connection`` needs, when nothing left accepts it."""
    port, client = connection.port, connection.client
    if client is not None:
        family = "ipv4" if ipaddress.ip_address(client).version == 4 else "ipv6"

        def accepts(rule: Rule) -> bool:
            return rule.matches(family, "tcp", port, client)

        return [] if any(accepts(r) for r in plan.after) else [r for r in plan.remove if accepts(r)]

    # The client is not known: any address may be it, so only a rule from any source keeps them all in.
    def open_to_all(family: str) -> bool:
        return any(r.source is None and r.matches(family, "tcp", port, _ANY_ADDRESS[family]) for r in plan.after)

    still_open = {family: open_to_all(family) for family in FAMILIES}
    return [r for r in plan.remove if r.protocol == "tcp" and port in r.ports and not still_open[r.family]]


def _why(connection: Connection) -> str:
    if connection.client is None:
        return f"this task may arrive on port {connection.port} and the client address could not be read"
    return (
        f"the SSH connection of this task comes from {connection.client} to port {connection.port} and would be cut off"
    )


def check_lockout(plan: Plan, connections: Sequence[Connection], force: bool) -> List[str]:
    """Refuse a plan that removes a rule one of ``connections`` relies on.

    Returns the warnings for what ``force`` let through; raises :class:`LockoutError` otherwise.
    """
    warnings: List[str] = []
    for connection in connections:
        removed = _cut_off(plan, connection)
        if not removed:
            continue
        what = ", ".join(r.describe() for r in removed)
        if not force:
            raise LockoutError(f"refusing to remove {what}: {_why(connection)}; set force=true to do it anyway")
        warnings.append(f"force=true: removing {what}: {_why(connection)}")
    return warnings
