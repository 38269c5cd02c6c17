# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared script plumbing: input as base64 JSON, the JSON answer, one call per script."""

from __future__ import annotations

import base64
import json
from typing import List, Optional, Sequence, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils import windows_ps


class Recorder:
    def __init__(self, rc: int, out: str, err: str = "") -> None:
        self.answer = (rc, out, err)
        self.calls: List[Tuple[List[str], Optional[str]]] = []

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        self.calls.append((list(argv), data))
        return self.answer


def test_render_carries_user_values_only_as_base64_json():
    hostile = {"name": "'; Remove-Item C:\\ -Recurse; '", "ports": [443]}
    script = windows_ps.render(windows_ps.PRELUDE + "Write-Answer -Answer $request\n", hostile)
    assert "Remove-Item" not in script and script.isascii()
    payload = script.split("FromBase64String('", 1)[1].split("'", 1)[0]
    assert json.loads(base64.b64decode(payload)) == hostile


@pytest.mark.parametrize("script", ["Write-Output 1", "'__INPUT_BASE64__' '__INPUT_BASE64__'"])
def test_render_needs_exactly_one_placeholder(script):
    with pytest.raises(ValueError):
        windows_ps.render(script, {})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('WARNING: x\n{"a": 1}\n', {"a": 1}),
        ('{"a": 1}\n{"b": 2}\nnoise\n', {"b": 2}),
        ("no json at all", None),
        ("{broken\n", None),
        ("[1, 2]\n", None),
        ("", None),
    ],
)
def test_last_json(text, expected):
    assert windows_ps.last_json(text) == expected


def test_call_runs_one_script_and_returns_its_answer():
    runner = Recorder(0, 'noise\n{"version": 1}\n')
    assert windows_ps.call(runner, "Write-Output 1", "test") == {"version": 1}
    assert runner.calls == [(list(windows_ps.POWERSHELL_ARGV), "Write-Output 1")]


@pytest.mark.parametrize(
    ("rc", "out", "err", "message"),
    [
        (1, "", "Access denied", "the test script gave no JSON answer (rc=1): Access denied"),
        (1, '{"failed": true, "msg": "boom"}', "", "the test script failed: boom"),
    ],
)
def test_call_turns_failures_into_one_error(rc, out, err, message):
    with pytest.raises(windows_ps.PowerShellError) as caught:
        windows_ps.call(Recorder(rc, out, err), "Write-Output 1", "test")
    assert str(caught.value) == f"windows: {message}"


@pytest.mark.parametrize(("name", "script"), [("stub", windows_ps.STUB), ("prelude", windows_ps.PRELUDE)])
def test_shared_powershell_parses(name, script):
    # imported here: without tree-sitter only this test is skipped
    from ansible_collections.webedge.https.tests.unit.plugins.module_utils.powershell_grammar import problems

    assert problems(script) == []
