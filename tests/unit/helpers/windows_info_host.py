# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A simulated Windows host for firewall_info: it answers the read script with a fixture.

It does NOT run PowerShell. It checks that what it receives is the firewall_info read script,
decodes the base64 JSON input embedded in it, records it, and prints the fixture (see
``tests/unit/fixtures/firewall/windows/README.md``) as the script would: one JSON line after
a line of noise.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ansible_collections.webedge.https.tests.unit.helpers.windows_host import (
    answer_line,
    fixture,
    script_input,
)


class FakeInfoHost:
    """Runner (``run(argv, data)``) standing in for a Windows host; records every script's input."""

    def __init__(self, answer: Optional[Dict[str, Any]] = None, rc: int = 0, raw: Optional[str] = None) -> None:
        self.answer = copy.deepcopy(answer if answer is not None else fixture("info-web01.json"))
        self.rc = rc
        self.raw = raw
        self.inputs: List[Dict[str, Any]] = []

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        assert data is not None and "Get-NetFirewallPortFilter" in data and "New-NetFirewallRule" not in data
        self.inputs.append(script_input(data))
        if self.raw is not None:
            return self.rc, self.raw, "some error text"
        return self.rc, answer_line(self.answer), ""
