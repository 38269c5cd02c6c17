# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A simulated Windows host for the Windows firewall tests: it answers our two scripts.

It does NOT run PowerShell. It decodes the base64 JSON input embedded in the script it
receives, and answers as the script is written to answer (see
``tests/unit/fixtures/firewall/windows/README.md``): the read with the rule records it
holds, the write by applying the request to them, all-or-nothing, like the script.
"""

from __future__ import annotations

import base64
import copy
import ipaddress
import json
import os
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "firewall", "windows")
_INPUT = re.compile(r"FromBase64String\('([A-Za-z0-9+/=]+)'\)")


def fixture(name: str) -> Dict[str, Any]:
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return dict(json.load(handle))


def script_input(script: str) -> Dict[str, Any]:
    """The JSON document a rendered script carries."""
    match = _INPUT.search(script)
    assert match is not None, "the script carries no input"
    return dict(json.loads(base64.b64decode(match.group(1))))


def answer_line(document: Dict[str, Any]) -> str:
    """What the script prints: noise first, then the JSON on one line.

    Non-ASCII characters as they are: Windows PowerShell 5.1's ConvertTo-Json (JavaScriptSerializer)
    escapes control characters and a few HTML ones, not letters such as the accents of a localized name.
    """
    return "WARNING: something PowerShell printed\n" + json.dumps(document, ensure_ascii=False) + "\n"


def _as_windows_shows(address: str) -> str:
    """Windows reports an IPv4 subnet in mask notation and a single address bare (documented forms)."""
    if "-" in address or "/" not in address:
        return address
    network = ipaddress.ip_network(address)
    if network.num_addresses == 1:
        return str(network.network_address)
    if network.version == 4:
        return f"{network.network_address}/{network.netmask}"
    return address


class FakeWindowsHost:
    """Runner (``run(argv, data)``) standing in for a Windows host; records every script."""

    def __init__(self, state: Optional[Dict[str, Any]] = None, fail_on_add: Optional[str] = None) -> None:
        self.state = copy.deepcopy(state if state is not None else fixture("read-empty.json"))
        self.fail_on_add = fail_on_add
        self.scripts: List[Tuple[str, Dict[str, Any]]] = []  # (kind, input)

    @property
    def names(self) -> List[str]:
        return sorted(r["name"] for r in self.state["rules"])

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        assert data is not None
        request = script_input(data)
        kind = "write" if "remove_first" in request else "read"
        self.scripts.append((kind, request))
        if kind == "read":
            return 0, answer_line(self.state), ""
        return self._write(request)

    def _write(self, request: Dict[str, Any]) -> Tuple[int, str, str]:
        before = copy.deepcopy(self.state["rules"])
        try:
            for name in request["remove_first"]:
                self._remove(name, request["group"])
            for spec in request["add"]:
                self._add(spec, request["group"])
            for name in request["remove"]:
                self._remove(name, request["group"])
        except KeyError as exc:
            self.state["rules"] = before  # the script's undo
            return 1, answer_line({"ok": False, "error": str(exc), "rolled_back": True, "rollback_errors": []}), ""
        added = [spec["name"] for spec in request["add"]]
        removed = list(request["remove_first"]) + list(request["remove"])
        return 0, answer_line({"ok": True, "added": added, "removed": removed}), ""

    def _remove(self, name: str, group: str) -> None:
        found = [r for r in self.state["rules"] if r["name"] == name]
        if not found or found[0]["group"] != group:
            raise KeyError(f"no rule {name!r} in group {group!r}")
        self.state["rules"].remove(found[0])

    def _add(self, spec: Dict[str, Any], group: str) -> None:
        if spec["name"] == self.fail_on_add or any(r["name"] == spec["name"] for r in self.state["rules"]):
            raise KeyError(f"cannot create {spec['name']!r}")
        self.state["rules"].append(
            {
                "name": spec["name"],
                "display_name": spec["display_name"],
                "group": group,
                "enabled": "True",
                "direction": "Inbound",
                "action": "Allow",
                "profile": spec.get("profile", "Any"),
                "protocol": spec["protocol"],
                "local_port": list(spec["local_port"]),
                "remote_port": ["Any"],
                "local_address": ["Any"],
                "remote_address": [_as_windows_shows(a) for a in spec["remote_address"]],
            }
        )
