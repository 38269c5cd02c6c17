# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every PowerShell script the Windows backend sends parses with tree-sitter-powershell.

A grammar check only: no PowerShell runs here, so it proves the scripts are well formed
(no unbalanced brace, quote or here-string), not that the cmdlets behave as documented.
"""

from __future__ import annotations

from typing import Any, Iterator, List

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall import windows, windows_ps
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import Rule
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange

tree_sitter = pytest.importorskip("tree_sitter")
tree_sitter_powershell = pytest.importorskip("tree_sitter_powershell")

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def problems(script: str) -> List[str]:
    """Every ERROR or MISSING node, with its line, of ``script``."""
    tree = PARSER.parse(script.encode("utf-8"))

    def walk(node: Any) -> Iterator[str]:
        if node.is_error or node.is_missing:
            line = node.start_point[0] + 1
            what = f"MISSING {node.type}" if node.is_missing else "ERROR"
            yield f"line {line}: {what}: {script.splitlines()[line - 1]!r}"
        for child in node.children:
            yield from walk(child)

    return list(walk(tree.root_node))


def sent_scripts() -> List[tuple]:
    """The scripts as sent: the stub, the read with its input, the write with a full input."""
    changes = windows.WinChanges(
        remove_first=("webedge.https tcp/9000 ipv4 from any",),
        remove=("webedge.https by hand",),
        create=(
            Rule("ipv4", "tcp", PortRange(443, 443)),
            Rule("ipv6", "udp", PortRange(8000, 8080), "2001:db8::/32"),
        ),
    )
    return [
        ("stub", windows_ps.STUB),
        ("read", windows.WindowsBackend(runner=None, connection_ports=[5985, 5986]).read_script()),  # type: ignore[arg-type]
        ("write", windows_ps.render(windows_ps.WRITE_SCRIPT, windows.write_input(changes))),
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
