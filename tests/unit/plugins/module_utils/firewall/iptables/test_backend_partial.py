# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A restore that fails after another family's restore ran: the changed family gets its previous rules back."""

from __future__ import annotations

import os
from typing import Dict, List, Optional, Sequence, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall import engine
from ansible_collections.webedge.https.plugins.module_utils.firewall.iptables.backend import (
    CHAIN,
    IptablesBackend,
    family_state,
    save_argv,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError
from ansible_collections.webedge.https.plugins.module_utils.firewall.registry import Registry
from ansible_collections.webedge.https.tests.unit.helpers.firewall_fakes import FakeFiles

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "fixtures", "firewall", "iptables")
OPEN = {"port": [443, "8000-8080"]}  # what the after-open saves were captured after


def fixture(*parts: str) -> str:
    with open(os.path.join(FIXTURES, *parts), encoding="utf-8") as handle:
        return handle.read()


class StatefulRunner:
    """Real saves of one legacy host: a family's restore moves it from its before to its after-open save;
    the restores of the families in ``failing`` fail; a restore that removes our chain brings back before."""

    def __init__(self, scenario: str, failing: Sequence[str]) -> None:
        self.saves = {
            family: {state: fixture("legacy", scenario, f"{state}.{suffix}.save") for state in ("before", "after-open")}
            for family, suffix in (("ipv4", "v4"), ("ipv6", "v6"))
        }
        self.state = {"ipv4": "before", "ipv6": "before"}
        self.failing = set(failing)
        self.restores: List[Tuple[str, str]] = []

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        key = tuple(argv)
        for family in ("ipv4", "ipv6"):
            if key == save_argv(family, "legacy"):
                return 0, self.saves[family][self.state[family]], ""
        if key[0] == "cat":
            return 0, "filter\n", ""
        if key[0] in ("iptables", "iptables-legacy"):
            return 0, fixture("iptables-legacy-V.txt"), ""
        if key[0].endswith("-restore"):
            family = "ipv6" if key[0].startswith("ip6") else "ipv4"
            if family in self.failing:
                return 2, "", "iptables-restore: injected failure"
            self.restores.append((family, data or ""))
            self.state[family] = "before" if f"-X {CHAIN}" in (data or "") else "after-open"
            return 0, "", ""
        return 127, "", "not found"


def apply(runner: StatefulRunner, files: Optional[Dict[str, str]] = None):
    store = FakeFiles(files or {})
    registry = Registry({"iptables": IptablesBackend})
    return engine.run(OPEN, runner, files=store, registry=registry), store


@pytest.mark.parametrize("scenario", ["docker-fail2ban", "reject-tail"])
def test_ipv6_restore_failing_puts_the_ipv4_rules_back(scenario):
    runner = StatefulRunner(scenario, failing=["ipv6"])
    with pytest.raises(FirewallError) as info:
        apply(runner)
    assert "injected failure" in str(info.value)
    assert "the previous ipv4 rules were put back" in str(info.value)
    assert [restore[0] for restore in runner.restores] == ["ipv4", "ipv4"]  # the change, then the undo
    assert runner.state == {"ipv4": "before", "ipv6": "before"}
    # the undo script turns the after-open save back into the before save's own rules (none of ours)
    before = family_state("ipv4", runner.saves["ipv4"]["before"])
    assert before.own_rules == () and f"-X {CHAIN}" in runner.restores[1][1]


@pytest.mark.parametrize("scenario", ["docker-fail2ban", "reject-tail"])
def test_first_restore_failing_changes_nothing_and_writes_no_file(scenario):
    runner = StatefulRunner(scenario, failing=["ipv4"])
    store = FakeFiles({})
    with pytest.raises(FirewallError) as info:
        engine.run({**OPEN, "persist": True}, runner, files=store, registry=Registry({"iptables": IptablesBackend}))
    assert "put back" not in str(info.value)
    assert runner.restores == [] and store.written == {}


def test_both_restores_succeeding_report_both_commands():
    runner = StatefulRunner("reject-tail", failing=[])
    result = apply(runner)[0]
    assert result["changed"] and [c["argv"][0] for c in result["commands"]] == [
        "iptables-legacy-restore",
        "ip6tables-legacy-restore",
    ]
    assert runner.state == {"ipv4": "after-open", "ipv6": "after-open"}
