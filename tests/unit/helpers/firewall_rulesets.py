# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rulesets captured in lab containers (tests/unit/fixtures/firewall/evaluate/README.md) and the verdict table check.

Shared by the evaluator tests: nftables, iptables and whole hosts (``firewall/info.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional, Sequence

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall.info import HostRulesets, evaluate_packet
from ansible_collections.webedge.https.plugins.module_utils.firewall.nftables.parse import parse_ruleset
from ansible_collections.webedge.https.plugins.module_utils.firewall.verdict import Packet

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "firewall" / "evaluate"
V4_443 = Packet("ipv4", "tcp", 443)
V6_443 = Packet("ipv6", "tcp", 443)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def host(nft: Optional[str] = None, v4: Optional[str] = None, v6: Optional[str] = None, variant: str = "nft"):
    """The rulesets of a host from fixture names: nft JSON, iptables-save for IPv4 and IPv6."""
    ipt: Dict[str, str] = {}
    if v4:
        ipt["ipv4"] = fixture(v4)
    if v6:
        ipt["ipv6"] = fixture(v6)
    return HostRulesets(parse_ruleset(fixture(nft)) if nft else None, ipt, variant)


def verdict_table(cases: Sequence[Sequence[Any]]) -> Any:
    """Parametrize a test over ``(id, rulesets, packet, verdict, text expected in decided_by or reason)`` rows."""
    return pytest.mark.parametrize(
        ("rulesets", "packet", "verdict", "evidence"), [case[1:] for case in cases], ids=[case[0] for case in cases]
    )


def check_verdict(rulesets: Dict[str, str], packet: Packet, verdict: str, evidence: str) -> None:
    result = evaluate_packet(host(**rulesets), packet)
    assert result.verdict == verdict, result
    assert evidence in result.decided_by + " " + result.reason
