# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The verdict logic every evaluator shares: address and interface matches, combining base chains."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall.verdict import (
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
