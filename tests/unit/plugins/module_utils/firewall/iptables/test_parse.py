# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one iptables-save parser: tokens, tables, chains and policies in order."""

from __future__ import annotations

import shlex

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall.iptables.parse import parse_save, split_rule
from ansible_collections.webedge.https.tests.unit.helpers.firewall_rulesets import fixture


def test_iptables_save_parsing_keeps_order_and_policies():
    tables = parse_save(fixture("ipt-fail2ban.save"))
    assert tables["filter"].policies["INPUT"] == "DROP"
    assert [r.tokens[-1] for r in tables["filter"].rules["f2b-sshd"]] == ["icmp-port-unreachable", "RETURN"]


@pytest.mark.parametrize(
    "line",
    [
        "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT",
        '-A INPUT -p tcp -m tcp --dport 22 -m comment --comment "admin: ssh" -j ACCEPT',
        "-A f2b-sshd -s 192.0.2.10/32 -j REJECT --reject-with icmp-port-unreachable",
        '-A WEBEDGE-HTTPS -p tcp -m comment --comment "webedge.https: tcp/443 ipv4 from any" -j ACCEPT',
        "-A INPUT -m comment --comment 'single quoted' -j ACCEPT",
    ],
)
def test_fast_split_gives_the_tokens_shlex_gives(line: str) -> None:
    assert split_rule(line) == tuple(shlex.split(line))
