# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Windows Defender Firewall backend: rules in the group ``webedge.https``, through PowerShell.

Ansible runs no Python on a Windows host, so this module runs on the CONTROLLER: the
``firewall_port`` action plugin hands :data:`WINDOWS` (this backend's registry) and a
PowerShell runner to the one orchestrator, ``module_utils/firewall/engine.run``; the host only
runs the two scripts of ``firewall_ps.py``. The runner's ``run(argv, data)`` sends ``data``
(a whole script) to ``PowerShell -Command -``.

What we own: inbound allow rules in the PersistentStore whose ``Group`` is exactly
``webedge.https``. Nothing else is read back as ours, and the write script refuses to
remove a rule outside that group.

One Windows rule per neutral :class:`Rule`, named and displayed
``webedge.https <rule.describe()>`` (``webedge.https tcp/443 ipv4 from any``): the name is
the rule's identity (a name is unique in a policy store), so a repeated run finds it and
creates no duplicate. Windows rules are dual-stack; the family is expressed through
``RemoteAddress``: a source network is of one family already, and "any source" of one
family is the documented whole-family range (``0.0.0.0-255.255.255.255``,
``::-ffff:...:ffff``), never ``Any`` (which would also open the other family).
A rule found with ``RemoteAddress Any`` (written by hand into our group) reads as both
families; closing one of them replaces it by a rule for the other.

Persistence: rules live in the PersistentStore (the cmdlets' default), which is what the
firewall loads at boot, so ``persist: true`` is the only mode; Microsoft documents no
runtime-only store for new rules (ActiveStore is the merged, largely read-only view), so
``persist: false`` fails instead of silently persisting.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import (
    COMMENT_MARK,
    Connection,
    Detection,
    FirewallBackend,
    Plan,
    Ruleset,
    Runner,
    Step,
    neutral_after,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.lockout import parse_ssh_connection
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import (
    FAMILIES,
    DesiredState,
    FirewallError,
    ReadScope,
    Rule,
    ValidationError,
    plan_rules,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.registry import Registry
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange
from ansible_collections.webedge.https.plugins.plugin_utils.windows.answer import flag, strings
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_ps import READ_SCRIPT, WRITE_SCRIPT
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import POWERSHELL_ARGV, call, render

__all__ = [
    "GROUP",
    "WINDOWS",
    "WinProfile",
    "WinRule",
    "WindowsBackend",
    "WindowsState",
    "check_write",
    "parse_read",
    "rule_name",
    "rule_spec",
]

GROUP = COMMENT_MARK
NAME = "windows"
ANY_SOURCE = {"ipv4": "0.0.0.0-255.255.255.255", "ipv6": "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}
_WHOLE = {"ipv4": ipaddress.ip_network("0.0.0.0/0"), "ipv6": ipaddress.ip_network("::/0")}
_WILDCARDS = set("*?[]")  # -Name takes wildcards: a name with one could match other rules
DESCRIPTION = "Managed by webedge.https (firewall_port); changes here are overwritten."


@dataclass(frozen=True)
class WinRule:
    """One Windows firewall rule in our group, as read.

    Attributes:
        name: the rule's ``Name`` (its identity in the store).
        rules: the neutral rules it accepts (empty when ``problem`` is set).
        problem: why we cannot manage it (disabled, block, other protocol...); kept, never read as open.
    """

    name: str
    rules: Tuple[Rule, ...] = ()
    problem: Optional[str] = None


@dataclass(frozen=True)
class WinProfile:
    """A firewall profile (Domain, Private, Public) as in force (ActiveStore)."""

    name: str
    enabled: bool
    default_inbound_action: str
    allow_inbound_rules: bool = True
    allow_local_firewall_rules: bool = True

    def describe(self) -> str:
        state = "on" if self.enabled else "off"
        return f"{self.name} {state}, inbound {self.default_inbound_action}"


@dataclass(frozen=True)
class WindowsState:
    """What the read script saw."""

    rules: Tuple[WinRule, ...]
    profiles: Tuple[WinProfile, ...]
    connections: Tuple[Connection, ...] = ()

    @property
    def owned(self) -> Tuple[Rule, ...]:
        return tuple(sorted({r for w in self.rules for r in w.rules}))


# -- naming and rendering ------------------------------------------------------------
def rule_name(rule: Rule) -> str:
    """The stable ``Name`` (and ``DisplayName``) of the Windows rule holding ``rule``."""
    return f"{GROUP} {rule.describe()}"


def rule_spec(rule: Rule) -> Dict[str, Any]:
    """The write script's input for one rule to create (the New-NetFirewallRule values)."""
    return {
        "name": rule_name(rule),
        "display_name": rule_name(rule),
        "description": DESCRIPTION,
        "protocol": rule.protocol.upper(),
        "local_port": [str(rule.ports)],
        "remote_address": [rule.source or ANY_SOURCE[rule.family]],
    }


# -- parsing the read script's answer ----------------------------------------------------
def parse_ports(values: Sequence[str]) -> List[PortRange]:
    """``["443", "8000-8080"]`` -> port ranges; anything else (``Any``, ``RPC``) raises ValueError."""
    ranges = []
    for value in values:
        first, _sep, last = value.partition("-")
        if not first.strip().isdigit() or (last and not last.strip().isdigit()):
            raise ValueError(f"local port {value!r}")
        ranges.append(PortRange(int(first), int(last or first)))
    if not ranges:
        raise ValueError("no local port")
    return ranges


def parse_address(value: str) -> List[Tuple[str, Optional[str]]]:
    """One RemoteAddress token -> ``[(family, source or None)]``.

    ``Any``: both families, any source. A whole-family range or subnet: that family, any
    source. A subnet (prefix or mask notation, ``10.0.0.0/255.0.0.0``), an address, or a
    range that is exactly one subnet: that network. Keywords (``LocalSubnet``...) and
    other ranges raise ValueError.
    """
    text = value.strip()
    if text.lower() in ("any", "*"):
        return [(family, None) for family in FAMILIES]
    try:
        if "-" in text:
            start, end = (ipaddress.ip_address(part.strip()) for part in text.split("-", 1))
            networks = list(ipaddress.summarize_address_range(start, end))  # type: ignore[type-var]
            if len(networks) != 1:
                raise ValueError(text)
            network = networks[0]
        else:
            network = ipaddress.ip_network(text, strict=True)
    except (ValueError, TypeError):
        raise ValueError(f"remote address {value!r}") from None
    family = "ipv4" if network.version == 4 else "ipv6"
    return [(family, None if network == _WHOLE[family] else network.with_prefixlen)]


def _shape_problem(record: Mapping[str, Any]) -> Optional[str]:
    """Why a rule in our group is not one we manage, or None."""
    expected = {"enabled": "True", "direction": "Inbound", "action": "Allow"}
    for key, want in expected.items():
        if str(record.get(key, "")) != want:
            return f"{key} is {record.get(key)!r}, not {want!r}"
    if str(record.get("protocol", "")).lower() not in ("tcp", "udp"):
        return f"protocol is {record.get('protocol')!r}"
    if str(record.get("profile", "Any")) != "Any":
        return f"profile is {record.get('profile')!r}, not 'Any'"
    for key in ("remote_port", "local_address"):
        if [v.lower() for v in strings(record.get(key))] not in ([], ["any"]):
            return f"{key} is {list(strings(record.get(key)))}"
    if _WILDCARDS & set(str(record.get("name", ""))):
        return "its name contains wildcard characters"
    return None


def parse_rule(record: Mapping[str, Any]) -> WinRule:
    """One rule record of the read script -> :class:`WinRule` (unmanageable ones keep a ``problem``)."""
    name = str(record.get("name", ""))
    problem = _shape_problem(record)
    if problem:
        return WinRule(name, problem=problem)
    protocol = str(record["protocol"]).lower()
    try:
        ports = parse_ports(strings(record.get("local_port")))
        sources = [item for token in strings(record.get("remote_address")) or ["Any"] for item in parse_address(token)]
    except ValueError as exc:
        return WinRule(name, problem=f"unsupported {exc}")
    rules = {Rule(family, protocol, port, source) for port in ports for family, source in sources}
    return WinRule(name, tuple(sorted(rules)))


def parse_connections(answer: Mapping[str, Any]) -> Tuple[Connection, ...]:
    """The connections the task may arrive on: SSH_CONNECTION, else established TCP on the ports."""
    found: List[Connection] = []
    ssh = parse_ssh_connection(answer.get("ssh_connection") or None)
    if ssh is not None:
        found.append(ssh)
    for item in answer.get("connections") or []:
        parsed = parse_ssh_connection(f"{item.get('remote_address')} 0 - {item.get('local_port')}")
        if parsed is not None and parsed not in found:
            found.append(parsed)
    return tuple(found)


def parse_read(answer: Mapping[str, Any]) -> WindowsState:
    """The read script's JSON answer -> :class:`WindowsState`."""
    rules = tuple(parse_rule(record) for record in answer.get("rules") or [] if record.get("group", GROUP) == GROUP)
    profiles = tuple(
        WinProfile(
            name=str(item.get("name")),
            enabled=flag(item.get("enabled"), True),
            # NotConfigured in the ActiveStore means the built-in default, which is Block.
            default_inbound_action=str(item.get("default_inbound_action") or "Block").replace("NotConfigured", "Block"),
            allow_inbound_rules=flag(item.get("allow_inbound_rules"), True),
            allow_local_firewall_rules=flag(item.get("allow_local_firewall_rules"), True),
        )
        for item in answer.get("profiles") or []
    )
    return WindowsState(rules=rules, profiles=profiles, connections=parse_connections(answer))


def check_write(answer: Mapping[str, Any]) -> None:
    """Raise FirewallError when the write script's answer says it failed (and whether it undid itself)."""
    if answer.get("ok") is True:
        return
    if answer.get("rolled_back"):
        how = "every change of this run was undone"
    else:
        how = "undoing failed too: " + "; ".join(strings(answer.get("rollback_errors"))) or "unknown state"
    raise FirewallError(f"windows: changing the firewall failed: {answer.get('error') or answer.get('msg')} ({how})")


# -- planning ----------------------------------------------------------------------------
@dataclass(frozen=True)
class WinChanges:
    """Windows-level changes: rule names to delete (first: names a new rule needs) and rules to create."""

    remove_first: Tuple[str, ...]
    remove: Tuple[str, ...]
    create: Tuple[Rule, ...]


def windows_changes(state: WindowsState, add: Iterable[Rule], remove: Iterable[Rule]) -> WinChanges:
    """Turn the neutral add/remove into rules to delete and create.

    A Windows rule holding a removed neutral rule is deleted; what else it held (the other
    family of an ``Any`` rule, the untouched port of a two-port rule) is re-created as rules
    of our own shape. A rule of ours in the way of a new rule's name is deleted too; the loop
    ends because every round deletes at least one more of finitely many rules.
    """
    removed = set(remove)
    create: Set[Rule] = set(add)
    delete: Set[str] = {w.name for w in state.rules if removed & set(w.rules)}
    while True:
        kept = [w for w in state.rules if w.name not in delete]
        held = {r for w in kept for r in w.rules}
        for w in state.rules:
            if w.name in delete:
                create |= {r for r in w.rules if r not in removed and r not in held}
        names = {rule_name(r) for r in create}
        in_the_way = {w.name for w in kept if w.name in names}
        if not in_the_way:
            break
        delete |= in_the_way
    names = {rule_name(r) for r in create}
    return WinChanges(
        remove_first=tuple(sorted(n for n in delete if n in names)),
        remove=tuple(sorted(n for n in delete if n not in names)),
        create=tuple(sorted(create)),
    )


def write_input(changes: WinChanges) -> Dict[str, Any]:
    """The JSON document the write script receives."""
    return {
        "group": GROUP,
        "remove_first": list(changes.remove_first),
        "add": [rule_spec(rule) for rule in changes.create],
        "remove": list(changes.remove),
    }


def state_notes(state: WindowsState) -> Tuple[str, ...]:
    """Facts that change what our rules mean on this host."""
    notes = [f"rule {w.name!r} in group {GROUP!r} is left alone: {w.problem}" for w in state.rules if w.problem]
    enabled = [p for p in state.profiles if p.enabled]
    if state.profiles and not enabled:
        notes.append("Windows Defender Firewall is off in every profile: the rules are kept but filter nothing")
    for item in enabled:
        if not item.allow_local_firewall_rules:
            notes.append(f"group policy ignores local firewall rules in profile {item.name}: ours have no effect there")
        elif not item.allow_inbound_rules:
            notes.append(f"profile {item.name} blocks all inbound connections: allow rules have no effect there")
    return tuple(notes)


# -- the backend ----------------------------------------------------------------------------
class WindowsBackend(FirewallBackend):
    """Windows Defender Firewall through PowerShell (runner: a PowerShell runner)."""

    name = NAME

    @classmethod
    def probe(cls, runner: Runner) -> Detection:
        # Nothing to run: on a Windows host this is the only firewall we manage.
        return Detection(NAME, True, "the host runs Windows (a PowerShell connection): Windows Defender Firewall")

    @classmethod
    def validate(cls, desired: DesiredState, params: Mapping[str, Any]) -> None:
        """Options that mean nothing (or something we cannot keep) on Windows fail, naming the value."""
        if desired.zone:
            raise ValidationError(
                f"zone {desired.zone!r} is a firewalld option; Windows Defender Firewall has no zones"
            )
        if not desired.persist:
            raise ValidationError(
                "persist=false is not supported on Windows: rules are written to the PersistentStore "
                "and Microsoft documents no runtime-only store for new rules"
            )
        if params.get("confirm_timeout") is not None:
            raise ValidationError("confirm_timeout is not supported on Windows hosts yet (no automatic rollback there)")

    def read_script(self) -> str:
        ports = list(self.options.connection_ports)
        return render(READ_SCRIPT, {"group": GROUP, "ports": ports})

    def read(self, scope: ReadScope) -> Ruleset:
        state = parse_read(call(self.runner, self.read_script(), "firewall_port read"))
        # No connection seen (a proxy, an unusual transport): any client on the task's ports.
        connections = state.connections or tuple(Connection(port) for port in self.options.connection_ports)
        return Ruleset(rules=state.owned, raw=state, connections=connections)

    def plan(self, desired: DesiredState, current: Ruleset) -> Plan:
        state: WindowsState = current.raw
        add, remove = plan_rules(desired, current.rules)
        changes = windows_changes(state, add, remove)
        steps: Tuple[Step, ...] = ()
        if changes.create or changes.remove or changes.remove_first:
            script = render(WRITE_SCRIPT, write_input(changes))
            steps = (Step(POWERSHELL_ARGV, script),)
        return Plan(
            before=current.rules,
            after=neutral_after(current.rules, add, remove),
            add=add,
            remove=remove,
            steps=steps,
            notes=state_notes(state),
        )

    def apply(self, plan: Plan) -> List[Dict[str, Any]]:
        done = []
        for step in plan.steps:  # at most one: the write script
            check_write(call(self.runner, str(step.data), "firewall_port write"))
            done.append(step.as_dict())
        return done

    def backend_reason(self, detection: Detection, current: Ruleset) -> str:
        state: WindowsState = current.raw
        profiles = "; ".join(p.describe() for p in state.profiles) or "no profile reported"
        return f"Windows Defender Firewall (the host runs Windows): profiles {profiles}"


WINDOWS = Registry(
    {NAME: WindowsBackend},
    elsewhere="backend {backend!r} manages a Linux firewall; this host runs Windows: use backend auto or windows",
)
