# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

from typing import Optional

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall.model import (
    DesiredState,
    Rule,
    ValidationError,
    plan_rules,
)
from ansible_collections.webedge.https.plugins.module_utils.ports import parse_port_spec


def rule(family: str, ports: str, source: Optional[str] = None, protocol: str = "tcp") -> Rule:
    return Rule(family, protocol, parse_port_spec(ports), source)


@pytest.mark.parametrize(
    ("params", "named"),
    [
        pytest.param({"port": [70000]}, "70000", id="port-out-of-range-named"),
        pytest.param({"port": ["90-80"]}, "'90-80'", id="reversed-range-named"),
        pytest.param({"port": []}, "port is required", id="no-port"),
        pytest.param({"port": [443], "protocol": "sctp"}, "'sctp'", id="protocol-named"),
        pytest.param({"port": [443], "state": "opened"}, "'opened'", id="state-named"),
        pytest.param({"port": [443], "family": "ip4"}, "'ip4'", id="family-named"),
        pytest.param({"port": [443], "backend": "pf"}, "'pf'", id="backend-named"),
        pytest.param({"port": [443], "source": ["10.0.0.300"]}, "'10.0.0.300'", id="bad-address-named"),
        pytest.param({"port": [443], "source": ["10.0.0.5/8"]}, "did you mean '10.0.0.0/8'", id="host-bits-hint"),
        pytest.param(
            {"port": [443], "family": "ipv6", "source": ["10.0.0.0/8"]},
            "'10.0.0.0/8' is an ipv4 network but family is ipv6",
            id="ipv4-source-with-family-ipv6",
        ),
        pytest.param(
            {"port": [443], "family": "ipv4", "source": ["2001:db8::/32"]},
            "'2001:db8::/32' is an ipv6 network but family is ipv4",
            id="ipv6-source-with-family-ipv4",
        ),
    ],
)
def test_bad_input_fails_naming_the_value(params, named):
    with pytest.raises(ValidationError) as info:
        DesiredState.from_params(params)
    assert named in str(info.value)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param(
            {"port": [443, "8000-8080", 8080]},
            [rule("ipv4", "443"), rule("ipv4", "8000-8080"), rule("ipv6", "443"), rule("ipv6", "8000-8080")],
            id="both-families-merged-ranges",
        ),
        pytest.param(
            {"port": ["443"], "source": ["192.0.2.7", "2001:db8::/32"]},
            [rule("ipv4", "443", "192.0.2.7/32"), rule("ipv6", "443", "2001:db8::/32")],
            id="sources-pick-their-family-host-becomes-/32",
        ),
        pytest.param(
            {"port": [53], "protocol": "udp", "family": "ipv4"},
            [rule("ipv4", "53", protocol="udp")],
            id="single-family-udp",
        ),
    ],
)
def test_desired_rules(params, expected):
    assert list(DesiredState.from_params(params).rules) == sorted(expected)


CURRENT = [rule("ipv4", "8000-8080"), rule("ipv4", "443", "10.0.0.0/8"), rule("ipv6", "443")]


@pytest.mark.parametrize(
    ("params", "add", "remove"),
    [
        pytest.param({"port": [8050], "family": "ipv4"}, [], [], id="open-covered-by-wider-range-is-no-change"),
        pytest.param(
            {"port": [443], "family": "ipv4", "source": ["10.1.0.0/16"]}, [], [], id="open-covered-by-supernet"
        ),
        pytest.param(
            {"port": [443], "family": "ipv4"}, [rule("ipv4", "443")], [], id="open-any-not-covered-by-network"
        ),
        pytest.param(
            {"port": [8050], "state": "closed"},
            [rule("ipv4", "8000-8049"), rule("ipv4", "8051-8080")],
            [rule("ipv4", "8000-8080")],
            id="close-inside-range-splits-it",
        ),
        pytest.param(
            {"port": [443], "state": "closed"},
            [],
            [rule("ipv4", "443", "10.0.0.0/8"), rule("ipv6", "443")],
            id="close-without-source-removes-every-source",
        ),
        pytest.param(
            {"port": [443], "state": "closed", "source": ["192.0.2.0/24"]}, [], [], id="close-other-source-no-change"
        ),
        pytest.param(
            {"port": [443], "state": "closed", "protocol": "udp"}, [], [], id="close-other-protocol-no-change"
        ),
    ],
)
def test_plan_rules(params, add, remove):
    assert plan_rules(DesiredState.from_params(params), CURRENT) == (tuple(sorted(add)), tuple(sorted(remove)))


@pytest.mark.parametrize(
    ("rule_", "packet", "matches"),
    [
        (rule("ipv4", "22"), ("ipv4", "tcp", 22, "192.0.2.1"), True),
        (rule("ipv4", "22", "10.0.0.0/8"), ("ipv4", "tcp", 22, "192.0.2.1"), False),
        (rule("ipv6", "20-30"), ("ipv6", "tcp", 22, "2001:db8::1"), True),
        (rule("ipv4", "22"), ("ipv4", "udp", 22, "192.0.2.1"), False),
    ],
)
def test_rule_matches_packet(rule_, packet, matches):
    assert rule_.matches(*packet) is matches


def test_rules_from_any_and_from_a_source_sort_together() -> None:
    # Opening a port for any source after opening it for a list of sources (or the
    # other way round) puts both kinds of rule in one sorted ruleset.
    from_source = rule("ipv4", "443", "10.0.0.0/8")
    from_any = rule("ipv4", "443")
    assert sorted([from_source, from_any]) == [from_any, from_source]
    plan_add, plan_remove = plan_rules(DesiredState.from_params({"port": [443], "family": "ipv4"}), [from_source])
    assert plan_add == (from_any,) and plan_remove == ()


def test_a_rerun_over_a_thousand_sources_compares_rules_not_every_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    # A re-run owns each wanted rule as it is: planning must not compare every wanted rule with every owned
    # one (1024 sources x 2 families: about four million covers() calls and network parses before).
    sources = [f"10.{i // 256}.{i % 256}.0/24" for i in range(1024)]
    desired = DesiredState.from_params({"port": [443], "family": "ipv4", "source": sources})
    calls = []
    original = Rule.covers
    monkeypatch.setattr(Rule, "covers", lambda self, other: (calls.append(1), original(self, other))[1])
    assert plan_rules(desired, desired.rules) == ((), ())
    assert calls == []
    # A new source is still planned, and a wider owned rule still covers a narrower wanted one.
    wider = rule("ipv4", "443", "10.0.0.0/8")
    assert plan_rules(desired, [wider]) == ((), ())
    assert plan_rules(desired, desired.rules[1:]) == ((desired.rules[0],), ())
