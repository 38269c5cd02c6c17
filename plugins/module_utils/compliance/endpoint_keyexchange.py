# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Endpoint checks of key exchange and suites beyond TLS 1.2's list: every accepted group (TLS-13),
the TLS 1.3 suites (TLS-15), DHE and ECDHE sizes (TLS-16, TLS-17) and the server's suite order (TLS-19).

Judged on what the server accepts (``key_exchange``, ``tls13_ciphers``), the way sslyze's Mozilla
checker does. Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from typing import Any, List, Mapping

from ansible_collections.webedge.https.plugins.module_utils.compliance.evidence import EndpointEvidence
from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import Finding, new_finding
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import normalize_group

__all__ = ["check_dh_size", "check_ecdh_size", "check_groups", "check_server_order", "check_tls13_suites"]


def _kex(evidence: EndpointEvidence) -> Mapping[str, Any]:
    return evidence.probe.get("key_exchange") or {}


def _enumerated(evidence: EndpointEvidence) -> bool:
    """Whether every suite list the key exchange facts come from was read."""
    if evidence.get("protocols", "TLSv1.2") and evidence.probe.get("tls12_ciphers") is None:
        return False
    legacy = evidence.probe.get("legacy_ciphers") or {}
    return all(
        legacy.get(name) is not None for name in ("TLSv1.1", "TLSv1", "SSLv3") if evidence.get("protocols", name)
    )


def check_groups(evidence: EndpointEvidence) -> Finding:
    """TLS-13: every group accepted with TLS 1.3 and for ECDHE with TLS 1.2 is in the profile's curves."""
    target, profile = evidence.target, evidence.profile
    kex = _kex(evidence)
    allowed = [normalize_group(name) for name in profile.allowed_groups()]
    seen: List[str] = []
    for version, key in (("TLSv1.3", "groups_tls13"), ("TLSv1.2", "groups_tls12")):
        groups = kex.get(key)
        if groups is None and evidence.get("protocols", version):
            return new_finding(
                "TLS-13", "error", f"not checked: the groups accepted with {version} were not enumerated", target
            )
        seen.extend(name for name in groups or [] if name not in seen)
    if not seen:
        if evidence.get("protocols", "TLSv1.3"):
            return new_finding("TLS-13", "error", "not checked: TLS 1.3 is accepted but no group answered", target)
        return new_finding("TLS-13", "skip", "not applicable: no ECDHE or TLS 1.3 key exchange is accepted", target)
    outside = [name for name in seen if normalize_group(name) not in allowed]
    expected = list(profile.allowed_groups())
    if outside:
        return new_finding(
            "TLS-13",
            "fail",
            f"groups outside profile {profile.name} {profile.version}: {', '.join(outside)}",
            target,
            observed=seen,
            expected=expected,
        )
    return new_finding(
        "TLS-13", "pass", f"groups accepted: {', '.join(seen)}", target, observed=seen, expected=expected
    )


def check_tls13_suites(evidence: EndpointEvidence) -> Finding:
    """TLS-15: every TLS 1.3 suite accepted is in the profile's ciphersuites."""
    target, profile = evidence.target, evidence.profile
    accepted = evidence.probe.get("tls13_ciphers")
    if not evidence.get("protocols", "TLSv1.3"):
        return new_finding("TLS-15", "skip", "not applicable: TLS 1.3 is refused", target)
    if accepted is None:
        return new_finding("TLS-15", "error", "not checked: the TLS 1.3 suites accepted were not enumerated", target)
    expected = list(profile.tls13_ciphersuites)
    outside = [name for name in accepted if name not in profile.tls13_ciphersuites]
    if outside:
        return new_finding(
            "TLS-15",
            "fail",
            f"TLS 1.3 suites outside profile {profile.name} {profile.version}: {', '.join(outside)}",
            target,
            observed=list(accepted),
            expected=expected,
        )
    return new_finding(
        "TLS-15",
        "pass",
        f"TLS 1.3 suites accepted: {', '.join(accepted)}",
        target,
        observed=list(accepted),
        expected=expected,
    )


def check_dh_size(evidence: EndpointEvidence) -> Finding:
    """TLS-16: the smallest DH group of the accepted DHE suites reaches the profile's dh_param_size."""
    target, profile = evidence.target, evidence.profile
    bits = _kex(evidence).get("dh_bits")
    minimum = profile.dh_param_size
    if bits is None:
        if not _enumerated(evidence):
            return new_finding("TLS-16", "error", "not checked: the accepted suites were not enumerated", target)
        return new_finding("TLS-16", "skip", "not applicable: no DHE key exchange is accepted", target)
    if minimum is None:
        return new_finding(
            "TLS-16",
            "skip",
            f"not applicable: profile {profile.name} sets no dh_param_size "
            f"(DHE {bits} bits seen; TLS-07 judges DHE suites)",
            target,
            observed=bits,
        )
    if bits < minimum:
        return new_finding(
            "TLS-16",
            "fail",
            f"DHE with {bits}-bit parameters, fewer than {minimum}",
            target,
            observed=bits,
            expected=minimum,
        )
    return new_finding(
        "TLS-16", "pass", f"DHE parameters of {bits} bits or more", target, observed=bits, expected=minimum
    )


def check_ecdh_size(evidence: EndpointEvidence) -> Finding:
    """TLS-17: the smallest ECDHE group the server picks reaches the profile's ecdh_param_size."""
    target, profile = evidence.target, evidence.profile
    bits = _kex(evidence).get("ecdh_bits")
    minimum = profile.ecdh_param_size
    if bits is None:
        if not _enumerated(evidence):
            return new_finding("TLS-17", "error", "not checked: the accepted suites were not enumerated", target)
        return new_finding("TLS-17", "skip", "not applicable: no ECDHE key exchange is accepted", target)
    if bits < minimum:
        return new_finding(
            "TLS-17",
            "fail",
            f"ECDHE with a {bits}-bit group, fewer than {minimum}",
            target,
            observed=bits,
            expected=minimum,
        )
    return new_finding(
        "TLS-17", "pass", f"ECDHE groups of {bits} bits or more", target, observed=bits, expected=minimum
    )


def check_server_order(evidence: EndpointEvidence) -> Finding:
    """TLS-19: the server imposes its suite order when the profile's server_preferred_order asks for it."""
    target, profile = evidence.target, evidence.profile
    order = _kex(evidence).get("server_order")
    observed = {True: "server order", False: "client order", None: "not observed"}[order]
    wanted = profile.server_preferred_order
    if not wanted:
        return new_finding(
            "TLS-19",
            "pass",
            f"profile {profile.name} lets the client choose ({observed})",
            target,
            observed=observed,
            expected="either",
        )
    if order is None:
        if not _enumerated(evidence):
            return new_finding("TLS-19", "error", "not checked: the accepted suites were not enumerated", target)
        return new_finding("TLS-19", "skip", "not applicable: fewer than two suites to order", target)
    if order:
        return new_finding(
            "TLS-19", "pass", "the server imposes its suite order", target, observed=observed, expected="server order"
        )
    return new_finding(
        "TLS-19",
        "fail",
        f"the server follows the client's suite order; profile {profile.name} asks for the server's",
        target,
        observed=observed,
        expected="server order",
    )
