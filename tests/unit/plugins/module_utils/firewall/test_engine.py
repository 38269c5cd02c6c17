# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import os
from typing import List, Optional, Sequence, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall import engine
from ansible_collections.webedge.https.plugins.module_utils.firewall.lockout import LockoutError
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError, ValidationError
from ansible_collections.webedge.https.plugins.module_utils.firewall.nftables.backend import NftablesBackend
from ansible_collections.webedge.https.plugins.module_utils.firewall.nftables.parse import LIST_ARGV
from ansible_collections.webedge.https.plugins.module_utils.firewall.registry import Registry

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "fixtures", "firewall", "nftables")


def fixture(*parts: str) -> str:
    with open(os.path.join(FIXTURES, *parts), encoding="utf-8") as handle:
        return handle.read()


class Runner:
    def __init__(self, ruleset: str, apply_rc: int = 0) -> None:
        self.ruleset, self.apply_rc = ruleset, apply_rc
        self.calls: List[Tuple[str, ...]] = []

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        self.calls.append(tuple(argv))
        if tuple(argv) == LIST_ARGV:
            return 0, self.ruleset, ""
        return self.apply_rc, "", "Error: Could not process rule: No such file or directory"


def go(params, ruleset="after-open.json", ssh=None, apply_rc=0, check=False):
    runner = Runner(fixture("policy-drop", ruleset), apply_rc)
    result = engine.run(
        {"persist": False, **params},
        runner,
        check_mode=check,
        ssh_connection=ssh,
        registry=Registry({"nftables": NftablesBackend}),
    )
    return result, runner


def test_closing_the_port_of_the_ssh_connection_is_refused_before_any_write():
    runner = Runner(fixture("policy-drop", "after-open.json"))
    with pytest.raises(LockoutError, match=r"192\.0\.2\.10 to port 443"):
        engine.run(
            {"port": [443], "state": "closed", "persist": False},
            runner,
            ssh_connection="192.0.2.10 50000 192.0.2.1 443",
            registry=Registry({"nftables": NftablesBackend}),
        )
    assert runner.calls == [LIST_ARGV]


def test_force_lets_it_through_with_a_warning():
    result, runner = go({"port": [443], "state": "closed", "force": True}, ssh="192.0.2.10 50000 192.0.2.1 443")
    assert result["changed"] is True and ("nft", "-f", "-") in runner.calls
    assert any("force=true" in w for w in result["warnings"])


@pytest.mark.parametrize(
    ("params", "ssh"),
    [
        pytest.param({"port": [443], "state": "closed"}, "192.0.2.10 50000 192.0.2.1 22", id="other-port"),
        pytest.param(
            {"port": [8443], "state": "closed", "family": "ipv6"}, "192.0.2.10 5 192.0.2.1 8443", id="other-family"
        ),
        pytest.param({"port": [8050], "state": "closed"}, "192.0.2.10 5 192.0.2.1 8000", id="split-keeps-the-port"),
    ],
)
def test_changes_that_keep_the_ssh_connection_pass(params, ssh):
    result = go(params, ssh=ssh)[0]
    assert result["changed"] is True and result["warnings"] == []


def test_bad_input_fails_before_any_command():
    runner = Runner("{}")
    with pytest.raises(ValidationError):
        engine.run({"port": ["http"]}, runner, registry=Registry({"nftables": NftablesBackend}))
    assert runner.calls == []


def test_one_read_and_one_write_round_trip():
    runner = go({"port": [9000]}, ruleset="before.json")[1]
    assert runner.calls == [LIST_ARGV, ("nft", "-f", "-")]  # the probe's read is reused by read()


def test_failed_apply_is_an_error_naming_the_command():
    with pytest.raises(FirewallError, match="nft -f -"):
        go({"port": [9000]}, apply_rc=1)


def test_result_shape():
    result = go({"port": [9000], "family": "ipv4"}, check=True)[0]
    assert set(result) == {
        "changed", "backend", "backend_reason", "diff", "commands", "files",
        "rules", "added", "removed", "notes", "warnings", "effective", "blocked",
    }  # fmt: skip
    assert result["added"] == [{"family": "ipv4", "protocol": "tcp", "port": "9000", "source": None}]
    assert "tcp/9000 ipv4 from any\n" in result["diff"]["after"]
    assert "tcp/9000" not in result["diff"]["before"]
