# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The listening_ports read script, as sent, parses with tree-sitter-powershell (a grammar check only)."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.plugin_utils.windows import listening as windows
from ansible_collections.webedge.https.tests.unit.helpers.powershell_grammar import problems


@pytest.mark.parametrize("protocols", [["tcp", "udp"], ["tcp"], ["udp"]])
def test_read_script_parses_without_error_or_missing_nodes(protocols):
    script = windows.read_script(protocols)
    assert script.isascii()
    assert problems(script) == []
