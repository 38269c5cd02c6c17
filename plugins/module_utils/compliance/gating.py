# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Severity gating: does a set of findings fail a threshold?

``error`` counts as a failure by default (fail closed): a control that could not be verified
does not pass a gate. Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from typing import Any, Iterable, List, Mapping, Optional, Union

from ansible_collections.webedge.https.plugins.module_utils.compliance.catalog import SEVERITIES, severity_rank
from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import Finding, FindingLike

__all__ = ["FAIL_ON_CHOICES", "failing_findings", "fails_threshold", "worst_failure"]

FAIL_ON_CHOICES = (*SEVERITIES[:-1], "none")  # critical, high, medium, low, none

Findings = Union[Mapping[str, FindingLike], Iterable[FindingLike]]


def _as_list(findings: Findings) -> List[FindingLike]:
    if isinstance(findings, Mapping):
        return list(findings.values())
    return list(findings)


def _get(finding: FindingLike, key: str) -> Any:
    return getattr(finding, key) if isinstance(finding, Finding) else finding.get(key)


def failing_findings(findings: Findings, *, count_errors: bool = True) -> List[FindingLike]:
    """Findings with status ``fail`` (and ``error`` unless ``count_errors`` is False)."""
    statuses = ("fail", "error") if count_errors else ("fail",)
    return [f for f in _as_list(findings) if _get(f, "status") in statuses]


def worst_failure(findings: Findings, *, count_errors: bool = True) -> Optional[str]:
    """The highest severity among failing findings, or None when nothing fails."""
    ranks = [
        severity_rank(_get(f, "severity") or "info") for f in failing_findings(findings, count_errors=count_errors)
    ]
    return SEVERITIES[min(ranks)] if ranks else None


def fails_threshold(findings: Findings, fail_on: str, *, count_errors: bool = True) -> bool:
    """True when a finding at or above ``fail_on`` (critical/high/medium/low; ``none`` never) fails."""
    if fail_on not in FAIL_ON_CHOICES:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON_CHOICES)}, got {fail_on!r}")
    if fail_on == "none":
        return False
    worst = worst_failure(findings, count_errors=count_errors)
    return worst is not None and severity_rank(worst) <= severity_rank(fail_on)
