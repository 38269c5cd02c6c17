# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stub every script runs under (issue 14, items 2, 5 and 6).

* 2: a Win32-OpenSSH host whose shell is ``cmd`` (its default) is Windows too: Ansible's own
  ``cmd`` shell plugin is the test's shell, not a stand-in.
* 5: the stub sets UTF-8 console output before anything is written, so localized names survive
  an SSH (or WinRM) console, whose default is the OEM code page.
* 6: under ConstrainedLanguage (WDAC, AppLocker) the stub answers one JSON failure naming the
  language mode before any statement that mode refuses (a method call or a type outside the
  core list), so the controller reports it instead of "no JSON answer".

No PowerShell runs here: these are checks of the stub's syntax tree (tree-sitter-powershell).
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, Iterator, List
from unittest.mock import MagicMock

import pytest
from ansible.plugins.loader import shell_loader

from ansible_collections.webedge.https.plugins.plugin_utils.windows import powershell
from ansible_collections.webedge.https.tests.unit.helpers.powershell_grammar import PARSER, problems


def statements(script: str) -> List[Any]:
    """The top-level statements of ``script`` (tree-sitter nodes), in order."""
    root = PARSER.parse(script.encode("utf-8")).root_node
    found: List[Any] = []

    def walk(node: Any) -> None:
        if node.type in ("statement_list",):
            found.extend(child for child in node.children if child.is_named)
            return
        for child in node.children:
            walk(child)

    walk(root)
    return found


def nodes(node: Any) -> Iterator[Any]:
    yield node
    for child in node.children:
        yield from nodes(child)


def text(node: Any, script: str) -> str:
    return script.encode("utf-8")[node.start_byte : node.end_byte].decode("utf-8")


@pytest.mark.parametrize("shell", ["cmd", "powershell"])
def test_an_ssh_host_with_either_windows_shell_is_windows(shell):
    connection = MagicMock()
    connection._shell = shell_loader.get(shell)
    assert powershell.is_windows(connection, {"ansible_connection": "ssh"}) is True


def test_an_ssh_host_with_a_posix_shell_is_not_windows():
    connection = MagicMock()
    connection._shell = shell_loader.get("sh")
    assert powershell.is_windows(connection, {"ansible_connection": "ssh"}) is False


def test_the_stub_parses():
    assert problems(powershell.STUB) == []


def test_the_stub_sets_utf8_console_output_before_anything_is_written():
    script = powershell.STUB
    first = [text(s, script) for s in statements(script)]
    setting = [i for i, s in enumerate(first) if "[Console]::OutputEncoding" in s and "UTF8Encoding" in s]
    assert setting, "the stub never sets [Console]::OutputEncoding to UTF-8"
    writes = [i for i, s in enumerate(first) if re.search(r"Write-Output|^'|^\"|& \(", s)]
    assert setting[0] < min(writes)
    # In ConstrainedLanguage setting a .NET property fails: the stub must not die of it.
    assert first[setting[0]].lstrip().lower().startswith("try")


def test_the_stub_checks_the_language_mode_before_any_statement_constrained_language_refuses():
    script = powershell.STUB
    body = statements(script)
    guard = next(
        (i for i, s in enumerate(body) if "$ExecutionContext.SessionState.LanguageMode" in text(s, script)), None
    )
    assert guard is not None, "the stub never checks the language mode"
    for earlier in body[:guard]:
        source = text(earlier, script)
        if source.lower().startswith("try"):
            continue  # guarded: a refusal is caught
        kinds = {n.type for n in nodes(earlier)}
        assert "invokation_expression" not in kinds and "type_literal" not in kinds, source


def expand(literal: str, variables: Dict[str, str]) -> str:
    """PowerShell's expansion of a double-quoted string whose only expressions are ``$name`` (``""`` is a quote)."""
    body = literal[1:-1].replace('""', '"')
    return re.sub(r"\$([A-Za-z_]\w*)", lambda m: variables[m.group(1).lower()], body)


def test_the_language_mode_answer_is_one_json_failure_naming_the_mode():
    script = powershell.STUB
    guard = next(s for s in statements(script) if "$ExecutionContext.SessionState.LanguageMode" in text(s, script))
    source = text(guard, script)
    # The guard's body: assignments, then the answer; evaluated as PowerShell would under ConstrainedLanguage.
    variables: Dict[str, str] = {}
    line = None
    for match in re.finditer(r"^\s*\$(\w+) = (.+)$|^\s*Write-Output (\".*\")$", source, re.M):
        name, value, answer = match.groups()
        if answer is not None:
            line = expand(answer, variables)
        elif "LanguageMode" in value:
            variables[name.lower()] = "ConstrainedLanguage"
        elif value.startswith("'"):
            variables[name.lower()] = value[1:-1]
        else:
            variables[name.lower()] = expand(value, variables)
    assert line is not None, source
    answer = json.loads(line)
    assert answer["failed"] is True and answer["language_mode"] == "ConstrainedLanguage"
    assert "ConstrainedLanguage" in answer["msg"] and "FullLanguage" in answer["msg"]
    assert re.search(r"\bexit 1\b", source)


def test_the_controller_reports_the_language_mode_failure_as_it_is():
    answer = '{"failed": true, "language_mode": "ConstrainedLanguage", "msg": "runs in ConstrainedLanguage"}\n'

    class Host:
        def run(self, argv, data=None):
            return 1, answer, ""

    with pytest.raises(powershell.PowerShellError, match="read script failed: runs in ConstrainedLanguage"):
        powershell.call(Host(), "Write-Output 1", "firewall_info read")
