# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewall_info on Windows: the read script's answer, parsed (answers built from Microsoft's documented shapes)."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_info_read import (
    InfoProfile,
    Network,
    parse_info,
)
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import PowerShellError
from ansible_collections.webedge.https.tests.unit.helpers.windows_host import fixture


def test_parse_the_fixture():
    info = parse_info(fixture("info-web01.json"))
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
    info = parse_info(answer)
    assert info.profiles == (InfoProfile("Public", True, "NotConfigured"),)  # NotConfigured: on, the default
    assert [n.profile for n in info.networks] == ["Domain", None]
    (only,) = info.rules
    assert only.profiles == frozenset({"Domain", "Public"}) and only.action == "NotConfigured"
    assert only.override_block_rules and only.missing == ("security",) and only.protocol == "Any"


def test_an_unexpected_answer_is_an_error():
    with pytest.raises(PowerShellError, match="unexpected answer"):
        parse_info({"version": 2})
