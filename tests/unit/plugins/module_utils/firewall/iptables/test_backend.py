# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""iptables backend on real iptables-save captures, nft and legacy variants (see fixtures README)."""

from __future__ import annotations

import json
import os
from typing import Dict, List, Optional, Sequence, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall import engine
from ansible_collections.webedge.https.plugins.module_utils.firewall.iptables.backend import (
    RULES_PATHS,
    IptablesBackend,
    family_state,
    save_argv,
    update_rules_file,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.iptables.parse import filter_table
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import DesiredState
from ansible_collections.webedge.https.plugins.module_utils.firewall.registry import Registry
from ansible_collections.webedge.https.tests.unit.helpers.firewall_fakes import FakeFiles

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "fixtures", "firewall", "iptables")
CASES = [(v, s) for v in ("nft", "legacy") for s in ("docker-fail2ban", "reject-tail")]
IDS = [f"{v}-{s}" for v, s in CASES]
OPEN_A = {"port": [443, "8000-8080"]}
OPEN_B = {"port": [8443], "source": ["192.0.2.0/24", "2001:db8::/32"]}
CLOSE = {"port": [443, "8000-8080", 8443], "state": "closed"}


def fixture(*parts: str) -> str:
    with open(os.path.join(FIXTURES, *parts), encoding="utf-8") as handle:
        return handle.read()


class FakeRunner:
    """Replays captured save output for one variant; legacy tables exist only for the legacy cases."""

    def __init__(self, variant: str, v4: str, v6: str) -> None:
        self.variant = variant
        self.outputs = {save_argv("ipv4", variant): v4, save_argv("ipv6", variant): v6}
        self.calls: List[Tuple[Tuple[str, ...], Optional[str]]] = []

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        key = tuple(argv)
        self.calls.append((key, data))
        if key in self.outputs:
            return 0, self.outputs[key], ""
        if key[0].endswith("-save"):  # the other variant: empty
            return 0, "", ""
        if key == ("cat", "/proc/net/ip_tables_names"):
            return (0, "filter\n", "") if self.variant == "legacy" else (1, "", "No such file")
        if key == ("cat", "/proc/net/ip6_tables_names"):
            return (0, "filter\n", "") if self.variant == "legacy" else (1, "", "No such file")
        if key[0] in ("iptables", "iptables-legacy"):
            return 0, fixture(f"iptables-{self.variant}-V.txt"), ""
        if "--noflush" in key:
            return 0, "", ""
        return 127, "", "not found"


def run(variant: str, scenario: str, state: str, params: dict, *, files: Optional[dict] = None, check: bool = False):
    runner = FakeRunner(
        variant, fixture(variant, scenario, f"{state}.v4.save"), fixture(variant, scenario, f"{state}.v6.save")
    )
    store = FakeFiles(files or {})
    result = engine.run(params, runner, check_mode=check, files=store, registry=Registry({"iptables": IptablesBackend}))
    return result, runner, store


def scenario_files(scenario: str, suffix: Optional[str]) -> Dict[str, str]:
    if scenario != "docker-fail2ban":
        return {}
    if suffix is None:  # the files as they were before (comments dropped, as capture.sh did)
        return {
            RULES_PATHS[f]: "".join(
                line + "\n"
                for line in fixture("scenarios", f"{scenario}.{n}.rules").splitlines()
                if not line.startswith("#")
            )
            for f, n in (("ipv4", "v4"), ("ipv6", "v6"))
        }
    return {RULES_PATHS["ipv4"]: fixture("nft", scenario, f"rules.v4.{suffix}")}


@pytest.mark.parametrize(("variant", "scenario"), CASES, ids=IDS)
def test_plan_from_real_save_reproduces_the_commands_the_real_run_applied(variant, scenario):
    recorded = json.loads(fixture(variant, scenario, "open-a.json"))
    result = run(variant, scenario, "before", OPEN_A, files=scenario_files(scenario, None))[0]
    assert result["commands"] == recorded["commands"]
    assert result["backend_reason"] == recorded["backend_reason"]


@pytest.mark.parametrize(("variant", "scenario"), CASES, ids=IDS)
def test_check_mode_predicts_the_real_run_and_writes_nothing(variant, scenario):
    predicted = json.loads(fixture(variant, scenario, "open-a.check.json"))
    applied = json.loads(fixture(variant, scenario, "open-a.json"))
    assert (predicted["commands"], predicted["files"]) == (applied["commands"], applied["files"])
    runner, store = run(variant, scenario, "before", OPEN_A, check=True)[1:]
    assert not any("--noflush" in call[0] for call in runner.calls) and store.written == {}


@pytest.mark.parametrize(("variant", "scenario"), CASES, ids=IDS)
@pytest.mark.parametrize("params", [OPEN_A, OPEN_B], ids=["open-a", "open-b"])
def test_second_run_on_real_after_state_changes_nothing(variant, scenario, params):
    files = {
        RULES_PATHS["ipv4"]: fixture(variant, scenario, "rules.v4.after"),
        RULES_PATHS["ipv6"]: fixture(variant, scenario, "rules.v6.after"),
    }
    result, store = run(variant, scenario, "after-open", params, files=files)[::2]
    assert (result["changed"], result["commands"], store.written) == (False, [], {})


@pytest.mark.parametrize(("variant", "scenario"), CASES, ids=IDS)
def test_restore_input_touches_only_our_chain_and_jump(variant, scenario):
    for params, state in ((OPEN_A, "before"), (CLOSE, "after-open")):
        result = run(variant, scenario, state, params)[0]
        for command in result["commands"]:
            assert command["argv"][1:] == ["--noflush", "--wait", "10"]
            body = command["stdin"].splitlines()
            assert body[0] == "*filter" and body[-1] == "COMMIT"
            for line in body[1:-1]:
                assert "WEBEDGE-HTTPS" in line or line.startswith("-D INPUT ")


@pytest.mark.parametrize(("variant", "scenario"), CASES, ids=IDS)
def test_close_deletes_our_jump_by_position_and_our_chain(variant, scenario):
    result = run(variant, scenario, "after-open", CLOSE)[0]
    v4 = family_state("ipv4", fixture(variant, scenario, "after-open.v4.save"))
    assert (
        result["commands"][0]["stdin"]
        == f"*filter\n-D INPUT {v4.jumps[0] + 1}\n-F WEBEDGE-HTTPS\n-X WEBEDGE-HTTPS\nCOMMIT\n"
    )


@pytest.mark.parametrize(
    ("scenario", "jump_before"),
    [
        pytest.param("docker-fail2ban", None, id="policy-drop-appends-below-fail2ban-jump"),
        pytest.param(
            "reject-tail", "-A INPUT -j REJECT --reject-with icmp-host-prohibited", id="before-catch-all-reject"
        ),
    ],
)
def test_jump_position_in_real_after_state(scenario, jump_before):
    for variant in ("nft", "legacy"):
        rules = [r.line for r in filter_table(fixture(variant, scenario, "after-open.v4.save")).chain_rules("INPUT")]
        at = rules.index('-A INPUT -m comment --comment "webedge.https" -j WEBEDGE-HTTPS')
        assert rules[at + 1 : at + 2] == ([jump_before] if jump_before else [])
        if scenario == "docker-fail2ban":
            assert rules[0] == "-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd"  # bans still first


def strip(text: str) -> List[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@pytest.mark.parametrize(("variant", "scenario"), CASES, ids=IDS)
def test_rules_file_update_matches_real_save_and_closing_restores_it(variant, scenario):
    desired_after = (
        DesiredState.from_params({"port": [443, "8000-8080"]}).rules + DesiredState.from_params(OPEN_B).rules
    )
    v4 = [r for r in desired_after if r.family == "ipv4"]
    saved = fixture(variant, scenario, "after-open.v4.save")
    before = "\n".join(strip(fixture(variant, scenario, "before.v4.save"))) + "\n"
    # our lines land exactly where iptables-save shows them after the real apply
    assert strip(update_rules_file(before, v4)) == strip(saved)
    # and removing them gives back the original file byte for byte
    assert update_rules_file(update_rules_file(before, v4), []) == before


def test_docker_chains_in_the_persisted_file_stay_byte_for_byte():
    original = scenario_files("docker-fail2ban", None)[RULES_PATHS["ipv4"]]
    after = fixture("nft", "docker-fail2ban", "rules.v4.after")
    kept = [line for line in after.splitlines() if "WEBEDGE-HTTPS" not in line]
    assert kept == original.splitlines()
    assert fixture("nft", "docker-fail2ban", "rules.v4.closed") == original


@pytest.mark.parametrize(
    ("variant", "probe_calls_legacy_save"),
    [("nft", False), ("legacy", True)],
)
def test_detection_picks_the_variant_holding_rules_without_creating_legacy_tables(variant, probe_calls_legacy_save):
    runner = FakeRunner(variant, fixture(variant, "reject-tail", "before.v4.save"), "")
    detection = IptablesBackend.probe(runner)
    assert (detection.active, detection.variant) == (True, variant)
    called = any(call[0][0] == "iptables-legacy-save" for call in runner.calls)
    assert called is probe_calls_legacy_save
