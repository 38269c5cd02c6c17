# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A simulated Windows host for exposure_info's wrapper script (which compliance_info sends too): each script it
carries is answered by the simulated host that knows it (listeners, firewall, services); records the scripts."""

from __future__ import annotations

import base64
from typing import List, Optional, Sequence, Tuple

from ansible_collections.webedge.https.tests.unit.helpers.windows_host import answer_line, script_input
from ansible_collections.webedge.https.tests.unit.helpers.windows_info_host import FakeInfoHost
from ansible_collections.webedge.https.tests.unit.helpers.windows_listening_host import FakeListeningHost

__all__ = ["SERVICES", "WrapperHost"]

SERVICES = {"version": 1, "services": [{"pid": 2216, "name": "nginx"}, {"pid": 1104, "name": "TermService"}]}


class WrapperHost:
    """Runner (``run(argv, data)``): one round trip, the wrapper's scripts answered in turn."""

    def __init__(self, services_answer: Optional[dict] = None) -> None:
        self.calls: List[List[str]] = []
        self.services_answer = services_answer or SERVICES

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        assert data is not None
        scripts = [base64.b64decode(s).decode("ascii") for s in script_input(data)["scripts"]]
        self.calls.append(scripts)
        out = ""
        for script in scripts:
            if "Get-NetFirewallPortFilter" in script:
                out += FakeInfoHost().run(argv, script)[1]
            elif "Get-NetTCPConnection -State Listen" in script:
                out += FakeListeningHost().run(argv, script)[1]
            else:
                assert "Win32_Service" in script
                out += answer_line(self.services_answer)
        return 0, out, ""
