# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewall_port's and firewall_info's own validation (model, info, rollback id, firewalld zone) against values
carrying ruleset syntax (nftables, iptables, firewalld, ufw, PowerShell), out of range or of the wrong type:
each fails before any command runs, with a message naming the parameter and the value."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable, List, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall import rollback
from ansible_collections.webedge.https.plugins.module_utils.firewall.firewalld.backend import FirewalldBackend
from ansible_collections.webedge.https.plugins.module_utils.firewall.info import InfoRequest
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import DesiredState, FirewallError
from ansible_collections.webedge.https.tests.unit.helpers.hostile import PAYLOADS

PORTS: List[Any] = [f"443{p}" for p in PAYLOADS if p.strip()] + [
    0,
    -1,
    65536,
    10**9,
    "443-22",
    "",
    "1-",
    True,
    4.5,
    None,
    {"a": 1},
]
SOURCES: List[Any] = [f"10.0.0.0/8{p}" for p in PAYLOADS if p.strip()] + [
    "10.0.0.5/8",
    "",
    "any",
    "0.0.0.0/0 accept",
    7,
    ["a"],
]
NAMES: List[Any] = [f"public{p}" for p in PAYLOADS if p.strip()] + ["", "a" * 65, "-x" * 0 + ".x" * 0 + "a/b"]
INTERFACES: List[Any] = [f"eth0{p}" for p in PAYLOADS] + ["", "a" * 16, "eth0 iifname lo"]
IDS: List[Any] = [f"20240101T120000-1a2b3c4d{p}" for p in PAYLOADS] + ["", "../x", "a" * 65, 5]


def _port(value: Any) -> None:
    DesiredState.from_params({"state": "open", "port": [443, value]})


def _source(value: Any) -> None:
    DesiredState.from_params({"state": "open", "port": [443], "source": ["192.0.2.0/24", value]})


def _info_port(value: Any) -> None:
    InfoRequest.from_params({"ports": [value]})


def _info_source(value: Any) -> None:
    InfoRequest.from_params({"ports": [443], "source": value})


def _info_interface(value: Any) -> None:
    InfoRequest.from_params({"ports": [443], "interface": value})


def _zone(value: Any) -> None:
    FirewalldBackend._zone_option(SimpleNamespace(options=SimpleNamespace(zone=value)))  # type: ignore[arg-type]


CHECKS: List[Tuple[str, Callable[[Any], None], List[Any], str]] = [
    ("firewall_port.port", _port, PORTS, "port"),
    ("firewall_port.source", _source, SOURCES, "source"),
    ("firewall_port.zone", _zone, NAMES, "zone"),
    ("firewall_port.rollback_id", rollback.check_id, IDS, "rollback id"),
    ("firewall_info.ports", _info_port, PORTS, "port"),
    ("firewall_info.source", _info_source, SOURCES, "source"),
    ("firewall_info.interface", _info_interface, INTERFACES, "interface"),
    ("firewall_info.zone", _zone, NAMES, "zone"),
]
CASES = [(name, check, value, word) for name, check, values, word in CHECKS for value in values]


@pytest.mark.parametrize("name, check, value, word", CASES, ids=[f"{case[0]}-{i}" for i, case in enumerate(CASES)])
def test_each_hostile_value_fails_naming_parameter_and_value(name, check, value, word):
    with pytest.raises((FirewallError, ValueError)) as raised:
        check(value)
    message = str(raised.value)
    assert word in message, f"{name}: {message}"
    if isinstance(value, str) and value:
        assert repr(value) in message or repr(value.strip()) in message or value.strip() in message, message


def test_valid_values_pass():
    assert DesiredState.from_params({"state": "open", "port": ["8000-8010", 443], "source": ["10.0.0.0/8"]}).ports
    assert InfoRequest.from_params({"ports": [443], "source": "::1", "interface": "eth0"}).interface == "eth0"
    assert rollback.check_id("20240101T120000-1a2b3c4d")
    _zone("public")  # raises for an invalid zone


def test_surrounding_white_space_is_trimmed_to_the_canonical_value():
    # Trailing spaces cannot reach a ruleset: ports become integers, sources canonical CIDRs.
    desired = DesiredState.from_params({"state": "open", "port": ["443\t"], "source": ["10.0.0.0/8 "]})
    assert [str(p) for p in desired.ports] == ["443"] and desired.sources == ("10.0.0.0/8",)


def test_a_huge_port_list_is_merged_not_refused_and_one_bad_port_in_it_is_named():
    ports: List[Any] = list(range(1, 65536))
    assert len(DesiredState.from_params({"state": "open", "port": ports}).ports) == 1
    with pytest.raises(FirewallError, match="65536"):
        DesiredState.from_params({"state": "open", "port": [*ports, 65536]})
