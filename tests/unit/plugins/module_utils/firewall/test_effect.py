# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewall_port's after-check: a port we opened that an earlier foreign rule still blocks is never a silent success."""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.effect import check_effect
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import DesiredState
from ansible_collections.webedge.https.tests.unit.helpers.firewall_rulesets import fixture

OURS = "-A INPUT -p {p} -m {p} --dport 443 -m comment --comment webedge.https -j ACCEPT\n"


class Saves:
    """A host with iptables-nft only: ``nft`` is absent, the saves answer per family."""

    def __init__(self, v4: str, v6: str = "") -> None:
        self.answers: Dict[Tuple[str, ...], Tuple[int, str, str]] = {
            ("iptables", "-V"): (0, "iptables v1.8.9 (nf_tables)\n", ""),
            ("iptables-nft-save",): (0, v4, ""),
            ("ip6tables-nft-save",): (0, v6, ""),
        }
        self.seen: List[Tuple[str, ...]] = []

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        self.seen.append(tuple(argv))
        return self.answers.get(tuple(argv), (127, "", "not found"))


def _accepting(protocols: Sequence[str]) -> str:
    rules = "".join(OURS.format(p=p) for p in protocols)
    return f"*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n{rules}COMMIT\n"


def test_a_list_of_protocols_makes_one_rule_per_protocol():
    desired = DesiredState.from_params({"port": [443], "protocol": ["tcp", "udp", "tcp"], "family": "ipv4"})
    assert desired.protocols == ("tcp", "udp")
    assert [(r.protocol, str(r.ports)) for r in desired.rules] == [("tcp", "443"), ("udp", "443")]
    assert DesiredState.from_params({"port": [443], "protocol": "udp"}).all_protocols == ("udp",)


def test_a_bad_protocol_in_the_list_is_named():
    try:
        DesiredState.from_params({"port": [443], "protocol": ["tcp", "sctp"]})
    except ValueError as exc:
        assert "sctp" in str(exc)
    else:
        raise AssertionError("sctp accepted")


def test_opened_ports_that_get_through_are_effective():
    desired = DesiredState.from_params({"port": [443], "protocol": ["tcp", "udp"], "family": "ipv4"})
    effective, blocked, warnings = check_effect(desired, Saves(_accepting(["tcp", "udp"])))
    assert (effective, blocked, warnings) == (True, [], [])


def test_an_earlier_reject_makes_it_not_effective_and_warns_naming_the_rule():
    desired = DesiredState.from_params({"port": [443], "family": "ipv4"})
    effective, blocked, warnings = check_effect(desired, Saves(fixture("ipt-reject-before-accept.save")))
    assert effective is False
    assert [(b["protocol"], b["port"], b["verdict"]) for b in blocked] == [("tcp", 443, "reject")]
    assert "--reject-with tcp-reset" in blocked[0]["decided_by"]
    assert len(warnings) == 1 and "still rejects new connections" in warnings[0]


def test_only_the_blocked_protocol_is_listed():
    desired = DesiredState.from_params({"port": [443], "protocol": ["tcp", "udp"], "family": "ipv4"})
    effective, blocked, _warnings = check_effect(desired, Saves(_accepting(["tcp"])))
    assert effective is False
    assert [(b["protocol"], b["verdict"], b["decided_by"]) for b in blocked] == [
        ("udp", "drop", "iptables filter INPUT: policy DROP")
    ]


def test_an_undecidable_verdict_is_null_with_the_reason():
    save = (
        "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m recent --rcheck -j DROP\n" + OURS.format(p="tcp") + "COMMIT\n"
    )
    desired = DesiredState.from_params({"port": [443], "family": "ipv4"})
    effective, blocked, warnings = check_effect(desired, Saves(save))
    assert effective is None
    assert blocked[0]["verdict"] == "unknown"
    assert "cannot tell whether new connections to tcp/443 ipv4" in warnings[0]


def test_closing_is_not_asked():
    runner = Saves(_accepting(["tcp"]))
    desired = DesiredState.from_params({"port": [443], "state": "closed"})
    assert check_effect(desired, runner) == (None, [], [])
    assert runner.seen == []
