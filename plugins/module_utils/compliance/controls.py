# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small check functions that turn a probe result or host facts into findings, one per control.

Every check reads one part of the input and returns a :class:`Finding` whose message names
what was seen and what was expected. Data the probe could not get (``None``) gives ``error``
(the control could not be decided), a control that does not apply gives ``skip``.

Severity gating: :func:`worst_failure` and :func:`fails_threshold`. ``error`` counts as a
failure by default (fail closed): a control that could not be verified does not pass a gate.

Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Union

from ansible_collections.webedge.https.plugins.module_utils.compliance.catalog import (
    CATALOG,
    SEVERITIES,
    get_control,
    severity_rank,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import (
    HSTS_MIN_AGE_ACCEPTED,
    Profile,
    is_forward_secret,
    normalize_group,
)

__all__ = [
    "ENDPOINT_CONTROL_IDS",
    "FAIL_ON_CHOICES",
    "HOST_CONTROL_IDS",
    "Finding",
    "evaluate_endpoint",
    "evaluate_host",
    "failing_findings",
    "fails_threshold",
    "findings_to_dict",
    "worst_failure",
]

FAIL_ON_CHOICES = (*SEVERITIES[:-1], "none")  # critical, high, medium, low, none

_VERSION_IN_HEADER = re.compile(r"\d+(\.\d+)+|/\s*\d")
_WEAK_SIGNATURE = re.compile(r"md2|md4|md5|sha1(?!\d)|sha-1(?!\d)", re.IGNORECASE)


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


def _finding(
    control_id: str,
    status: str,
    message: str,
    target: str,
    *,
    observed: Any = None,
    expected: Any = None,
    severity: Optional[str] = None,
) -> Finding:
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


def findings_to_dict(findings: Mapping[str, Finding]) -> Dict[str, Dict[str, Any]]:
    """``{id: Finding}`` -> ``{id: dict}`` (what goes into ``ProbeResult["findings"]``)."""
    return {key: value.to_dict() for key, value in findings.items()}


# --- endpoint checks -------------------------------------------------------------------------

_PROTOCOL_LABELS = {"SSLv2": "SSLv2", "SSLv3": "SSLv3", "TLSv1": "TLS 1.0", "TLSv1.1": "TLS 1.1"}


def _check_refused(control_id: str, protocol: str, probe: Mapping[str, Any], profile: Profile) -> Finding:
    target = probe.get("target", "")
    label = _PROTOCOL_LABELS[protocol]
    accepted = (probe.get("protocols") or {}).get(protocol)
    allowed = profile.offers(protocol)
    expected = "allowed" if allowed else "refused"
    if accepted is None:
        return _finding(control_id, "error", f"could not determine whether {label} is accepted", target)
    if not accepted:
        return _finding(control_id, "pass", f"{label} refused", target, observed="refused", expected=expected)
    if allowed:
        return _finding(
            control_id,
            "pass",
            f"{label} accepted, which profile {profile.name} {profile.version} allows",
            target,
            observed="accepted",
            expected=expected,
        )
    return _finding(
        control_id,
        "fail",
        f"{label} accepted; profile {profile.name} {profile.version} offers only {', '.join(profile.protocols)}",
        target,
        observed="accepted",
        expected=expected,
    )


def _check_tls12(probe: Mapping[str, Any], profile: Profile) -> Finding:
    target = probe.get("target", "")
    accepted = (probe.get("protocols") or {}).get("TLSv1.2")
    wanted = profile.offers("TLSv1.2")
    expected = "accepted" if wanted else "refused"
    if accepted is None:
        return _finding("TLS-05", "error", "could not determine whether TLS 1.2 is accepted", target)
    observed = "accepted" if accepted else "refused"
    if bool(accepted) == wanted:
        return _finding(
            "TLS-05",
            "pass",
            f"TLS 1.2 {observed}, as profile {profile.name} requires",
            target,
            observed=observed,
            expected=expected,
        )
    return _finding(
        "TLS-05",
        "fail",
        f"TLS 1.2 {observed}; profile {profile.name} {profile.version} expects it {expected}",
        target,
        observed=observed,
        expected=expected,
    )


def _check_tls13(probe: Mapping[str, Any], profile: Profile) -> Finding:
    target = probe.get("target", "")
    accepted = (probe.get("protocols") or {}).get("TLSv1.3")
    if accepted is None:
        return _finding("TLS-06", "error", "could not determine whether TLS 1.3 is accepted", target)
    if accepted:
        return _finding("TLS-06", "pass", "TLS 1.3 accepted", target, observed="accepted", expected="accepted")
    return _finding(
        "TLS-06",
        "fail",
        f"TLS 1.3 refused; profile {profile.name} includes it",
        target,
        observed="refused",
        expected="accepted",
    )


def _check_ciphers(probe: Mapping[str, Any], profile: Profile) -> Finding:
    target = probe.get("target", "")
    accepted = probe.get("tls12_ciphers")
    tls12_on = (probe.get("protocols") or {}).get("TLSv1.2")
    negotiated = (probe.get("negotiated") or {}).get("cipher")
    allowed = set(profile.allowed_ciphers_iana())
    problems: List[str] = []
    if negotiated and negotiated not in allowed:
        problems.append(f"negotiated {negotiated}, which is not in the profile")
    if accepted is None:
        if tls12_on is False:
            if problems:
                return _finding("TLS-07", "fail", "; ".join(problems), target, observed=[negotiated])
            return _finding("TLS-07", "skip", "TLS 1.2 refused: no TLS 1.2 suites to check", target)
        return _finding("TLS-07", "error", "the TLS 1.2 cipher suites accepted were not enumerated", target)
    outside = [name for name in accepted if name not in allowed]
    no_fs = [name for name in accepted if not is_forward_secret(name)]
    if outside:
        problems.append(f"TLS 1.2 suites outside profile {profile.name} {profile.version}: {', '.join(outside)}")
    if no_fs:
        problems.append(f"suites without forward secrecy: {', '.join(no_fs)}")
    expected = list(profile.tls12_ciphers_iana)
    if problems:
        return _finding("TLS-07", "fail", "; ".join(problems), target, observed=list(accepted), expected=expected)
    if not accepted:
        return _finding("TLS-07", "pass", "no TLS 1.2 suite accepted", target, observed=[], expected=expected)
    return _finding(
        "TLS-07",
        "pass",
        f"{len(accepted)} TLS 1.2 suite(s) accepted, all within profile {profile.name} and forward secret",
        target,
        observed=list(accepted),
        expected=expected,
    )


def _parse_time(value: Any) -> Optional[datetime]:
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


def _check_chain(cert: Mapping[str, Any], target: str) -> Finding:
    if cert.get("chain_valid"):
        return _finding("TLS-08", "pass", f"chain trusted (issuer {cert.get('issuer', '?')})", target)
    reason = cert.get("chain_error") or "verification failed"
    if cert.get("self_signed"):
        reason = f"self-signed certificate ({reason})"
    return _finding(
        "TLS-08",
        "fail",
        f"chain not trusted: {reason}",
        target,
        observed=cert.get("issuer"),
        expected="a chain to a trusted CA",
    )


def _check_hostname(cert: Mapping[str, Any], probe: Mapping[str, Any], target: str) -> Finding:
    name = probe.get("server_name") or probe.get("host")
    sans = list(cert.get("sans") or [])
    if cert.get("hostname_valid"):
        return _finding("TLS-09", "pass", f"certificate valid for {name}", target, observed=sans, expected=name)
    return _finding(
        "TLS-09",
        "fail",
        f"certificate not valid for {name}; its names: {', '.join(sans) or cert.get('subject', 'none')}",
        target,
        observed=sans,
        expected=name,
    )


def _check_validity(cert: Mapping[str, Any], target: str, min_days_valid: int, now: datetime) -> Finding:
    not_before = _parse_time(cert.get("not_before"))
    not_after = _parse_time(cert.get("not_after"))
    days = cert.get("days_remaining")
    if days is None and not_after is not None:
        days = (not_after - now).days
    if days is None:
        return _finding("TLS-10", "error", "certificate expiry date unknown", target)
    expected = f">= {min_days_valid} days remaining"
    if (not_after is not None and not_after <= now) or days < 0:
        when = not_after.date().isoformat() if not_after else f"{-days} days ago"
        return _finding("TLS-10", "fail", f"certificate expired ({when})", target, observed=days, expected=expected)
    if not_before is not None and not_before > now:
        return _finding(
            "TLS-10",
            "fail",
            f"certificate not valid before {not_before.isoformat()}",
            target,
            observed=cert.get("not_before"),
            expected="not_before in the past",
        )
    if days < min_days_valid:
        return _finding(
            "TLS-10",
            "fail",
            f"certificate expires in {days} days, fewer than the minimum {min_days_valid}",
            target,
            observed=days,
            expected=expected,
            severity="medium",
        )
    return _finding(
        "TLS-10", "pass", f"certificate valid for {days} more days", target, observed=days, expected=expected
    )


def _check_key(cert: Mapping[str, Any], profile: Profile, target: str) -> Finding:
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
        return _finding("TLS-11", "fail", "; ".join(problems), target, observed=observed, expected=expected)
    what = f"{key_type} {size}" if kind == "rsa" else f"{key_type} {cert.get('curve')}"
    return _finding(
        "TLS-11", "pass", f"{what} key, {signature} signature", target, observed=observed, expected=expected
    )


def _check_intermediates(cert: Mapping[str, Any], target: str) -> Finding:
    length = cert.get("chain_length")
    if cert.get("intermediates_served"):
        return _finding("TLS-12", "pass", f"complete chain served ({length} certificate(s))", target, observed=length)
    if cert.get("self_signed"):
        return _finding("TLS-12", "skip", "self-signed certificate: no intermediates exist", target)
    if cert.get("intermediates_served") is None:
        return _finding("TLS-12", "error", "could not determine whether the chain is complete", target)
    return _finding(
        "TLS-12",
        "fail",
        f"server sent {length} certificate(s); intermediates are missing",
        target,
        observed=length,
        expected="leaf followed by its intermediates",
    )


def _check_group(probe: Mapping[str, Any], profile: Profile, target: str) -> Finding:
    raw = (probe.get("negotiated") or {}).get("group")
    if not raw:
        return _finding("TLS-13", "skip", "the negotiated group was not reported by the probe", target)
    group = normalize_group(raw)
    allowed = list(profile.allowed_groups())
    if group in allowed:
        return _finding("TLS-13", "pass", f"negotiated group {raw}", target, observed=raw, expected=allowed)
    return _finding(
        "TLS-13",
        "fail",
        f"negotiated group {raw}, not in profile {profile.name} {profile.version}: {', '.join(allowed)}",
        target,
        observed=raw,
        expected=allowed,
    )


def _check_lifespan(cert: Mapping[str, Any], profile: Profile, target: str) -> Finding:
    not_before = _parse_time(cert.get("not_before"))
    not_after = _parse_time(cert.get("not_after"))
    if not_before is None or not_after is None:
        return _finding("TLS-14", "error", "certificate validity period unknown", target)
    seconds = (not_after - not_before).total_seconds()
    days = int(seconds // 86400)
    limit = profile.max_certificate_lifespan
    if seconds > limit * 86400:
        return _finding(
            "TLS-14",
            "fail",
            f"certificate lifespan {days} days, more than profile {profile.name}'s {limit}",
            target,
            observed=days,
            expected=limit,
        )
    return _finding("TLS-14", "pass", f"certificate lifespan {days} days (max {limit})", target, observed=days)


def _check_hsts(probe: Mapping[str, Any], profile: Profile, target: str) -> Finding:
    hsts = probe.get("hsts")
    if hsts is None:
        return _finding("HTTP-01", "error", "HSTS header not checked (no HTTPS response)", target)
    if not hsts.get("present"):
        return _finding(
            "HTTP-01", "fail", "no Strict-Transport-Security header", target, expected=f"max-age={profile.hsts_max_age}"
        )
    age = hsts.get("max_age")
    raw = hsts.get("raw")
    if not isinstance(age, int):
        return _finding("HTTP-01", "fail", f"HSTS header without a valid max-age: {raw!r}", target, observed=raw)
    if age < HSTS_MIN_AGE_ACCEPTED:
        return _finding(
            "HTTP-01",
            "fail",
            f"HSTS max-age={age}, less than {HSTS_MIN_AGE_ACCEPTED} (six months)",
            target,
            observed=age,
            expected=profile.hsts_max_age,
        )
    if age < profile.hsts_max_age:
        return _finding(
            "HTTP-01",
            "fail",
            f"HSTS max-age={age}, less than the profile's {profile.hsts_max_age}",
            target,
            observed=age,
            expected=profile.hsts_max_age,
            severity="low",
        )
    extra = "" if hsts.get("include_subdomains") else " (without includeSubDomains)"
    return _finding(
        "HTTP-01", "pass", f"HSTS max-age={age}{extra}", target, observed=age, expected=profile.hsts_max_age
    )


def _check_redirect(probe: Mapping[str, Any], target: str) -> Finding:
    redirect = probe.get("redirect")
    if not redirect or not redirect.get("checked"):
        return _finding("HTTP-02", "skip", "port 80 redirect not checked", target)
    if redirect.get("error"):
        return _finding("HTTP-02", "error", f"port 80 request failed: {redirect['error']}", target)
    status = redirect.get("status")
    location = redirect.get("location")
    same = redirect.get("to_https_same_host")
    observed = {"status": status, "location": location}
    if status in (301, 308) and same:
        return _finding("HTTP-02", "pass", f"{status} to {location}", target, observed=observed)
    if status in (301, 302, 303, 307, 308):
        why = "not a permanent redirect" if status not in (301, 308) else "not to https on the same host"
        return _finding(
            "HTTP-02",
            "fail",
            f"{status} to {location}: {why}",
            target,
            observed=observed,
            expected="301/308 to https://<same host>/",
        )
    return _finding(
        "HTTP-02",
        "fail",
        f"port 80 answered {status}, not a redirect to https",
        target,
        observed=observed,
        expected="301/308 to https://<same host>/",
    )


def _check_server_header(probe: Mapping[str, Any], target: str) -> Finding:
    header = probe.get("server_header")
    has_version = probe.get("server_header_has_version")
    if has_version is None and header is not None:
        has_version = bool(_VERSION_IN_HEADER.search(str(header)))
    if header is None and has_version is None:
        if probe.get("hsts") is None:
            return _finding("HTTP-03", "error", "no HTTPS response to read the Server header from", target)
        return _finding("HTTP-03", "pass", "no Server header", target)
    if has_version:
        return _finding("HTTP-03", "fail", f"Server header reveals a version: {header}", target, observed=header)
    return _finding("HTTP-03", "pass", f"Server header without version: {header}", target, observed=header)


ENDPOINT_CONTROL_IDS = tuple(cid for cid, control in CATALOG.items() if control.where == "endpoint")
_CERT_IDS = ("TLS-08", "TLS-09", "TLS-10", "TLS-11", "TLS-12", "TLS-14")


def evaluate_endpoint(
    probe: Mapping[str, Any],
    profile: Profile,
    *,
    min_days_valid: int = 30,
    now: Optional[datetime] = None,
) -> Dict[str, Finding]:
    """Findings of every endpoint control for one ``tls_probe`` result, keyed by control ID."""
    target = str(probe.get("target") or f"{probe.get('host')}:{probe.get('port')}")
    if probe.get("error"):
        return {
            cid: _finding(cid, "error", f"probe of {target} failed: {probe['error']}", target)
            for cid in ENDPOINT_CONTROL_IDS
        }
    now = now or datetime.now(timezone.utc)
    findings: Dict[str, Finding] = {
        "TLS-01": _check_refused("TLS-01", "SSLv2", probe, profile),
        "TLS-02": _check_refused("TLS-02", "SSLv3", probe, profile),
        "TLS-03": _check_refused("TLS-03", "TLSv1", probe, profile),
        "TLS-04": _check_refused("TLS-04", "TLSv1.1", probe, profile),
        "TLS-05": _check_tls12(probe, profile),
        "TLS-06": _check_tls13(probe, profile),
        "TLS-07": _check_ciphers(probe, profile),
    }
    cert = probe.get("certificate")
    if cert:
        findings["TLS-08"] = _check_chain(cert, target)
        findings["TLS-09"] = _check_hostname(cert, probe, target)
        findings["TLS-10"] = _check_validity(cert, target, min_days_valid, now)
        findings["TLS-11"] = _check_key(cert, profile, target)
        findings["TLS-12"] = _check_intermediates(cert, target)
    else:
        for cid in _CERT_IDS:
            findings[cid] = _finding(cid, "error", "no certificate information from the probe", target)
    findings["TLS-13"] = _check_group(probe, profile, target)
    if cert:
        findings["TLS-14"] = _check_lifespan(cert, profile, target)
    findings["HTTP-01"] = _check_hsts(probe, profile, target)
    findings["HTTP-02"] = _check_redirect(probe, target)
    findings["HTTP-03"] = _check_server_header(probe, target)
    return {cid: findings[cid] for cid in ENDPOINT_CONTROL_IDS}


# --- host checks -----------------------------------------------------------------------------


def _parse_mode(mode: Any) -> Optional[int]:
    if isinstance(mode, bool):
        return None
    if isinstance(mode, int):
        return mode
    text = str(mode or "").strip().lower()
    if text.startswith("0o"):
        text = text[2:]
    if re.fullmatch(r"[0-7]{3,4}", text):
        return int(text, 8)
    return None


def _check_listening(fact: Optional[Mapping[str, Any]], target: str) -> Finding:
    if fact is None:
        return _finding("HOST-01", "skip", "listening sockets not collected", target)
    port = fact.get("port", 443)
    expected_process = fact.get("expected_process")
    process = fact.get("process")
    if fact.get("listening") is None:
        return _finding("HOST-01", "error", f"could not determine whether {port}/tcp listens", target)
    if not fact.get("listening"):
        return _finding("HOST-01", "fail", f"nothing listens on {port}/tcp", target, expected=expected_process)
    if expected_process:
        if not process:
            return _finding(
                "HOST-01", "error", f"{port}/tcp listens but its owner is unknown (expected {expected_process})", target
            )
        if process != expected_process:
            return _finding(
                "HOST-01",
                "fail",
                f"{port}/tcp is held by {process}, expected {expected_process}",
                target,
                observed=process,
                expected=expected_process,
            )
    owner = f" by {process}" if process else ""
    return _finding("HOST-01", "pass", f"{port}/tcp listening{owner}", target, observed=process)


def _check_firewall(fact: Optional[Mapping[str, Any]], target: str) -> Finding:
    if fact is None:
        return _finding("HOST-02", "skip", "firewall verdict not collected", target)
    verdict = str(fact.get("verdict") or "unknown").lower()
    port = fact.get("port", 443)
    backend = fact.get("backend") or "firewall"
    detail = f" ({fact['detail']})" if fact.get("detail") else ""
    if verdict in ("accept", "allow"):
        return _finding("HOST-02", "pass", f"{backend} admits {port}/tcp{detail}", target, observed=verdict)
    if verdict in ("drop", "reject", "deny", "block"):
        return _finding(
            "HOST-02",
            "fail",
            f"{backend} would {verdict} {port}/tcp inbound{detail}",
            target,
            observed=verdict,
            expected="accept",
        )
    return _finding("HOST-02", "error", f"{backend} verdict for {port}/tcp unknown{detail}", target)


# Windows key files: well-known principals that may read a machine key. SYSTEM, Administrators,
# NETWORK SERVICE (which IIS 6-era tools granted) and the IIS application pool identities (S-1-5-82-*).
_WINDOWS_KEY_READERS = {
    "S-1-5-18": "NT AUTHORITY\\SYSTEM",
    "S-1-5-32-544": "BUILTIN\\Administrators",
    "S-1-5-20": "NT AUTHORITY\\NETWORK SERVICE",
}
_IIS_APPPOOL_SID = re.compile(r"^S-1-5-82-")
_BUILTIN_ADMINISTRATOR_SID = re.compile(r"^S-1-5-21-\d+-\d+-\d+-500$")
# Rights that let a principal read the key file, or give itself that right: ReadData, WRITE_DAC,
# WRITE_OWNER, GENERIC_ALL, GENERIC_READ (FileSystemRights, as a 32-bit mask).
_WINDOWS_READ_RIGHTS = 0x00000001 | 0x00040000 | 0x00080000 | 0x10000000 | 0x80000000


def _windows_reader_allowed(sid: str, principal: str, extra: Iterable[str]) -> bool:
    if sid in _WINDOWS_KEY_READERS or _IIS_APPPOOL_SID.match(sid) or _BUILTIN_ADMINISTRATOR_SID.match(sid):
        return True
    wanted = {str(e).lower() for e in extra}
    return sid.lower() in wanted or principal.lower() in wanted


def _check_key_acl(fact: Mapping[str, Any], target: str) -> Finding:
    """HOST-03 on Windows: the access rules of the file that holds the certificate's private key."""
    path = fact.get("path", "certificate")
    if fact.get("error") or fact.get("acl") is None:
        reason = fact.get("error") or "access rules unknown"
        return _finding("HOST-03", "error", f"private key of {path}: {reason}", target)
    extra = [*(fact.get("allowed") or []), *(fact.get("administrators") or [])]
    where = f"private key of {path} ({fact['file']})" if fact.get("file") else f"private key of {path}"
    readers: List[str] = []
    others: List[str] = []
    for ace in fact["acl"]:
        if str(ace.get("type", "")).lower() != "allow" or ace.get("inherit_only"):
            continue
        try:
            rights = int(ace.get("rights") or 0) & 0xFFFFFFFF
        except (TypeError, ValueError):
            return _finding("HOST-03", "error", f"{where}: rights of {ace.get('principal')} unknown", target)
        if not rights & _WINDOWS_READ_RIGHTS:
            continue
        sid = str(ace.get("sid") or "")
        name = str(ace.get("principal") or sid)
        (readers if _windows_reader_allowed(sid, name, extra) else others).append(name)
    owner = fact.get("owner") or {}
    owner_sid = str(owner.get("sid") or "")
    owner_name = str(owner.get("principal") or owner_sid)
    if owner_sid and not _windows_reader_allowed(owner_sid, owner_name, extra) and owner_name not in others:
        others.append(f"{owner_name} (owner, can change the access rules)")
    expected = [*_WINDOWS_KEY_READERS.values(), "IIS AppPool\\*", *(fact.get("allowed") or [])]
    if others:
        return _finding(
            "HOST-03",
            "fail",
            f"{where} is readable by {', '.join(others)}",
            target,
            observed=sorted(set(readers + others)),
            expected=expected,
        )
    shown = ", ".join(sorted(set(readers))) or "nobody"
    return _finding(
        "HOST-03",
        "pass",
        f"{where} is readable only by {shown}",
        target,
        observed=sorted(set(readers)),
        expected=expected,
    )


def _check_key_mode(fact: Optional[Mapping[str, Any]], target: str) -> Finding:
    if fact is None:
        return _finding("HOST-03", "skip", "private key file not inspected", target)
    if "acl" in fact:
        return _check_key_acl(fact, target)
    path = fact.get("path", "private key")
    mode = _parse_mode(fact.get("mode"))
    if mode is None:
        return _finding("HOST-03", "error", f"mode of {path} unknown: {fact.get('mode')!r}", target)
    shown = f"{mode & 0o7777:04o}"
    if mode & 0o007:
        return _finding(
            "HOST-03",
            "fail",
            f"{path} has mode {shown}: other users have access",
            target,
            observed=shown,
            expected="0600 or 0640",
        )
    return _finding("HOST-03", "pass", f"{path} has mode {shown}", target, observed=shown)


def _check_config_test(fact: Optional[Mapping[str, Any]], target: str) -> Finding:
    if fact is None:
        return _finding("HOST-04", "skip", "configuration test not run", target)
    command = fact.get("command") or "configuration test"
    rc = fact.get("rc")
    if rc is None:
        return _finding("HOST-04", "error", f"{command} did not run", target)
    if rc == 0:
        return _finding("HOST-04", "pass", f"{command} passed", target, observed=rc, expected=0)
    output = str(fact.get("output") or "").strip()
    tail = output[-500:] if output else "no output"
    return _finding("HOST-04", "fail", f"{command} failed (rc={rc}): {tail}", target, observed=rc, expected=0)


def _normalize_fingerprint(value: Any) -> Optional[str]:
    if not value:
        return None
    return re.sub(r"[^0-9a-f]", "", str(value).lower()) or None


def _check_served_cert(fact: Optional[Mapping[str, Any]], target: str) -> Finding:
    if fact is None:
        return _finding("HOST-05", "skip", "certificate files not compared", target)
    on_disk = _normalize_fingerprint(fact.get("on_disk"))
    served = _normalize_fingerprint(fact.get("served"))
    path = fact.get("path", "certificate file")
    if served is None:
        return _finding("HOST-05", "skip", "the endpoint was not probed: nothing to compare with", target)
    if on_disk is None:
        return _finding("HOST-05", "error", f"could not fingerprint {path}", target)
    if on_disk == served:
        return _finding("HOST-05", "pass", f"{path} is served (sha256 {served[:16]}...)", target, observed=served)
    return _finding(
        "HOST-05",
        "fail",
        f"{path} (sha256 {on_disk[:16]}...) is not the served certificate (sha256 {served[:16]}...); reload needed",
        target,
        observed=served,
        expected=on_disk,
    )


HOST_CONTROL_IDS = ("HOST-01", "HOST-02", "HOST-03", "HOST-04", "HOST-05")
_HOST_CHECKS: Dict[str, Callable[[Optional[Mapping[str, Any]], str], Finding]] = {
    "HOST-01": _check_listening,
    "HOST-02": _check_firewall,
    "HOST-03": _check_key_mode,
    "HOST-04": _check_config_test,
    "HOST-05": _check_served_cert,
}
_HOST_FACT_KEYS = {
    "HOST-01": "listening",
    "HOST-02": "firewall",
    "HOST-03": "private_key",
    "HOST-04": "config_test",
    "HOST-05": "certificate",
}


def evaluate_host(facts: Mapping[str, Any], *, target: Optional[str] = None) -> Dict[str, Finding]:
    """Findings of the HOST-* controls from host facts (see ``schema.HostFacts``); missing facts skip."""
    name = target or str(facts.get("host") or "")
    return {cid: check(facts.get(_HOST_FACT_KEYS[cid]), name) for cid, check in _HOST_CHECKS.items()}


# --- gating ----------------------------------------------------------------------------------


def _as_list(findings: Union[Mapping[str, FindingLike], Iterable[FindingLike]]) -> List[FindingLike]:
    if isinstance(findings, Mapping):
        return list(findings.values())
    return list(findings)


def _get(finding: FindingLike, key: str) -> Any:
    return getattr(finding, key) if isinstance(finding, Finding) else finding.get(key)


def failing_findings(
    findings: Union[Mapping[str, FindingLike], Iterable[FindingLike]], *, count_errors: bool = True
) -> List[FindingLike]:
    """Findings with status ``fail`` (and ``error`` unless ``count_errors`` is False)."""
    statuses = ("fail", "error") if count_errors else ("fail",)
    return [f for f in _as_list(findings) if _get(f, "status") in statuses]


def worst_failure(
    findings: Union[Mapping[str, FindingLike], Iterable[FindingLike]], *, count_errors: bool = True
) -> Optional[str]:
    """The highest severity among failing findings, or None when nothing fails."""
    ranks = [
        severity_rank(_get(f, "severity") or "info") for f in failing_findings(findings, count_errors=count_errors)
    ]
    return SEVERITIES[min(ranks)] if ranks else None


def fails_threshold(
    findings: Union[Mapping[str, FindingLike], Iterable[FindingLike]], fail_on: str, *, count_errors: bool = True
) -> bool:
    """True when a finding at or above ``fail_on`` (critical/high/medium/low; ``none`` never) fails."""
    if fail_on not in FAIL_ON_CHOICES:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON_CHOICES)}, got {fail_on!r}")
    if fail_on == "none":
        return False
    worst = worst_failure(findings, count_errors=count_errors)
    return worst is not None and severity_rank(worst) <= severity_rank(fail_on)
