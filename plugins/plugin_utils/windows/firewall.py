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

Profiles (``profiles``: Domain, Private, Public; all three by default, a rule's ``Profile Any``):
each neutral rule is open in a set of profiles. The plan is made per profile with the neutral
planner: ``open`` adds the task's profiles to a rule's set, ``closed`` takes them away (a rule
left with no profile is deleted); the profiles the task does not name keep what they had. A
rule whose set changes is re-created with the new set (a Windows rule has one Profile value).

Persistence: rules live in the PersistentStore (the cmdlets' default), which is what the
firewall loads at boot, so ``persist: true`` is the only mode; Microsoft documents no
runtime-only store for new rules (ActiveStore is the merged, largely read-only view), so
``persist: false`` fails instead of silently persisting.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Tuple, Type

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
    "PROFILES",
    "WINDOWS",
    "WinProfile",
    "WinRule",
    "WindowsBackend",
    "WindowsState",
    "check_profiles",
    "check_write",
    "parse_read",
    "registry",
    "rule_name",
    "rule_spec",
]

GROUP = COMMENT_MARK
NAME = "windows"
ANY_SOURCE = {"ipv4": "0.0.0.0-255.255.255.255", "ipv6": "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}
_WHOLE = {"ipv4": ipaddress.ip_network("0.0.0.0/0"), "ipv6": ipaddress.ip_network("::/0")}
_WILDCARDS = set("*?[]")  # -Name takes wildcards: a name with one could match other rules
DESCRIPTION = "Managed by webedge.https (firewall_port); changes here are overwritten."
PROFILES = ("Domain", "Private", "Public")
ALL_PROFILES = frozenset(PROFILES)


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
    profiles: FrozenSet[str] = ALL_PROFILES


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

    def coverage(self, names: Optional[Iterable[str]] = None) -> Dict[Rule, FrozenSet[str]]:
        """Each neutral rule -> the profiles it is open in (over the Windows rules named, default all)."""
        wanted = None if names is None else set(names)
        found: Dict[Rule, Set[str]] = {}
        for w in self.rules:
            if wanted is None or w.name in wanted:
                for r in w.rules:
                    found.setdefault(r, set()).update(w.profiles)
        return {r: frozenset(p) for r, p in found.items()}


# -- naming and rendering ------------------------------------------------------------
def rule_name(rule: Rule) -> str:
    """The stable ``Name`` (and ``DisplayName``) of the Windows rule holding ``rule``."""
    return f"{GROUP} {rule.describe()}"


def profile_text(profiles: Iterable[str]) -> str:
    """A profile set as New-NetFirewallRule's -Profile takes it: ``Any`` for all three, else ``Domain, Private``."""
    chosen = frozenset(profiles)
    return "Any" if chosen == ALL_PROFILES else ", ".join(p for p in PROFILES if p in chosen)


def rule_spec(rule: Rule, profiles: Iterable[str] = PROFILES) -> Dict[str, Any]:
    """The write script's input for one rule to create (the New-NetFirewallRule values)."""
    return {
        "name": rule_name(rule),
        "display_name": rule_name(rule),
        "description": DESCRIPTION,
        "protocol": rule.protocol.upper(),
        "local_port": [str(rule.ports)],
        "remote_address": [rule.source or ANY_SOURCE[rule.family]],
        "profile": profile_text(profiles),
    }


def check_profiles(value: Any) -> FrozenSet[str]:
    """The ``profiles`` option (None: all three) -> profile names; any case, each named once; else ValidationError."""
    if value is None:
        return ALL_PROFILES
    items = value if isinstance(value, (list, tuple)) else [value]
    chosen: Set[str] = set()
    for item in items:
        words = [w.strip() for w in str(item).split(",")] if isinstance(item, str) else [item]
        for word in words:
            match = next((p for p in PROFILES if isinstance(word, str) and word.lower() == p.lower()), None)
            if match is None:
                raise ValidationError(f"invalid profiles value {word!r}: expected domain, private or public")
            chosen.add(match)
    if not chosen:
        raise ValidationError("profiles is empty: name at least one of domain, private, public (or leave it out)")
    return frozenset(chosen)


def parse_profiles(value: Any) -> Optional[FrozenSet[str]]:
    """A rule's Profile as read (``Any``, ``Domain, Private``) -> its profiles; None for anything else."""
    words = {w.strip().lower() for w in str(value if value is not None else "Any").split(",") if w.strip()}
    if not words or words == {"any"}:
        return ALL_PROFILES
    names = {p for p in PROFILES if p.lower() in words}
    return frozenset(names) if len(names) == len(words) else None


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
    if parse_profiles(record.get("profile")) is None:
        return f"profile is {record.get('profile')!r}, not Any or a list of Domain, Private, Public"
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
    return WinRule(name, tuple(sorted(rules)), profiles=parse_profiles(record.get("profile")) or ALL_PROFILES)


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
    """Windows-level changes: rule names to delete (first: names a new rule needs) and rules to create.

    ``create`` maps each neutral rule to create to the profiles its Windows rule gets.
    """

    remove_first: Tuple[str, ...]
    remove: Tuple[str, ...]
    create: Tuple[Tuple[Rule, FrozenSet[str]], ...]


def windows_changes(state: WindowsState, target: Mapping[Rule, FrozenSet[str]]) -> WinChanges:
    """Turn the profile sets wanted for some neutral rules (empty: removed) into rules to delete and create.

    Every Windows rule holding a rule of ``target`` is deleted; what else it held (the other family
    of an ``Any`` rule, the untouched port of a two-port rule) is re-created, in its profiles, as rules
    of our own shape unless a rule kept already holds it there. A rule of ours in the way of a new
    rule's name is deleted too; the loop ends because every round deletes at least one more of
    finitely many rules.
    """
    touched = set(target)
    delete: Set[str] = {w.name for w in state.rules if touched & set(w.rules)}
    while True:
        kept = state.coverage(w.name for w in state.rules if w.name not in delete)
        create: Dict[Rule, FrozenSet[str]] = {r: p for r, p in target.items() if p}
        for r, profiles in state.coverage(delete).items():
            rest = profiles - kept.get(r, frozenset())
            if r not in touched and rest:
                create[r] = rest
        names = {rule_name(r) for r in create}
        in_the_way = {w.name for w in state.rules if w.name not in delete and w.name in names}
        if not in_the_way:
            break
        delete |= in_the_way
    names = {rule_name(r) for r in create}
    return WinChanges(
        remove_first=tuple(sorted(n for n in delete if n in names)),
        remove=tuple(sorted(n for n in delete if n not in names)),
        create=tuple(sorted(create.items(), key=lambda item: (item[0], sorted(item[1])))),
    )


def write_input(changes: WinChanges) -> Dict[str, Any]:
    """The JSON document the write script receives."""
    return {
        "group": GROUP,
        "remove_first": list(changes.remove_first),
        "add": [rule_spec(rule, profiles) for rule, profiles in changes.create],
        "remove": list(changes.remove),
    }


def profile_targets(
    desired: DesiredState, coverage: Mapping[Rule, FrozenSet[str]], profiles: FrozenSet[str]
) -> Dict[Rule, FrozenSet[str]]:
    """The neutral planner per profile: each rule whose set of profiles changes -> its new set."""
    after: Dict[Rule, Set[str]] = {}
    for profile in PROFILES:
        current = {r for r, p in coverage.items() if profile in p}
        if profile in profiles:
            add, remove = plan_rules(desired, current)
            current = set(neutral_after(tuple(current), add, remove))
        for r in current:
            after.setdefault(r, set()).add(profile)
    rules = set(coverage) | set(after)
    return {
        r: frozenset(after.get(r, ()))
        for r in sorted(rules)
        if frozenset(after.get(r, ())) != coverage.get(r, frozenset())
    }


@dataclass(frozen=True)
class WindowsPlan(Plan):
    """A plan whose diff also names the profiles of a rule that is not open in all three."""

    profiles_before: Tuple[Tuple[Rule, Tuple[str, ...]], ...] = ()
    profiles_after: Tuple[Tuple[Rule, Tuple[str, ...]], ...] = ()

    def to_diff(self, backend: str = "firewall") -> Dict[str, str]:
        diff = super().to_diff(backend)
        diff["before"] = _profiles_text(self.profiles_before)
        diff["after"] = _profiles_text(self.profiles_after)
        return diff


def _profiles_text(items: Iterable[Tuple[Rule, Tuple[str, ...]]]) -> str:
    lines = []
    for rule, profiles in sorted(items):
        shown = "" if frozenset(profiles) == ALL_PROFILES else f" (profiles {', '.join(profiles)})"
        lines.append(f"{rule.describe()}{shown}\n")
    return "".join(lines)


def _as_items(coverage: Mapping[Rule, FrozenSet[str]]) -> Tuple[Tuple[Rule, Tuple[str, ...]], ...]:
    return tuple(
        sorted((r, tuple(p for p in PROFILES if p in profiles)) for r, profiles in coverage.items() if profiles)
    )


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
    """Windows Defender Firewall through PowerShell (runner: a PowerShell runner).

    ``profiles``: the profiles the task's rules are opened or closed in (:func:`registry` binds them).
    """

    name = NAME
    profiles: FrozenSet[str] = ALL_PROFILES

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
        check_profiles(params.get("profiles"))

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
        coverage = state.coverage()
        targets = profile_targets(desired, coverage, self.profiles)
        changes = windows_changes(state, targets)
        after = dict(coverage)
        after.update(targets)
        before_rules = set(current.rules)
        after_rules = {r for r, p in after.items() if p}
        steps: Tuple[Step, ...] = ()
        if changes.create or changes.remove or changes.remove_first:
            script = render(WRITE_SCRIPT, write_input(changes))
            steps = (Step(POWERSHELL_ARGV, script),)
        notes = list(state_notes(state))
        notes += [
            f"{r.describe()}: profiles {profile_text(coverage.get(r, ())) or 'none'} -> {profile_text(p) or 'none'}"
            for r, p in targets.items()
            if r in before_rules and p
        ]
        return WindowsPlan(
            before=current.rules,
            after=tuple(sorted(after_rules)),
            add=tuple(sorted(after_rules - before_rules)),
            remove=tuple(sorted(before_rules - after_rules)),
            steps=steps,
            notes=tuple(notes),
            profiles_before=_as_items(coverage),
            profiles_after=_as_items(after),
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


ELSEWHERE = "backend {backend!r} manages a Linux firewall; this host runs Windows: use backend auto or windows"


def registry(profiles: Any = None) -> Registry:
    """The registry the orchestrator gets on a Windows host, its backend bound to the task's ``profiles``."""
    chosen = check_profiles(profiles)
    backend: Type[WindowsBackend] = type("WindowsBackend", (WindowsBackend,), {"profiles": chosen})
    return Registry({NAME: backend}, elsewhere=ELSEWHERE)


WINDOWS = registry()
