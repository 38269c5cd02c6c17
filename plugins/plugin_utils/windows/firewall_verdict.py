# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Windows Defender Firewall verdicts for ``firewall_info``, from what the read saw (``firewall_info_read.py``).

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
* a rule scoped to a program is decided by who listens on the port (the read's listeners): the
  program ``System`` is the System process (pid 4), where HTTP.sys - IIS, WinRM - listens; a
  path is compared with the listening process's program, environment variables expanded on the
  host. Nothing listening, a listener whose program Windows does not tell, or listeners of
  more than one program that disagree: ``unknown``, naming it;
* a rule that applies to the packet only depending on something not known from a port and an
  address - a package, service or local user (who receives the connection), an
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
import ntpath
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.info import InfoRequest
from ansible_collections.webedge.https.plugins.module_utils.firewall.verdict import (
    MatchResult,
    Packet,
    Tri,
    Verdict,
    all_of,
    any_of,
    negate,
    port_verdicts,
)
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_info_read import (
    PROFILES,
    SYSTEM_PID,
    InboundRule,
    InfoProfile,
    PortListener,
    WindowsInfo,
)

__all__ = ["contexts", "evaluate", "evaluate_profile", "match_rule", "verdicts"]

PROTOCOL_NUMBERS = {"tcp": "6", "udp": "17"}
ANY = ("", "any", "*")
_WILDCARDS = re.compile(r"[*?\[\]]")
MAX_REASONS = 4


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


def _program_path(value: str) -> str:
    return ntpath.normcase(ntpath.normpath(value.strip().strip('"')))


def _owned_by(rule: InboundRule, listener: PortListener) -> Any:
    """Is ``listener``'s process the rule's program? True, False or unknown."""
    if rule.program.strip().lower() == "system":
        return listener.pid == SYSTEM_PID
    wanted = rule.program_expanded or rule.program
    if "%" in wanted:
        return Tri.unknown(f"program {rule.program!r} (its environment variables were not expanded)")
    if listener.pid == SYSTEM_PID:
        return False
    if listener.program is None:
        return Tri.unknown(
            f"program {rule.program!r} (the program of process {listener.pid} listening on the port is not readable)"
        )
    return _program_path(listener.program) == _program_path(wanted)


def _program_match(rule: InboundRule, packet: Packet, listeners: Optional[Sequence[PortListener]]) -> Any:
    """A program-scoped rule applies to the connection if the process that receives it is that program."""
    if rule.program.lower() in ANY:
        return True
    if listeners is None:
        return Tri.unknown(
            f"program {rule.program!r} (the program receiving the connection is not known from a port alone)"
        )
    owners = [lsn for lsn in listeners if lsn.protocol == packet.protocol and lsn.port == packet.port]
    if not owners:
        return Tri.unknown(
            f"program {rule.program!r} (nothing listens on {packet.protocol}/{packet.port}: which program will "
            "receive the connection is not known)"
        )
    results = [_owned_by(rule, lsn) for lsn in owners]
    if all(result is True for result in results):
        return True
    if all(result is False for result in results):
        return False
    unknown = next((r for r in results if isinstance(r, Tri)), None)
    if unknown is not None and len(results) == 1:
        return unknown
    pids = ", ".join(sorted({str(lsn.pid) for lsn in owners}))
    return Tri.unknown(
        f"program {rule.program!r} (processes {pids} listen on {packet.protocol}/{packet.port}; which one receives "
        "the connection depends on the address it is sent to)"
    )


def match_rule(
    rule: InboundRule, packet: Packet, interface: Optional[str], listeners: Optional[Sequence[PortListener]] = None
) -> Any:
    """Does ``rule`` match the packet arriving on ``interface``? True, False or ``Tri.unknown(reason)``.

    Definite conditions come first: a rule for another protocol, port, address family or
    source is False whatever else it holds. ``listeners``: who listens on the packet's port
    (None: not read, a program-scoped rule is then unknown).
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
            _program_match(rule, packet, listeners),
            _unknown_unless_any(rule.package, "package", "the app receiving the connection is not known"),
            _unknown_unless_any(rule.service, "service", "the service receiving the connection is not known"),
            _unknown_unless_any(rule.interface_type, "interface type", "the type of the inbound interface is not read"),
            _unknown_unless_any(rule.dynamic_target, "dynamic target"),
            _security_match(rule),
            local_user,
        ]
    )


# -- one profile -----------------------------------------------------------------------------------
def _first_true(pairs: Sequence[Tuple[InboundRule, Any]]) -> InboundRule:
    return next(rule for rule, result in pairs if result is True)


def evaluate_profile(info: WindowsInfo, profile: InfoProfile, packet: Packet, interface: Optional[str]) -> Verdict:
    """The verdict for ``packet`` in ``profile`` arriving on ``interface`` (None: not known).

    accept = bypass or (not block and (allow or default Allow)), in three-valued logic
    (``verdict.all_of``/``any_of``/``negate``): a rule that may or may not match only makes
    the verdict unknown when it could change it.
    """
    where = f"windows {profile.name} profile"
    if not profile.enabled:
        return Verdict("accept", f"{where}: the firewall is off in this profile")
    applicable = [
        r
        for r in info.rules
        if profile.name in r.profiles and (profile.allow_local_firewall_rules or r.store_source_type.lower() != "local")
    ]
    listeners = info.listeners if info.listeners_read else None
    matched = [(r, m) for r in applicable for m in [match_rule(r, packet, interface, listeners)] if m is not False]
    bypass = [(r, m) for r, m in matched if r.bypass]
    blocks = [(r, m) for r, m in matched if r.action == "Block"]
    # An action other than Allow or Block is not documented for a rule: it might block.
    blocks += [(r, Tri.unknown(f"action {r.action!r}")) for r, _m in matched if r.action not in ("Allow", "Block")]
    allows = [(r, m) for r, m in matched if r.action == "Allow" and not r.bypass]
    shields_up = not profile.allow_inbound_rules
    x, b = any_of([m for _r, m in bypass]), any_of([m for _r, m in blocks])
    a: MatchResult = False if shields_up else any_of([m for _r, m in allows])
    d = profile.default_allows and not shields_up
    default = "Allow" if profile.default_allows else "Block"
    if profile.default_inbound_action != default:
        default += f" ({profile.default_inbound_action}: the built-in default)"
    # Under AllowInboundRules False, whether a rule overriding block rules still applies is not documented.
    if shields_up:
        accepted: MatchResult = False if x is False else Tri.unknown("a rule overriding block rules")
    else:
        accepted = any_of([x, all_of([negate(b), any_of([a, d])])])
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


def verdicts(
    info: WindowsInfo, request: InfoRequest, interface: Optional[str], notes: List[str]
) -> List[Dict[str, object]]:
    """One result per port, per family, over every way the packet may arrive (``contexts``)."""
    where = contexts(info, interface, notes)
    return port_verdicts(
        request.ports,
        request.protocol,
        request.source,
        interface,
        request.families,
        lambda packet: evaluate(info, packet, where),
    )
