# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ufw backend on real ufw rule files and outputs (see fixtures/firewall/ufw/README.md)."""

from __future__ import annotations

import json
import os
from typing import Dict, List, Optional, Sequence, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall import engine
from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import Plan, Step
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError, Rule
from ansible_collections.webedge.https.plugins.module_utils.firewall.ufw.backend import (
    DEFAULTS_PATH,
    RULES_PATHS,
    UfwBackend,
    render_steps,
)
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange
from ansible_collections.webedge.https.tests.unit.helpers.firewall_fakes import Replay

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "fixtures", "firewall", "ufw")
ROUNDTRIP = [
    "open",
    "open-again",
    "open-sources",
    "split",
    "close-ipv6-only",
    "open-udp-v6",
    "close",
    "close-udp",
    "close-again",
]
ACTIVE = (0, "Status: active\n", "")


def fixture(*parts: str) -> str:
    with open(os.path.join(FIXTURES, *parts), encoding="utf-8") as handle:
        return handle.read()


class Runner:
    def __init__(self, status: Tuple[int, str, str] = ACTIVE, outputs: Optional[Dict[str, str]] = None) -> None:
        self.status = status
        self.outputs = outputs or {}
        self.calls: List[Tuple[str, ...]] = []

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        self.calls.append(tuple(argv))
        if tuple(argv) == ("ufw", "status"):
            return self.status
        return 0, self.outputs.get(" ".join(argv), "Rule added\n"), ""


class Files:
    def __init__(self, files: Dict[str, Optional[str]]) -> None:
        self.files = {k: v for k, v in files.items() if v is not None}

    def read(self, path: str) -> Optional[str]:
        return self.files.get(path)

    def write(self, path: str, text: str, mode: int = 0o644) -> None:
        raise AssertionError("the ufw backend writes no files")


def owned_files(defaults: Optional[str] = None) -> Files:
    return Files(
        {
            RULES_PATHS["ipv4"]: fixture("owned-user.rules"),
            RULES_PATHS["ipv6"]: fixture("owned-user6.rules"),
            DEFAULTS_PATH: defaults if defaults is not None else fixture("default-ufw"),
        }
    )


def test_render_steps_one_call_covers_both_families():
    add = [Rule("ipv4", "tcp", PortRange(443, 443)), Rule("ipv6", "tcp", PortRange(443, 443))]
    remove = [Rule("ipv4", "udp", PortRange(8000, 8080)), Rule("ipv6", "tcp", PortRange(1, 1), "2001:db8::/32")]
    assert [s.argv for s in render_steps(add, remove)] == [
        ("ufw", "allow", "proto", "tcp", "from", "any", "to", "any", "port", "443", "comment", "webedge.https"),
        ("ufw", "delete", "allow", "proto", "tcp", "from", "2001:db8::/32", "to", "any", "port", "1"),
        ("ufw", "delete", "allow", "proto", "udp", "from", "0.0.0.0/0", "to", "any", "port", "8000:8080"),
    ]


# --- planning on the captured files --------------------------------------------------------------

PLANS = [
    ("owned_rules_no_change", {"port": [8443, "9000-9004", "9006-9010"]}, []),
    (
        "admin_rule_same_spec_not_claimed",
        {"port": 22},
        [],
    ),
    ("admin_rule_never_deleted", {"port": [22, 443], "state": "closed"}, []),
    (
        "ipv4_only_new_port",
        {"port": 7000, "family": "ipv4"},
        [
            (
                "ufw",
                "allow",
                "proto",
                "tcp",
                "from",
                "0.0.0.0/0",
                "to",
                "any",
                "port",
                "7000",
                "comment",
                "webedge.https",
            )
        ],
    ),
    (
        "close_our_v6_source_rule",
        {"port": 8443, "protocol": "udp", "source": "2001:db8::/32", "state": "closed"},
        [("ufw", "delete", "allow", "proto", "udp", "from", "2001:db8::/32", "to", "any", "port", "8443")],
    ),
    (
        "close_ipv6_only_rule",
        {"port": 5353, "protocol": "udp", "family": "ipv6", "state": "closed"},
        [("ufw", "delete", "allow", "proto", "udp", "from", "::/0", "to", "any", "port", "5353")],
    ),
]


@pytest.mark.parametrize(("params", "commands"), [p[1:] for p in PLANS], ids=[p[0] for p in PLANS])
def test_plans_on_captured_files(params, commands):
    result = engine.run(dict(params, backend="ufw"), Runner(), files=owned_files(), check_mode=True)
    assert [tuple(c["argv"]) for c in result["commands"]] == commands
    assert result["changed"] == bool(commands)


def test_notes_name_admin_rules_and_earlier_rejects():
    result = engine.run({"port": [22, 8444], "backend": "ufw"}, Runner(), files=owned_files(), check_mode=True)
    assert (
        "ufw already has tcp/22 ipv4 from any (### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in)"
        in (result["notes"][0])
    )
    assert any("reject tcp 8443 0.0.0.0/0 any 203.0.113.0/24 in" in n for n in result["notes"]) is False
    result = engine.run({"port": [8442, "8443-8445"], "backend": "ufw"}, Runner(), files=owned_files(), check_mode=True)
    assert any(
        "'### tuple ### reject tcp 8443 0.0.0.0/0 any 203.0.113.0/24 in' comes first" in n for n in result["notes"]
    )


def test_ipv6_disabled_fails_before_any_change():
    runner = Runner()
    with pytest.raises(FirewallError, match="IPV6=no"):
        engine.run({"port": 7000, "backend": "ufw"}, runner, files=owned_files("IPV6=no\n"))
    assert runner.calls == [("ufw", "status")]


def test_apply_treats_could_not_delete_as_failure():
    step = Step(("ufw", "delete", "allow", "proto", "tcp", "from", "any", "to", "any", "port", "1"))
    runner = Runner(outputs={" ".join(step.argv): "Could not delete non-existent rule\n"})
    with pytest.raises(FirewallError, match="Could not delete non-existent rule"):
        UfwBackend(runner).apply(Plan(before=(), after=(), steps=(step,)))


@pytest.mark.parametrize(
    ("status", "active", "available"),
    [(ACTIVE, True, True), ((0, "Status: inactive\n", ""), False, True), ((127, "", ""), False, False)],
)
def test_probe(status, active, available):
    detection = UfwBackend.probe(Runner(status))
    assert (detection.active, detection.available) == (active, available)


# --- replay of the real round trip ------------------------------------------------------------------


@pytest.mark.parametrize("step", ROUNDTRIP)
def test_real_round_trip_replays_exactly(step):
    record = json.loads(fixture("roundtrip", f"{step}.json"))
    runner = Replay(record["calls"])
    files = dict(record["files_before"])
    files[DEFAULTS_PATH] = fixture("default-ufw")
    result = engine.run(dict(record["params"], backend="ufw"), runner, files=Files(files))
    assert result["commands"] == record["result"]["commands"]
    assert runner.calls == []


def test_round_trip_ends_where_it_started():
    first = json.loads(fixture("roundtrip", "open.json"))["files_before"]
    last = json.loads(fixture("roundtrip", "close-again.json"))["files_before"]

    def strip(text: str) -> List[str]:  # ufw stamps its files with the time
        return [line for line in text.splitlines() if not line.startswith("# ")]

    assert {k: strip(v) for k, v in first.items()} == {k: strip(v) for k, v in last.items()}
    assert json.loads(fixture("roundtrip", "open-again.json"))["result"]["commands"] == []
