# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shape of one control of the catalog (:mod:`.catalog` holds the data and the look-ups).

Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

__all__ = ["SERVERS", "SERVER_LABELS", "SEVERITIES", "Control", "severity_rank"]

# Highest first.
SEVERITIES = ("critical", "high", "medium", "low", "info")
# The web servers a control's remediation names, and how reports title them.
SERVERS = ("nginx", "apache", "iis")
SERVER_LABELS = {"nginx": "nginx", "apache": "Apache", "iis": "IIS/SCHANNEL"}


def severity_rank(severity: str) -> int:
    """0 for critical ... 4 for info; raises ValueError naming an unknown severity."""
    try:
        return SEVERITIES.index(severity)
    except ValueError:
        raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, got {severity!r}") from None


@dataclass(frozen=True)
class Control:
    """One control.

    Attributes:
        id: stable identifier (``TLS-01``).
        title: what must hold, as a short sentence.
        severity: default severity of a failure (a finding may lower it, e.g. TLS-10's
            "expires soon" is reported below the "expired" severity).
        where: ``endpoint`` (seen over the network), ``host`` (seen on the host) or both.
        rationale: why it matters.
        remediation: what to change, whatever the server.
        profile_value: the :class:`..tls.profiles.Profile` attribute(s) the check compares
            with, or None when the check needs no profile value.
        fixes: ``(server, what to change there)`` for nginx, Apache and IIS/SCHANNEL (``SERVERS``).
    """

    id: str
    title: str
    severity: str
    where: str
    rationale: str
    remediation: str
    profile_value: Optional[str] = None
    fixes: Tuple[Tuple[str, str], ...] = ()

    @property
    def family(self) -> str:
        return self.id.split("-", 1)[0]

    @property
    def remediation_by_server(self) -> Dict[str, str]:
        """``{"nginx": ..., "apache": ..., "iis": ...}`` (only the servers the control names)."""
        return dict(self.fixes)

    @property
    def full_remediation(self) -> str:
        """The remediation followed by each server's fix, as one text (for formats with one field)."""
        parts = [self.remediation.rstrip()]
        parts.extend(f"{SERVER_LABELS.get(server, server)}: {fix.rstrip()}" for server, fix in self.fixes)
        return " ".join(part if part.endswith(".") else part + "." for part in parts)
