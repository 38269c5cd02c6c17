# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Endpoint checks of the served certificate: chain trust (TLS-08), hostname (TLS-09), validity
(TLS-10), key and signature (TLS-11), intermediates (TLS-12) and lifespan (TLS-14).

They run only when the probe read a certificate (:mod:`.endpoint` reports ``error`` otherwise).
Details no certificate reader filled where the probe ran (None) give ``error``, never a verdict.
Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

import re
from typing import List

from ansible_collections.webedge.https.plugins.module_utils.compliance.evidence import EndpointEvidence, parse_time
from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import Finding, new_finding
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import normalize_group

__all__ = [
    "check_chain",
    "check_hostname",
    "check_intermediates",
    "check_key",
    "check_lifespan",
    "check_validity",
]

_WEAK_SIGNATURE = re.compile(r"md2|md4|md5|sha1(?!\d)|sha-1(?!\d)", re.IGNORECASE)


def check_chain(evidence: EndpointEvidence) -> Finding:
    cert, target = evidence.certificate, evidence.target
    if cert.get("chain_valid"):
        return new_finding("TLS-08", "pass", f"chain trusted (issuer {cert.get('issuer', '?')})", target)
    reason = cert.get("chain_error") or "verification failed"
    if cert.get("self_signed"):
        reason = f"self-signed certificate ({reason})"
    return new_finding(
        "TLS-08",
        "fail",
        f"chain not trusted: {reason}",
        target,
        observed=cert.get("issuer"),
        expected="a chain to a trusted CA",
    )


def check_hostname(evidence: EndpointEvidence) -> Finding:
    cert, target, probe = evidence.certificate, evidence.target, evidence.probe
    name = probe.get("server_name") or probe.get("host")
    sans = list(cert.get("sans") or [])
    if cert.get("hostname_valid"):
        return new_finding("TLS-09", "pass", f"certificate valid for {name}", target, observed=sans, expected=name)
    if cert.get("hostname_valid") is None:
        return new_finding(
            "TLS-09", "error", f"the certificate's names were not read, so {name} could not be checked", target
        )
    return new_finding(
        "TLS-09",
        "fail",
        f"certificate not valid for {name}; its names: {', '.join(sans) or cert.get('subject', 'none')}",
        target,
        observed=sans,
        expected=name,
    )


def check_validity(evidence: EndpointEvidence) -> Finding:
    cert, target, now, min_days_valid = evidence.certificate, evidence.target, evidence.now, evidence.min_days_valid
    not_before = parse_time(cert.get("not_before"))
    not_after = parse_time(cert.get("not_after"))
    days = cert.get("days_remaining")
    if days is None and not_after is not None:
        days = (not_after - now).days
    if days is None:
        return new_finding("TLS-10", "error", "certificate expiry date unknown", target)
    expected = f">= {min_days_valid} days remaining"
    if (not_after is not None and not_after <= now) or days < 0:
        when = not_after.date().isoformat() if not_after else f"{-days} days ago"
        return new_finding("TLS-10", "fail", f"certificate expired ({when})", target, observed=days, expected=expected)
    if not_before is not None and not_before > now:
        return new_finding(
            "TLS-10",
            "fail",
            f"certificate not valid before {not_before.isoformat()}",
            target,
            observed=cert.get("not_before"),
            expected="not_before in the past",
        )
    if days < min_days_valid:
        return new_finding(
            "TLS-10",
            "fail",
            f"certificate expires in {days} days, fewer than the minimum {min_days_valid}",
            target,
            observed=days,
            expected=expected,
            severity="medium",
        )
    return new_finding(
        "TLS-10", "pass", f"certificate valid for {days} more days", target, observed=days, expected=expected
    )


def check_key(evidence: EndpointEvidence) -> Finding:
    cert, target, profile = evidence.certificate, evidence.target, evidence.profile
    if cert.get("key_type") is None and cert.get("signature_algorithm") is None:
        return new_finding("TLS-11", "error", "the certificate's key and signature were not read", target)
    key_type = str(cert.get("key_type") or "")
    size = cert.get("key_size")
    signature = str(cert.get("signature_algorithm") or "")
    problems: List[str] = []
    observed = {"key_type": key_type, "key_size": size, "curve": cert.get("curve"), "signature": signature}
    expected = {
        "certificate_types": list(profile.certificate_types),
        "rsa_key_size": profile.min_rsa_key_size,
        "certificate_curves": list(profile.certificate_curves),
        "certificate_signatures": list(profile.certificate_signatures),
    }
    kind = {"RSA": "rsa", "EC": "ecdsa", "ECDSA": "ecdsa"}.get(key_type.upper())
    if kind is None:
        problems.append(f"{key_type or 'unknown'} key, profile allows {', '.join(profile.certificate_types)}")
    else:
        if kind not in profile.certificate_types:
            problems.append(
                f"{key_type} key, profile {profile.name} allows {', '.join(profile.certificate_types)} only"
            )
        if kind == "rsa" and (not isinstance(size, int) or size < profile.min_rsa_key_size):
            problems.append(f"RSA key of {size} bits, fewer than {profile.min_rsa_key_size}")
        if kind == "ecdsa":
            curve = normalize_group(cert.get("curve"))
            if curve not in profile.certificate_curves:
                problems.append(f"EC curve {cert.get('curve')}, profile allows {', '.join(profile.certificate_curves)}")
    if not signature:
        problems.append("signature algorithm unknown")
    elif _WEAK_SIGNATURE.search(signature):
        problems.append(f"weak signature algorithm {signature}")
    elif signature not in profile.certificate_signatures:
        problems.append(
            f"signature algorithm {signature} not in profile {profile.name}: "
            f"{', '.join(profile.certificate_signatures)}"
        )
    if problems:
        return new_finding("TLS-11", "fail", "; ".join(problems), target, observed=observed, expected=expected)
    what = f"{key_type} {size}" if kind == "rsa" else f"{key_type} {cert.get('curve')}"
    return new_finding(
        "TLS-11", "pass", f"{what} key, {signature} signature", target, observed=observed, expected=expected
    )


def check_intermediates(evidence: EndpointEvidence) -> Finding:
    cert, target = evidence.certificate, evidence.target
    length = cert.get("chain_length")
    if cert.get("intermediates_served"):
        return new_finding(
            "TLS-12", "pass", f"complete chain served ({length} certificate(s))", target, observed=length
        )
    if cert.get("self_signed"):
        return new_finding("TLS-12", "skip", "self-signed certificate: no intermediates exist", target)
    if cert.get("intermediates_served") is None:
        return new_finding("TLS-12", "error", "could not determine whether the chain is complete", target)
    return new_finding(
        "TLS-12",
        "fail",
        f"server sent {length} certificate(s); intermediates are missing",
        target,
        observed=length,
        expected="leaf followed by its intermediates",
    )


def check_lifespan(evidence: EndpointEvidence) -> Finding:
    cert, target, profile = evidence.certificate, evidence.target, evidence.profile
    not_before = parse_time(cert.get("not_before"))
    not_after = parse_time(cert.get("not_after"))
    if not_before is None or not_after is None:
        return new_finding("TLS-14", "error", "certificate validity period unknown", target)
    # whole days, as sslyze counts them: a 90-day certificate backdated a few minutes is 90 days
    days = int((not_after - not_before).total_seconds() // 86400)
    limit = profile.max_certificate_lifespan
    if days > limit:
        return new_finding(
            "TLS-14",
            "fail",
            f"certificate lifespan {days} days, more than profile {profile.name}'s {limit}",
            target,
            observed=days,
            expected=limit,
        )
    return new_finding("TLS-14", "pass", f"certificate lifespan {days} days (max {limit})", target, observed=days)
