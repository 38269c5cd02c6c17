# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``firewall_info`` on a Windows host: one PowerShell read, then verdicts computed here.

Ansible runs no Python on Windows, so this runs on the CONTROLLER (the ``firewall_info``
action plugin calls :func:`run` with a PowerShell runner). The host runs ONE script
(``windows_info_ps.READ_SCRIPT``); its answer (profiles, connected networks, every enabled
inbound rule of the ActiveStore with its filters) becomes the result the Linux module
returns, with the backend ``windows``.

The verdict, for the first packet of a new inbound TCP or UDP connection to the port, from
``source`` (or from an address no rule names), in the profile of the network it arrives on:

* the profile's firewall is off: ``accept``;
* Windows' precedence (MS-FASP, FW_RULE_ACTION): an allow rule that overrides block rules
  (authenticated bypass) beats a block rule, and a block rule beats an allow rule. So: a
  matching block rule drops, unless a bypass rule matches; else a matching allow rule
  accepts; else the profile's DefaultInboundAction decides (``NotConfigured`` is the
  built-in default, Block);
* ``AllowInboundRules False`` (block all incoming connections) leaves the allow rules
  without effect; ``AllowLocalFirewallRules False`` (set by group policy) leaves the
  rules of local origin (PolicyStoreSourceType ``Local``) without effect;
* a rule that applies to the packet only depending on something not known from a port and an
  address - a program, package, service or local user (who receives the connection), an
  IPsec condition (authentication, encryption, remote users or machines, override of block
  rules), a RemoteAddress keyword (``LocalSubnet``, ``DefaultGateway``, ``Internet``...), a
  dynamic keyword, a local (destination) address, a remote (source) port, a LocalPort keyword
  (``RPC``...), an interface type, or a filter the read did not find - makes the verdict
  ``unknown`` when its outcome would change the answer; the reason names it. Never a guess.

Which profile applies: that of the connected network (``Get-NetConnectionProfile``) the packet
arrives on. Without ``interface`` each connected network is evaluated, and if they disagree
the verdict is ``unknown`` with each answer in the reason.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.info import InfoRequest
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import ValidationError
from ansible_collections.webedge.https.plugins.module_utils.firewall.verdict import (
    Packet,
    Tri,
    Verdict,
    all_of,
    any_of,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.windows import GROUP, parse_rule
from ansible_collections.webedge.https.plugins.module_utils.firewall.windows_info_ps import READ_SCRIPT
from ansible_collections.webedge.https.plugins.module_utils.windows_ps import (
    PowerShellError,
    ScriptRunner,
    call,
    render,
)

__all__ = [
    "InboundRule",
    "InfoProfile",
    "Network",
    "WindowsInfo",
    "check_request",
    "evaluate",
    "evaluate_profile",
    "match_rule",
    "parse_info",
    "read_script",
    "report",
    "run",
]

NAME = "windows"
PROFILES = ("Domain", "Private", "Public")
CATEGORY_PROFILE = {"domainauthenticated": "Domain", "domain": "Domain", "private": "Private", "public": "Public"}
PROTOCOL_NUMBERS = {"tcp": "6", "udp": "17"}
ANY = ("", "any", "*")
_WILDCARDS = re.compile(r"[*?\[\]]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_REASONS = 4


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
class WindowsInfo:
    """The read script's answer, parsed."""

    profiles: Tuple[InfoProfile, ...]
    networks: Tuple[Network, ...]
    rules: Tuple[InboundRule, ...]
    active_profile: Tuple[str, ...] = ()
    owned_records: Tuple[Mapping[str, Any], ...] = ()

    def profile(self, name: str) -> Optional[InfoProfile]:
        return next((p for p in self.profiles if p.name == name), None)


# -- parsing ---------------------------------------------------------------------------------------
def read_script() -> str:
    """The read script with its input (our group's name)."""
    return render(READ_SCRIPT, {"group": GROUP})


def _strings(value: Any) -> Tuple[str, ...]:
    """ConvertTo-Json may give a string, a list or null for a list property."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(str(item).strip() for item in items if item is not None and str(item).strip())


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _flag(value: Any, default: bool) -> bool:
    """GpoBoolean as text: True / False / NotConfigured (= the default)."""
    text = _text(value)
    return default if text not in ("True", "False") else text == "True"


def _profiles_of(text: str) -> FrozenSet[str]:
    """``Any``, ``Domain, Private``... -> the profile names (an unknown word: every profile)."""
    words = {w.strip() for w in re.split(r"[,\s]+", text or "") if w.strip()}
    if not words or "Any" in words or not words <= set(PROFILES):
        return frozenset(PROFILES)
    return frozenset(words)


def _records(value: Any) -> List[Mapping[str, Any]]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, Mapping)]


def parse_rule_record(record: Mapping[str, Any]) -> InboundRule:
    return InboundRule(
        name=_text(record.get("name")),
        display_name=_text(record.get("display_name")),
        group=_text(record.get("group")),
        action=_text(record.get("action")) or "NotConfigured",
        profiles=_profiles_of(_text(record.get("profile"))),
        store_source=_text(record.get("policy_store_source")),
        store_source_type=_text(record.get("policy_store_source_type")),
        protocol=_text(record.get("protocol")) or "Any",
        local_port=_strings(record.get("local_port")),
        remote_port=_strings(record.get("remote_port")),
        dynamic_target=_text(record.get("dynamic_target")),
        local_address=_strings(record.get("local_address")),
        remote_address=_strings(record.get("remote_address")),
        remote_dynamic_keywords=_strings(record.get("remote_dynamic_keywords")),
        program=_text(record.get("program")),
        package=_text(record.get("package")),
        service=_text(record.get("service")),
        interface_alias=_strings(record.get("interface_alias")),
        interface_type=_text(record.get("interface_type")),
        authentication=_text(record.get("authentication")),
        encryption=_text(record.get("encryption")),
        override_block_rules=_text(record.get("override_block_rules")) == "True",
        local_user=_text(record.get("local_user")),
        remote_user=_text(record.get("remote_user")),
        remote_machine=_text(record.get("remote_machine")),
        missing=_strings(record.get("missing")),
    )


def _owned_record(record: Mapping[str, Any]) -> Dict[str, Any]:
    """A rule of our group in the shape ``firewall.windows.parse_rule`` reads (as firewall_port)."""
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
            name=_text(item.get("name")),
            enabled=_flag(item.get("enabled"), True),
            default_inbound_action=_text(item.get("default_inbound_action")) or "NotConfigured",
            allow_inbound_rules=_flag(item.get("allow_inbound_rules"), True),
            allow_local_firewall_rules=_flag(item.get("allow_local_firewall_rules"), True),
        )
        for item in _records(answer.get("profiles"))
        if _text(item.get("name")) in PROFILES
    )
    networks = tuple(
        Network(
            interface_alias=_text(item.get("interface_alias")),
            name=_text(item.get("name")),
            category=_text(item.get("category")),
            profile=CATEGORY_PROFILE.get(_text(item.get("category")).lower()),
        )
        for item in _records(answer.get("networks"))
    )
    records = _records(answer.get("rules"))
    rules = tuple(parse_rule_record(record) for record in records)
    owned = tuple(
        _owned_record(record)
        for record in records
        if _text(record.get("group")) == GROUP and _text(record.get("policy_store_source_type")) in ("", "Local")
    )
    active = tuple(sorted(_profiles_of(_text(answer.get("active_profile"))))) if answer.get("active_profile") else ()
    return WindowsInfo(profiles, networks, rules, active, owned)


# -- matching one rule -----------------------------------------------------------------------------
def _is_any(values: Sequence[str]) -> bool:
    return not values or any(v.lower() in ANY for v in values)


def _protocol_match(rule: InboundRule, protocol: str) -> Any:
    text = rule.protocol.lower()
    if text in ANY:
        return True
    return text in (protocol, PROTOCOL_NUMBERS[protocol])


def _port_match(values: Sequence[str], port: int) -> Any:
    if _is_any(values):
        return True
    keywords = []
    for value in values:
        first, sep, last = value.partition("-")
        if first.strip().isdigit() and (not sep or last.strip().isdigit()):
            if int(first) <= port <= int(last or first):
                return True
        else:
            keywords.append(value)
    if keywords:
        return Tri.unknown(f"local port {', '.join(keywords)} (a port keyword Windows resolves at run time)")
    return False


def _address_token(token: str, packet: Packet) -> Any:
    """One RemoteAddress token against the packet's source (None: an address no rule names)."""
    text = token.strip()
    if text.lower() in ANY:
        return True
    try:
        if "-" in text:
            start, end = (ipaddress.ip_address(part.strip()) for part in text.split("-", 1))
            if start.version != end.version:
                raise ValueError(text)
            version, whole = (
                start.version,
                int(start) == 0 and int(end) == (2 ** (32 if start.version == 4 else 128) - 1),
            )
            contains = (
                None if packet.source is None else (int(start) <= int(ipaddress.ip_address(packet.source)) <= int(end))
            )
        else:
            network = ipaddress.ip_network(text, strict=False)
            version, whole = network.version, network.prefixlen == 0
            contains = None if packet.source is None else ipaddress.ip_address(packet.source) in network
    except (ValueError, TypeError):
        return Tri.unknown(f"remote address {text!r} (a keyword: which addresses it stands for is not read)")
    if (version == 4) != (packet.family == "ipv4"):
        return False
    if packet.source is None:
        return whole  # an address no rule names is only in a whole-family range
    if (ipaddress.ip_address(packet.source).version == 4) != (version == 4):
        return False
    return bool(contains)


def _interface_match(rule: InboundRule, interface: Optional[str]) -> Any:
    if _is_any(rule.interface_alias):
        return True
    if interface is None:
        return Tri.unknown(f"interface {', '.join(rule.interface_alias)} (the inbound interface is not known)")
    if any(_WILDCARDS.search(alias) for alias in rule.interface_alias):
        return Tri.unknown(f"interface pattern {', '.join(rule.interface_alias)}")
    return interface.lower() in {alias.lower() for alias in rule.interface_alias}


def _unknown_unless_any(value: str, what: str, why: str = "") -> Any:
    if value.lower() in ANY:
        return True
    return Tri.unknown(f"{what} {value!r}" + (f" ({why})" if why else ""))


def _security_match(rule: InboundRule) -> Any:
    conditions = []
    for label, value in (("authentication", rule.authentication), ("encryption", rule.encryption)):
        if value and value != "NotRequired":
            conditions.append(f"{label} {value}")
    if rule.override_block_rules:
        conditions.append("override block rules (authenticated bypass)")
    for label, value in (("remote user", rule.remote_user), ("remote machine", rule.remote_machine)):
        if value.lower() not in ANY:
            conditions.append(f"{label} {value}")
    if conditions:
        return Tri.unknown(f"IPsec condition {', '.join(conditions)} (whether the peer authenticates is not known)")
    return True


def match_rule(rule: InboundRule, packet: Packet, interface: Optional[str]) -> Any:
    """Does ``rule`` match the packet arriving on ``interface``? True, False or ``Tri.unknown(reason)``.

    Definite conditions come first: a rule for another protocol, port, address family or
    source is False whatever else it holds.
    """
    if rule.missing:
        missing = Tri.unknown(f"its {', '.join(rule.missing)} filter(s) were not found by the read")
        return all_of([_protocol_match(rule, packet.protocol) if "port" not in rule.missing else True, missing])
    local_address: Any = True
    if not _is_any(rule.local_address):
        local_address = Tri.unknown(
            f"local address {', '.join(rule.local_address)} (the address the packet is sent to is not known)"
        )
    remote_port: Any = True
    if not _is_any(rule.remote_port):
        remote_port = Tri.unknown(f"remote port {', '.join(rule.remote_port)} (the source port is not known)")
    remote_address = (
        True if _is_any(rule.remote_address) else any_of([_address_token(t, packet) for t in rule.remote_address])
    )
    dynamic: Any = True
    if rule.remote_dynamic_keywords:
        dynamic = Tri.unknown(f"dynamic keyword addresses {', '.join(rule.remote_dynamic_keywords)}")
    local_user = _unknown_unless_any(rule.local_user, "local user", "who receives the connection is not known")
    return all_of(
        [
            _protocol_match(rule, packet.protocol),
            _port_match(rule.local_port, packet.port),
            remote_address,
            _interface_match(rule, interface),
            remote_port,
            local_address,
            dynamic,
            _unknown_unless_any(
                rule.program, "program", "the program receiving the connection is not known from a port alone"
            ),
            _unknown_unless_any(rule.package, "package", "the app receiving the connection is not known"),
            _unknown_unless_any(rule.service, "service", "the service receiving the connection is not known"),
            _unknown_unless_any(rule.interface_type, "interface type", "the type of the inbound interface is not read"),
            _unknown_unless_any(rule.dynamic_target, "dynamic target"),
            _security_match(rule),
            local_user,
        ]
    )


# -- one profile -----------------------------------------------------------------------------------
def _tri(values: Sequence[Any]) -> Optional[bool]:
    """Any of the match results: True / False / None (unknown)."""
    result = any_of(values)
    return None if isinstance(result, Tri) else bool(result)


def _t_not(value: Optional[bool]) -> Optional[bool]:
    return None if value is None else not value


def _t_and(*values: Optional[bool]) -> Optional[bool]:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _t_or(*values: Optional[bool]) -> Optional[bool]:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _first_true(pairs: Sequence[Tuple[InboundRule, Any]]) -> InboundRule:
    return next(rule for rule, result in pairs if result is True)


def evaluate_profile(info: WindowsInfo, profile: InfoProfile, packet: Packet, interface: Optional[str]) -> Verdict:
    """The verdict for ``packet`` in ``profile`` arriving on ``interface`` (None: not known).

    accept = bypass or (not block and (allow or default Allow)), in three-valued logic: a
    rule that may or may not match only makes the verdict unknown when it could change it.
    """
    where = f"windows {profile.name} profile"
    if not profile.enabled:
        return Verdict("accept", f"{where}: the firewall is off in this profile")
    applicable = [
        r
        for r in info.rules
        if profile.name in r.profiles and (profile.allow_local_firewall_rules or r.store_source_type.lower() != "local")
    ]
    matched = [(r, m) for r in applicable for m in [match_rule(r, packet, interface)] if m is not False]
    bypass = [(r, m) for r, m in matched if r.bypass]
    blocks = [(r, m) for r, m in matched if r.action == "Block"]
    # An action other than Allow or Block is not documented for a rule: it might block.
    blocks += [(r, Tri.unknown(f"action {r.action!r}")) for r, _m in matched if r.action not in ("Allow", "Block")]
    allows = [(r, m) for r, m in matched if r.action == "Allow" and not r.bypass]
    shields_up = not profile.allow_inbound_rules
    x, b = _tri([m for _r, m in bypass]), _tri([m for _r, m in blocks])
    a = False if shields_up else _tri([m for _r, m in allows])
    d = profile.default_allows and not shields_up
    default = "Allow" if profile.default_allows else "Block"
    if profile.default_inbound_action != default:
        default += f" ({profile.default_inbound_action}: the built-in default)"
    # Under AllowInboundRules False, whether a rule overriding block rules still applies is not documented.
    accepted = (False if x is False else None) if shields_up else _t_or(x, _t_and(_t_not(b), _t_or(a, d)))
    if accepted is True:
        if x is True:
            return Verdict("accept", f"{where}: {_first_true(bypass).describe()}")
        if a is True:
            return Verdict("accept", f"{where}: {_first_true(allows).describe()}")
        return Verdict("accept", f"{where}: no block rule matches; default inbound action {default}")
    if accepted is False:
        if b is True:
            return Verdict("drop", f"{where}: {_first_true(blocks).describe()}")
        if shields_up:
            return Verdict("drop", f"{where}: AllowInboundRules False blocks every inbound connection")
        return Verdict("drop", f"{where}: no allow rule matches; default inbound action {default}")
    relevant = list(bypass)
    if b is not True:
        relevant += blocks
        if a is not True and not d:
            relevant += allows
    undecided = [(r, m) for r, m in relevant if isinstance(m, Tri)]
    reasons = [f"{r.describe()}: {m.reason}" for r, m in undecided[:MAX_REASONS]]
    if len(undecided) > MAX_REASONS:
        reasons.append(f"and {len(undecided) - MAX_REASONS} more such rules")
    if shields_up:
        reasons.append("AllowInboundRules False blocks every other inbound connection")
    decided_by = f"{where}: {undecided[0][0].describe()}" if undecided else where
    return Verdict("unknown", decided_by, "; ".join(reasons))


# -- contexts: which profile on which interface ----------------------------------------------------
def contexts(info: WindowsInfo, interface: Optional[str], notes: List[str]) -> List[Tuple[str, str, Optional[str]]]:
    """``(label, profile name, interface)`` for each way the packet may arrive."""
    connected = [n for n in info.networks if n.profile is not None]
    for n in info.networks:
        if n.profile is None:
            notes.append(f"network {n.name!r} on {n.interface_alias!r} has an unknown category {n.category!r}")
    if interface is not None:
        chosen = [n for n in connected if n.interface_alias.lower() == interface.lower()]
        if chosen:
            return [(f"{n.profile} on {n.interface_alias!r}", str(n.profile), interface) for n in chosen]
        names = sorted({str(n.profile) for n in connected}) or list(info.active_profile) or list(PROFILES)
        notes.append(f"interface {interface!r} is not a connected network: evaluated in profile(s) {', '.join(names)}")
        return [(f"{name} on {interface!r}", name, interface) for name in names]
    if connected:
        seen: List[Tuple[str, str, Optional[str]]] = []
        for n in connected:
            item = (f"{n.profile} on {n.interface_alias!r}", str(n.profile), n.interface_alias)
            if item not in seen:
                seen.append(item)
        return seen
    names = list(info.active_profile) or list(PROFILES)
    notes.append(f"no connected network was reported: evaluated in profile(s) {', '.join(names)}")
    return [(name, name, None) for name in names]


def evaluate(info: WindowsInfo, packet: Packet, where: Sequence[Tuple[str, str, Optional[str]]]) -> Verdict:
    """The verdict over every context; contexts that disagree make it ``unknown``."""
    results: List[Tuple[str, Verdict]] = []
    for label, name, interface in where:
        profile = info.profile(name)
        if profile is None:
            results.append((label, Verdict("unknown", "", f"windows {name} profile: its settings were not read")))
            continue
        results.append((label, evaluate_profile(info, profile, packet, interface)))
    if not results:
        return Verdict("unknown", "", "windows: no profile to evaluate")
    verdicts = {v.verdict for _label, v in results}
    if len(results) == 1 or (len(verdicts) == 1 and len({(v.decided_by, v.reason) for _l, v in results}) == 1):
        return results[0][1]
    if len(verdicts) == 1 and "unknown" not in verdicts:
        return Verdict(results[0][1].verdict, "; ".join(f"{label}: {v.decided_by}" for label, v in results))
    parts = "; ".join(f"{label}: {v.verdict} ({v.reason or v.decided_by})" for label, v in results)
    return Verdict("unknown", "", f"depends on the network the packet arrives on - {parts}; give interface to decide")


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


def _verdicts(
    info: WindowsInfo, request: InfoRequest, interface: Optional[str], notes: List[str]
) -> List[Dict[str, Any]]:
    where = contexts(info, interface, notes)
    results: List[Dict[str, Any]] = []
    for port in request.ports:
        entry: Dict[str, Any] = {
            "port": port,
            "protocol": request.protocol,
            "source": request.source,
            "interface": interface,
        }
        verdicts = []
        for family in request.families:
            verdict = evaluate(info, Packet(family, request.protocol, port, request.source, interface), where)
            entry[family] = verdict.as_dict()
            verdicts.append(verdict.verdict)
        entry["verdict"] = verdicts[0] if len(set(verdicts)) == 1 else "mixed"
        results.append(entry)
    return results


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
    verdicts = _verdicts(info, request, interface, notes)
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
        "verdicts": verdicts,
        "notes": notes,
    }


def run(request: InfoRequest, interface: Optional[str], runner: ScriptRunner) -> Dict[str, Any]:
    """ONE read round trip on the host, then the result (``request`` comes from :func:`check_request`)."""
    answer = call(runner, read_script(), "firewall_info read")
    return report(parse_info(answer), request, interface)
