# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The iptables evaluator over real iptables-save outputs captured in lab containers (fixtures/firewall/evaluate)."""

from __future__ import annotations

from ansible_collections.webedge.https.plugins.module_utils.firewall.iptables.verdict import IptablesRuleset
from ansible_collections.webedge.https.plugins.module_utils.firewall.verdict import Packet
from ansible_collections.webedge.https.tests.unit.helpers.firewall_rulesets import (
    V4_443,
    V6_443,
    check_verdict,
    fixture,
    verdict_table,
)

# (id, rulesets, packet, verdict, text expected in decided_by or reason)
CASES = [
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
]


@verdict_table(CASES)
def test_verdicts_over_captured_rulesets(rulesets, packet, verdict, evidence):
    check_verdict(rulesets, packet, verdict, evidence)


def test_policies_reported():
    assert IptablesRuleset(fixture("ipt-docker.save"), "ipv4").policies() == [
        {"chain": "iptables filter INPUT", "priority": 0, "policy": "DROP"}
    ]
