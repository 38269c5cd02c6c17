# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewall_info's gathering, replayed from real lab-container runs (fixtures/firewall/evaluate/info/)."""

from __future__ import annotations

import json
import os
from typing import Dict, List, Optional, Sequence, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall.info import InfoRequest, gather_info
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import ValidationError

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "fixtures", "firewall", "evaluate", "info")
WRITES = ("--add-", "--remove-", "allow", "delete", "-restore", "-f")


def recording(name: str) -> Dict[str, object]:
    with open(os.path.join(FIXTURES, f"{name}.json"), encoding="utf-8") as handle:
        return json.load(handle)


class Replay:
    """Answers each command with what the lab host answered; refuses anything that could write."""

    def __init__(self, calls: List[Dict[str, object]]) -> None:
        self.answers = {tuple(c["argv"]): (c["rc"], c["out"], c["err"]) for c in calls}  # type: ignore[arg-type]
        self.seen: List[Tuple[str, ...]] = []

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        assert data is None and not any(a.startswith(WRITES) or a in WRITES for a in argv[1:]), argv
        self.seen.append(tuple(argv))
        return self.answers[tuple(argv)]  # type: ignore[return-value]


class Files:
    def __init__(self, files: Dict[str, Optional[str]]) -> None:
        self.files = files

    def read(self, path: str) -> Optional[str]:
        return self.files.get(path)

    def write(self, path: str, text: str, mode: int = 0o644) -> None:
        raise AssertionError("firewall_info never writes")


@pytest.mark.parametrize("name", ["firewalld", "ufw", "iptables-nft-mixed"])
def test_replay_gives_the_result_of_the_real_run(name):
    record = recording(name)
    runner = Replay(record["calls"])  # type: ignore[arg-type]
    result = gather_info(record["params"], runner, files=Files(record["files"]))  # type: ignore[arg-type]
    assert result == record["result"]
    assert len(runner.seen) == len(set(runner.seen))  # each read once (the probes' outputs are reused)


def test_firewalld_host():
    result = recording("firewalld")["result"]
    assert result["active_backends"] == ["firewalld", "nftables"]
    assert result["firewalld"]["zone"] == "public"
    assert {r["port"] for r in result["rules"]["firewalld"]} == {"9443"}
    by_port = {v["port"]: v for v in result["verdicts"]}
    assert by_port[8443]["ipv4"] == {
        "verdict": "reject",
        "decided_by": "nftables inet firewalld filter_INPUT: filter_IN_public: rule 'reject' (handle 72)",
    }
    assert by_port[9443]["verdict"] == "accept"


def test_ufw_host_first_match_and_source():
    result = recording("ufw")["result"]
    assert result["ufw"]["default_incoming"] == "deny"
    by_port = {v["port"]: v for v in result["verdicts"]}
    assert set(by_port[443]) >= {"ipv4"} and "ipv6" not in by_port[443]  # an IPv4 source: IPv4 only
    assert by_port[443]["verdict"] == "accept"  # the allow comes before the admin's reject for 203.0.113.0/24
    assert by_port[8443]["verdict"] == "reject"


def test_iptables_nft_host_mixes_iptables_save_and_native_nft():
    result = recording("iptables-nft-mixed")["result"]
    assert [v["verdict"] for v in result["verdicts"]] == ["mixed", "mixed"]
    assert result["verdicts"][1]["ipv6"]["decided_by"].startswith("nftables inet guard input")
    assert result["default_policy"]["ipv4"][0] == {"chain": "iptables filter INPUT", "priority": 0, "policy": "DROP"}


REQUESTS = [
    ("range_expands", {"ports": ["8000-8002"]}, (8000, 8001, 8002), ("ipv4", "ipv6")),
    ("source_picks_family", {"ports": [443], "source": "2001:db8::1"}, (443,), ("ipv6",)),
    ("family_ipv4", {"ports": [443], "family": "ipv4"}, (443,), ("ipv4",)),
]


@pytest.mark.parametrize(("params", "ports", "families"), [r[1:] for r in REQUESTS], ids=[r[0] for r in REQUESTS])
def test_info_request(params, ports, families):
    request = InfoRequest.from_params(params)
    assert (request.ports, request.families) == (ports, families)


BAD = [
    ("bad_port", {"ports": ["http"]}, "invalid port 'http'"),
    ("too_many_ports", {"ports": ["1-2000"]}, "at most 1024"),
    ("cidr_is_not_an_address", {"ports": [443], "source": "10.0.0.0/8"}, "invalid source '10.0.0.0/8'"),
    ("family_conflict", {"ports": [443], "source": "10.0.0.1", "family": "ipv6"}, "is an ipv4 address"),
    ("bad_interface", {"ports": [443], "interface": "eth0; reboot"}, "invalid interface"),
    ("bad_protocol", {"ports": [443], "protocol": "sctp"}, "invalid protocol 'sctp'"),
]


@pytest.mark.parametrize(("params", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_fails_before_any_command(params, message):
    runner = Replay([])
    with pytest.raises(ValidationError, match=message):
        gather_info(params, runner, files=Files({}))
    assert runner.seen == []
