# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Endpoint checks of the vulnerability questions (VULN-01 to VULN-08) and session resumption (TLS-22).

Each reads one ``vulnerabilities`` outcome of the probe: not applicable -> ``skip``, undetermined
-> ``error``, else pass/fail. Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

from ansible_collections.webedge.https.plugins.module_utils.compliance.evidence import EndpointEvidence
from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import Finding, new_finding

__all__ = ["VULN_CHECKS", "check_session_resumption"]


def _outcome(evidence: EndpointEvidence, key: str) -> Optional[Mapping[str, Any]]:
    return (evidence.probe.get("vulnerabilities") or {}).get(key)


def _undecided(control_id: str, evidence: EndpointEvidence, key: str) -> Optional[Finding]:
    """The skip/error finding when the outcome gives no verdict, else None."""
    found = _outcome(evidence, key)
    if found is None:
        return new_finding(control_id, "error", f"not checked: the probe result has no {key} answer", evidence.target)
    reason = str(found.get("reason") or "")
    if not found.get("applicable", True):
        text = reason if reason.startswith("not applicable") else f"not applicable: {reason}"
        return new_finding(control_id, "skip", text, evidence.target)
    if found.get("value") is None:
        text = reason if reason.startswith("not checked") else f"not checked: {reason}"
        return new_finding(control_id, "error", text, evidence.target)
    return None


def _check(control_id: str, key: str, bad: Any) -> Callable[[EndpointEvidence], Finding]:
    """A check failing when the outcome's value equals ``bad``."""

    def check(evidence: EndpointEvidence) -> Finding:
        undecided = _undecided(control_id, evidence, key)
        if undecided is not None:
            return undecided
        found = _outcome(evidence, key) or {}
        value, reason = found.get("value"), str(found.get("reason") or "")
        status = "fail" if value == bad else "pass"
        return new_finding(control_id, status, reason, evidence.target, observed=value, expected=not bad)

    check.__name__ = f"check_{key}"
    return check


def check_robot(evidence: EndpointEvidence) -> Finding:
    """VULN-03: no Bleichenbacher oracle; a weak oracle fails with severity medium."""
    undecided = _undecided("VULN-03", evidence, "robot")
    if undecided is not None:
        return undecided
    found = _outcome(evidence, "robot") or {}
    value, reason = found.get("value"), str(found.get("reason") or "")
    if value == "no_oracle":
        return new_finding("VULN-03", "pass", reason, evidence.target, observed=value, expected="no_oracle")
    severity = "medium" if value == "weak_oracle" else None
    return new_finding(
        "VULN-03", "fail", reason, evidence.target, observed=value, expected="no_oracle", severity=severity
    )


def check_session_resumption(evidence: EndpointEvidence) -> Finding:
    """TLS-22: sessions resume by id or by ticket (below TLS 1.3)."""
    target = evidence.target
    ids, tickets = _outcome(evidence, "session_resumption_ids"), _outcome(evidence, "session_resumption_tickets")
    if ids is None or tickets is None:
        return new_finding("TLS-22", "error", "not checked: the probe result has no resumption answers", target)
    if not ids.get("applicable", True) and not tickets.get("applicable", True):
        return new_finding("TLS-22", "skip", f"not applicable: {ids.get('reason')}", target)
    observed = {"session_ids": ids.get("value"), "tickets": tickets.get("value")}
    if ids.get("value") or tickets.get("value"):
        how = " and ".join(
            name for name, ok in (("session id", ids.get("value")), ("ticket", tickets.get("value"))) if ok
        )
        return new_finding("TLS-22", "pass", f"sessions resume by {how}", target, observed=observed)
    if ids.get("value") is False and tickets.get("value") is False:
        return new_finding(
            "TLS-22", "fail", f"no resumption: {ids.get('reason')}; {tickets.get('reason')}", target, observed=observed
        )
    reasons = "; ".join(str(item.get("reason")) for item in (ids, tickets) if item.get("value") is None)
    return new_finding(
        "TLS-22", "error", reasons if reasons.startswith("not checked") else f"not checked: {reasons}", target
    )


VULN_CHECKS = {
    "VULN-01": _check("VULN-01", "heartbleed", True),
    "VULN-02": _check("VULN-02", "ccs_injection", True),
    "VULN-03": check_robot,
    "VULN-04": _check("VULN-04", "secure_renegotiation", False),
    "VULN-05": _check("VULN-05", "client_renegotiation", True),
    "VULN-06": _check("VULN-06", "compression", True),
    "VULN-07": _check("VULN-07", "fallback_scsv", False),
    "VULN-08": _check("VULN-08", "extended_master_secret", False),
}
