# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A grammar check of PowerShell text with tree-sitter-powershell, shared by the script tests.

A grammar check only: no PowerShell runs here, so it proves a script is well formed (no
unbalanced brace, quote or here-string), not that the cmdlets behave as documented.
tree-sitter and tree-sitter-powershell are pinned test requirements: a missing one fails the
tests that import this module rather than skipping them.
"""

from __future__ import annotations

from typing import Any, Iterator, List

import tree_sitter
import tree_sitter_powershell

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
