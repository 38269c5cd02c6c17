# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Endpoint checks of the protocol versions (TLS-01 to TLS-06) and the suites accepted up to TLS 1.2
(TLS-07). Key exchange and TLS 1.3 suites are in :mod:`.endpoint_keyexchange`.

A version the probe could not decide (None) gives ``error``. Runs on targets (Python 3.8+,
standard library only).
"""

from __future__ import annotations

from typing import List

from ansible_collections.webedge.https.plugins.module_utils.compliance.evidence import EndpointEvidence
from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import Finding, new_finding
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import is_forward_secret

__all__ = [
    "check_ciphers",
    "check_sslv2",
    "check_sslv3",
    "check_tls10",
    "check_tls11",
    "check_tls12",
    "check_tls13",
]

_PROTOCOL_LABELS = {"SSLv2": "SSLv2", "SSLv3": "SSLv3", "TLSv1": "TLS 1.0", "TLSv1.1": "TLS 1.1"}


def _check_refused(control_id: str, protocol: str, evidence: EndpointEvidence) -> Finding:
    target, profile = evidence.target, evidence.profile
    label = _PROTOCOL_LABELS[protocol]
    accepted = evidence.get("protocols", protocol)
    allowed = profile.offers(protocol)
    expected = "allowed" if allowed else "refused"
    if accepted is None:
        return new_finding(control_id, "error", f"could not determine whether {label} is accepted", target)
    if not accepted:
        return new_finding(control_id, "pass", f"{label} refused", target, observed="refused", expected=expected)
    if allowed:
        return new_finding(
            control_id,
            "pass",
            f"{label} accepted, which profile {profile.name} {profile.version} allows",
            target,
            observed="accepted",
            expected=expected,
        )
    return new_finding(
        control_id,
        "fail",
        f"{label} accepted; profile {profile.name} {profile.version} offers only {', '.join(profile.protocols)}",
        target,
        observed="accepted",
        expected=expected,
    )


def check_sslv2(evidence: EndpointEvidence) -> Finding:
    return _check_refused("TLS-01", "SSLv2", evidence)


def check_sslv3(evidence: EndpointEvidence) -> Finding:
    return _check_refused("TLS-02", "SSLv3", evidence)


def check_tls10(evidence: EndpointEvidence) -> Finding:
    return _check_refused("TLS-03", "TLSv1", evidence)


def check_tls11(evidence: EndpointEvidence) -> Finding:
    return _check_refused("TLS-04", "TLSv1.1", evidence)


def check_tls12(evidence: EndpointEvidence) -> Finding:
    target, profile = evidence.target, evidence.profile
    accepted = evidence.get("protocols", "TLSv1.2")
    wanted = profile.offers("TLSv1.2")
    expected = "accepted" if wanted else "refused"
    if accepted is None:
        return new_finding("TLS-05", "error", "could not determine whether TLS 1.2 is accepted", target)
    observed = "accepted" if accepted else "refused"
    if bool(accepted) == wanted:
        return new_finding(
            "TLS-05",
            "pass",
            f"TLS 1.2 {observed}, as profile {profile.name} requires",
            target,
            observed=observed,
            expected=expected,
        )
    return new_finding(
        "TLS-05",
        "fail",
        f"TLS 1.2 {observed}; profile {profile.name} {profile.version} expects it {expected}",
        target,
        observed=observed,
        expected=expected,
    )


def check_tls13(evidence: EndpointEvidence) -> Finding:
    target = evidence.target
    accepted = evidence.get("protocols", "TLSv1.3")
    if accepted is None:
        return new_finding("TLS-06", "error", "could not determine whether TLS 1.3 is accepted", target)
    if accepted:
        return new_finding("TLS-06", "pass", "TLS 1.3 accepted", target, observed="accepted", expected="accepted")
    return new_finding(
        "TLS-06",
        "fail",
        f"TLS 1.3 refused; profile {evidence.profile.name} includes it",
        target,
        observed="refused",
        expected="accepted",
    )


def check_ciphers(evidence: EndpointEvidence) -> Finding:
    """TLS-07: every suite accepted with TLS 1.2 and each older version accepted, judged like sslyze."""
    target, profile = evidence.target, evidence.profile
    lists = {"TLSv1.2": evidence.probe.get("tls12_ciphers")}
    lists.update(evidence.probe.get("legacy_ciphers") or {})
    accepted_versions = [name for name in ("TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3") if evidence.get("protocols", name)]
    if not accepted_versions:
        return new_finding("TLS-07", "skip", "not applicable: no version up to TLS 1.2 is accepted", target)
    missing = [name for name in accepted_versions if lists.get(name) is None]
    if missing:
        return new_finding(
            "TLS-07", "error", f"not checked: the suites accepted with {', '.join(missing)} were not enumerated", target
        )
    allowed = set(profile.tls12_ciphers_iana)
    accepted: List[str] = []
    for name in accepted_versions:
        accepted.extend(suite for suite in lists[name] or [] if suite not in accepted)
    outside = [name for name in accepted if name not in allowed]
    no_fs = [name for name in accepted if not is_forward_secret(name)]
    problems: List[str] = []
    if outside:
        problems.append(f"suites outside profile {profile.name} {profile.version}: {', '.join(outside)}")
    if no_fs:
        problems.append(f"suites without forward secrecy: {', '.join(no_fs)}")
    expected = list(profile.tls12_ciphers_iana)
    if problems:
        return new_finding("TLS-07", "fail", "; ".join(problems), target, observed=accepted, expected=expected)
    if not accepted:
        return new_finding("TLS-07", "pass", "no suite accepted up to TLS 1.2", target, observed=[], expected=expected)
    return new_finding(
        "TLS-07",
        "pass",
        f"{len(accepted)} suite(s) accepted up to TLS 1.2, all within profile {profile.name} and forward secret",
        target,
        observed=accepted,
        expected=expected,
    )
