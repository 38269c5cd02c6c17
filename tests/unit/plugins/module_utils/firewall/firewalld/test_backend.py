# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewalld backend on real firewall-cmd outputs (see fixtures/firewall/firewalld/README.md)."""

from __future__ import annotations

import json
import os
from typing import Dict, List, Optional, Sequence, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall import engine
from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import BackendOptions
from ansible_collections.webedge.https.plugins.module_utils.firewall.firewalld.backend import (
    STATE_PATH,
    FirewalldBackend,
    render_steps,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.firewalld.parse import (
    Item,
    render_state,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import (
    DesiredState,
    FirewallError,
    ValidationError,
)
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange
from ansible_collections.webedge.https.tests.unit.helpers.firewall_fakes import Replay

NOT_CLAIMED = "is already in firewalld zone public but was not added by webedge.https; left as it is and not claimed"
RR_8443_V6 = 'rule family="ipv6" source address="2001:db8::/32" port port="8443" protocol="tcp" accept'
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "fixtures", "firewall", "firewalld")
ROUNDTRIP = [
    "open",
    "open-again",
    "open-sources",
    "open-udp-v4",
    "reread",
    "close",
    "close-udp",
    "close-again",
    "runtime-only",
    "other-port-persisted",
    "named-again-persisted",
    "close-both",
]


def fixture(*parts: str) -> str:
    with open(os.path.join(FIXTURES, *parts), encoding="utf-8") as handle:
        return handle.read()


def captured(name: str) -> Tuple[int, str, str]:
    """A captured command: ``NAME.rc``, ``NAME.txt`` (stdout) and ``NAME.err`` (stderr, if any)."""
    err = fixture(f"{name}.err") if os.path.exists(os.path.join(FIXTURES, f"{name}.err")) else ""
    return int(fixture(f"{name}.rc")), fixture(f"{name}.txt"), err


class Runner:
    """Answers each argv from a table; every write succeeds."""

    def __init__(self, table: Dict[Tuple[str, ...], Tuple[int, str, str]]) -> None:
        self.table = table
        self.calls: List[Tuple[str, ...]] = []

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        self.calls.append(tuple(argv))
        if tuple(argv) in self.table:
            return self.table[tuple(argv)]
        if any(a.startswith(("--add-", "--remove-")) for a in argv):
            return 0, "success\n", ""
        return 127, "", f"unexpected command {argv!r}"


class Files:
    def __init__(self, files: Optional[Dict[str, Optional[str]]] = None) -> None:
        self.files = {k: v for k, v in (files or {}).items() if v is not None}
        self.written: Dict[str, str] = {}

    def read(self, path: str) -> Optional[str]:
        return self.files.get(path)

    def write(self, path: str, text: str, mode: int = 0o644) -> None:
        self.files[path] = text
        self.written[path] = text


def mixed_runner(zone: Optional[str] = None) -> Runner:
    prefix = ("firewall-cmd",) + ((f"--zone={zone}",) if zone else ())
    return Runner(
        {
            ("firewall-cmd", "--state"): captured("state-running"),
            (*prefix, "--list-all"): captured("mixed-list-all"),
            ("firewall-cmd", "--permanent", "--zone=public", "--list-all"): captured("mixed-permanent-list-all"),
        }
    )


def test_render_steps_one_call_per_option_kind_ports_removed_before_added():
    add = [Item("port", "tcp", PortRange(8000, 8004)), Item("rich", "tcp", PortRange(1, 1), "ipv4", "10.0.0.0/8")]
    remove = [(Item("port", "tcp", PortRange(8000, 8010)), "8000-8010/tcp")]
    assert [s.argv for s in render_steps("public", add, remove, permanent=True)] == [
        (
            "firewall-cmd",
            "--permanent",
            "--zone=public",
            '--add-rich-rule=rule family="ipv4" source address="10.0.0.0/8" port port="1" protocol="tcp" accept',
        ),
        ("firewall-cmd", "--permanent", "--zone=public", "--remove-port=8000-8010/tcp"),
        ("firewall-cmd", "--permanent", "--zone=public", "--add-port=8000-8004/tcp"),
    ]


# --- planning on the captured zone ----------------------------------------------------------------

OURS = render_state(
    {
        "public": {
            Item("port", "tcp", PortRange(443, 443)),
            Item("rich", "tcp", PortRange(8443, 8443), "ipv4", "10.0.0.0/8"),
            Item("rich", "tcp", PortRange(8443, 8443), "ipv6", "2001:db8::/32"),
        }
    }
)

PLANS = [
    ("owned_port_already_open_no_change", {"port": 443}, OURS, [], []),
    ("owned_rich_rules_no_change", {"port": 8443, "source": ["10.0.0.0/8", "2001:db8::/32"]}, OURS, [], []),
    (
        "new_port_runtime_and_permanent",
        {"port": [443, 9443]},
        OURS,
        [
            ("firewall-cmd", "--zone=public", "--add-port=9443/tcp"),
            ("firewall-cmd", "--permanent", "--zone=public", "--add-port=9443/tcp"),
        ],
        [],
    ),
    (
        "persist_false_runtime_only",
        {"port": 9443, "persist": False},
        OURS,
        [("firewall-cmd", "--zone=public", "--add-port=9443/tcp")],
        [],
    ),
    (
        "admin_port_never_claimed",
        {"port": 8080},
        OURS,
        [],
        [f"8080/tcp {NOT_CLAIMED}"],
    ),
    ("admin_port_never_closed", {"port": 8080, "state": "closed"}, OURS, [], []),
    (
        "runtime_only_admin_port_not_claimed",
        {"port": 9090, "protocol": "udp"},
        OURS,
        [],
        [f"9090/udp {NOT_CLAIMED}"],
    ),
    (
        "close_ipv4_only_turns_port_into_ipv6_rich_rule",
        {"port": 443, "state": "closed", "family": "ipv4"},
        OURS,
        [
            (
                "firewall-cmd",
                "--zone=public",
                '--add-rich-rule=rule family="ipv6" port port="443" protocol="tcp" accept',
            ),
            ("firewall-cmd", "--zone=public", "--remove-port=443/tcp"),
            (
                "firewall-cmd",
                "--permanent",
                "--zone=public",
                '--add-rich-rule=rule family="ipv6" port port="443" protocol="tcp" accept',
            ),
            ("firewall-cmd", "--permanent", "--zone=public", "--remove-port=443/tcp"),
        ],
        [],
    ),
    (
        "close_removes_by_the_text_firewalld_shows",
        {"port": 8443, "state": "closed", "source": "2001:db8::/32"},
        OURS,
        [
            (
                "firewall-cmd",
                "--zone=public",
                f"--remove-rich-rule={RR_8443_V6}",
            ),
            (
                "firewall-cmd",
                "--permanent",
                "--zone=public",
                f"--remove-rich-rule={RR_8443_V6}",
            ),
        ],
        [],
    ),
    (
        "no_state_file_nothing_is_ours",
        {"port": 443, "state": "closed"},
        None,
        [],
        [],
    ),
]


@pytest.mark.parametrize(("params", "state", "commands", "notes"), [p[1:] for p in PLANS], ids=[p[0] for p in PLANS])
def test_plans_on_captured_zone(params, state, commands, notes):
    files = Files({STATE_PATH: state})
    result = engine.run(dict(params, backend="firewalld"), mixed_runner(), files=files, check_mode=True)
    assert [tuple(c["argv"]) for c in result["commands"]] == commands
    assert result["notes"] == notes
    assert result["changed"] == bool(commands)
    assert files.written == {}  # check mode writes nothing


def test_state_file_written_only_when_ownership_changes():
    files = Files({STATE_PATH: OURS})
    result = engine.run({"port": 9443, "backend": "firewalld"}, mixed_runner(), files=files)
    assert result["files"] == [STATE_PATH]
    assert "port 9443/tcp" in json.loads(files.written[STATE_PATH])["zones"]["public"]


def test_zone_given_is_used():
    runner = mixed_runner(zone="public")
    engine.run({"port": 443, "zone": "public", "backend": "firewalld"}, runner, files=Files({STATE_PATH: OURS}))
    assert ("firewall-cmd", "--zone=public", "--list-all") in runner.calls


@pytest.mark.parametrize(
    ("fixture_name", "message"),
    [
        ("invalid-zone", "firewalld zone 'nosuch' does not exist; nothing was changed (Error: INVALID_ZONE: nosuch)"),
        ("stopped-list-all", "firewalld is not running; start it first (FirewallD is not running)"),
    ],
)
def test_read_errors_before_any_change(fixture_name, message):
    runner = Runner(
        {
            ("firewall-cmd", "--state"): captured("state-running"),
            ("firewall-cmd", "--zone=nosuch", "--list-all"): captured(fixture_name),
        }
    )
    with pytest.raises(FirewallError) as err:
        engine.run({"port": 443, "zone": "nosuch", "backend": "firewalld"}, runner, files=Files())
    assert str(err.value) == message
    assert not any("--add-port" in " ".join(c) for c in runner.calls)


def test_bad_zone_name_fails_before_any_command():
    runner = Runner({})
    backend = FirewalldBackend(runner, Files(), BackendOptions(zone="a b"))
    with pytest.raises(ValidationError, match="invalid firewalld zone 'a b'"):
        backend.read(DesiredState.from_params({"port": 443, "zone": "a b"}).scope)
    assert runner.calls == []


@pytest.mark.parametrize(
    ("fixture_name", "active", "available"),
    [("state-running", True, True), ("state-stopped", False, True)],
)
def test_probe(fixture_name, active, available):
    detection = FirewalldBackend.probe(Runner({("firewall-cmd", "--state"): captured(fixture_name)}))
    assert (detection.active, detection.available) == (active, available)


def test_probe_not_installed():
    assert FirewalldBackend.probe(Runner({})).available is False


# --- replay of the real round trip (apply, re-read, plan again, close) ------------------------------


@pytest.mark.parametrize("step", ROUNDTRIP)
def test_real_round_trip_replays_exactly(step):
    record = json.loads(fixture("roundtrip", f"{step}.json"))
    runner = Replay(record["calls"])
    files = Files(record["files_before"])
    result = engine.run(dict(record["params"], backend="firewalld"), runner, files=files)
    assert result["commands"] == record["result"]["commands"]
    assert result["notes"] == record["result"]["notes"]
    assert runner.calls == []  # every recorded command was issued, and no other


def test_round_trip_plan_again_is_empty_and_close_restores():
    assert json.loads(fixture("roundtrip", "open-again.json"))["result"]["commands"] == []
    assert json.loads(fixture("roundtrip", "reread.json"))["result"]["commands"] == []
    assert json.loads(fixture("roundtrip", "close-again.json"))["result"]["commands"] == []
    first = json.loads(fixture("roundtrip", "open.json"))["calls"]
    last = json.loads(fixture("roundtrip", "close-again.json"))["calls"]
    assert [c["out"] for c in first if c["argv"][-1] == "--list-all"] == [
        c["out"] for c in last if c["argv"][-1] == "--list-all"
    ]
