# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host controls (HOST-01 to HOST-07): one check per control over the facts a host gave.

A missing fact makes its control ``skip``; a fact that cannot be read gives ``error``. On Windows,
HOST-03 judges access rules instead of a file mode (:mod:`.host_windows`); HOST-06 (certificates on
disk) is in :mod:`.host_disk`, HOST-07 (exposed ports) in :mod:`.host_exposure`. Runs on targets
(Python 3.8+, standard library only).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Mapping, Optional

from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import Finding, new_finding
from ansible_collections.webedge.https.plugins.module_utils.compliance.host_disk import check_certificates_on_disk
from ansible_collections.webedge.https.plugins.module_utils.compliance.host_exposure import check_exposure
from ansible_collections.webedge.https.plugins.module_utils.compliance.host_windows import check_key_acl

__all__ = ["HOST_CHECKS", "HOST_CONTROL_IDS", "evaluate_host"]


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
        return new_finding("HOST-01", "skip", "listening sockets not collected", target)
    port = fact.get("port", 443)
    expected_process = fact.get("expected_process")
    process = fact.get("process")
    if fact.get("listening") is None:
        return new_finding("HOST-01", "error", f"could not determine whether {port}/tcp listens", target)
    if not fact.get("listening"):
        return new_finding("HOST-01", "fail", f"nothing listens on {port}/tcp", target, expected=expected_process)
    if expected_process:
        if not process:
            return new_finding(
                "HOST-01", "error", f"{port}/tcp listens but its owner is unknown (expected {expected_process})", target
            )
        if process != expected_process:
            return new_finding(
                "HOST-01",
                "fail",
                f"{port}/tcp is held by {process}, expected {expected_process}",
                target,
                observed=process,
                expected=expected_process,
            )
    owner = f" by {process}" if process else ""
    return new_finding("HOST-01", "pass", f"{port}/tcp listening{owner}", target, observed=process)


def _check_firewall(fact: Optional[Mapping[str, Any]], target: str) -> Finding:
    if fact is None:
        return new_finding("HOST-02", "skip", "firewall verdict not collected", target)
    verdict = str(fact.get("verdict") or "unknown").lower()
    port = fact.get("port", 443)
    backend = fact.get("backend") or "firewall"
    detail = f" ({fact['detail']})" if fact.get("detail") else ""
    if verdict in ("accept", "allow"):
        return new_finding("HOST-02", "pass", f"{backend} admits {port}/tcp{detail}", target, observed=verdict)
    if verdict in ("drop", "reject", "deny", "block"):
        return new_finding(
            "HOST-02",
            "fail",
            f"{backend} would {verdict} {port}/tcp inbound{detail}",
            target,
            observed=verdict,
            expected="accept",
        )
    return new_finding("HOST-02", "error", f"{backend} verdict for {port}/tcp unknown{detail}", target)


def _check_key_mode(fact: Optional[Mapping[str, Any]], target: str) -> Finding:
    if fact is None:
        return new_finding("HOST-03", "skip", "private key file not inspected", target)
    if "acl" in fact:
        return check_key_acl(fact, target)
    path = fact.get("path", "private key")
    mode = _parse_mode(fact.get("mode"))
    if mode is None:
        return new_finding("HOST-03", "error", f"mode of {path} unknown: {fact.get('mode')!r}", target)
    shown = f"{mode & 0o7777:04o}"
    if mode & 0o007:
        return new_finding(
            "HOST-03",
            "fail",
            f"{path} has mode {shown}: other users have access",
            target,
            observed=shown,
            expected="0600 or 0640",
        )
    return new_finding("HOST-03", "pass", f"{path} has mode {shown}", target, observed=shown)


def _check_config_test(fact: Optional[Mapping[str, Any]], target: str) -> Finding:
    if fact is None:
        return new_finding("HOST-04", "skip", "configuration test not run", target)
    command = fact.get("command") or "configuration test"
    rc = fact.get("rc")
    if rc is None:
        return new_finding("HOST-04", "error", f"{command} did not run", target)
    if rc == 0:
        return new_finding("HOST-04", "pass", f"{command} passed", target, observed=rc, expected=0)
    output = str(fact.get("output") or "").strip()
    tail = output[-500:] if output else "no output"
    return new_finding("HOST-04", "fail", f"{command} failed (rc={rc}): {tail}", target, observed=rc, expected=0)


def _normalize_fingerprint(value: Any) -> Optional[str]:
    if not value:
        return None
    return re.sub(r"[^0-9a-f]", "", str(value).lower()) or None


def _check_served_cert(fact: Optional[Mapping[str, Any]], target: str) -> Finding:
    if fact is None:
        return new_finding("HOST-05", "skip", "certificate files not compared", target)
    on_disk = _normalize_fingerprint(fact.get("on_disk"))
    served = _normalize_fingerprint(fact.get("served"))
    path = fact.get("path", "certificate file")
    if served is None:
        return new_finding("HOST-05", "skip", "the endpoint was not probed: nothing to compare with", target)
    if on_disk is None:
        return new_finding("HOST-05", "error", f"could not fingerprint {path}", target)
    if on_disk == served:
        return new_finding("HOST-05", "pass", f"{path} is served (sha256 {served[:16]}...)", target, observed=served)
    return new_finding(
        "HOST-05",
        "fail",
        f"{path} (sha256 {on_disk[:16]}...) is not the served certificate (sha256 {served[:16]}...); reload needed",
        target,
        observed=served,
        expected=on_disk,
    )


HOST_CONTROL_IDS = ("HOST-01", "HOST-02", "HOST-03", "HOST-04", "HOST-05", "HOST-06", "HOST-07")
HOST_CHECKS: Dict[str, Callable[[Optional[Mapping[str, Any]], str], Finding]] = {
    "HOST-01": _check_listening,
    "HOST-02": _check_firewall,
    "HOST-03": _check_key_mode,
    "HOST-04": _check_config_test,
    "HOST-05": _check_served_cert,
    "HOST-06": check_certificates_on_disk,
    "HOST-07": check_exposure,
}
_HOST_FACT_KEYS = {
    "HOST-01": "listening",
    "HOST-02": "firewall",
    "HOST-03": "private_key",
    "HOST-04": "config_test",
    "HOST-05": "certificate",
    "HOST-06": "certificates_on_disk",
    "HOST-07": "exposure",
}


def evaluate_host(facts: Mapping[str, Any], *, target: Optional[str] = None) -> Dict[str, Finding]:
    """Findings of the HOST-* controls from host facts (see ``schema.HostFacts``); missing facts skip."""
    name = target or str(facts.get("host") or "")
    return {cid: check(facts.get(_HOST_FACT_KEYS[cid]), name) for cid, check in HOST_CHECKS.items()}
