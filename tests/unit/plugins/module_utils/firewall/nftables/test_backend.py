# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nftables backend on real `nft -j list ruleset` captures (see fixtures/firewall/nftables/README.md)."""

from __future__ import annotations

import json
import os
import re
from typing import List, Optional, Sequence, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall import engine
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError
from ansible_collections.webedge.https.plugins.module_utils.firewall.nftables.backend import (
    CONF_PATH,
    INCLUDE_PATH,
    NftablesBackend,
    add_include,
    conf_includes,
    read_state,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.nftables.parse import LIST_ARGV
from ansible_collections.webedge.https.plugins.module_utils.firewall.registry import Registry
from ansible_collections.webedge.https.tests.unit.helpers.firewall_fakes import FakeFiles

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "fixtures", "firewall", "nftables")
SCENARIOS = ["policy-drop", "reject-tail", "fail2ban-ip6", "docker-policy-drop"]
OPEN_A = {"port": [443, "8000-8080"]}
OPEN_B = {"port": [8443], "source": ["192.0.2.0/24", "2001:db8::/32"]}
CLOSE = {"port": [443, "8000-8080", 8443], "state": "closed"}


def fixture(*parts: str) -> str:
    with open(os.path.join(FIXTURES, *parts), encoding="utf-8") as handle:
        return handle.read()


class FakeRunner:
    def __init__(self, ruleset: str) -> None:
        self.ruleset = ruleset
        self.calls: List[Tuple[Tuple[str, ...], Optional[str]]] = []

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        self.calls.append((tuple(argv), data))
        if tuple(argv) == LIST_ARGV:
            return 0, self.ruleset, ""
        if tuple(argv) == ("nft", "-f", "-"):
            return 0, "", ""
        return 127, "", "not found"


def run(scenario: str, state_file: str, params: dict, *, check: bool = False, files: Optional[dict] = None):
    runner = FakeRunner(fixture(scenario, state_file))
    store = FakeFiles(files if files is not None else {CONF_PATH: fixture(scenario, "nftables.conf")})
    result = engine.run(params, runner, check_mode=check, files=store, registry=Registry({"nftables": NftablesBackend}))
    return result, runner, store


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_plan_from_real_ruleset_reproduces_the_commands_the_real_run_applied(scenario):
    recorded = json.loads(fixture(scenario, "open-a.json"))
    result = run(scenario, "before.json", OPEN_A)[0]
    assert result["commands"] == recorded["commands"]
    assert result["rules"] == recorded["rules"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_check_mode_predicts_the_real_run_and_runs_no_write(scenario):
    predicted = json.loads(fixture(scenario, "open-a.check.json"))
    applied = json.loads(fixture(scenario, "open-a.json"))
    assert predicted["commands"] == applied["commands"] and predicted["changed"] is applied["changed"] is True
    runner, store = run(scenario, "before.json", OPEN_A, check=True)[1:]
    assert [call[0] for call in runner.calls] == [LIST_ARGV]
    assert store.written == {}


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("params", [OPEN_A, OPEN_B], ids=["open-a", "open-b"])
def test_second_run_on_real_after_state_changes_nothing(scenario, params):
    files = {
        CONF_PATH: fixture(scenario, "nftables.conf.after"),
        INCLUDE_PATH: fixture(scenario, "webedge-https.nft"),
    }
    result, runner, store = run(scenario, "after-open.json", params, files=files)
    assert result["changed"] is False
    assert result["commands"] == [] and store.written == {}
    assert [call[0] for call in runner.calls] == [LIST_ARGV]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_close_deletes_only_our_marked_rules_and_our_table(scenario):
    state = json.loads(fixture(scenario, "after-open.json"))["nftables"]
    ours = {
        (r["rule"]["family"], r["rule"]["table"], r["rule"]["chain"], r["rule"]["handle"])
        for r in state
        if "rule" in r
        and r["rule"].get("comment", "").startswith("webedge.https")
        and r["rule"]["table"] != "webedge_https"
    }
    result = run(scenario, "after-open.json", CLOSE, files={})[0]
    script = result["commands"][0]["stdin"].splitlines()
    assert script[0] == "delete table inet webedge_https"
    deleted = {tuple(re.match(r"delete rule (\S+) (\S+) (\S+) handle (\d+)$", line).groups()) for line in script[1:]}
    assert deleted == {(f, t, c, str(h)) for f, t, c, h in ours}
    assert result["rules"] == []


@pytest.mark.parametrize(
    ("scenario", "chains"),
    [
        pytest.param("policy-drop", {"inet filter input"}, id="policy-drop-chain-gets-copies"),
        pytest.param("reject-tail", {"inet filter input"}, id="trailing-reject-chain-gets-copies"),
        pytest.param(
            "fail2ban-ip6",
            {"inet filter input", "ip6 legacy6 inbound"},
            id="jump-to-drop-chain-counts-fail2ban-bans-do-not",
        ),
        pytest.param("docker-policy-drop", {"inet filter input"}, id="iptables-nft-docker-tables-untouched"),
    ],
)
def test_which_foreign_chains_receive_our_rules(scenario, chains):
    result = run(scenario, "before.json", OPEN_A)[0]
    script = result["commands"][0]["stdin"]
    touched = {" ".join(m) for m in re.findall(r"^(?:add|insert) rule (\S+) (\S+) (\S+) ", script, re.M)}
    assert touched - {"inet webedge_https input"} == chains


@pytest.mark.parametrize(
    ("scenario", "expected_line"),
    [
        pytest.param(
            "policy-drop", "add rule inet filter input meta nfproto ipv4 tcp dport 443", id="append-policy-drop"
        ),
        pytest.param(
            "reject-tail", "insert rule inet filter input handle 7 meta nfproto ipv4 tcp dport 443", id="before-reject"
        ),
        pytest.param(
            "fail2ban-ip6", "insert rule ip6 legacy6 inbound handle 5 tcp dport 443 accept", id="before-jump-to-drop"
        ),
    ],
)
def test_copies_go_after_conditional_drops_and_before_the_first_blocking_rule(scenario, expected_line):
    result = run(scenario, "before.json", OPEN_A)[0]
    assert expected_line in result["commands"][0]["stdin"]


def test_blocking_rule_handles_in_fixtures_are_the_catch_all_rules():
    state = read_state(fixture("reject-tail", "before.json"))
    chain = next(c for c in state.foreign if c.ident == "inet filter input")
    assert (chain.blocks, chain.block_handle, chain.block_index) == (True, 7, 4)  # after the blocklist drop


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_persisted_include_is_the_captured_file_and_conf_gets_one_include(scenario):
    result, store = run(scenario, "before.json", OPEN_A)[::2]
    assert result["files"] == [INCLUDE_PATH, CONF_PATH]
    conf = store.written[CONF_PATH]
    assert conf.count(f'include "{INCLUDE_PATH}"') == 1
    assert add_include(conf) == conf  # only once
    assert conf.startswith(fixture(scenario, "nftables.conf"))  # appended, nothing else changed


@pytest.mark.parametrize(
    ("conf", "included"),
    [
        ('include "/etc/nftables.d/*.nft"\n', True),
        ('include "/etc/nftables.d/webedge-https.nft"\n', True),
        ('# include "/etc/nftables.d/webedge-https.nft"\n', False),
        ("flush ruleset\n", False),
    ],
)
def test_existing_include_lines_are_recognised(conf, included):
    assert conf_includes(conf) is included


def test_xtables_chain_that_blocks_is_refused_not_written():
    ruleset = json.dumps(
        {
            "nftables": [
                {"table": {"family": "ip", "name": "filter", "handle": 1}},
                {
                    "chain": {
                        "family": "ip",
                        "table": "filter",
                        "name": "INPUT",
                        "handle": 1,
                        "type": "filter",
                        "hook": "input",
                        "prio": 0,
                        "policy": "drop",
                    }
                },
            ]
        }
    )
    runner = FakeRunner(ruleset)
    with pytest.raises(FirewallError, match="managed by iptables-nft"):
        engine.run(
            OPEN_A, runner, files=FakeFiles({}), registry=Registry({"nftables": NftablesBackend}), check_mode=True
        )
