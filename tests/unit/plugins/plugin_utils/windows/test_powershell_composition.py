# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Windows scripts are composed of shared pieces (``powershell.py``, ``firewall_ps.py``).

Each shared PowerShell function is written once in Python and added to every script that
calls it exactly once: never missing (a call to an undefined function fails only on the
host), never twice (a second definition silently replaces the first).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Dict, List

import pytest

from ansible_collections.webedge.https.plugins.plugin_utils.windows import (
    firewall_info_ps,
    firewall_ps,
    listening_ps,
    powershell,
    rollback_ps,
)
from ansible_collections.webedge.https.tests.unit.helpers.powershell_grammar import problems

SCRIPTS: Dict[str, str] = {
    "firewall_port read": firewall_ps.READ_SCRIPT,
    "firewall_port write": firewall_ps.WRITE_SCRIPT,
    "firewall_info read": firewall_info_ps.READ_SCRIPT,
    "listening_ports read": listening_ps.READ_SCRIPT,
    "firewall_port rollback arm": rollback_ps.ARM_SCRIPT,
    "firewall_port rollback confirm": rollback_ps.CONFIRM_SCRIPT,
    "firewall_port rollback status": rollback_ps.STATUS_SCRIPT,
    "firewall_port rollback undo": rollback_ps.UNDO_SCRIPT,
}
SHARED: Dict[str, str] = {
    "GET_OR_EMPTY": powershell.GET_OR_EMPTY,
    "GET_PROFILE_RECORDS": firewall_ps.GET_PROFILE_RECORDS,
    "GET_RULE_BACKUP": firewall_ps.GET_RULE_BACKUP,
    "READ_STATUS": rollback_ps.READ_STATUS,
}
# Which script uses which shared function (so a script that stops using one is noticed too).
USES: Dict[str, List[str]] = {
    "firewall_port read": ["GET_OR_EMPTY", "GET_PROFILE_RECORDS"],
    "firewall_port write": ["GET_RULE_BACKUP"],
    "firewall_info read": ["GET_OR_EMPTY", "GET_PROFILE_RECORDS"],
    "listening_ports read": ["GET_OR_EMPTY"],
    "firewall_port rollback arm": ["GET_OR_EMPTY", "GET_RULE_BACKUP"],
    "firewall_port rollback confirm": ["READ_STATUS"],
    "firewall_port rollback status": ["READ_STATUS"],
    "firewall_port rollback undo": ["READ_STATUS"],
}
_DEFINITION = re.compile(r"^function ([A-Za-z]+-[A-Za-z]+) \{", re.MULTILINE)


def defined(script: str) -> List[str]:
    return _DEFINITION.findall(script)


def all_functions() -> set:
    names = set(defined(powershell.PRELUDE))
    for text in (*SCRIPTS.values(), *SHARED.values()):
        names.update(defined(text))
    return names


@pytest.mark.parametrize("name", sorted(SHARED))
def test_each_shared_piece_is_one_function_that_parses(name):
    assert len(defined(SHARED[name])) == 1
    assert SHARED[name].isascii() and powershell.PLACEHOLDER not in SHARED[name]
    assert problems(SHARED[name]) == []


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_no_function_is_defined_twice(script):
    twice = [name for name, count in Counter(defined(SCRIPTS[script])).items() if count > 1]
    assert twice == []


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_each_shared_function_appears_exactly_once_where_used(script):
    text = SCRIPTS[script]
    assert text.startswith(powershell.PRELUDE)
    for name, piece in SHARED.items():
        expected = 1 if name in USES[script] else 0
        assert text.count(piece) == expected, name
        assert defined(text).count(defined(piece)[0]) == expected, name


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_every_function_a_script_calls_is_defined_in_it(script):
    text = SCRIPTS[script]
    called = {name for name in all_functions() if re.search(rf"(?<![\w-]){name}(?![\w-])", text)}
    assert called - set(defined(text)) == set()


def test_each_read_names_the_profile_store_it_read_before():
    # firewall_port reads its rules from the PersistentStore but the profiles from the
    # ActiveStore (in force); firewall_info reads everything from the ActiveStore ($store).
    assert "$store = 'PersistentStore'" in firewall_ps.READ_SCRIPT
    assert "profiles = @(Get-ProfileRecords -PolicyStore 'ActiveStore')" in firewall_ps.READ_SCRIPT
    assert "$store = 'ActiveStore'" in firewall_info_ps.READ_SCRIPT
    assert "profiles = @(Get-ProfileRecords -PolicyStore $store)" in firewall_info_ps.READ_SCRIPT


def test_the_reads_keep_their_cmdlets_and_answers():
    read = firewall_ps.READ_SCRIPT
    assert "Get-OrEmpty -Read { Get-NetFirewallRule -PolicyStore $store -Group $group -ErrorAction Stop }" in read
    assert "New-NetFirewallRule" not in read and "Get-OrEmpty" not in firewall_ps.WRITE_SCRIPT
    listening = listening_ps.READ_SCRIPT
    assert "Get-OrEmpty -Read { Get-NetTCPConnection -State Listen -ErrorAction Stop }" in listening
    assert "Get-OrEmpty -Read { Get-NetUDPEndpoint -ErrorAction Stop }" in listening
    for text in (read, firewall_info_ps.READ_SCRIPT, listening):
        assert text.count("Write-Answer -Answer ([ordered]@{ failed = $true;") == 1
