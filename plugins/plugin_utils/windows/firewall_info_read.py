# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ``firewall_info`` read script saw on a Windows host, parsed (``firewall_info_ps.py`` sends it).

Profiles (as in force), connected networks and the profile each uses, every enabled inbound rule
of the ActiveStore with its filters, and the rules of our group as firewall_port reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Tuple

from ansible_collections.webedge.https.plugins.plugin_utils.windows.answer import flag, records, strings, text
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall import GROUP
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_info_ps import READ_SCRIPT
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import PowerShellError, render

__all__ = [
    "PROFILES",
    "SYSTEM_PID",
    "InboundRule",
    "InfoProfile",
    "Network",
    "PortListener",
    "WindowsInfo",
    "parse_info",
    "parse_rule_record",
    "read_script",
]

PROFILES = ("Domain", "Private", "Public")
SYSTEM_PID = 4  # the System process: HTTP.sys (IIS, WinRM) listens in the kernel, under this pid
CATEGORY_PROFILE = {"domainauthenticated": "Domain", "domain": "Domain", "private": "Private", "public": "Public"}


# -- what the read script saw ---------------------------------------------------------------------
@dataclass(frozen=True)
class InfoProfile:
    """A firewall profile as in force (ActiveStore).

    Attributes:
        name: ``Domain``, ``Private`` or ``Public``.
        enabled: the firewall filters in this profile (``NotConfigured`` is on, the default).
        default_inbound_action: as read (``Allow``, ``Block`` or ``NotConfigured``).
        allow_inbound_rules: False: every inbound connection is blocked, allow rules or not.
        allow_local_firewall_rules: False: only group policy rules apply (set by group policy).
    """

    name: str
    enabled: bool
    default_inbound_action: str = "NotConfigured"
    allow_inbound_rules: bool = True
    allow_local_firewall_rules: bool = True

    @property
    def default_allows(self) -> bool:
        """NotConfigured (or anything but Allow) is the built-in default: Block."""
        return self.default_inbound_action == "Allow"

    def policy(self) -> str:
        return "accept" if not self.enabled or self.default_allows else "drop"


@dataclass(frozen=True)
class Network:
    """A connected network (``Get-NetConnectionProfile``): its interface and the profile it uses."""

    interface_alias: str
    name: str
    category: str
    profile: Optional[str]


@dataclass(frozen=True)
class InboundRule:
    """One enabled inbound rule of the ActiveStore with its filters (lists of the strings read)."""

    name: str
    display_name: str = ""
    group: str = ""
    action: str = "Allow"
    profiles: FrozenSet[str] = frozenset(PROFILES)
    store_source: str = ""
    store_source_type: str = ""
    protocol: str = "Any"
    local_port: Tuple[str, ...] = ()
    remote_port: Tuple[str, ...] = ()
    dynamic_target: str = ""
    local_address: Tuple[str, ...] = ()
    remote_address: Tuple[str, ...] = ()
    remote_dynamic_keywords: Tuple[str, ...] = ()
    program: str = ""
    program_expanded: str = ""
    package: str = ""
    service: str = ""
    interface_alias: Tuple[str, ...] = ()
    interface_type: str = ""
    authentication: str = ""
    encryption: str = ""
    override_block_rules: bool = False
    local_user: str = ""
    remote_user: str = ""
    remote_machine: str = ""
    missing: Tuple[str, ...] = ()

    @property
    def from_group_policy(self) -> bool:
        return self.store_source_type.lower() == "grouppolicy"

    @property
    def bypass(self) -> bool:
        """An allow rule that overrides block rules (authenticated bypass)."""
        return self.action == "Allow" and self.override_block_rules

    def describe(self) -> str:
        shown = self.display_name or self.name
        text = f"rule {shown!r}"
        if self.name and self.name != shown:
            text += f" [{self.name}]"
        what = [self.action.lower() + (" overriding block rules" if self.bypass else "")]
        if self.from_group_policy:
            what.append(f"from group policy {self.store_source}" if self.store_source else "from group policy")
        return f"{text} ({'; '.join(what)})"


@dataclass(frozen=True)
class PortListener:
    """A socket listening on a port asked about: its owning process and that program's path.

    ``program`` is None when Windows does not tell it (the System process has no file; another
    user's process without elevation).
    """

    protocol: str
    port: int
    pid: int
    program: Optional[str] = None
    address: str = ""


@dataclass(frozen=True)
class WindowsInfo:
    """The read script's answer, parsed.

    ``listeners``: who listens on the ports asked about (``listeners_read``: the read looked; a
    rule scoped to a program is decided from them, else it stays unknown).
    """

    profiles: Tuple[InfoProfile, ...]
    networks: Tuple[Network, ...]
    rules: Tuple[InboundRule, ...]
    active_profile: Tuple[str, ...] = ()
    owned_records: Tuple[Mapping[str, Any], ...] = ()
    listeners: Tuple[PortListener, ...] = ()
    listeners_read: bool = False

    def profile(self, name: str) -> Optional[InfoProfile]:
        return next((p for p in self.profiles if p.name == name), None)


# -- parsing ---------------------------------------------------------------------------------------
def port_ranges(ports: Iterable[int]) -> List[List[int]]:
    """``[443, 8000, 8001]`` -> ``[[443, 443], [8000, 8001]]`` (sorted, adjacent ports merged)."""
    ranges: List[List[int]] = []
    for port in sorted(set(ports)):
        if ranges and ranges[-1][1] == port - 1:
            ranges[-1][1] = port
        else:
            ranges.append([port, port])
    return ranges


def read_script(ports: Iterable[int] = (), protocols: Iterable[str] = ()) -> str:
    """The read script with its input: our group's name and, when given, the ports (and protocols) whose
    listeners the script reads too (a rule scoped to a program is decided from them)."""
    data: Dict[str, Any] = {"group": GROUP}
    ranges = port_ranges(ports)
    if ranges:
        data.update(ports=ranges, protocols=sorted(set(protocols)) or ["tcp"])
    return render(READ_SCRIPT, data)


def _profiles_of(value: str) -> FrozenSet[str]:
    """``Any``, ``Domain, Private``... -> the profile names (an unknown word: every profile)."""
    words = {w.strip() for w in re.split(r"[,\s]+", value or "") if w.strip()}
    if not words or "Any" in words or not words <= set(PROFILES):
        return frozenset(PROFILES)
    return frozenset(words)


def parse_rule_record(record: Mapping[str, Any]) -> InboundRule:
    return InboundRule(
        name=text(record.get("name")),
        display_name=text(record.get("display_name")),
        group=text(record.get("group")),
        action=text(record.get("action")) or "NotConfigured",
        profiles=_profiles_of(text(record.get("profile"))),
        store_source=text(record.get("policy_store_source")),
        store_source_type=text(record.get("policy_store_source_type")),
        protocol=text(record.get("protocol")) or "Any",
        local_port=strings(record.get("local_port")),
        remote_port=strings(record.get("remote_port")),
        dynamic_target=text(record.get("dynamic_target")),
        local_address=strings(record.get("local_address")),
        remote_address=strings(record.get("remote_address")),
        remote_dynamic_keywords=strings(record.get("remote_dynamic_keywords")),
        program=text(record.get("program")),
        program_expanded=text(record.get("program_expanded")),
        package=text(record.get("package")),
        service=text(record.get("service")),
        interface_alias=strings(record.get("interface_alias")),
        interface_type=text(record.get("interface_type")),
        authentication=text(record.get("authentication")),
        encryption=text(record.get("encryption")),
        override_block_rules=text(record.get("override_block_rules")) == "True",
        local_user=text(record.get("local_user")),
        remote_user=text(record.get("remote_user")),
        remote_machine=text(record.get("remote_machine")),
        missing=strings(record.get("missing")),
    )


def _owned_record(record: Mapping[str, Any]) -> Dict[str, Any]:
    """A rule of our group in the shape ``firewall.parse_rule`` reads (as firewall_port)."""
    return {
        "name": record.get("name"),
        "group": GROUP,
        "enabled": "True",  # the read has enabled inbound rules only
        "direction": "Inbound",
        "action": record.get("action"),
        "profile": record.get("profile"),
        "protocol": record.get("protocol"),
        "local_port": record.get("local_port"),
        "remote_port": record.get("remote_port"),
        "local_address": record.get("local_address"),
        "remote_address": record.get("remote_address"),
    }


def parse_info(answer: Mapping[str, Any]) -> WindowsInfo:
    """The read script's JSON answer -> :class:`WindowsInfo`."""
    if answer.get("version") != 1:
        raise PowerShellError(f"windows: unexpected answer from the firewall_info read script: {dict(answer)!r}")
    profiles = tuple(
        InfoProfile(
            name=text(item.get("name")),
            enabled=flag(item.get("enabled"), True),
            default_inbound_action=text(item.get("default_inbound_action")) or "NotConfigured",
            allow_inbound_rules=flag(item.get("allow_inbound_rules"), True),
            allow_local_firewall_rules=flag(item.get("allow_local_firewall_rules"), True),
        )
        for item in records(answer.get("profiles"))
        if text(item.get("name")) in PROFILES
    )
    networks = tuple(
        Network(
            interface_alias=text(item.get("interface_alias")),
            name=text(item.get("name")),
            category=text(item.get("category")),
            profile=CATEGORY_PROFILE.get(text(item.get("category")).lower()),
        )
        for item in records(answer.get("networks"))
    )
    rule_records = records(answer.get("rules"))
    rules = tuple(parse_rule_record(record) for record in rule_records)
    owned = tuple(
        _owned_record(record)
        for record in rule_records
        if text(record.get("group")) == GROUP and text(record.get("policy_store_source_type")) in ("", "Local")
    )
    active = tuple(sorted(_profiles_of(text(answer.get("active_profile"))))) if answer.get("active_profile") else ()
    listeners = []
    for item in records(answer.get("listeners")):
        try:
            listeners.append(
                PortListener(
                    protocol=text(item.get("protocol")).lower(),
                    port=int(item["port"]),
                    pid=int(item["pid"]),
                    program=text(item.get("program")) or None,
                    address=text(item.get("address")),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue  # an entry in an unexpected form is no listener we can name
    read = answer.get("listeners_read") is True
    return WindowsInfo(profiles, networks, rules, active, owned, tuple(listeners), read)
