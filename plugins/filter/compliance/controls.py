# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the compliance role: host findings, endpoint findings, certificate fingerprints.

Thin wrappers over the controls in ``module_utils/compliance/`` (``endpoint.py``, ``host.py``) so
that the role evaluates the same controls, with the same messages, as ``tls_probe`` and
``compliance_report``. Documentation of each filter is in the YAML file of its name next to this one.

They live in their own directory (FQCN ``webedge.https.compliance.<name>``): to find any of the collection's
filters, ansible-core imports every filter file at the top of ``plugins/filter/`` in each worker process that
looks one up, and these files import the whole control catalog.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional

from ansible.errors import AnsibleFilterError

from ansible_collections.webedge.https.plugins.module_utils.compliance.catalog import CATALOG
from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint import evaluate_endpoint
from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import skipped_finding
from ansible_collections.webedge.https.plugins.module_utils.compliance.host import HOST_CONTROL_IDS, evaluate_host
from ansible_collections.webedge.https.plugins.module_utils.compliance.host_disk import DEFAULT_MIN_DAYS_VALID
from ansible_collections.webedge.https.plugins.module_utils.compliance.windows import iis_host_facts
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import ProfileError, get_profile

_PEM_CERT = re.compile(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.DOTALL)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _skip_list(skip: Any, what: str) -> List[str]:
    if skip is None:
        return []
    if isinstance(skip, str) or not isinstance(skip, Iterable):
        raise AnsibleFilterError(f"{what}: skip must be a list of control IDs, got {skip!r}")
    out = [str(s) for s in skip]
    unknown = [s for s in out if s not in CATALOG]
    if unknown:
        raise AnsibleFilterError(f"{what}: unknown control ID(s) in skip: {', '.join(unknown)}")
    return out


def pem_sha256(text: Any) -> Optional[str]:
    """sha256 (hex, lower case) of the DER of the first certificate in a PEM text; None without one."""
    if text is None:
        return None
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    match = _PEM_CERT.search(str(text))
    if not match:
        return None
    try:
        der = base64.b64decode("".join(match.group(1).split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return hashlib.sha256(der).hexdigest()


def _pick_key(keys: List[Mapping[str, Any]], target: str) -> Optional[Dict[str, Any]]:
    """The first key file that fails (or cannot be decided), else the first one."""
    if not keys:
        return None
    for key in keys:
        finding = evaluate_host({"private_key": key}, target=target)["HOST-03"]
        if finding.status != "pass":
            return dict(key)
    return dict(keys[0])


def _pick_certificate(files: List[Mapping[str, Any]], served: Optional[str]) -> Optional[Dict[str, Any]]:
    """The certificate file whose leaf is served, else the first one (which then fails HOST-05)."""
    if not files:
        return None
    norm = (served or "").lower().replace(":", "")
    for item in files:
        on_disk = item.get("on_disk") or pem_sha256(item.get("pem"))
        if norm and on_disk == norm:
            return {"path": item.get("path"), "on_disk": on_disk, "served": served}
    first = files[0]
    return {
        "path": first.get("path"),
        "on_disk": first.get("on_disk") or pem_sha256(first.get("pem")),
        "served": served,
    }


def _key_from_stat(result: Mapping[str, Any]) -> Dict[str, Any]:
    """A registered ``ansible.builtin.stat`` loop item -> PrivateKeyFact."""
    stat = result.get("stat") or {}
    path = result.get("item") or stat.get("path")
    if not stat.get("exists"):
        return {"path": path, "mode": None, "owner": None, "group": None, "missing": True}
    return {"path": path, "mode": stat.get("mode"), "owner": stat.get("pw_name"), "group": stat.get("gr_name")}


def _cert_from_slurp(result: Mapping[str, Any]) -> Dict[str, Any]:
    """A registered ``ansible.builtin.slurp`` loop item -> {path, pem}."""
    path = result.get("item") or result.get("source")
    content = result.get("content")
    if not content:
        return {"path": path, "pem": None}
    try:
        pem = base64.b64decode(content).decode("ascii", "replace")
    except (binascii.Error, ValueError):
        pem = None
    return {"path": path, "pem": pem}


def _windows_facts(facts: Dict[str, Any]) -> Dict[str, Any]:
    """Put the IIS script's facts (``windows``) into ``facts`` as keys, certificates and config test."""
    read = facts["windows"]
    if not isinstance(read, Mapping):
        raise AnsibleFilterError(f"compliance_host_controls: windows must be a mapping (the IIS read), got {read!r}")
    readers = facts.get("key_readers") or []
    if isinstance(readers, str) or not isinstance(readers, Iterable):
        raise AnsibleFilterError(f"compliance_host_controls: key_readers must be a list of principals, got {readers!r}")
    converted = iis_host_facts(read, key_readers=[str(r) for r in readers])
    facts["private_keys"] = converted["private_keys"]
    facts["certificate_files"] = converted["certificate_files"]
    facts["config_test"] = None if facts.get("skip_config_test") else converted["config_test"]
    converted["skip_config_test"] = bool(facts.get("skip_config_test"))
    converted["port"] = read.get("port", (facts.get("listening") or {}).get("port", 443))
    return converted


def _as_error(finding: Dict[str, Any], message: str) -> None:
    finding.update(status="error", message=message, observed=None, expected=None)


def _windows_messages(
    findings: Dict[str, Dict[str, Any]], windows: Mapping[str, Any], facts: Mapping[str, Any], skip_ids: List[str]
) -> None:
    """Messages of HOST-03 to HOST-05 that say what was missing on an IIS host."""
    port = windows["port"]
    if windows["error"]:
        reason = f"IIS could not be read: {windows['error']}"
        _as_error(findings["HOST-03"], reason)
        if not windows["skip_config_test"]:
            _as_error(findings["HOST-04"], reason)
        if facts.get("served") is not None:
            _as_error(findings["HOST-05"], reason)
        elif "HOST-05" not in skip_ids:
            findings["HOST-05"]["message"] = "the endpoint was not probed: nothing to compare with"
        return
    if not windows["private_keys"] and "HOST-03" not in skip_ids:
        findings["HOST-03"]["message"] = f"no https binding on port {port} in IIS: no private key to check"
    if not windows["certificate_files"] and "HOST-05" not in skip_ids:
        findings["HOST-05"]["message"] = f"no https binding on port {port} in IIS names a certificate"
    missing = [f["path"] for f in windows["certificate_files"] if f.get("missing")]
    if findings["HOST-05"]["status"] == "error" and missing and missing[0] in findings["HOST-05"]["message"]:
        findings["HOST-05"]["message"] = f"{missing[0]} is bound in IIS but not in the certificate store"


def compliance_host_controls(facts: Any, target: str = "", skip: Any = None) -> Dict[str, Dict[str, Any]]:
    """HOST-* findings (as dicts) from the facts the compliance role collects."""
    if not isinstance(facts, Mapping):
        raise AnsibleFilterError(f"compliance_host_controls: the input must be a mapping of host facts, got {facts!r}")
    skip_ids = _skip_list(skip, "compliance_host_controls")
    # ansible-core 2.17 and 2.18 template a fact the role leaves at none (no firewall read, no config test)
    # as an empty string: both mean "not read".
    facts = {name: (None if value == "" else value) for name, value in _plain(facts).items()}
    windows = _windows_facts(facts) if facts.get("windows") is not None else None
    host_facts: Dict[str, Any] = {}
    for key in ("listening", "firewall", "config_test", "exposure"):
        if facts.get(key) is not None:
            host_facts[key] = facts[key]
    if facts.get("private_key_stats") is not None:
        facts["private_keys"] = [_key_from_stat(r) for r in facts["private_key_stats"]]
    if facts.get("certificate_slurps") is not None:
        facts["certificate_files"] = [_cert_from_slurp(r) for r in facts["certificate_slurps"]]
    keys = facts.get("private_keys")
    if keys is None and facts.get("private_key") is not None:
        keys = [facts["private_key"]]
    key = _pick_key(list(keys or []), target)
    if key is not None:
        host_facts["private_key"] = key
    files = facts.get("certificate_files")
    if files is None and facts.get("certificate") is not None:
        host_facts["certificate"] = facts["certificate"]
    else:
        cert = _pick_certificate(list(files or []), facts.get("served"))
        if cert is not None:
            host_facts["certificate"] = cert
    if facts.get("certificates_on_disk") is not None:
        host_facts["certificates_on_disk"] = facts["certificates_on_disk"]
    elif files is not None and windows is None:
        # HOST-06: every file the configuration names, with its content (public certificates)
        host_facts["certificates_on_disk"] = {
            "min_days_valid": int(facts.get("min_days_valid", DEFAULT_MIN_DAYS_VALID)),
            "files": [{"path": f.get("path"), "pem": f.get("pem"), "missing": bool(f.get("missing"))} for f in files],
        }
    findings = {cid: f.to_dict() for cid, f in evaluate_host(host_facts, target=target).items()}
    if key is not None and key.get("missing") and findings["HOST-03"]["status"] == "error":
        findings["HOST-03"]["message"] = f"{key.get('path')} does not exist (named in the web server configuration)"
    if keys is not None and not keys and "HOST-03" not in skip_ids:
        findings["HOST-03"]["message"] = "no private key file found in the web server configuration"
    if files is not None and not files and "HOST-05" not in skip_ids:
        findings["HOST-05"]["message"] = "no certificate file found in the web server configuration"
    if windows is not None:
        _windows_messages(findings, windows, facts, skip_ids)
        if "certificates_on_disk" not in host_facts and "HOST-06" not in skip_ids:
            findings["HOST-06"]["message"] = "certificate dates are not read from the Windows certificate store"
    for cid in skip_ids:
        if cid in HOST_CONTROL_IDS:
            findings[cid] = skipped_finding(cid, target).to_dict()
    return findings


def compliance_endpoint_findings(
    probes: Any, profile: str = "intermediate", version: Any = "5.7", min_days_valid: int = 30, skip: Any = None
) -> List[Dict[str, Any]]:
    """Probe results (a list, or a tls_probe result with ``results``) with ``findings`` evaluated anew."""
    if isinstance(probes, Mapping) and "results" in probes:
        probes = probes["results"]
    if not isinstance(probes, (list, tuple)):
        raise AnsibleFilterError(
            f"compliance_endpoint_findings: the input must be a list of probe results, got {probes!r}"
        )
    skip_ids = _skip_list(skip, "compliance_endpoint_findings")
    try:
        chosen = get_profile(profile, version)
    except ProfileError as exc:
        raise AnsibleFilterError(f"compliance_endpoint_findings: {exc}") from exc
    out = []
    for probe in probes:
        result = _plain(probe)
        findings = {
            cid: f.to_dict() for cid, f in evaluate_endpoint(result, chosen, min_days_valid=int(min_days_valid)).items()
        }
        for cid in skip_ids:
            if cid in findings:
                findings[cid] = skipped_finding(cid, str(result.get("target", ""))).to_dict()
        result["findings"] = findings
        out.append(result)
    return out


class FilterModule:
    def filters(self) -> Dict[str, Callable[..., Any]]:
        return {
            "host_controls": compliance_host_controls,
            "endpoint_findings": compliance_endpoint_findings,
            "pem_sha256": pem_sha256,
        }
