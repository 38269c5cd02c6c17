# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verdicts of whole hosts: nftables and iptables together, firewalld and ufw hosts, real packets.

Real rulesets captured in lab containers (tests/unit/fixtures/firewall/evaluate/README.md).
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall.info import evaluate_packet, evaluate_ports
from ansible_collections.webedge.https.plugins.module_utils.firewall.verdict import Packet
from ansible_collections.webedge.https.tests.unit.helpers.firewall_rulesets import (
    V4_443,
    V6_443,
    check_verdict,
    fixture,
    host,
    verdict_table,
)

# (id, rulesets, packet, verdict, text expected in decided_by or reason)
CASES = [
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


@verdict_table(CASES)
def test_verdicts_over_captured_rulesets(rulesets, packet, verdict, evidence):
    check_verdict(rulesets, packet, verdict, evidence)


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


def test_policies_reported():
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
