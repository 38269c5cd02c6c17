# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The nftables evaluator over real rulesets captured in lab containers (fixtures/firewall/evaluate/README.md)."""

from __future__ import annotations

from ansible_collections.webedge.https.plugins.module_utils.firewall.info import HostRulesets, evaluate_packet
from ansible_collections.webedge.https.plugins.module_utils.firewall.nftables.parse import parse_ruleset
from ansible_collections.webedge.https.plugins.module_utils.firewall.verdict import Packet, Verdict
from ansible_collections.webedge.https.tests.unit.helpers.firewall_rulesets import (
    V4_443,
    check_verdict,
    host,
    verdict_table,
)

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
]


@verdict_table(CASES)
def test_verdicts_over_captured_rulesets(rulesets, packet, verdict, evidence):
    check_verdict(rulesets, packet, verdict, evidence)


def test_unknown_names_the_rule():
    result = evaluate_packet(host(nft="nft-unknown-match.json"), V4_443)
    assert result.decided_by == "nftables inet filter input: rule 'meta mark 1 drop' (handle 3)"
    assert "meta mark" in result.reason


def test_empty_ruleset_accepts():
    assert evaluate_packet(HostRulesets(parse_ruleset(""), {}), V4_443) == Verdict(
        "accept", "no base chain filters the input hook"
    )
