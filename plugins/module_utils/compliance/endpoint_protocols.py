# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Endpoint checks of what is negotiated: protocol versions (TLS-01 to TLS-06), TLS 1.2 suites
(TLS-07) and the key exchange group (TLS-13).

A version the probe could not decide (None) gives ``error``. Runs on targets (Python 3.8+,
standard library only).
"""

from __future__ import annotations

from typing import List

from ansible_collections.webedge.https.plugins.module_utils.compliance.evidence import EndpointEvidence
from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import Finding, new_finding
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import is_forward_secret, normalize_group

__all__ = [
    "check_ciphers",
    "check_group",
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
    target, profile = evidence.target, evidence.profile
    accepted = evidence.probe.get("tls12_ciphers")
    tls12_on = evidence.get("protocols", "TLSv1.2")
    negotiated = evidence.get("negotiated", "cipher")
    allowed = set(profile.allowed_ciphers_iana())
    problems: List[str] = []
    if negotiated and negotiated not in allowed:
        problems.append(f"negotiated {negotiated}, which is not in the profile")
    if accepted is None:
        if tls12_on is False:
            if problems:
                return new_finding("TLS-07", "fail", "; ".join(problems), target, observed=[negotiated])
            return new_finding("TLS-07", "skip", "TLS 1.2 refused: no TLS 1.2 suites to check", target)
        return new_finding("TLS-07", "error", "the TLS 1.2 cipher suites accepted were not enumerated", target)
    outside = [name for name in accepted if name not in allowed]
    no_fs = [name for name in accepted if not is_forward_secret(name)]
    if outside:
        problems.append(f"TLS 1.2 suites outside profile {profile.name} {profile.version}: {', '.join(outside)}")
    if no_fs:
        problems.append(f"suites without forward secrecy: {', '.join(no_fs)}")
    expected = list(profile.tls12_ciphers_iana)
    if problems:
        return new_finding("TLS-07", "fail", "; ".join(problems), target, observed=list(accepted), expected=expected)
    if not accepted:
        return new_finding("TLS-07", "pass", "no TLS 1.2 suite accepted", target, observed=[], expected=expected)
    return new_finding(
        "TLS-07",
        "pass",
        f"{len(accepted)} TLS 1.2 suite(s) accepted, all within profile {profile.name} and forward secret",
        target,
        observed=list(accepted),
        expected=expected,
    )


def check_group(evidence: EndpointEvidence) -> Finding:
    target, profile = evidence.target, evidence.profile
    raw = evidence.get("negotiated", "group")
    if not raw:
        return new_finding("TLS-13", "skip", "the negotiated group was not reported by the probe", target)
    group = normalize_group(raw)
    allowed = list(profile.allowed_groups())
    if group in allowed:
        return new_finding("TLS-13", "pass", f"negotiated group {raw}", target, observed=raw, expected=allowed)
    return new_finding(
        "TLS-13",
        "fail",
        f"negotiated group {raw}, not in profile {profile.name} {profile.version}: {', '.join(allowed)}",
        target,
        observed=raw,
        expected=allowed,
    )
