# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The outcome of one control on one target: :class:`Finding`, made by every check.

A finding's severity is its control's (from the catalog) unless the check chose a lower one
(TLS-10 "expires soon"). Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Union

from ansible_collections.webedge.https.plugins.module_utils.compliance.catalog import get_control

__all__ = ["Finding", "FindingLike", "findings_to_dict", "new_finding", "skipped_finding"]


@dataclass(frozen=True)
class Finding:
    """The outcome of one control on one target.

    Attributes:
        control: control ID (``TLS-01``).
        status: ``pass``, ``fail``, ``error`` (could not be decided) or ``skip`` (not applicable).
        severity: the control's severity, or a lower one a check chose (TLS-10 "expires soon").
        message: what was seen versus what was expected.
        target: ``host:port`` for endpoint controls, the host name for host controls.
        observed: the value seen (plain data), if any.
        expected: the value expected (plain data), if any.
    """

    control: str
    status: str
    severity: str
    message: str
    target: str = ""
    observed: Any = field(default=None, compare=False)
    expected: Any = field(default=None, compare=False)

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    def to_dict(self) -> Dict[str, Any]:
        return {
            "control": self.control,
            "status": self.status,
            "severity": self.severity,
            "message": self.message,
            "target": self.target,
            "observed": self.observed,
            "expected": self.expected,
        }


FindingLike = Union[Finding, Mapping[str, Any]]


def new_finding(
    control_id: str,
    status: str,
    message: str,
    target: str,
    *,
    observed: Any = None,
    expected: Any = None,
    severity: Optional[str] = None,
) -> Finding:
    """A finding of ``control_id`` with the catalog's severity unless ``severity`` lowers it."""
    control = get_control(control_id)
    return Finding(
        control=control_id,
        status=status,
        severity=severity or control.severity,
        message=message,
        target=target,
        observed=observed,
        expected=expected,
    )


def skipped_finding(control_id: str, target: str) -> Finding:
    """The finding of a control the configuration turned off (``compliance_skip_controls``, ``skip_controls``)."""
    return new_finding(control_id, "skip", "not checked: disabled by configuration", target)


def findings_to_dict(findings: Mapping[str, Finding]) -> Dict[str, Dict[str, Any]]:
    """``{id: Finding}`` -> ``{id: dict}`` (what goes into ``ProbeResult["findings"]``)."""
    return {key: value.to_dict() for key, value in findings.items()}
