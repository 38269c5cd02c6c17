# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One ``tls_probe`` task: options in, results (measured, then judged) and warnings out.

The probe (``tls/probe``) measures; the endpoint controls judge what it measured. This task does
both, so it lives on the judging side: compliance imports tls, never the reverse.

Shared by the module (run on a host, or shipped to the controller) and by its action plugin, which
runs this same code inside Ansible's own process when the task executes on the controller, with
a certificate reader of its own. Both paths validate, probe and evaluate identically; only the
transport and what can be read from a certificate differ. Runs on targets (Python 3.8+, standard
library only).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from ansible_collections.webedge.https.plugins.module_utils.compliance.catalog import CATALOG
from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint import evaluate_endpoint
from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import (
    Finding,
    findings_to_dict,
    skipped_finding,
)
from ansible_collections.webedge.https.plugins.module_utils.compliance.grade import grade_endpoint
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.certinfo import CertificateReader
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.runner import probe_targets
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.targets import TargetError, parse_targets
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import ProfileError, get_profile

__all__ = ["ProbeTaskError", "TaskOutcome", "run_probe_task"]


class ProbeTaskError(ValueError):
    """Invalid options: the task fails with this message before any connection is made."""


@dataclass
class TaskOutcome:
    results: List[Dict[str, Any]]
    warnings: List[str] = field(default_factory=list)
    failure: Optional[str] = None  # set when fail_on_error is true and a target could not be probed


def _check_ranges(params: Mapping[str, Any]) -> None:
    if not params["timeout"] > 0:
        raise ProbeTaskError(f"timeout must be positive, got {params['timeout']}")
    if not 1 <= params["concurrency"] <= 1024:
        raise ProbeTaskError(f"concurrency must be between 1 and 1024, got {params['concurrency']}")
    if not 1 <= params["http_port"] <= 65535:
        raise ProbeTaskError(f"http_port must be between 1 and 65535, got {params['http_port']}")
    if params["min_days_valid"] < 0:
        raise ProbeTaskError(f"min_days_valid must not be negative, got {params['min_days_valid']}")
    unknown = [cid for cid in params["skip_controls"] if cid not in CATALOG]
    if unknown:
        raise ProbeTaskError(f"skip_controls names unknown control ID(s): {', '.join(map(repr, unknown))}")


def _skip(findings: Dict[str, Finding], skipped: List[str], target: str) -> Dict[str, Finding]:
    """``findings`` with each control of ``skipped`` it holds turned into a ``skip`` finding."""
    return {cid: skipped_finding(cid, target) if cid in skipped else f for cid, f in findings.items()}


def run_probe_task(params: Mapping[str, Any], *, reader: Optional[CertificateReader] = None) -> TaskOutcome:
    """Validate ``params`` (already checked against ``specs/tls_probe.py``), probe, evaluate the findings.

    ``reader`` reads the served certificates (the probe's standard-library reader when None).

    Raises:
        ProbeTaskError: a bad target, range, profile or CA file; nothing was probed.
    """
    _check_ranges(params)
    try:
        targets = parse_targets(params["targets"])
        profile = get_profile(params["profile"], params["profile_version"])
    except (TargetError, ProfileError) as exc:
        raise ProbeTaskError(str(exc)) from None
    try:
        reports = probe_targets(
            targets,
            ca_file=params["ca_file"],
            timeout=params["timeout"],
            concurrency=params["concurrency"],
            http_checks=params["http_checks"],
            http_port=params["http_port"],
            reader=reader,
        )
    except (OSError, ssl.SSLError) as exc:  # raised only while loading ca_file, before any probe
        raise ProbeTaskError(f"cannot load ca_file {params['ca_file']!r}: {exc}") from None

    outcome = TaskOutcome(results=[])
    for report in reports:
        result = report.result
        findings = evaluate_endpoint(result, profile, min_days_valid=params["min_days_valid"])
        result["findings"] = findings_to_dict(findings)
        result["grade"] = grade_endpoint(result)
        if params["skip_controls"]:  # after the grade, which rates what was measured, skipped or not
            result["findings"] = findings_to_dict(_skip(findings, params["skip_controls"], result["target"]))
        outcome.warnings.extend(f"{result['target']}: {note}" for note in report.notes)
        outcome.results.append(result)

    failed = [result for result in outcome.results if result["error"]]
    if params["fail_on_error"] and failed:
        listed = "; ".join(f"{result['target']}: {result['error']}" for result in failed)
        outcome.failure = f"{len(failed)} target(s) could not be probed: {listed}"
    return outcome
