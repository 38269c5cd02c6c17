# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``backend: auto``: find the firewall that actually filters input, and say why.

Each backend class answers ``probe(runner) -> Detection`` (read-only commands). They are
asked in the order of their :class:`~.registry.Registry` (front-ends before the raw layer
they write to). When nothing filters, the first of :data:`FALLBACK_ORDER` whose tools are
installed is used so the task still records its rules.
"""

from __future__ import annotations

from typing import List, Tuple, Type

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import (
    Detection,
    FirewallBackend,
    Runner,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError, ValidationError
from ansible_collections.webedge.https.plugins.module_utils.firewall.registry import Registry

__all__ = ["FALLBACK_ORDER", "detect_backend", "select_backend"]

FALLBACK_ORDER = ("nftables", "iptables")


def detect_backend(runner: Runner, registry: Registry) -> Tuple[str, Detection, List[Detection]]:
    """Return ``(name, detection, all detections made)`` for the active firewall."""
    seen: List[Detection] = []
    for name, cls in registry.backends.items():
        detection = cls.probe(runner)
        seen.append(detection)
        if detection.active:
            return name, detection, seen
    for name in FALLBACK_ORDER:
        match = next((d for d in seen if d.name == name and d.available), None)
        if match is not None:
            why = "; ".join(d.reason for d in seen)
            return (
                name,
                Detection(
                    name=name,
                    active=False,
                    variant=match.variant,
                    reason=f"no firewall filters input on this host ({why}); using {name} to hold the rules",
                ),
                seen,
            )
    why = "; ".join(d.reason for d in seen) or "no backend is available"
    raise FirewallError(f"no supported firewall found: {why}")


def select_backend(
    requested: str, runner: Runner, registry: Registry
) -> Tuple[Type[FirewallBackend], Detection, List[str]]:
    """Resolve ``backend`` (``auto`` or a name) to a class; returns ``(class, detection, warnings)``.

    A name this registry does not hold fails before any command runs.
    """
    warnings: List[str] = []
    if requested == "auto":
        name, detection = detect_backend(runner, registry)[:2]
        return registry.backends[name], detection, warnings
    cls = registry.get(requested)
    if cls is None:
        raise ValidationError(registry.refusal(requested))
    detection = cls.probe(runner)
    if not detection.available:
        raise FirewallError(f"backend {requested!r} was requested but is not installed: {detection.reason}")
    if not detection.active:
        warnings.append(f"backend {requested!r} was requested but does not filter input here: {detection.reason}")
    return cls, detection, warnings
