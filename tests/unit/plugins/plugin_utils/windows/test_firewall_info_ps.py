# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The firewall_info read script, as sent, parses with tree-sitter-powershell (a grammar check only)."""

from __future__ import annotations

import re

from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_info_ps import FILTER_KINDS, READ_SCRIPT
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_info_read import read_script
from ansible_collections.webedge.https.tests.unit.helpers.powershell_grammar import problems


def test_read_script_parses_without_error_or_missing_nodes():
    script = read_script()
    assert script.isascii()
    assert problems(script) == []


def test_read_script_only_reads_and_reads_each_filter_kind_once():
    verbs = set(re.findall(r"\b([A-Za-z]+)-Net(?:Firewall|Connection)", READ_SCRIPT))
    assert verbs == {"Get"}
    for cmdlet in (
        "PortFilter",
        "AddressFilter",
        "ApplicationFilter",
        "ServiceFilter",
        "InterfaceFilter",
        "InterfaceTypeFilter",
        "SecurityFilter",
    ):
        assert READ_SCRIPT.count(f"'Get-NetFirewall{cmdlet}'") == 1
    assert "AssociatedNetFirewallRule" not in READ_SCRIPT  # no call per rule
    assert len(FILTER_KINDS) == 7
    assert "-Direction Inbound -Enabled True" in READ_SCRIPT
