# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Orchestration: params -> backend -> read -> plan -> lockout check -> apply -> result.

``run()`` is what ``firewall_port`` calls; it never calls ``fail_json`` and
raises :class:`FirewallError` (or its subclasses) for the module to report.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Protocol, Type

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import (
    BackendOptions,
    CachingRunner,
    FileStore,
    FirewallBackend,
    Plan,
    Runner,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.detect import select_backend
from ansible_collections.webedge.https.plugins.module_utils.firewall.iptables import IptablesBackend
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import (
    DesiredState,
    FirewallError,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.nftables import NftablesBackend

try:  # written in parallel; optional until they land
    from ansible_collections.webedge.https.plugins.module_utils.firewall.firewalld import FirewalldBackend
except ImportError:  # pragma: no cover
    FirewalldBackend = None  # type: ignore[assignment,misc]
try:
    from ansible_collections.webedge.https.plugins.module_utils.firewall.ufw import UfwBackend
except ImportError:  # pragma: no cover
    UfwBackend = None  # type: ignore[assignment,misc]

__all__ = [
    "BACKEND_REGISTRY",
    "ApplyGuard",
    "LockoutError",
    "SshConnection",
    "check_lockout",
    "parse_ssh_connection",
    "plan_result",
    "run",
]

BACKEND_REGISTRY: Dict[str, Optional[Type[FirewallBackend]]] = {
    "firewalld": FirewalldBackend,
    "ufw": UfwBackend,
    "nftables": NftablesBackend,
    "iptables": IptablesBackend,
}


class ApplyGuard(Protocol):
    """Wraps a real apply (``confirm_timeout``: rollback.RollbackGuard).

    ``arm()`` runs just before the apply and returns extra result keys; ``undo()``
    runs when the apply failed (before the error is re-raised).
    """

    def arm(self, backend: FirewallBackend, desired: DesiredState, plan: Plan) -> Dict[str, Any]: ...

    def undo(self) -> Dict[str, Any]: ...


class LockoutError(FirewallError):
    """The change would cut off the SSH connection the task runs over."""


@dataclass(frozen=True)
class SshConnection:
    """The SSH connection this task arrived on (from ``SSH_CONNECTION``)."""

    client: str
    server_port: int

    @property
    def family(self) -> str:
        return "ipv4" if ipaddress.ip_address(self.client).version == 4 else "ipv6"


def parse_ssh_connection(value: Optional[str]) -> Optional[SshConnection]:
    """``"client_ip client_port server_ip server_port"`` -> :class:`SshConnection` (or None)."""
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
    return SshConnection(client=str(address), server_port=int(parts[3]))


def check_lockout(plan: Plan, ssh: Optional[SshConnection], force: bool) -> Optional[str]:
    """Refuse a plan that removes the rule the current SSH connection relies on.

    Returns a warning when ``force`` let it through; raises :class:`LockoutError` otherwise.
    """
    if ssh is None:
        return None

    def hit(rules: Any) -> List[Any]:
        return [r for r in rules if r.matches(ssh.family, "tcp", ssh.server_port, ssh.client)]

    removed = hit(plan.remove)
    if not removed or hit(plan.after):
        return None
    what = ", ".join(r.describe() for r in removed)
    why = f"the SSH connection of this task comes from {ssh.client} to port {ssh.server_port} and would be cut off"
    if force:
        return f"force=true: removing {what}: {why}"
    raise LockoutError(f"refusing to remove {what}: {why}; set force=true to do it anyway")


def run(
    params: Mapping[str, Any],
    runner: Runner,
    *,
    check_mode: bool = False,
    files: Optional[FileStore] = None,
    ssh_connection: Optional[str] = None,
    registry: Optional[Mapping[str, Optional[Type[FirewallBackend]]]] = None,
    guard: Optional[ApplyGuard] = None,
) -> Dict[str, Any]:
    """Do (or, in check mode, predict) what the task asks; return the module result."""
    desired = DesiredState.from_params(params)  # bad input fails before any command runs
    if desired.backend == "windows":  # the action plugin handles Windows hosts; this one runs Python
        raise FirewallError(
            "backend 'windows' manages Windows Defender Firewall and needs a Windows host "
            "(a PowerShell connection); use auto, nftables, iptables, firewalld or ufw here"
        )
    caching = CachingRunner(runner)
    caching.caching = True
    cls, detection, warnings = select_backend(desired.backend, caching, registry or BACKEND_REGISTRY)
    backend = cls(caching, files, BackendOptions(zone=desired.zone, variant=detection.variant))
    current = backend.read(desired)
    plan = backend.plan(desired, current)
    caching.caching = False

    warning = check_lockout(plan, parse_ssh_connection(ssh_connection), desired.force)
    if warning:
        warnings.append(warning)
    extra: Dict[str, Any] = {}
    if plan.changed and not check_mode:
        if guard is not None:
            extra = guard.arm(backend, desired, plan)
        try:
            backend.apply(plan)
        except FirewallError as exc:
            if guard is not None:
                undone = guard.undo()
                how = "the previous rules were restored" if undone.get("rolled_back") else undone.get("error")
                raise FirewallError(f"{exc} ({how})") from None
            raise

    return plan_result(plan, backend.name, detection.reason, warnings, extra)


def plan_result(
    plan: Plan,
    backend: str,
    reason: str,
    warnings: List[str],
    extra: Optional[Mapping[str, Any]] = None,
) -> Dict[str, Any]:
    """The module result of a plan (every platform reports the same keys)."""
    return {
        "changed": plan.changed,
        "backend": backend,
        "backend_reason": reason,
        "diff": plan.to_diff(backend),
        "commands": [step.as_dict() for step in plan.steps],
        "files": [item.path for item in plan.files],
        "rules": [rule.as_dict() for rule in plan.after],
        "added": [rule.as_dict() for rule in plan.add],
        "removed": [rule.as_dict() for rule in plan.remove],
        "notes": list(plan.notes),
        "warnings": warnings,
        **(extra or {}),
    }
