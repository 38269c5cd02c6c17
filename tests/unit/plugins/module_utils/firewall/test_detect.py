# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import os
from typing import Dict, Optional, Sequence, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import Detection, FirewallBackend
from ansible_collections.webedge.https.plugins.module_utils.firewall.detect import select_backend
from ansible_collections.webedge.https.plugins.module_utils.firewall.iptables.backend import IptablesBackend
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError
from ansible_collections.webedge.https.plugins.module_utils.firewall.nftables.backend import NftablesBackend
from ansible_collections.webedge.https.plugins.module_utils.firewall.registry import Registry

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "fixtures", "firewall")
EMPTY_NFT = '{"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}}]}'


def fixture(*parts: str) -> str:
    with open(os.path.join(FIXTURES, *parts), encoding="utf-8") as handle:
        return handle.read()


class Runner:
    def __init__(self, outputs: Dict[Tuple[str, ...], Tuple[int, str, str]]) -> None:
        self.outputs = outputs

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        return self.outputs.get(tuple(argv), (127, "", "not found"))


def host(nft: Optional[str] = EMPTY_NFT, ipt_nft_v4: str = "", legacy_v4: Optional[str] = None):
    outputs = {
        ("iptables-nft-save", "-t", "filter"): (0, ipt_nft_v4, ""),
        ("ip6tables-nft-save", "-t", "filter"): (0, "", ""),
        ("iptables", "-V"): (0, "iptables v1.8.9 (nf_tables)\n", ""),
        ("iptables-legacy", "--version"): (0, "iptables v1.8.9 (legacy)\n", ""),
    }
    if nft is not None:
        outputs[("nft", "-j", "list", "ruleset")] = (0, nft, "")
    if legacy_v4 is not None:
        outputs[("cat", "/proc/net/ip_tables_names")] = (0, "filter\n", "")
        outputs[("iptables-legacy-save", "-t", "filter")] = (0, legacy_v4, "")
        outputs[("ip6tables-legacy-save", "-t", "filter")] = (0, "", "")
    return Runner(outputs)


class ActiveFirewalld(FirewallBackend):
    name = "firewalld"

    @classmethod
    def probe(cls, runner):
        return Detection("firewalld", True, "firewalld is running (firewall-cmd --state)")

    def read(self, scope):  # pragma: no cover
        raise NotImplementedError

    def plan(self, desired, current):  # pragma: no cover
        raise NotImplementedError


REGISTRY = Registry({"nftables": NftablesBackend, "iptables": IptablesBackend})  # no front-end installed


@pytest.mark.parametrize(
    ("runner", "name", "variant", "reason"),
    [
        pytest.param(
            host(nft=fixture("nftables", "policy-drop", "before.json")),
            "nftables",
            None,
            "inet filter input blocks input (policy drop)",
            id="native-nft-policy-drop",
        ),
        pytest.param(
            host(nft=fixture("nftables", "docker-policy-drop", "before.json")),
            "nftables",
            None,
            "inet filter input",
            id="native-nft-beside-iptables-nft-docker",
        ),
        pytest.param(
            host(ipt_nft_v4=fixture("iptables", "nft", "reject-tail", "before.v4.save")),
            "iptables",
            "nft",
            "iptables-nft-save shows filter rules",
            id="iptables-nft-rules",
        ),
        pytest.param(
            host(legacy_v4=fixture("iptables", "legacy", "docker-fail2ban", "before.v4.save")),
            "iptables",
            "legacy",
            "iptables-legacy-save shows filter rules",
            id="iptables-legacy-rules",
        ),
        pytest.param(host(), "nftables", None, "no firewall filters input", id="nothing-filters-falls-back-to-nft"),
        pytest.param(host(nft=None), "iptables", "nft", "nft is not installed", id="no-nft-falls-back-to-iptables"),
    ],
)
def test_auto_picks_the_firewall_that_filters_and_says_why(runner, name, variant, reason):
    cls, detection, warnings = select_backend("auto", runner, REGISTRY)
    assert (cls.name, detection.variant) == (name, variant)
    assert reason in detection.reason
    assert warnings == []


def test_front_end_wins_over_the_raw_layer_it_writes():
    runner = host(nft=fixture("nftables", "policy-drop", "before.json"))
    cls, detection = select_backend("auto", runner, Registry({"firewalld": ActiveFirewalld, **REGISTRY.backends}))[:2]
    assert cls is ActiveFirewalld and "firewall-cmd --state" in detection.reason


def test_explicit_backend_that_does_not_filter_is_used_with_a_warning():
    cls, warnings = select_backend("iptables", host(), REGISTRY)[::2]
    assert cls is IptablesBackend and "does not filter input" in warnings[0]


@pytest.mark.parametrize(
    ("requested", "registry", "message"),
    [
        ("ufw", REGISTRY, "'ufw' is not available"),
        ("auto", Registry({"nftables": NftablesBackend}), "no supported firewall found"),
    ],
)
def test_unusable_backends_fail_clearly(requested, registry, message):
    with pytest.raises(FirewallError, match=message):
        select_backend(requested, host(nft=None), registry)
