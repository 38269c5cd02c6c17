# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewall_info on Windows: parsing the read script's answer, and the verdict table.

The answers are hand-built from Microsoft's documented object shapes (see
``tests/unit/fixtures/firewall/windows/README.md``), not captured from a host.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, Optional

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall import windows_info
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import ValidationError
from ansible_collections.webedge.https.plugins.module_utils.firewall.verdict import Packet
from ansible_collections.webedge.https.plugins.module_utils.firewall.windows_info import (
    InboundRule,
    InfoProfile,
    Network,
    WindowsInfo,
)
from ansible_collections.webedge.https.plugins.module_utils.windows_ps import PowerShellError
from ansible_collections.webedge.https.tests.unit.plugins.module_utils.firewall.windows_host import fixture
from ansible_collections.webedge.https.tests.unit.plugins.module_utils.firewall.windows_info_host import FakeInfoHost

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
    return windows_info.evaluate_profile(info, profile, Packet(family, protocol, 443, source), interface)


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
    where = windows_info.contexts(info, None, notes)
    assert [label for label, _p, _i in where] == ["Public on 'Ethernet'", "Domain on 'Corp'"]
    result = windows_info.evaluate(info, Packet("ipv4", "tcp", 443), where)
    assert result.verdict == "unknown" and "depends on the network" in result.reason
    assert "Public on 'Ethernet': drop" in result.reason and "Domain on 'Corp': accept" in result.reason


def test_the_interface_picks_its_network_profile():
    info = two_networks()
    notes = []
    result = windows_info.evaluate(info, Packet("ipv4", "tcp", 443), windows_info.contexts(info, "corp", notes))
    assert result.verdict == "accept" and result.decided_by.startswith("windows Domain profile") and notes == []


def test_networks_that_agree_give_the_answer_of_each():
    info = two_networks(domain_rules=())
    result = windows_info.evaluate(info, Packet("ipv4", "tcp", 443), windows_info.contexts(info, None, []))
    assert result.verdict == "drop"
    assert (
        "Public on 'Ethernet': windows Public profile" in result.decided_by and "Domain on 'Corp'" in result.decided_by
    )


def test_an_interface_that_is_no_connected_network_is_noted():
    notes = []
    where = windows_info.contexts(two_networks(), "Wi-Fi", notes)
    assert [p for _l, p, _i in where] == ["Domain", "Public"] and "'Wi-Fi' is not a connected network" in notes[0]


def test_without_networks_the_active_profile_setting_is_used():
    info = WindowsInfo((PUBLIC,), (), (), active_profile=("Public",))
    notes = []
    assert (
        windows_info.contexts(info, None, notes) == [("Public", "Public", None)] and "no connected network" in notes[0]
    )


# -- parsing ---------------------------------------------------------------------------------------------------
def test_parse_the_fixture():
    info = windows_info.parse_info(fixture("info-web01.json"))
    assert [(p.name, p.default_inbound_action, p.allow_local_firewall_rules) for p in info.profiles] == [
        ("Domain", "NotConfigured", True),
        ("Private", "Block", True),
        ("Public", "NotConfigured", True),
    ]
    assert info.networks == (Network("Ethernet", "Network 2", "Public", "Public"),)  # one object, not a list
    winrm = next(r for r in info.rules if r.name == "WINRM-HTTP-In-TCP")
    assert winrm.profiles == frozenset({"Domain", "Private"}) and winrm.local_port == ("5985",)
    smb = next(r for r in info.rules if r.action == "Block")
    assert smb.from_group_policy and smb.store_source == "corp.example.com\\Server Baseline"
    assert len(info.owned_records) == 3 and info.active_profile == ("Public",)


def test_parse_odd_values():
    answer = {
        "version": 1,
        "profiles": [{"name": "Public", "enabled": "NotConfigured"}, {"name": "Bogus", "enabled": "True"}],
        "networks": [
            {"interface_alias": "Corp", "name": "corp", "category": "DomainAuthenticated"},
            {"category": "Odd"},
        ],
        "rules": {"name": "only", "profile": "Domain, Public", "override_block_rules": "True", "missing": "security"},
    }
    info = windows_info.parse_info(answer)
    assert info.profiles == (InfoProfile("Public", True, "NotConfigured"),)  # NotConfigured: on, the default
    assert [n.profile for n in info.networks] == ["Domain", None]
    (only,) = info.rules
    assert only.profiles == frozenset({"Domain", "Public"}) and only.action == "NotConfigured"
    assert only.override_block_rules and only.missing == ("security",) and only.protocol == "Any"


def test_an_unexpected_answer_is_an_error():
    with pytest.raises(PowerShellError, match="unexpected answer"):
        windows_info.parse_info({"version": 2})


# -- the whole result --------------------------------------------------------------------------------------------
def run(params: Dict[str, Any], host: Optional[FakeInfoHost] = None):
    host = host or FakeInfoHost()
    request, interface = windows_info.check_request(params)
    return windows_info.run(request, interface, host), host


def test_one_read_gives_the_linux_keys_with_backend_windows():
    result, host = run({"ports": [80, 443, 445, "9100"]})
    assert host.inputs == [{"group": "webedge.https"}]
    assert set(result) == {
        "changed",
        "backends",
        "active_backends",
        "default_policy",
        "firewalld",
        "ufw",
        "rules",
        "verdicts",
        "notes",
        "windows",
    }
    assert result["active_backends"] == ["windows"] and result["backends"][0]["name"] == "windows"
    assert result["rules"] == {
        "windows": [
            {"family": "ipv4", "protocol": "tcp", "port": "443", "source": None},
            {"family": "ipv6", "protocol": "tcp", "port": "443", "source": None},
        ]
    }
    assert [(v["port"], v["verdict"], v["ipv4"]["verdict"], v["ipv6"]["verdict"]) for v in result["verdicts"]] == [
        (80, "drop", "drop", "drop"),
        (443, "accept", "accept", "accept"),
        (445, "drop", "drop", "drop"),
        (9100, "drop", "drop", "drop"),
    ]
    assert "from group policy corp.example.com\\Server Baseline" in result["verdicts"][2]["ipv4"]["decided_by"]
    public = result["default_policy"]["ipv4"][2]
    assert public == {
        "chain": "windows Public profile",
        "priority": 0,
        "policy": "drop",
        "profile": "Public",
        "enabled": True,
        "default_inbound_action": "NotConfigured",
        "in_use": True,
    }
    assert any("come from group policy" in n for n in result["notes"])
    assert any("hand-made 8443" in n and "profile is 'Public'" in n for n in result["notes"])


def test_a_source_and_one_family():
    result, _host = run({"ports": [9100, 5985], "source": "10.20.0.5"})
    assert [(v["port"], v["verdict"]) for v in result["verdicts"]] == [(5985, "unknown"), (9100, "accept")]
    assert "ipv6" not in result["verdicts"][1]
    assert "'LocalSubnet'" in result["verdicts"][0]["ipv4"]["reason"]


def test_udp_and_a_program_rule():
    result, _host = run({"ports": [123], "protocol": "udp", "family": "ipv6"})
    assert result["verdicts"][0]["verdict"] == "unknown" and "program" in result["verdicts"][0]["ipv6"]["reason"]


def test_every_profile_off_is_no_active_backend():
    answer = fixture("info-web01.json")
    for item in answer["profiles"]:
        item["enabled"] = "False"
    result, _host = run({"ports": [445]}, FakeInfoHost(answer))
    assert result["active_backends"] == [] and result["verdicts"][0]["verdict"] == "accept"
    assert result["default_policy"]["ipv6"][0]["policy"] == "accept"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"zone": "public"}, "zone 'public'"),
        ({"interface": "bad\nname"}, "invalid interface"),
        ({"ports": ["443-80"]}, "443-80"),
        ({"source": "10.0.0.0/8"}, "invalid source"),
        ({"source": "::1", "family": "ipv4"}, "family is ipv4"),
    ],
)
def test_bad_options_fail_naming_the_value(params, message):
    with pytest.raises(ValidationError, match=message.replace("(", r"\(")):
        windows_info.check_request(params)


def test_an_interface_alias_with_spaces_is_accepted():
    _request, interface = windows_info.check_request({"interface": "vEthernet (Default Switch)"})
    assert interface == "vEthernet (Default Switch)"


def test_a_failed_script_is_an_error():
    host = FakeInfoHost(rc=1, raw='{"failed": true, "msg": "Access is denied"}\n')
    with pytest.raises(PowerShellError, match="Access is denied"):
        run({}, host)
