# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``firewall_info`` on a Windows host: one PowerShell read, then verdicts computed here.

Ansible runs no Python on Windows, so this runs on the CONTROLLER (the ``firewall_info``
action plugin calls :func:`run` with a PowerShell runner). The host runs ONE script
(``firewall_info_ps.READ_SCRIPT``); its answer (profiles, connected networks, every enabled
inbound rule of the ActiveStore with its filters) becomes the result the Linux module
returns, with the backend ``windows``.

The read is parsed in ``firewall_info_read.py`` and decided in ``firewall_verdict.py``.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.info import InfoRequest
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import ValidationError
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall import GROUP, parse_rule
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_info_read import (
    WindowsInfo,
    parse_info,
    read_script,
)
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_verdict import verdicts
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import ScriptRunner, call

__all__ = ["check_request", "report", "run"]

NAME = "windows"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# -- the result --------------------------------------------------------------------------------------
def check_request(params: Mapping[str, Any]) -> Tuple[InfoRequest, Optional[str]]:
    """The options, validated as on Linux; ``interface`` is a Windows InterfaceAlias (``Ethernet 2``)."""
    if params.get("zone"):
        raise ValidationError(f"zone {params['zone']!r} is a firewalld option; Windows Defender Firewall has no zones")
    interface = params.get("interface")
    if interface is not None:
        interface = str(interface).strip()
        if not interface or len(interface) > 256 or _CONTROL.search(interface):
            raise ValidationError(
                f"invalid interface {params['interface']!r}: expected an interface alias such as Ethernet"
            )
    request = InfoRequest.from_params({**params, "interface": None})
    return request, interface


def _used_profiles(info: WindowsInfo) -> List[str]:
    return sorted({str(n.profile) for n in info.networks if n.profile}) or list(info.active_profile)


def _notes(info: WindowsInfo) -> List[str]:
    notes: List[str] = []
    for profile in info.profiles:
        if not profile.enabled:
            notes.append(f"Windows Defender Firewall is off in the {profile.name} profile: it accepts everything there")
        elif not profile.allow_local_firewall_rules:
            notes.append(
                f"group policy ignores local firewall rules in the {profile.name} profile: "
                "only group policy rules are evaluated there"
            )
        if profile.enabled and not profile.allow_inbound_rules:
            notes.append(f"the {profile.name} profile blocks all inbound connections (AllowInboundRules False)")
    gpo = [r for r in info.rules if r.from_group_policy]
    if gpo:
        notes.append(
            f"{len(gpo)} of the {len(info.rules)} enabled inbound rules come from group policy "
            "(a verdict they decide names the policy); local changes do not override them"
        )
    return notes


def report(info: WindowsInfo, request: InfoRequest, interface: Optional[str]) -> Dict[str, Any]:
    """The task result: the keys of the Linux module, backend ``windows``."""
    notes = _notes(info)
    used = _used_profiles(info)
    enabled = [p.name for p in info.profiles if p.enabled and (not used or p.name in used)]
    described = "; ".join(
        f"{p.name} {'on' if p.enabled else 'off'} (inbound {p.default_inbound_action})" for p in info.profiles
    )
    backend = {
        "name": NAME,
        "available": True,
        "active": bool(enabled),
        "reason": "the host runs Windows (a PowerShell connection): Windows Defender Firewall, "
        f"profiles {described or 'not read'}",
        "variant": None,
    }
    owned = []
    for record in info.owned_records:
        parsed = parse_rule(record)
        if parsed.problem:
            notes.append(f"rule {parsed.name!r} in group {GROUP!r} is not one firewall_port manages: {parsed.problem}")
        owned.extend(parsed.rules)
    policies = [
        {
            "chain": f"windows {p.name} profile",
            "priority": 0,
            "policy": p.policy(),
            "profile": p.name,
            "enabled": p.enabled,
            "default_inbound_action": p.default_inbound_action,
            "in_use": p.name in used,
        }
        for p in info.profiles
    ]
    results = verdicts(info, request, interface, notes)
    return {
        "changed": False,
        "backends": [backend],
        "active_backends": [NAME] if backend["active"] else [],
        "default_policy": {family: [dict(p) for p in policies] for family in ("ipv4", "ipv6")},
        "firewalld": None,
        "ufw": None,
        "windows": {
            "profiles_in_use": used,
            "networks": [
                {"interface": n.interface_alias, "name": n.name, "category": n.category, "profile": n.profile}
                for n in info.networks
            ],
            "inbound_rules": len(info.rules),
            "group_policy_rules": sum(1 for r in info.rules if r.from_group_policy),
        },
        "rules": {NAME: [rule.as_dict() for rule in sorted(set(owned))]},
        "verdicts": results,
        "notes": notes,
    }


def run(request: InfoRequest, interface: Optional[str], runner: ScriptRunner) -> Dict[str, Any]:
    """ONE read round trip on the host, then the result (``request`` comes from :func:`check_request`)."""
    answer = call(runner, read_script(request.ports, [request.protocol]), "firewall_info read")
    return report(parse_info(answer), request, interface)
