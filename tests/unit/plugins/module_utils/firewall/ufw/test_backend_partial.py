# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ufw failing partway through a change of several commands: the commands that ran are undone, last first.

The host is a small ufw (an ordered rule list, ufw's answers to allow and delete) over the captured rule
files of ``fixtures/firewall/ufw`` (owned-user.rules, owned-user6.rules); no ufw script is readable, so the
backend runs one ``ufw`` per command, as it does when the batch cannot start (the batch path is covered by
test_batch.py on its recorded outputs).
"""

from __future__ import annotations

import os
from typing import Dict, List, Optional, Sequence, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall import engine
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError
from ansible_collections.webedge.https.plugins.module_utils.firewall.registry import Registry
from ansible_collections.webedge.https.plugins.module_utils.firewall.ufw.backend import (
    DEFAULTS_PATH,
    RULES_PATHS,
    UfwBackend,
    inverse_argv,
)
from ansible_collections.webedge.https.tests.unit.helpers.firewall_fakes import FakeFiles

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "fixtures", "firewall", "ufw")
# The rules ufw holds with the owned fixture files, as (protocol, from, port) in ufw's order.
OWNED = [
    ("tcp", "any", "8443"),
    ("udp", "10.0.0.0/8", "8443"),
    ("tcp", "any", "9000:9004"),
    ("tcp", "any", "9006:9010"),
]


def fixture(name: str) -> str:
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return handle.read()


class Ufw:
    """ufw's rule list: ``allow`` appends, ``delete allow`` removes (or says the rule does not exist);
    the change command number ``fail_at`` (1-based) fails with ufw's error and changes nothing."""

    def __init__(self, fail_at: int) -> None:
        self.rules: List[Tuple[str, str, str]] = list(OWNED)
        self.fail_at = fail_at
        self.changes: List[Tuple[str, ...]] = []

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        args = tuple(argv)
        if args in (("ufw", "status"), ("ufw", "status", "verbose")):
            return 0, "Status: active\n", ""
        assert args[0] == "ufw" and args[1] in ("allow", "delete"), args
        self.changes.append(args)
        if len(self.changes) == self.fail_at:
            return 1, "", "ERROR: injected failure\n"
        words = list(args[2:] if args[1] == "allow" else args[3:])
        spec = (words[words.index("proto") + 1], words[words.index("from") + 1], words[words.index("port") + 1])
        if args[1] == "allow":
            assert args[-2:] == ("comment", "webedge.https"), args
            self.rules.append(spec)
            return 0, "Rule added\nRule added (v6)\n", ""
        if spec not in self.rules:
            return 0, "Could not delete non-existent rule\n", ""
        self.rules.remove(spec)
        return 0, "Rule deleted\nRule deleted (v6)\n", ""


def run_task(host: Ufw, task: Dict[str, object]) -> None:
    files = FakeFiles(
        {
            RULES_PATHS["ipv4"]: fixture("owned-user.rules"),
            RULES_PATHS["ipv6"]: fixture("owned-user6.rules"),
            DEFAULTS_PATH: fixture("default-ufw"),
        }
    )
    engine.run({"backend": "ufw", **task}, host, files=files, registry=Registry({"ufw": UfwBackend}))
    assert files.written == {}


# (task, change commands, whether a deleted rule comes back at the end of the list rather than in its place)
CASES = {
    "open three ports": ({"port": [7000, 7100, 7200]}, 3, False),
    "close a port inside a range": ({"port": 9002, "state": "closed"}, 3, False),  # two allows, one delete
    "close three rules": ({"port": [8443, "9000-9010"], "protocol": "tcp", "state": "closed"}, 3, True),
}
FAILURES = [(name, fail_at) for name, (_task, calls, _moved) in CASES.items() for fail_at in range(2, calls + 1)]


@pytest.mark.parametrize("name", list(CASES))
def test_cases_run_several_commands_when_nothing_fails(name):
    task, calls, _moved = CASES[name]
    host = Ufw(fail_at=0)
    run_task(host, task)
    assert len(host.changes) == calls
    assert host.rules != OWNED


@pytest.mark.parametrize(("name", "fail_at"), FAILURES)
def test_a_command_failing_after_others_ran_leaves_the_previous_rules(name, fail_at):
    task, _calls, moved = CASES[name]
    host = Ufw(fail_at)
    with pytest.raises(FirewallError) as info:
        run_task(host, task)
    message = str(info.value)
    assert "injected failure" in message
    assert f"the {fail_at - 1} command(s) before it were applied, then undone: the previous rules are back" in message
    ran = host.changes[: fail_at - 1]
    assert host.changes[fail_at:] == [inverse_argv(argv) for argv in reversed(ran)]
    if moved:  # a rule deleted and allowed again stands at the end of ufw's list
        assert sorted(host.rules) == sorted(OWNED)
    else:
        assert host.rules == OWNED


def test_first_command_failing_undoes_nothing():
    host = Ufw(fail_at=1)
    with pytest.raises(FirewallError) as info:
        run_task(host, {"port": [7000, 7100]})
    assert "undone" not in str(info.value)
    assert host.rules == OWNED and len(host.changes) == 1


def test_an_undo_failing_says_so():
    host = Ufw(fail_at=3)
    real_run = host.run

    def run(argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        if len(host.changes) >= 3 and tuple(argv[1:2]) == ("delete",):
            host.changes.append(tuple(argv))
            return 0, "Could not delete non-existent rule\n", ""
        return real_run(argv, data)

    host.run = run  # type: ignore[method-assign]
    with pytest.raises(
        FirewallError, match=r"and could not all be undone: 'ufw delete allow .*non-existent rule; check"
    ):
        run_task(host, {"port": [7000, 7100, 7200]})


def test_inverse_argv_round_trip():
    allow = ("ufw", "allow", "proto", "tcp", "from", "any", "to", "any", "port", "443", "comment", "webedge.https")
    assert inverse_argv(allow) == ("ufw", "delete", "allow", "proto", "tcp", "from", "any", "to", "any", "port", "443")
    assert inverse_argv(inverse_argv(allow)) == allow
