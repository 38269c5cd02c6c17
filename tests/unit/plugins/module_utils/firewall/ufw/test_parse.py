# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ufw's rule files, defaults and status, parsed from captures of a real ufw (fixtures/firewall/ufw)."""

from __future__ import annotations

import os

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall.model import Rule
from ansible_collections.webedge.https.plugins.module_utils.firewall.ufw.parse import (
    ipv6_enabled,
    parse_status,
    parse_tuples,
)
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "fixtures", "firewall", "ufw")


def fixture(name: str) -> str:
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return handle.read()


def test_tuples_of_the_captured_files():
    v4 = parse_tuples(fixture("mixed-user.rules"), "ipv4")
    assert [(t.action, t.protocol, t.dport, t.src, t.comment) for t in v4] == [
        ("allow", "tcp", "22", "0.0.0.0/0", ""),
        ("allow", "tcp", "8080", "198.51.100.0/24", ""),
        ("allow", "tcp", "443", "0.0.0.0/0", "webedge.https"),
        ("allow", "tcp", "8443", "10.0.0.0/8", "webedge.https"),
        ("allow", "udp", "8000:8080", "0.0.0.0/0", "webedge.https"),
        ("reject", "tcp", "443", "203.0.113.0/24", ""),
    ]
    assert [t.as_rule() for t in v4 if t.ours] == [
        Rule("ipv4", "tcp", PortRange(443, 443)),
        Rule("ipv4", "tcp", PortRange(8443, 8443), "10.0.0.0/8"),
        Rule("ipv4", "udp", PortRange(8000, 8080)),
    ]
    v6 = parse_tuples(fixture("mixed-user6.rules"), "ipv6")
    assert [t.as_rule() for t in v6 if t.ours] == [
        Rule("ipv6", "tcp", PortRange(443, 443)),
        Rule("ipv6", "tcp", PortRange(8443, 8443), "2001:db8::/32"),
        Rule("ipv6", "udp", PortRange(9000, 9000)),
    ]


TUPLES = [
    (
        "application_profile_never_ours",
        "### tuple ### allow any 22 0.0.0.0/0 any 0.0.0.0/0 OpenSSH - in comment=776562656467652e6874747073",
        False,
    ),
    (
        "interface_rule_never_ours",
        "### tuple ### allow tcp 443 0.0.0.0/0 any 0.0.0.0/0 in_eth0 comment=776562656467652e6874747073",
        False,
    ),
    (
        "limit_never_ours",
        "### tuple ### limit tcp 22 0.0.0.0/0 any 0.0.0.0/0 in comment=776562656467652e6874747073",
        False,
    ),
    ("other_comment_not_ours", "### tuple ### allow tcp 443 0.0.0.0/0 any 0.0.0.0/0 in comment=6f74686572", False),
    (
        "our_comment_ours",
        "### tuple ### allow tcp 443 0.0.0.0/0 any 0.0.0.0/0 in comment=776562656467652e6874747073",
        True,
    ),
]


@pytest.mark.parametrize(("line", "ours"), [t[1:] for t in TUPLES], ids=[t[0] for t in TUPLES])
def test_ownership_of_tuples(line, ours):
    (item,) = parse_tuples(line, "ipv4")
    assert item.ours is ours


def test_status_verbose():
    assert parse_status(fixture("mixed-status-verbose.txt")) == {
        "active": True,
        "logging": "on (low)",
        "default_incoming": "deny",
        "default_outgoing": "allow",
        "default_routed": "deny",
    }


@pytest.mark.parametrize(
    ("text", "enabled"), [("IPV6=yes\n", True), ("IPV6=no\n", False), ("", True), ('IPV6="no"\n', False)]
)
def test_ipv6_enabled(text, enabled):
    assert ipv6_enabled(text) is enabled


def test_captured_defaults_enable_ipv6():
    assert ipv6_enabled(fixture("default-ufw")) is True
