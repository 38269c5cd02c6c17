# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What firewalld shows, parsed: ``--list-all`` captured from a real firewalld, rich rules, our ownership file."""

from __future__ import annotations

import os

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall.firewalld.parse import (
    Item,
    items_for_rules,
    parse_list_all,
    parse_rich_rule,
    parse_state,
    render_state,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import Rule
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "fixtures", "firewall", "firewalld")


def listed(name: str) -> str:
    """The captured stdout of a ``firewall-cmd ... --list-all`` (``NAME.txt``)."""
    with open(os.path.join(FIXTURES, f"{name}.txt"), encoding="utf-8") as handle:
        return handle.read()


def test_list_all_names_the_default_zone_and_its_entries():
    info = parse_list_all(listed("mixed-list-all"))
    assert (info.zone, info.active, info.target) == ("public", True, "default")
    assert info.words("services") == ("dhcpv6-client", "http", "ssh")
    assert info.words("interfaces") == ("eth0",)
    assert sorted(i.text() for i in info.items) == [
        "443/tcp",
        "8080/tcp",
        "9090/udp",
        'rule family="ipv4" source address="10.0.0.0/8" port port="8443" protocol="tcp" accept',
        'rule family="ipv6" source address="2001:db8::/32" port port="8443" protocol="tcp" accept',
    ]
    assert info.other_rich_rules == (
        'rule family="ipv4" source address="198.51.100.0/24" port port="22" protocol="tcp" reject',
    )


def test_list_all_of_a_fresh_zone_and_of_drop():
    assert parse_list_all(listed("fresh-list-all")).items == {}
    drop = parse_list_all(listed("drop-zone-list-all"))
    assert (drop.zone, drop.active, drop.target) == ("drop", False, "DROP")


RICH_RULES = [
    (
        "ours_ipv4_source",
        'rule family="ipv4" source address="10.0.0.0/8" port port="443" protocol="tcp" accept',
        Item("rich", "tcp", PortRange(443, 443), "ipv4", "10.0.0.0/8"),
    ),
    (
        "ours_one_family_any_source",
        'rule family="ipv6" port port="443" protocol="udp" accept',
        Item("rich", "udp", PortRange(443, 443), "ipv6"),
    ),
    (
        "firewalld_keeps_spelling_we_normalise",
        'rule family="ipv6" source address="2001:DB8:0:0::/48" port port="443-445" protocol="tcp" accept',
        Item("rich", "tcp", PortRange(443, 445), "ipv6", "2001:db8::/48"),
    ),
    (
        "unquoted_values",
        "rule family=ipv4 source address=10.2.3.4/16 port port=443 protocol=tcp accept",
        Item("rich", "tcp", PortRange(443, 443), "ipv4", "10.2.0.0/16"),
    ),
    ("no_family_both", 'rule port port="8443" protocol="tcp" accept', Item("rich", "tcp", PortRange(8443, 8443))),
    (
        "reject_is_not_ours",
        'rule family="ipv4" source address="198.51.100.0/24" port port="22" protocol="tcp" reject',
        None,
    ),
    ("priority_is_not_ours", 'rule priority="-1" family="ipv4" port port="22" protocol="tcp" accept', None),
    (
        "not_source_is_not_ours",
        'rule family="ipv4" source NOT address="10.0.0.0/8" port port="22" protocol="tcp" accept',
        None,
    ),
    ("logging_is_not_ours", 'rule family="ipv4" port port="22" protocol="tcp" log prefix="x" accept', None),
    ("service_is_not_ours", 'rule family="ipv4" service name="http" accept', None),
    ("sctp_is_not_ours", 'rule family="ipv4" port port="22" protocol="sctp" accept', None),
    (
        "family_address_mismatch",
        'rule family="ipv6" source address="10.0.0.0/8" port port="22" protocol="tcp" accept',
        None,
    ),
]


@pytest.mark.parametrize(("text", "item"), [c[1:] for c in RICH_RULES], ids=[c[0] for c in RICH_RULES])
def test_parse_rich_rule(text, item):
    assert parse_rich_rule(text) == item


def test_items_for_rules_uses_plain_ports_for_both_families_from_any_source():
    rules = [
        Rule("ipv4", "tcp", PortRange(443, 443)),
        Rule("ipv6", "tcp", PortRange(443, 443)),
        Rule("ipv4", "udp", PortRange(443, 443)),
        Rule("ipv6", "tcp", PortRange(8443, 8443), "2001:db8::/32"),
    ]
    assert sorted(i.text() for i in items_for_rules(rules)) == [
        "443/tcp",
        'rule family="ipv4" port port="443" protocol="udp" accept',
        'rule family="ipv6" source address="2001:db8::/32" port port="8443" protocol="tcp" accept',
    ]


def test_state_file_round_trip():
    owned = {"public": {Item("port", "tcp", PortRange(443, 443)), Item("rich", "udp", PortRange(53, 53), "ipv4")}}
    text = render_state(owned)
    assert parse_state(text) == {k: frozenset(v) for k, v in owned.items()}
    assert parse_state("not json") == {}
    assert parse_state(None) == {}
