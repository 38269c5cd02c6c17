# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``backend: auto``: find the firewall that actually filters input, and say why.

Each backend class answers ``probe(runner) -> Detection`` (read-only commands).
They are asked in :data:`DETECTION_ORDER`: a front-end that manages the kernel
rules itself (firewalld, ufw) wins over the raw layer it writes to (nftables,
iptables), because changing the raw layer underneath it would be undone on its
next reload. When nothing filters, the first backend whose tools are installed
is used so the task still records its rules.
"""

from __future__ import annotations

from typing import List, Mapping, Optional, Sequence, Tuple, Type

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import (
    Detection,
    FirewallBackend,
    Runner,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError

__all__ = ["DETECTION_ORDER", "FALLBACK_ORDER", "detect_backend", "select_backend"]

DETECTION_ORDER = ("firewalld", "ufw", "nftables", "iptables")
FALLBACK_ORDER = ("nftables", "iptables")


def detect_backend(
    runner: Runner,
    registry: Mapping[str, Optional[Type[FirewallBackend]]],
    order: Sequence[str] = DETECTION_ORDER,
) -> Tuple[str, Detection, List[Detection]]:
    """Return ``(name, detection, all detections made)`` for the active firewall."""
    seen: List[Detection] = []
    for name in order:
        cls = registry.get(name)
        if cls is None:
            continue
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
    requested: str,
    runner: Runner,
    registry: Mapping[str, Optional[Type[FirewallBackend]]],
) -> Tuple[Type[FirewallBackend], Detection, List[str]]:
    """Resolve ``backend`` (``auto`` or a name) to a class; returns ``(class, detection, warnings)``."""
    warnings: List[str] = []
    if requested == "auto":
        name, detection = detect_backend(runner, registry)[:2]
    else:
        cls = registry.get(requested)
        if cls is None:
            raise FirewallError(f"backend {requested!r} is not available in this version of webedge.https")
        detection = cls.probe(runner)
        name = requested
        if not detection.available:
            raise FirewallError(f"backend {requested!r} was requested but is not installed: {detection.reason}")
        if not detection.active:
            warnings.append(f"backend {requested!r} was requested but does not filter input here: {detection.reason}")
    cls = registry[name]
    if cls is None:  # pragma: no cover - detect_backend only returns registered names
        raise FirewallError(f"backend {name!r} is not available in this version of webedge.https")
    return cls, detection, warnings
