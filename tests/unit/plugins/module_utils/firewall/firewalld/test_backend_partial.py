# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewall-cmd failing partway through a change (the runtime calls passed and a permanent one failed, or a
later call of one layer): the calls that ran are undone, last first, and the ownership file is not written."""

from __future__ import annotations

import os
import re
from typing import Dict, List, Optional, Sequence, Set, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall import engine
from ansible_collections.webedge.https.plugins.module_utils.firewall.firewalld.backend import (
    STATE_PATH,
    FirewalldBackend,
    inverse_argv,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.firewalld.parse import Item, render_state
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError
from ansible_collections.webedge.https.plugins.module_utils.firewall.registry import Registry
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange
from ansible_collections.webedge.https.tests.unit.helpers.firewall_fakes import FakeFiles

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "fixtures", "firewall", "firewalld")
RANGE = Item("port", "tcp", PortRange(8000, 8010))
RICH = Item("rich", "tcp", PortRange(8443, 8443), "ipv4", "10.0.0.0/8")


def fixture(name: str) -> str:
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return handle.read()


class Firewalld:
    """Both layers of zone public, answering ``--list-all`` in the captured format (``fresh-list-all.txt``)
    and applying every change option as firewalld does; the change call number ``fail_at`` (1-based) is
    refused with nothing changed."""

    def __init__(self, fail_at: int, items: Sequence[Item] = ()) -> None:
        ports = {i.text() for i in items if i.kind == "port"}
        rich = {i.text() for i in items if i.kind == "rich"}
        self.layers = {layer: {"ports": set(ports), "rich": set(rich)} for layer in ("runtime", "permanent")}
        self.fail_at = fail_at
        self.changes: List[List[str]] = []

    def snapshot(self) -> Dict[str, Dict[str, Set[str]]]:
        return {layer: {kind: set(items) for kind, items in v.items()} for layer, v in self.layers.items()}

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        args = list(argv)
        assert args[0] == "firewall-cmd", args
        layer = self.layers["permanent" if "--permanent" in args else "runtime"]
        if args == ["firewall-cmd", "--state"]:
            return 0, "running\n", ""
        if args[-1] == "--list-all":
            text = fixture("fresh-list-all.txt").replace(
                "  ports: \n", f"  ports: {' '.join(sorted(layer['ports']))}\n"
            )
            return 0, text + "".join(f"\t{rule}\n" for rule in sorted(layer["rich"])), ""
        self.changes.append(args)
        if len(self.changes) == self.fail_at:
            return 1, "", "Error: injected failure"
        for arg in args[1:]:
            match = re.match(r"--(add|remove)-(port|rich-rule)=(.*)$", arg)
            assert match or arg.startswith("--zone=") or arg == "--permanent", arg
            if match:
                items = layer["ports" if match.group(2) == "port" else "rich"]
                (items.add if match.group(1) == "add" else items.discard)(match.group(3))
        return 0, "success\n", ""


# (task, items owned and present before, number of change calls the task makes)
CASES = {
    "open a port": ({"port": 443}, (), 2),  # --add-port, runtime then permanent
    "open a rich rule": ({"port": 8443, "source": ["10.0.0.0/8"], "family": "ipv4"}, (), 2),
    # per layer --remove-port, --add-port (the two pieces)
    "split a range": ({"port": 8005, "state": "closed"}, (RANGE,), 4),
    "close a rich rule": ({"port": 8443, "source": ["10.0.0.0/8"], "family": "ipv4", "state": "closed"}, (RICH,), 2),
}
FAILURES = [(name, fail_at) for name, (_task, _items, calls) in CASES.items() for fail_at in range(2, calls + 1)]


def run_task(host: Firewalld, task: Dict[str, object], items: Sequence[Item]) -> FakeFiles:
    store = FakeFiles({STATE_PATH: render_state({"public": frozenset(items)})} if items else {})
    engine.run({"backend": "firewalld", **task}, host, files=store, registry=Registry({"firewalld": FirewalldBackend}))
    return store


@pytest.mark.parametrize("name", list(CASES))
def test_cases_change_both_layers_when_nothing_fails(name):
    task, items, calls = CASES[name]
    host = Firewalld(fail_at=0, items=items)
    before = host.snapshot()
    store = run_task(host, task, items)
    assert len(host.changes) == calls
    assert host.snapshot()["runtime"] != before["runtime"] and host.snapshot()["permanent"] != before["permanent"]
    assert STATE_PATH in store.written


def test_closing_a_port_inside_a_range_keeps_the_rest_of_it_in_both_layers():
    # seen on a lab firewalld (1.3) before the fix: 8000-8004/tcp 8006-8010/tcp at runtime, none of them permanent
    host = Firewalld(fail_at=0, items=(RANGE,))
    run_task(host, {"port": 8005, "state": "closed"}, (RANGE,))
    assert (
        host.snapshot()["permanent"]
        == host.snapshot()["runtime"]
        == {
            "ports": {"8000-8004/tcp", "8006-8010/tcp"},
            "rich": set(),
        }
    )


@pytest.mark.parametrize(("name", "fail_at"), FAILURES)
def test_a_call_failing_after_others_ran_leaves_both_layers_as_they_were(name, fail_at):
    task, items, _calls = CASES[name]
    host = Firewalld(fail_at, items)
    before = host.snapshot()
    with pytest.raises(FirewallError) as info:
        run_task(host, task, items)
    message = str(info.value)
    assert "injected failure" in message
    assert f"the {fail_at - 1} call(s) before it were undone: the previous rules are back" in message
    assert host.snapshot() == before
    # the undo calls are the calls that ran, inverted, last first
    ran = host.changes[: fail_at - 1]
    assert host.changes[fail_at:] == [inverse_argv(argv) for argv in reversed(ran)]


def test_first_call_failing_undoes_nothing():
    host = Firewalld(fail_at=1)
    with pytest.raises(FirewallError) as info:
        run_task(host, {"port": 443}, ())
    assert "undone" not in str(info.value)
    assert len(host.changes) == 1


def test_an_undo_call_failing_says_so():
    host = Firewalld(fail_at=2)
    real_run = host.run

    def run(argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        if len(host.changes) >= 2 and "--list-all" not in argv:
            host.changes.append(list(argv))
            return 1, "", "Error: undo refused"
        return real_run(argv, data)

    host.run = run  # type: ignore[method-assign]
    with pytest.raises(FirewallError, match=r"were applied and could not all be undone: .*undo refused; check"):
        run_task(host, {"port": 443}, ())


def test_inverse_argv_swaps_each_add_and_remove_option():
    argv = ["firewall-cmd", "--permanent", "--zone=public", "--add-port=443/tcp", "--remove-rich-rule=" + RICH.text()]
    assert inverse_argv(argv) == [
        "firewall-cmd",
        "--permanent",
        "--zone=public",
        "--remove-port=443/tcp",
        "--add-rich-rule=" + RICH.text(),
    ]
    assert inverse_argv(inverse_argv(argv)) == argv
