# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewall_info on Windows: the verdict table (Windows' precedence, profiles, what is never guessed).

The rules are hand-built from Microsoft's documented object shapes (see
``tests/unit/fixtures/firewall/windows/README.md``), not captured from a host.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Optional

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall.verdict import Packet
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_info_read import (
    InboundRule,
    InfoProfile,
    Network,
    WindowsInfo,
)
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_verdict import (
    contexts,
    evaluate,
    evaluate_profile,
)

PUBLIC = InfoProfile("Public", True, "NotConfigured")
ALLOW_443 = InboundRule("allow-443", "Allow 443", protocol="TCP", local_port=("443",))
BLOCK_443 = InboundRule("block-443", "Block 443", action="Block", protocol="TCP", local_port=("443",))


def verdict(
    *rules: InboundRule,
    profile: InfoProfile = PUBLIC,
    source: Optional[str] = None,
    interface=None,
    family="ipv4",
    protocol="tcp",
):
    info = WindowsInfo((profile,), (), tuple(rules))
    return evaluate_profile(info, profile, Packet(family, protocol, 443, source), interface)


def rule(base: InboundRule = ALLOW_443, **changes: Any) -> InboundRule:
    return replace(base, **changes)


# -- the verdict table: (case, rules, profile, source, expected verdict, text in decided_by or reason) --------
CASES = [
    (
        "no rule: NotConfigured default is Block",
        [],
        PUBLIC,
        None,
        "drop",
        "default inbound action Block (NotConfigured",
    ),
    ("explicit Block default", [], replace(PUBLIC, default_inbound_action="Block"), None, "drop", "Block"),
    (
        "Allow default, no rule",
        [],
        replace(PUBLIC, default_inbound_action="Allow"),
        None,
        "accept",
        "default inbound action Allow",
    ),
    (
        "Allow default, a block rule",
        [BLOCK_443],
        replace(PUBLIC, default_inbound_action="Allow"),
        None,
        "drop",
        "Block 443",
    ),
    ("an allow rule", [ALLOW_443], PUBLIC, None, "accept", "rule 'Allow 443' [allow-443] (allow)"),
    ("block wins over allow", [ALLOW_443, BLOCK_443], PUBLIC, None, "drop", "Block 443"),
    (
        "profile off accepts everything",
        [BLOCK_443],
        replace(PUBLIC, enabled=False),
        None,
        "accept",
        "the firewall is off",
    ),
    ("protocol number 6 is TCP", [rule(protocol="6")], PUBLIC, None, "accept", "Allow 443"),
    ("protocol Any, port Any", [rule(protocol="Any", local_port=("Any",))], PUBLIC, None, "accept", "Allow 443"),
    ("a UDP rule does not match TCP", [rule(protocol="UDP")], PUBLIC, None, "drop", "no allow rule matches"),
    ("a port range", [rule(local_port=("80", "400-500"))], PUBLIC, None, "accept", "Allow 443"),
    ("another port", [rule(local_port=("8443",))], PUBLIC, None, "drop", "no allow rule matches"),
    ("a port keyword", [rule(local_port=("RPC",))], PUBLIC, None, "unknown", "local port RPC"),
    (
        "source in the rule's subnet (mask notation)",
        [rule(remote_address=("10.0.0.0/255.0.0.0",))],
        PUBLIC,
        "10.1.2.3",
        "accept",
        "Allow 443",
    ),
    (
        "source outside the rule's range",
        [rule(remote_address=("10.0.0.1-10.0.0.9",))],
        PUBLIC,
        "10.1.2.3",
        "drop",
        "no allow rule",
    ),
    (
        "an address no rule names is not in a subnet",
        [rule(remote_address=("10.0.0.0/8",))],
        PUBLIC,
        None,
        "drop",
        "no allow rule",
    ),
    (
        "a whole-family range matches any source",
        [rule(remote_address=("0.0.0.0-255.255.255.255",))],
        PUBLIC,
        None,
        "accept",
        "Allow 443",
    ),
    (
        "an IPv6-only rule does not match IPv4",
        [rule(remote_address=("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",))],
        PUBLIC,
        None,
        "drop",
        "no allow",
    ),
    ("keyword LocalSubnet", [rule(remote_address=("LocalSubnet",))], PUBLIC, None, "unknown", "'LocalSubnet'"),
    (
        "keyword DefaultGateway, even from a given source",
        [rule(remote_address=("DefaultGateway",))],
        PUBLIC,
        "192.0.2.1",
        "unknown",
        "'DefaultGateway'",
    ),
    (
        "keyword on a block rule next to an allow",
        [ALLOW_443, rule(BLOCK_443, remote_address=("Internet",))],
        PUBLIC,
        None,
        "unknown",
        "'Internet'",
    ),
    (
        "a keyword next to a matching subnet matches",
        [rule(remote_address=("LocalSubnet", "10.0.0.0/8"))],
        PUBLIC,
        "10.9.9.9",
        "accept",
        "Allow 443",
    ),
    (
        "program filter",
        [rule(program="C:\\nginx\\nginx.exe")],
        PUBLIC,
        None,
        "unknown",
        "program 'C:\\\\nginx\\\\nginx.exe'",
    ),
    ("service filter", [rule(service="termservice")], PUBLIC, None, "unknown", "service 'termservice'"),
    ("package filter", [rule(package="S-1-15-2-1")], PUBLIC, None, "unknown", "package"),
    ("local user filter", [rule(local_user="O:LSD:(A;;CC;;;S-1-5-80-1)")], PUBLIC, None, "unknown", "local user"),
    ("interface type filter", [rule(interface_type="Wireless")], PUBLIC, None, "unknown", "interface type 'Wireless'"),
    (
        "interface alias, interface not known",
        [rule(interface_alias=("Ethernet 2",))],
        PUBLIC,
        None,
        "unknown",
        "interface Ethernet 2",
    ),
    (
        "authentication required",
        [rule(authentication="Required")],
        PUBLIC,
        None,
        "unknown",
        "IPsec condition authentication Required",
    ),
    (
        "remote machine condition",
        [rule(remote_machine="O:LSD:(A;;CC;;;S-1-5-21-1)")],
        PUBLIC,
        None,
        "unknown",
        "remote machine",
    ),
    (
        "a block with an authenticated bypass rule",
        [BLOCK_443, rule(override_block_rules=True, authentication="Required")],
        PUBLIC,
        None,
        "unknown",
        "override block rules",
    ),
    ("a remote (source) port", [rule(remote_port=("1024-65535",))], PUBLIC, None, "unknown", "remote port"),
    ("a local (destination) address", [rule(local_address=("192.0.2.10",))], PUBLIC, None, "unknown", "local address"),
    (
        "a dynamic keyword address",
        [rule(remote_dynamic_keywords=("{01234567-89ab-cdef-0123-456789abcdef}",))],
        PUBLIC,
        None,
        "unknown",
        "dynamic keyword",
    ),
    (
        "a filter the read did not find",
        [rule(missing=("address",))],
        PUBLIC,
        None,
        "unknown",
        "address filter(s) were not found",
    ),
    (
        "an undecidable allow does not matter when a block matches",
        [BLOCK_443, rule(program="x.exe")],
        PUBLIC,
        None,
        "drop",
        "Block 443",
    ),
    (
        "an undecidable block does not matter when nothing allows",
        [rule(BLOCK_443, program="x.exe")],
        PUBLIC,
        None,
        "drop",
        "no allow rule matches",
    ),
    (
        "an undecidable allow does not matter under an Allow default",
        [rule(program="x.exe")],
        replace(PUBLIC, default_inbound_action="Allow"),
        None,
        "accept",
        "default inbound action Allow",
    ),
    (
        "an undecidable rule for another port is skipped",
        [rule(program="x.exe", local_port=("8080",))],
        PUBLIC,
        None,
        "drop",
        "no allow rule",
    ),
    (
        "a rule of another profile does not apply",
        [rule(profiles=frozenset({"Domain", "Private"}))],
        PUBLIC,
        None,
        "drop",
        "no allow rule",
    ),
    (
        "AllowInboundRules False ignores allow rules",
        [ALLOW_443],
        replace(PUBLIC, allow_inbound_rules=False),
        None,
        "drop",
        "AllowInboundRules False",
    ),
    (
        "AllowLocalFirewallRules False ignores local rules",
        [rule(store_source_type="Local")],
        replace(PUBLIC, allow_local_firewall_rules=False),
        None,
        "drop",
        "no allow rule",
    ),
    (
        "a group policy rule still applies then, and says so",
        [rule(store_source_type="GroupPolicy", store_source="corp.example.com\\Baseline")],
        replace(PUBLIC, allow_local_firewall_rules=False),
        None,
        "accept",
        "from group policy corp.example.com\\Baseline",
    ),
    (
        "a group policy block names its policy",
        [ALLOW_443, rule(BLOCK_443, store_source_type="GroupPolicy", store_source="corp\\Baseline")],
        PUBLIC,
        None,
        "drop",
        "(block; from group policy corp\\Baseline)",
    ),
]


@pytest.mark.parametrize(
    ("rules", "profile", "source", "expected", "text"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_verdict_table(rules, profile, source, expected, text):
    result = verdict(*rules, profile=profile, source=source)
    assert result.verdict == expected
    assert text in (result.decided_by + " " + result.reason)
    assert bool(result.reason) == (expected == "unknown")


def test_interface_alias_filter_with_the_interface_known():
    filtered = rule(interface_alias=("Ethernet 2",))
    assert verdict(filtered, interface="ethernet 2").verdict == "accept"  # aliases compare case-insensitively
    assert verdict(filtered, interface="Ethernet").verdict == "drop"
    assert verdict(rule(interface_alias=("Ether*",)), interface="Ethernet").verdict == "unknown"


def test_an_undecidable_verdict_names_at_most_four_rules():
    rules = [rule(name=f"r{i}", display_name=f"r{i}", program=f"p{i}.exe") for i in range(6)]
    result = verdict(*rules)
    assert result.verdict == "unknown" and result.reason.count("program '") == 4
    assert "and 2 more such rules" in result.reason


# -- profiles per network ---------------------------------------------------------------------------------------
def two_networks(domain_rules=(ALLOW_443,)) -> WindowsInfo:
    profiles = (InfoProfile("Domain", True, "NotConfigured"), PUBLIC)
    networks = (
        Network("Ethernet", "Network", "Public", "Public"),
        Network("Corp", "corp.example.com", "DomainAuthenticated", "Domain"),
    )
    rules = tuple(replace(r, profiles=frozenset({"Domain"})) for r in domain_rules)
    return WindowsInfo(profiles, networks, rules)


def test_networks_in_different_profiles_that_disagree_are_unknown():
    info = two_networks()
    notes = []
    where = contexts(info, None, notes)
    assert [label for label, _p, _i in where] == ["Public on 'Ethernet'", "Domain on 'Corp'"]
    result = evaluate(info, Packet("ipv4", "tcp", 443), where)
    assert result.verdict == "unknown" and "depends on the network" in result.reason
    assert "Public on 'Ethernet': drop" in result.reason and "Domain on 'Corp': accept" in result.reason


def test_the_interface_picks_its_network_profile():
    info = two_networks()
    notes = []
    result = evaluate(info, Packet("ipv4", "tcp", 443), contexts(info, "corp", notes))
    assert result.verdict == "accept" and result.decided_by.startswith("windows Domain profile") and notes == []


def test_networks_that_agree_give_the_answer_of_each():
    info = two_networks(domain_rules=())
    result = evaluate(info, Packet("ipv4", "tcp", 443), contexts(info, None, []))
    assert result.verdict == "drop"
    assert (
        "Public on 'Ethernet': windows Public profile" in result.decided_by and "Domain on 'Corp'" in result.decided_by
    )


def test_an_interface_that_is_no_connected_network_is_noted():
    notes = []
    where = contexts(two_networks(), "Wi-Fi", notes)
    assert [p for _l, p, _i in where] == ["Domain", "Public"] and "'Wi-Fi' is not a connected network" in notes[0]


def test_without_networks_the_active_profile_setting_is_used():
    info = WindowsInfo((PUBLIC,), (), (), active_profile=("Public",))
    notes = []
    assert contexts(info, None, notes) == [("Public", "Public", None)] and "no connected network" in notes[0]
