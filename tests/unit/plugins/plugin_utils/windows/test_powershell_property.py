# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PowerShell script encoding under hypothesis: whatever data a task gives (hostile strings with PowerShell,
shell and JSON syntax, control characters, deep structures), every script that takes input parses to the
same syntax tree as with empty data (tree-sitter-powershell; only the base64 literal differs), the literal
decodes back to the data exactly, and the -EncodedCommand line decodes back to the script."""

from __future__ import annotations

import base64
import json
import re
from typing import List, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.webedge.https.plugins.plugin_utils.windows import (
    firewall_info_ps,
    firewall_ps,
    listening_ps,
    rollback_ps,
)
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import (
    PLACEHOLDER,
    encode_command,
    render,
)
from ansible_collections.webedge.https.tests.unit.helpers.hostile import PAYLOADS
from ansible_collections.webedge.https.tests.unit.helpers.powershell_grammar import PARSER

SCRIPTS = {
    f"{module.__name__.rsplit('.', 1)[-1]}.{name}": value
    for module in (firewall_ps, listening_ps, rollback_ps, firewall_info_ps)
    for name, value in vars(module).items()
    if name.isupper() and isinstance(value, str) and value.count(PLACEHOLDER) == 1
}
PS_SYNTAX = "'\"`$(){}[];|&<>@#\n\r\t\x00\u2018\u2019\u201c\u201d\u00e9\\"
TEXT = st.one_of(st.text(st.characters(codec="utf-8"), max_size=30), st.sampled_from(PAYLOADS), st.text(PS_SYNTAX))
DATA = st.recursive(
    st.one_of(TEXT, st.integers(), st.booleans(), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=20,
)
PROPERTY = settings(
    max_examples=30, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


def shape(script: str) -> List[Tuple[str, int]]:
    """The node types of the syntax tree in order, with their depth (literals' text left out)."""
    out: List[Tuple[str, int]] = []
    stack = [(PARSER.parse(script.encode("utf-8")).root_node, 0)]
    while stack:
        node, depth = stack.pop()
        out.append((node.type, depth))
        stack.extend((child, depth + 1) for child in reversed(node.children))
    return out


def test_there_are_scripts_with_input():
    assert len(SCRIPTS) >= 5, sorted(SCRIPTS)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_no_data_changes_a_script_structure(name):
    script = SCRIPTS[name]
    reference = shape(render(script, {}))

    @PROPERTY
    @given(st.dictionaries(TEXT, DATA, max_size=5))
    def run(data):
        text = render(script, data)
        assert shape(text) == reference
        prefix, suffix = script.split(PLACEHOLDER)
        assert text.startswith(prefix) and text.endswith(suffix)
        literal = text[len(prefix) : len(text) - len(suffix)]
        assert re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", literal)
        assert json.loads(base64.b64decode(literal)) == json.loads(json.dumps(data))

    run()


@PROPERTY
@given(st.text(st.characters(codec="utf-8"), max_size=200))
def test_the_encoded_command_decodes_back_to_the_script(script):
    line = encode_command(script)
    encoded = line.rsplit(" ", 1)[-1]
    assert line.split(" ")[-2] == "-EncodedCommand"
    assert base64.b64decode(encoded).decode("utf-16-le") == script
