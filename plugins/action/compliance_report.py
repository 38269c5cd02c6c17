# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action for webedge.https.compliance_report: gather fleet results, write reports, gate on severity.

Runs once per play (BYPASS_HOST_LOOP) on the controller; never talks to a host.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Mapping, Optional

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint import evaluate_endpoint
from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import findings_to_dict
from ansible_collections.webedge.https.plugins.module_utils.specs.compliance_report import module_kwargs
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import ProfileError, get_profile
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.model import (
    ReportInputError,
    build_report,
    collect_probes,
    probe_host,
    threshold_failures,
)
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.sources import ci_config_file, locate_host
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.writer import write_reports


def plain_data(value: Any) -> Any:
    """Deep copy into builtin types (hostvars come back as lazy/tagged containers)."""
    if isinstance(value, Mapping):
        return {str(k): plain_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_data(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def ensure_findings(probes: List[Dict[str, Any]], profile_name: str, version: str, min_days: int) -> None:
    """Evaluate, in place, probe results that arrive without findings."""
    profile = None
    for probe in probes:
        if probe.get("findings"):
            continue
        if profile is None:
            profile = get_profile(profile_name, version)
        probe["findings"] = findings_to_dict(evaluate_endpoint(probe, profile, min_days_valid=min_days))


def registered_endpoints(name: Optional[str], task_vars: Mapping[str, Any]) -> Any:
    """The variable ``name`` of this host as stored (a registered result is not templated again), or None."""
    if not name:
        return None
    if name not in task_vars:
        raise AnsibleActionFail(f"endpoints_var: no variable named {name!r} is defined for this host")
    return task_vars[name]


def failure_message(failures: List[Mapping[str, Any]], missing: List[str], fail_on: str) -> str:
    by_control: Dict[str, List[str]] = {}
    severity: Dict[str, str] = {}
    for f in failures:
        by_control.setdefault(f["control"], [])
        if f["host"] not in by_control[f["control"]]:
            by_control[f["control"]].append(f["host"])
        severity[f["control"]] = f["severity"]
    parts = [f"{cid} ({severity[cid]}) on {', '.join(hosts)}" for cid, hosts in sorted(by_control.items())]
    if missing:
        parts.append(f"no results from {', '.join(missing)}")
    return f"compliance failed at or above '{fail_on}': " + "; ".join(parts)


def host_sources(names: List[str], args: Mapping[str, Any], task_vars: Mapping[str, Any]) -> Dict[str, Any]:
    """Where each host is defined in the repository checked out at ``source_root`` (SARIF locations)."""
    root = os.path.abspath(os.path.expanduser(args["source_root"] or os.getcwd()))
    fallback = args["source_fallback"] or ci_config_file(os.environ)
    hostvars = task_vars.get("hostvars") or {}
    sources: Dict[str, Any] = {}
    for name in names:
        host = hostvars.get(name) or {}
        sources[name] = locate_host(
            name,
            source_root=root,
            inventory_file=host.get("inventory_file"),
            inventory_dir=host.get("inventory_dir"),
            playbook_dir=task_vars.get("playbook_dir"),
            fallback=fallback,
        ).to_dict()
    return sources


class ActionModule(ActionBase):
    BYPASS_HOST_LOOP = True
    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(module_kwargs()["argument_spec"])

    def run(self, tmp: Optional[str] = None, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp

        _validation, args = self.validate_argument_spec(**module_kwargs())
        dest = self._loader.path_dwim(os.path.expanduser(args["dest"]))
        fail_on = args["fail_on"]
        names = args["hosts"]
        if names is None:
            names = list(task_vars.get("ansible_play_hosts_all") or [])
        hostvars = task_vars.get("hostvars") or {}

        hosts: Dict[str, Any] = {}
        missing: List[str] = []
        for name in names:
            data = None
            if name in hostvars:
                data = hostvars[name].get(args["results_var"])
            if not data:
                missing.append(name)
                hosts[name] = {}
                continue
            hosts[name] = plain_data(data)

        registered = registered_endpoints(args["endpoints_var"], task_vars)
        try:
            endpoints = [plain_data(p) for p in collect_probes(args["endpoints"]) + collect_probes(registered)]
            for data in hosts.values():
                if isinstance(data, dict) and data.get("endpoints"):
                    data["endpoints"] = collect_probes(data["endpoints"])
                    ensure_findings(
                        data["endpoints"],
                        data.get("profile") or args["profile"],
                        str(data.get("profile_version") or args["profile_version"]),
                        args["min_days_valid"],
                    )
            ensure_findings(endpoints, args["profile"], args["profile_version"], args["min_days_valid"])
            report = build_report(
                hosts,
                endpoints,
                fail_on=fail_on,
                sources=host_sources(list(hosts) + [probe_host(p) for p in endpoints], args, task_vars),
            )
        except (ReportInputError, ProfileError, ValueError) as exc:
            raise AnsibleActionFail(f"cannot build the compliance report: {exc}") from exc

        try:
            written = write_reports(report, dest, args["formats"])
        except OSError as exc:
            raise AnsibleActionFail(f"cannot write reports to {dest}: {exc}") from exc

        failures = threshold_failures(report, fail_on)
        result.update(
            changed=any(w["changed"] for w in written.values()),
            paths={fmt: w["path"] for fmt, w in written.items()},
            summary=report["summary"],
            failures=failures,
            hosts_without_results=missing,
        )
        if missing:
            self._display.warning(f"compliance_report: no '{args['results_var']}' for {', '.join(missing)}")
        if fail_on != "none" and (failures or missing):
            result["failed"] = True
            result["msg"] = failure_message(failures, missing, fail_on)
        else:
            s = report["summary"]
            result["msg"] = (
                f"{s['hosts']} host(s), {s['results']} result(s): {s['counts']['fail']} fail, "
                f"{s['counts']['error']} error; nothing at or above '{fail_on}' fails"
            )
        return result
