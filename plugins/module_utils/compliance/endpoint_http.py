# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Endpoint checks of the HTTP side: HSTS (HTTP-01), the port-80 redirect (HTTP-02) and the
Server header (HTTP-03). Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

import re

from ansible_collections.webedge.https.plugins.module_utils.compliance.evidence import EndpointEvidence
from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import Finding, new_finding
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import HSTS_MIN_AGE_ACCEPTED

__all__ = ["check_hsts", "check_redirect", "check_server_header"]

_VERSION_IN_HEADER = re.compile(r"\d+(\.\d+)+|/\s*\d")
_REDIRECT_EXPECTED = "301/308 to https://<same host>/"


def check_hsts(evidence: EndpointEvidence) -> Finding:
    target, profile = evidence.target, evidence.profile
    hsts = evidence.probe.get("hsts")
    if hsts is None:
        return new_finding("HTTP-01", "error", "HSTS header not checked (no HTTPS response)", target)
    if not hsts.get("present"):
        return new_finding(
            "HTTP-01", "fail", "no Strict-Transport-Security header", target, expected=f"max-age={profile.hsts_max_age}"
        )
    age = hsts.get("max_age")
    raw = hsts.get("raw")
    if not isinstance(age, int):
        return new_finding("HTTP-01", "fail", f"HSTS header without a valid max-age: {raw!r}", target, observed=raw)
    if age < HSTS_MIN_AGE_ACCEPTED:
        return new_finding(
            "HTTP-01",
            "fail",
            f"HSTS max-age={age}, less than {HSTS_MIN_AGE_ACCEPTED} (six months)",
            target,
            observed=age,
            expected=profile.hsts_max_age,
        )
    if age < profile.hsts_max_age:
        return new_finding(
            "HTTP-01",
            "fail",
            f"HSTS max-age={age}, less than the profile's {profile.hsts_max_age}",
            target,
            observed=age,
            expected=profile.hsts_max_age,
            severity="low",
        )
    extra = "" if hsts.get("include_subdomains") else " (without includeSubDomains)"
    return new_finding(
        "HTTP-01", "pass", f"HSTS max-age={age}{extra}", target, observed=age, expected=profile.hsts_max_age
    )


def check_redirect(evidence: EndpointEvidence) -> Finding:
    target = evidence.target
    redirect = evidence.probe.get("redirect")
    if not redirect or not redirect.get("checked"):
        return new_finding("HTTP-02", "skip", "port 80 redirect not checked", target)
    if redirect.get("error"):
        return new_finding("HTTP-02", "error", f"port 80 request failed: {redirect['error']}", target)
    status = redirect.get("status")
    location = redirect.get("location")
    same = redirect.get("to_https_same_host")
    observed = {"status": status, "location": location}
    if status in (301, 308) and same:
        return new_finding("HTTP-02", "pass", f"{status} to {location}", target, observed=observed)
    if status in (301, 302, 303, 307, 308):
        why = "not a permanent redirect" if status not in (301, 308) else "not to https on the same host"
        return new_finding(
            "HTTP-02",
            "fail",
            f"{status} to {location}: {why}",
            target,
            observed=observed,
            expected=_REDIRECT_EXPECTED,
        )
    return new_finding(
        "HTTP-02",
        "fail",
        f"port 80 answered {status}, not a redirect to https",
        target,
        observed=observed,
        expected=_REDIRECT_EXPECTED,
    )


def check_server_header(evidence: EndpointEvidence) -> Finding:
    target, probe = evidence.target, evidence.probe
    header = probe.get("server_header")
    has_version = probe.get("server_header_has_version")
    if has_version is None and header is not None:
        has_version = bool(_VERSION_IN_HEADER.search(str(header)))
    if header is None and has_version is None:
        if probe.get("hsts") is None:
            return new_finding("HTTP-03", "error", "no HTTPS response to read the Server header from", target)
        return new_finding("HTTP-03", "pass", "no Server header", target)
    if has_version:
        return new_finding("HTTP-03", "fail", f"Server header reveals a version: {header}", target, observed=header)
    return new_finding("HTTP-03", "pass", f"Server header without version: {header}", target, observed=header)
