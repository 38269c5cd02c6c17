# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Endpoint checks of the served chain beyond the leaf (TLS-18) and of OCSP stapling (TLS-20, TLS-21).

They run only when the probe read a certificate (:mod:`.endpoint` reports ``error`` otherwise).
Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping

from ansible_collections.webedge.https.plugins.module_utils.compliance.evidence import EndpointEvidence
from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import Finding, new_finding

__all__ = ["check_chain_strength", "check_must_staple", "check_ocsp_stapling"]

_WEAK_SIGNATURE = re.compile(r"md2|md4|md5|sha1(?!\d)|sha-1(?!\d)", re.IGNORECASE)
_CHAIN_CURVES = ("secp256r1", "prime256v1", "secp384r1", "secp521r1")
_MIN_RSA = 2048


def _weakness(entry: Mapping[str, Any]) -> List[str]:
    problems: List[str] = []
    key_type, size = str(entry.get("key_type") or ""), entry.get("key_size")
    if key_type == "RSA" and (not isinstance(size, int) or size < _MIN_RSA):
        problems.append(f"RSA key of {size} bits")
    elif key_type == "EC" and entry.get("curve") not in _CHAIN_CURVES:
        problems.append(f"EC key on {entry.get('curve')}")
    elif key_type == "DSA":
        problems.append("DSA key")
    signature = str(entry.get("signature_algorithm") or "")
    if not entry.get("self_signed") and _WEAK_SIGNATURE.search(signature):
        problems.append(f"{signature} signature")
    return problems


def check_chain_strength(evidence: EndpointEvidence) -> Finding:
    """TLS-18: every served certificate after the leaf has a strong key and (unless it is a root) signature."""
    target = evidence.target
    chain = list(evidence.certificate.get("chain") or [])
    others = chain[1:]
    if not others:
        return new_finding("TLS-18", "skip", "not applicable: the server sent no certificate besides the leaf", target)
    unread = [entry for entry in others if entry.get("key_type") is None]
    if unread:
        return new_finding(
            "TLS-18", "error", f"not checked: {len(unread)} chain certificate(s) could not be read", target
        )
    observed: List[Dict[str, Any]] = []
    problems: List[str] = []
    for entry in others:
        weak = _weakness(entry)
        observed.append(
            {key: entry.get(key) for key in ("subject", "key_type", "key_size", "curve", "signature_algorithm")}
        )
        if weak:
            problems.append(f"{entry.get('subject')}: {', '.join(weak)}")
    expected = "RSA >= 2048 or EC P-256/P-384/P-521, SHA-256+ signatures (roots excepted)"
    if problems:
        return new_finding(
            "TLS-18",
            "fail",
            "weak chain certificate(s): " + "; ".join(problems),
            target,
            observed=observed,
            expected=expected,
        )
    return new_finding(
        "TLS-18",
        "pass",
        f"{len(others)} chain certificate(s) with strong keys and signatures",
        target,
        observed=observed,
        expected=expected,
    )


def _staple(evidence: EndpointEvidence) -> Mapping[str, Any]:
    return evidence.probe.get("ocsp") or {}


def check_ocsp_stapling(evidence: EndpointEvidence) -> Finding:
    """TLS-20: a certificate naming an OCSP responder is served with a stapled response (profile ocsp_staple)."""
    target, profile = evidence.target, evidence.profile
    urls = evidence.certificate.get("ocsp_urls")
    staple = _staple(evidence)
    if urls is None:
        return new_finding("TLS-20", "error", "not checked: the certificate's OCSP responders were not read", target)
    if not urls:
        return new_finding("TLS-20", "skip", "not applicable: the certificate names no OCSP responder", target)
    if not profile.ocsp_staple:
        return new_finding(
            "TLS-20", "skip", f"not applicable: profile {profile.name} does not ask for stapling", target
        )
    stapled = staple.get("stapled")
    if stapled is None:
        return new_finding("TLS-20", "error", "not checked: no first flight with the certificate was read", target)
    if not stapled:
        return new_finding(
            "TLS-20",
            "fail",
            f"no OCSP response stapled (responder {urls[0]})",
            target,
            observed="not stapled",
            expected="stapled",
        )
    status = staple.get("cert_status")
    if status == "revoked":
        return new_finding(
            "TLS-20", "fail", "the stapled OCSP response says the certificate is revoked", target, observed=status
        )
    return new_finding(
        "TLS-20",
        "pass",
        f"OCSP response stapled ({staple.get('response_status')}, {status or 'status not read'})",
        target,
        observed=status,
    )


def check_must_staple(evidence: EndpointEvidence) -> Finding:
    """TLS-21: a must-staple certificate is served with a stapled OCSP response."""
    target = evidence.target
    must = evidence.certificate.get("must_staple")
    if must is None:
        return new_finding("TLS-21", "error", "not checked: the certificate's extensions were not read", target)
    if not must:
        return new_finding("TLS-21", "skip", "not applicable: the certificate is not must-staple", target)
    stapled = _staple(evidence).get("stapled")
    if stapled is None:
        return new_finding("TLS-21", "error", "not checked: no first flight with the certificate was read", target)
    if not stapled:
        return new_finding(
            "TLS-21",
            "fail",
            "must-staple certificate served without an OCSP response",
            target,
            observed="not stapled",
            expected="stapled",
        )
    return new_finding("TLS-21", "pass", "must-staple certificate served with its OCSP response", target)
