# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verdicts over real rulesets captured in lab containers (tests/unit/fixtures/firewall/evaluate/README.md)."""

from __future__ import annotations

import json
import os
from typing import Dict, Optional

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall.evaluate import (
    OTHER_INTERFACE,
    HookVerdict,
    Packet,
    Tri,
    Verdict,
    address_match,
    combine_hooks,
    interface_candidates,
    interface_match,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.evaluate_host import (
    HostRulesets,
    evaluate_packet,
    evaluate_ports,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.evaluate_iptables import (
    IptablesRuleset,
    parse_iptables_save,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.evaluate_nft import parse_nft_json

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "fixtures", "firewall", "evaluate")


def fixture(name: str) -> str:
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return handle.read()


def host(nft: Optional[str] = None, v4: Optional[str] = None, v6: Optional[str] = None, variant: str = "nft"):
    ipt: Dict[str, str] = {}
    if v4:
        ipt["ipv4"] = fixture(v4)
    if v6:
        ipt["ipv6"] = fixture(v6)
    return HostRulesets(parse_nft_json(fixture(nft)) if nft else None, ipt, variant)


V4_443 = Packet("ipv4", "tcp", 443)
V6_443 = Packet("ipv6", "tcp", 443)


# (id, rulesets, packet, verdict, text expected in decided_by or reason)
CASES = [
    # nftables: one table, policy drop, named interval set
    ("nft_named_set_accepts_443", dict(nft="nft-basic-drop-policy.json"), V4_443, "accept", "tcp dport @web_ports"),
    (
        "nft_named_set_range_accepts_8080",
        dict(nft="nft-basic-drop-policy.json"),
        Packet("ipv6", "tcp", 8080),
        "accept",
        "@web_ports",
    ),
    (
        "nft_policy_drop_decides_unlisted_port",
        dict(nft="nft-basic-drop-policy.json"),
        Packet("ipv4", "tcp", 8443),
        "drop",
        "policy drop",
    ),
    (
        "nft_source_set_rejects_any_source",
        dict(nft="nft-basic-drop-policy.json"),
        Packet("ipv4", "tcp", 22),
        "drop",
        "policy drop",
    ),
    (
        "nft_source_set_accepts_listed_source",
        dict(nft="nft-basic-drop-policy.json"),
        Packet("ipv4", "tcp", 22, "192.168.7.1"),
        "accept",
        "ip saddr",
    ),
    (
        "nft_ip6_saddr_rule_skips_ipv4",
        dict(nft="nft-basic-drop-policy.json"),
        Packet("ipv4", "udp", 443, "10.1.1.1"),
        "drop",
        "policy drop",
    ),
    (
        "nft_ip6_saddr_rule_accepts_its_prefix",
        dict(nft="nft-basic-drop-policy.json"),
        Packet("ipv6", "udp", 443, "2001:db8::5"),
        "accept",
        "ip6 saddr",
    ),
    (
        "nft_explicit_reject",
        dict(nft="nft-basic-drop-policy.json"),
        Packet("ipv4", "udp", 5353),
        "reject",
        "udp dport 5353 reject",
    ),
    # nftables: every base chain must accept
    (
        "nft_policy_drop_in_other_table_wins_over_our_accept",
        dict(nft="nft-drop-in-other-table.json"),
        V4_443,
        "drop",
        "inet lockdown input: policy drop",
    ),
    (
        "nft_other_table_accepts_ssh_after_ours",
        dict(nft="nft-drop-in-other-table.json"),
        Packet("ipv6", "tcp", 22),
        "accept",
        "lockdown input: rule 'tcp dport 22 accept'",
    ),
    (
        "nft_early_ip_table_drop_is_final",
        dict(nft="nft-drop-in-other-table.json"),
        Packet("ipv4", "tcp", 22, "198.51.100.9"),
        "drop",
        "ip early input",
    ),
    (
        "nft_ip_table_does_not_see_ipv6",
        dict(nft="nft-drop-in-other-table.json"),
        Packet("ipv6", "tcp", 22, "2001:db8::1"),
        "accept",
        "lockdown",
    ),
    # nftables: jump, goto, return, vmap
    (
        "nft_jump_returns_then_goto_accepts",
        dict(nft="nft-jump-goto-return.json"),
        V4_443,
        "accept",
        "services: rule 'tcp dport { 443, 8443 } accept'",
    ),
    (
        "nft_jump_to_blocklist_rejects",
        dict(nft="nft-jump-goto-return.json"),
        Packet("ipv4", "tcp", 443, "203.0.113.4"),
        "reject",
        "blocklist",
    ),
    (
        "nft_blocklist_drop_ipv6",
        dict(nft="nft-jump-goto-return.json"),
        Packet("ipv6", "tcp", 443, "2001:db8:bad::1"),
        "drop",
        "blocklist",
    ),
    (
        "nft_reject_before_goto",
        dict(nft="nft-jump-goto-return.json"),
        Packet("ipv4", "tcp", 8443),
        "reject",
        "tcp dport 8443 reject",
    ),
    (
        "nft_negated_saddr_drops_any_source",
        dict(nft="nft-jump-goto-return.json"),
        Packet("ipv4", "udp", 443),
        "drop",
        "!= 10.0.0.0/8",
    ),
    (
        "nft_negated_saddr_lets_listed_source_on",
        dict(nft="nft-jump-goto-return.json"),
        Packet("ipv4", "udp", 443, "10.2.3.4"),
        "accept",
        "udp dport 443 accept",
    ),
    (
        "nft_goto_fallthrough_is_base_policy",
        dict(nft="nft-jump-goto-return.json"),
        Packet("ipv4", "tcp", 22),
        "drop",
        "policy drop",
    ),
    # nftables: unknown, never a guess
    ("nft_meta_mark_drop_is_unknown", dict(nft="nft-unknown-match.json"), V4_443, "unknown", "meta mark"),
    ("nft_rate_limit_is_unknown", dict(nft="nft-unknown-match.json"), Packet("ipv4", "tcp", 80), "unknown", "limit"),
    # nftables: interfaces
    (
        "nft_interface_given_eth0_accepts",
        dict(nft="nft-interface-dependent.json"),
        Packet("ipv4", "tcp", 443, interface="eth0"),
        "accept",
        "iifname eth0",
    ),
    (
        "nft_interface_given_eth1_drops",
        dict(nft="nft-interface-dependent.json"),
        Packet("ipv4", "tcp", 443, interface="eth1"),
        "drop",
        "policy drop",
    ),
    (
        "nft_interface_unknown_and_answers_differ",
        dict(nft="nft-interface-dependent.json"),
        V4_443,
        "unknown",
        "depends on the inbound interface",
    ),
    (
        "nft_interface_wildcard",
        dict(nft="nft-interface-dependent.json"),
        Packet("ipv4", "tcp", 8443, interface="wg7"),
        "accept",
        "wg*",
    ),
    (
        "nft_negated_interface",
        dict(nft="nft-interface-dependent.json"),
        Packet("ipv4", "tcp", 9443, interface="eth1"),
        "drop",
        "policy drop",
    ),
    (
        "nft_interfaces_agree_without_interface",
        dict(nft="nft-interface-dependent.json"),
        Packet("ipv4", "udp", 443),
        "drop",
        "policy drop",
    ),
    # iptables
    (
        "ipt_reject_before_accept_rejects",
        dict(v4="ipt-reject-before-accept.save"),
        V4_443,
        "reject",
        "--dport 443 -j REJECT",
    ),
    (
        "ipt_accept_before_reject_accepts",
        dict(v4="ipt-reject-before-accept.save"),
        Packet("ipv4", "tcp", 80),
        "accept",
        "--dport 80 -j ACCEPT",
    ),
    (
        "ipt_final_drop_rule",
        dict(v4="ipt-reject-before-accept.save"),
        Packet("ipv4", "udp", 53),
        "drop",
        "-A INPUT -j DROP",
    ),
    (
        "ipt_fail2ban_ban_rejects_banned_source",
        dict(v4="ipt-fail2ban.save"),
        Packet("ipv4", "tcp", 443, "203.0.113.7"),
        "reject",
        "f2b-nginx-http-auth -s 203.0.113.7/32",
    ),
    (
        "ipt_fail2ban_ban_drops_banned_net",
        dict(v4="ipt-fail2ban.save"),
        Packet("ipv4", "tcp", 80, "198.51.100.20"),
        "drop",
        "198.51.100.0/24",
    ),
    (
        "ipt_fail2ban_return_then_multiport_state_new",
        dict(v4="ipt-fail2ban.save"),
        V4_443,
        "accept",
        "--state NEW -m multiport --dports 22,443,8000:8080",
    ),
    ("ipt_multiport_range", dict(v4="ipt-fail2ban.save"), Packet("ipv4", "tcp", 8080), "accept", "8000:8080"),
    ("ipt_policy_drop", dict(v4="ipt-fail2ban.save"), Packet("ipv4", "tcp", 80), "drop", "policy DROP"),
    (
        "ipt_source_restricted_udp",
        dict(v4="ipt-fail2ban.save"),
        Packet("ipv4", "udp", 443, "10.9.9.9"),
        "accept",
        "-s 10.0.0.0/8",
    ),
    ("ipt_docker_chains_do_not_affect_input", dict(v4="ipt-docker.save"), V4_443, "accept", "webedge.https"),
    ("ipt_docker_host_policy_drop", dict(v4="ipt-docker.save"), Packet("ipv4", "tcp", 8080), "drop", "policy DROP"),
    (
        "ipt_recent_match_is_unknown",
        dict(v4="ipt-unknown-match.save"),
        Packet("ipv4", "tcp", 22),
        "unknown",
        "-m recent",
    ),
    (
        "ipt_mangle_drop_before_filter_accept",
        dict(v4="ipt-unknown-match.save"),
        Packet("ipv4", "udp", 443),
        "drop",
        "iptables mangle INPUT",
    ),
    (
        "ipt_unknown_rule_on_other_port_is_skipped",
        dict(v4="ipt-unknown-match.save"),
        V4_443,
        "accept",
        "--dport 443 -j ACCEPT",
    ),
    (
        "ipt_interface_dependent",
        dict(v4="ipt-unknown-match.save"),
        Packet("ipv4", "tcp", 8443),
        "unknown",
        "eth0: accept",
    ),
    ("ip6t_multiport_accept", dict(v6="ip6t-basic.save"), V6_443, "accept", "--dports 80,443"),
    ("ip6t_reject", dict(v6="ip6t-basic.save"), Packet("ipv6", "udp", 443), "reject", "icmp6-port-unreachable"),
    (
        "ip6t_source_restricted_ssh",
        dict(v6="ip6t-basic.save"),
        Packet("ipv6", "tcp", 22, "2001:db8::9"),
        "accept",
        "-s 2001:db8::/32",
    ),
    ("ip6t_ssh_from_elsewhere_dropped", dict(v6="ip6t-basic.save"), Packet("ipv6", "tcp", 22), "drop", "policy DROP"),
    # iptables-nft: xt tables read through iptables-save, native nft tables through nft
    (
        "mixed_xt_table_via_iptables_save",
        dict(nft="mixed-iptables-nft.json", v4="mixed-iptables-nft.save"),
        V4_443,
        "accept",
        "iptables filter INPUT",
    ),
    (
        "mixed_native_nft_table_still_counts",
        dict(nft="mixed-iptables-nft.json", v4="mixed-iptables-nft.save"),
        Packet("ipv6", "udp", 443),
        "reject",
        "inet guard input",
    ),
    ("mixed_without_iptables_save_xt_is_unknown", dict(nft="mixed-iptables-nft.json"), V4_443, "unknown", "xt"),
    # firewalld (nftables backend) and ufw (iptables-nft), from the kernel ruleset they wrote
    (
        "firewalld_port_accept",
        dict(nft="firewalld-mixed.json"),
        V6_443,
        "accept",
        "filter_IN_public_allow: rule 'tcp dport 443 accept'",
    ),
    (
        "firewalld_zone_reject",
        dict(nft="firewalld-mixed.json"),
        Packet("ipv4", "tcp", 9999),
        "reject",
        "filter_IN_public",
    ),
    ("firewalld_service_http", dict(nft="firewalld-mixed.json"), Packet("ipv4", "tcp", 80), "accept", "tcp dport 80"),
    (
        "firewalld_rich_rule_reject",
        dict(nft="firewalld-mixed.json"),
        Packet("ipv4", "tcp", 22, "198.51.100.1"),
        "reject",
        "198.51.100.0/24",
    ),
    (
        "firewalld_rich_rule_source_accept",
        dict(nft="firewalld-mixed.json"),
        Packet("ipv4", "tcp", 8443, "10.20.30.40"),
        "accept",
        "10.0.0.0/8",
    ),
    (
        "firewalld_rich_rule_other_source_rejected",
        dict(nft="firewalld-mixed.json"),
        Packet("ipv4", "tcp", 8443),
        "reject",
        "filter_IN_public",
    ),
    (
        "ufw_user_rule_accept",
        dict(nft="ufw-mixed.json", v4="ufw-mixed.save", v6="ufw-mixed6.save"),
        V4_443,
        "accept",
        "ufw-user-input",
    ),
    (
        "ufw_ipv6_rule_accept",
        dict(nft="ufw-mixed.json", v4="ufw-mixed.save", v6="ufw-mixed6.save"),
        V6_443,
        "accept",
        "ufw6-user-input",
    ),
    (
        "ufw_first_match_allow_beats_later_reject",
        dict(nft="ufw-mixed.json", v4="ufw-mixed.save", v6="ufw-mixed6.save"),
        Packet("ipv4", "tcp", 443, "203.0.113.5"),
        "accept",
        "--dport 443 -j ACCEPT",
    ),
    (
        "ufw_default_deny_incoming",
        dict(nft="ufw-mixed.json", v4="ufw-mixed.save", v6="ufw-mixed6.save"),
        Packet("ipv4", "tcp", 9999),
        "drop",
        "policy DROP",
    ),
    (
        "ufw_multiport_range_udp",
        dict(nft="ufw-mixed.json", v4="ufw-mixed.save", v6="ufw-mixed6.save"),
        Packet("ipv4", "udp", 8005),
        "accept",
        "8000:8080",
    ),
    (
        "ufw_source_rule_ipv6",
        dict(nft="ufw-mixed.json", v4="ufw-mixed.save", v6="ufw-mixed6.save"),
        Packet("ipv6", "tcp", 8443, "2001:db8::1"),
        "accept",
        "2001:db8::/32",
    ),
]


@pytest.mark.parametrize(
    ("rulesets", "packet", "verdict", "evidence"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_verdicts_over_captured_rulesets(rulesets, packet, verdict, evidence):
    result = evaluate_packet(host(**rulesets), packet)
    assert result.verdict == verdict, result
    assert evidence in result.decided_by + " " + result.reason


def test_unknown_names_the_rule():
    result = evaluate_packet(host(nft="nft-unknown-match.json"), V4_443)
    assert result.decided_by == "nftables inet filter input: rule 'meta mark 1 drop' (handle 3)"
    assert "meta mark" in result.reason


def test_legacy_iptables_is_combined_with_nft():
    rulesets = host(nft="nft-basic-drop-policy.json", v4="ipt-reject-before-accept.save", variant="legacy")
    assert evaluate_packet(rulesets, V4_443).verdict == "reject"  # nft accepts, legacy filter INPUT rejects
    assert evaluate_packet(rulesets, V6_443).verdict == "accept"


def test_evaluate_ports_summarises_families():
    results = evaluate_ports(host(nft="nft-jump-goto-return.json"), [443], "udp")
    assert results == [
        {
            "port": 443,
            "protocol": "udp",
            "source": None,
            "interface": None,
            "ipv4": {
                "verdict": "drop",
                "decided_by": "nftables inet filter input: services: rule 'udp dport 443 ip saddr != 10.0.0.0/8 drop' "
                "(handle 9)",
            },
            "ipv6": {
                "verdict": "accept",
                "decided_by": "nftables inet filter input: services: rule 'udp dport 443 accept' (handle 10)",
            },
            "verdict": "mixed",
        }
    ]


def test_empty_ruleset_accepts():
    assert evaluate_packet(HostRulesets(parse_nft_json(""), {}), V4_443) == Verdict(
        "accept", "no base chain filters the input hook"
    )


@pytest.mark.parametrize(
    ("packet", "networks", "what", "expected"),
    [
        (Packet("ipv4", "tcp", 1), ["10.0.0.0/8"], "saddr", False),  # any source: one no rule names
        (Packet("ipv4", "tcp", 1), ["0.0.0.0/0"], "saddr", True),
        (Packet("ipv4", "tcp", 1, "10.1.1.1"), ["10.0.0.0/8"], "saddr", True),
        (Packet("ipv6", "tcp", 1, "2001:db8::1"), ["10.0.0.0/8"], "saddr", False),
        (Packet("ipv4", "udp", 5353), ["224.0.0.251/32"], "daddr", False),  # unicast to the host is never multicast
        (Packet("ipv6", "udp", 546), ["::/0"], "daddr", True),
    ],
)
def test_address_match(packet, networks, what, expected):
    assert address_match(packet, networks, what) is expected


def test_destination_address_cannot_be_decided():
    assert isinstance(address_match(Packet("ipv4", "tcp", 1), ["192.0.2.1/32"], "daddr"), Tri)


def test_interfaces():
    assert interface_candidates(["eth0", "lo", "wg*"]) == ["eth0", "wg0", OTHER_INTERFACE]
    assert interface_match(Packet("ipv4", "tcp", 1), ["lo"]) is False  # never the loopback
    assert isinstance(interface_match(Packet("ipv4", "tcp", 1), ["eth0"]), Tri)
    assert interface_match(Packet("ipv4", "tcp", 1, interface="eth3"), ["eth+"], wildcard="+") is True


def test_combine_hooks_drop_anywhere_is_final():
    hooks = [
        HookVerdict(0, "a", Verdict("accept", "rule x")),
        HookVerdict(10, "b", Verdict("drop", "policy drop")),
        HookVerdict(-10, "c", Verdict("accept", "policy accept")),
    ]
    assert combine_hooks(hooks) == Verdict("drop", "b: policy drop")


def test_combine_hooks_unknown_mentions_later_drop():
    hooks = [
        HookVerdict(0, "a", Verdict("unknown", "rule y", "limit")),
        HookVerdict(10, "b", Verdict("drop", "policy drop")),
    ]
    result = combine_hooks(hooks)
    assert result.verdict == "unknown"
    assert "b would then drop it" in result.reason


def test_iptables_save_parsing_keeps_order_and_policies():
    tables = parse_iptables_save(fixture("ipt-fail2ban.save"))
    assert tables["filter"].policies["INPUT"] == "DROP"
    assert [r.tokens[-1] for r in tables["filter"].rules["f2b-sshd"]] == ["icmp-port-unreachable", "RETURN"]


def test_policies_reported():
    assert IptablesRuleset(fixture("ipt-docker.save"), "ipv4").policies() == [
        {"chain": "iptables filter INPUT", "priority": 0, "policy": "DROP"}
    ]
    rulesets = host(nft="mixed-iptables-nft.json", v4="mixed-iptables-nft.save")
    assert rulesets.policies("ipv4") == [
        {"chain": "iptables filter INPUT", "priority": 0, "policy": "DROP"},
        {"chain": "nftables inet guard input", "priority": 5, "policy": "accept"},
    ]


def _observed():
    """Real packets sent through the src/ rulesets (packets.sh): the evaluator must agree with every one."""
    cases = []
    for line in fixture("packets-observed.txt").splitlines():
        name, _sep, observed = line.partition(" ")
        for spec, seen in json.loads(observed).items():
            cases.append(pytest.param(name, spec, seen, id=f"{name}-{spec.replace(',', '-')}"))
    return cases


@pytest.mark.parametrize(("name", "spec", "seen"), _observed())
def test_evaluator_agrees_with_real_packets(name, spec, seen):
    family, protocol, _address, port = spec.split(",")
    source = {"ipv4": "192.0.2.2", "ipv6": "fd00:99::2"}[family]
    if name.startswith("nft"):
        rulesets = host(nft=f"{name}.json")
    else:
        rulesets = host(**{"v6" if name.startswith("ip6t") else "v4": f"{name}.save"})
    verdict = evaluate_packet(rulesets, Packet(family, protocol, int(port), source, "eth0"))
    assert verdict.verdict == seen, verdict
