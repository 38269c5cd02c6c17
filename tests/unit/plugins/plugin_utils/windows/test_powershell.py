# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared script plumbing (powershell.py): input as base64 JSON, one call per script, its JSON answer."""

from __future__ import annotations

import base64
import json
from typing import List, Optional, Sequence, Tuple

import pytest

from ansible_collections.webedge.https.plugins.plugin_utils.windows import powershell
from ansible_collections.webedge.https.tests.unit.helpers.powershell_grammar import problems


class Recorder:
    def __init__(self, rc: int, out: str, err: str = "") -> None:
        self.answer = (rc, out, err)
        self.calls: List[Tuple[List[str], Optional[str]]] = []

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        self.calls.append((list(argv), data))
        return self.answer


def test_render_carries_user_values_only_as_base64_json():
    hostile = {"name": "'; Remove-Item C:\\ -Recurse; '", "ports": [443]}
    script = powershell.render(powershell.PRELUDE + "Write-Answer -Answer $request\n", hostile)
    assert "Remove-Item" not in script and script.isascii()
    payload = script.split("FromBase64String('", 1)[1].split("'", 1)[0]
    assert json.loads(base64.b64decode(payload)) == hostile


@pytest.mark.parametrize("script", ["Write-Output 1", "'__INPUT_BASE64__' '__INPUT_BASE64__'"])
def test_render_needs_exactly_one_placeholder(script):
    with pytest.raises(ValueError):
        powershell.render(script, {})


def test_call_runs_one_script_and_returns_its_answer():
    runner = Recorder(0, 'noise\n{"version": 1}\n')
    assert powershell.call(runner, "Write-Output 1", "test") == {"version": 1}
    assert runner.calls == [(list(powershell.POWERSHELL_ARGV), "Write-Output 1")]


@pytest.mark.parametrize(
    ("rc", "out", "err", "message"),
    [
        (1, "", "Access denied", "the test script gave no JSON answer (rc=1): Access denied"),
        (1, '{"failed": true, "msg": "boom"}', "", "the test script failed: boom"),
    ],
)
def test_call_turns_failures_into_one_error(rc, out, err, message):
    with pytest.raises(powershell.PowerShellError) as caught:
        powershell.call(Recorder(rc, out, err), "Write-Output 1", "test")
    assert str(caught.value) == f"windows: {message}"


@pytest.mark.parametrize(("name", "script"), [("stub", powershell.STUB), ("prelude", powershell.PRELUDE)])
def test_shared_powershell_parses(name, script):
    assert problems(script) == []
