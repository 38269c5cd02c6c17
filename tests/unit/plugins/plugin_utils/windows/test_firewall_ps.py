# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every PowerShell script the Windows backend sends parses with tree-sitter-powershell.

A grammar check only (``powershell_grammar.py``): no PowerShell runs here, so it proves the
scripts are well formed, not that the cmdlets behave as documented.
"""

from __future__ import annotations

from typing import List

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import BackendOptions
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import Rule
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange
from ansible_collections.webedge.https.plugins.plugin_utils.windows import firewall as windows
from ansible_collections.webedge.https.plugins.plugin_utils.windows import firewall_ps
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import STUB, render
from ansible_collections.webedge.https.tests.unit.helpers.powershell_grammar import problems


def sent_scripts() -> List[tuple]:
    """The scripts as sent: the stub, the read with its input, the write with a full input."""
    changes = windows.WinChanges(
        remove_first=("webedge.https tcp/9000 ipv4 from any",),
        remove=("webedge.https by hand",),
        create=(
            (Rule("ipv4", "tcp", PortRange(443, 443)), windows.ALL_PROFILES),
            (Rule("ipv6", "udp", PortRange(8000, 8080), "2001:db8::/32"), frozenset({"Domain", "Private"})),
        ),
    )
    return [
        ("stub", STUB),
        ("read", windows.WindowsBackend(None, options=BackendOptions(connection_ports=(5985, 5986))).read_script()),  # type: ignore[arg-type]
        ("write", render(firewall_ps.WRITE_SCRIPT, windows.write_input(changes))),
    ]


@pytest.mark.parametrize(("name", "script"), sent_scripts(), ids=[entry[0] for entry in sent_scripts()])
def test_script_parses_without_error_or_missing_nodes(name, script):
    assert problems(script) == []


@pytest.mark.parametrize(
    "broken",
    [
        "function Foo { if ($x) { 1 }",
        "$a = @{ b = 1",
        "Write-Output 'unterminated",
    ],
)
def test_the_check_finds_broken_powershell(broken):
    assert problems(broken) != []
