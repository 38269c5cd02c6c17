# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The orchestrator: params -> backend -> read -> plan -> lockout check -> apply -> result.

``run()`` is what ``firewall_port`` calls on every host: the module with the Linux
registry, the action plugin on a Windows host with the Windows one (a PowerShell runner,
the Windows Defender Firewall backend). It never calls ``fail_json``; it raises
:class:`FirewallError` (or its subclasses) for the caller to report.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Protocol, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import (
    BackendOptions,
    CachingRunner,
    FileStore,
    FirewallBackend,
    Plan,
    Runner,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.detect import select_backend
from ansible_collections.webedge.https.plugins.module_utils.firewall.lockout import check_lockout, parse_ssh_connection
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import DesiredState, FirewallError
from ansible_collections.webedge.https.plugins.module_utils.firewall.registry import LINUX, Registry

__all__ = ["LOCK_PATH", "ApplyGuard", "EffectCheck", "host_lock", "plan_result", "run"]

# One change at a time per host: two plays changing the firewall at once would otherwise both read the
# same rules and the second write would drop what the first added (nft, iptables-restore, ufw and
# firewall-cmd have no lock of their own around a read-plan-apply).
LOCK_PATH = "/run/lock/webedge-https-firewall.lock"


@contextmanager
def host_lock(path: Optional[str]) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created, mode 0600) for the block; ``None``: no lock."""
    if path is None:
        yield
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


# After the change: (effective, blocked, warnings) for the rules asked for (``effect.check_effect``).
EffectCheck = Callable[[DesiredState, Runner], Tuple[Optional[bool], List[Dict[str, Any]], List[str]]]


class ApplyGuard(Protocol):
    """Wraps a real apply (``confirm_timeout``: rollback.RollbackGuard).

    ``arm()`` runs just before the apply and returns extra result keys; ``undo()``
    runs when the apply failed (before the error is re-raised).
    """

    def arm(self, backend: FirewallBackend, desired: DesiredState, plan: Plan) -> Dict[str, Any]: ...

    def undo(self) -> Dict[str, Any]: ...


def run(
    params: Mapping[str, Any],
    runner: Runner,
    *,
    check_mode: bool = False,
    files: Optional[FileStore] = None,
    ssh_connection: Optional[str] = None,
    registry: Registry = LINUX,
    guard: Optional[ApplyGuard] = None,
    connection_ports: Sequence[int] = (),
    effect: Optional[EffectCheck] = None,
    lock_path: Optional[str] = None,
) -> Dict[str, Any]:
    """Do (or, in check mode, predict) what the task asks; return the module result.

    ``ssh_connection``: the module's ``SSH_CONNECTION`` (the lockout check's connection when
    the backend's read does not see the connections itself); ``connection_ports``: the ports
    the task's connection may arrive on (the Windows read looks for connections to them);
    ``effect``: asked after the change whether the rules opened really let connections in
    (``effective`` and ``blocked`` in the result; None: not asked, ``effective`` is None);
    ``lock_path``: a file locked from the read to the end of the apply (``LOCK_PATH`` on a Linux host),
    so that concurrent runs on one host each see the other's rules.
    """
    desired = DesiredState.from_params(params)  # bad input fails before any command runs
    with host_lock(None if check_mode else lock_path):
        return _run(
            desired, params, runner, check_mode, files, ssh_connection, registry, guard, connection_ports, effect
        )


def _run(
    desired: DesiredState,
    params: Mapping[str, Any],
    runner: Runner,
    check_mode: bool,
    files: Optional[FileStore],
    ssh_connection: Optional[str],
    registry: Registry,
    guard: Optional[ApplyGuard],
    connection_ports: Sequence[int],
    effect: Optional[EffectCheck],
) -> Dict[str, Any]:
    caching = CachingRunner(runner)
    caching.caching = True
    cls, detection, warnings = select_backend(desired.backend, caching, registry)
    cls.validate(desired, params)
    options = BackendOptions(zone=desired.zone, variant=detection.variant, connection_ports=tuple(connection_ports))
    backend = cls(caching, files, options)
    current = backend.read(desired.scope)
    plan = backend.plan(desired, current)
    caching.caching = False

    connections = current.connections
    if connections is None:
        ssh = parse_ssh_connection(ssh_connection)
        connections = (ssh,) if ssh is not None else ()
    warnings.extend(check_lockout(plan, connections, desired.force))
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

    effective: Dict[str, Any] = {"effective": None, "blocked": []}
    if effect is not None and not (check_mode and plan.changed):  # in check mode the new rules are not there
        answer, blocked, more = effect(desired, caching)
        effective = {"effective": answer, "blocked": blocked}
        warnings.extend(more)
    extra = {**effective, **extra}
    return plan_result(plan, backend.name, backend.backend_reason(detection, current), warnings, extra)


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
