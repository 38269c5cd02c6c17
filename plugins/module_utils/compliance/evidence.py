# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an endpoint check reads: one probe result, the profile it is judged against, the clock.

Every endpoint check is a function ``check(evidence) -> Finding`` registered under its control ID
in :mod:`.endpoint`; a new control is one such function, one registry entry and one catalog entry.
Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping, Optional

from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import Profile

__all__ = ["EndpointEvidence", "parse_time"]


@dataclass(frozen=True)
class EndpointEvidence:
    """Attributes:
    probe: one ``ProbeResult`` (``tls/probe/result.py``), as a mapping.
    profile: the Mozilla profile the endpoint is judged against.
    target: ``host:port``, the target named in every finding.
    min_days_valid: days a certificate must still be valid (TLS-10).
    now: the time certificates are judged at.
    """

    probe: Mapping[str, Any]
    profile: Profile
    target: str
    min_days_valid: int
    now: datetime

    @property
    def certificate(self) -> Mapping[str, Any]:
        """The certificate part (certificate checks run only when the probe has one)."""
        return self.probe.get("certificate") or {}

    def get(self, section: str, key: str) -> Any:
        """``probe[section][key]``, None when either is missing."""
        return (self.probe.get(section) or {}).get(key)


def parse_time(value: Any) -> Optional[datetime]:
    """An ISO 8601 time (``Z`` accepted, naive means UTC), None when absent or unreadable."""
    if not value:
        return None
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed
