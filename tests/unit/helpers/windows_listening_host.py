# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A simulated Windows host for listening_ports: it answers the read script with a fixture.

It does NOT run PowerShell. It checks that what it receives is the read script, decodes the
base64 JSON input embedded in it, records it, and prints the fixture (see
``tests/unit/fixtures/listening/windows/README.md``) as the script would: one JSON line,
after a line of noise.
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ansible_collections.webedge.https.tests.unit.helpers.windows_host import (
    answer_line,
    script_input,
)

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "listening", "windows")


def fixture(name: str) -> Dict[str, Any]:
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return dict(json.load(handle))


class FakeListeningHost:
    """Runner (``run(argv, data)``) standing in for a Windows host; records every script's input."""

    def __init__(self, answer: Optional[Dict[str, Any]] = None, rc: int = 0, raw: Optional[str] = None) -> None:
        self.answer = copy.deepcopy(answer if answer is not None else fixture("web01-elevated.json"))
        self.rc = rc
        self.raw = raw
        self.inputs: List[Dict[str, Any]] = []

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        assert data is not None and "Get-NetTCPConnection -State Listen" in data
        request = script_input(data)
        self.inputs.append(request)
        if self.raw is not None:
            return self.rc, self.raw, "some error text"
        sockets = self.answer.get("sockets")
        if isinstance(sockets, list):  # like the script: only the protocols asked for
            wanted = set(request["protocols"])
            sockets = [s for s in sockets if s["protocol"] in wanted]
        return self.rc, answer_line(dict(self.answer, sockets=sockets)), ""
