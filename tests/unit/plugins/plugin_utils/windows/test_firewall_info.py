# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewall_info on Windows: options, one read round trip, the result with the Linux module's keys.

The answers are hand-built from Microsoft's documented object shapes (see
``tests/unit/fixtures/firewall/windows/README.md``), not captured from a host.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall.model import ValidationError
from ansible_collections.webedge.https.plugins.plugin_utils.windows import firewall_info
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_info import check_request
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import PowerShellError
from ansible_collections.webedge.https.tests.unit.helpers.windows_host import fixture
from ansible_collections.webedge.https.tests.unit.helpers.windows_info_host import FakeInfoHost


def run(params: Dict[str, Any], host: Optional[FakeInfoHost] = None):
    host = host or FakeInfoHost()
    request, interface = check_request(params)
    return firewall_info.run(request, interface, host), host


def test_one_read_gives_the_linux_keys_with_backend_windows():
    result, host = run({"ports": [80, 443, 445, "9100"]})
    assert host.inputs == [
        {"group": "webedge.https", "ports": [[80, 80], [443, 443], [445, 445], [9100, 9100]], "protocols": ["tcp"]}
    ]
    assert set(result) == {
        "changed",
        "backends",
        "active_backends",
        "default_policy",
        "firewalld",
        "ufw",
        "rules",
        "verdicts",
        "notes",
        "windows",
    }
    assert result["active_backends"] == ["windows"] and result["backends"][0]["name"] == "windows"
    assert result["rules"] == {
        "windows": [
            {"family": "ipv4", "protocol": "tcp", "port": "443", "source": None},
            {"family": "ipv4", "protocol": "tcp", "port": "8443", "source": None},
            {"family": "ipv6", "protocol": "tcp", "port": "443", "source": None},
            {"family": "ipv6", "protocol": "tcp", "port": "8443", "source": None},
        ]
    }  # the hand-made 8443 rule is for the Public profile only: firewall_port manages such rules (profiles)
    assert [(v["port"], v["verdict"], v["ipv4"]["verdict"], v["ipv6"]["verdict"]) for v in result["verdicts"]] == [
        (80, "drop", "drop", "drop"),
        (443, "accept", "accept", "accept"),
        (445, "drop", "drop", "drop"),
        (9100, "drop", "drop", "drop"),
    ]
    assert "from group policy corp.example.com\\Server Baseline" in result["verdicts"][2]["ipv4"]["decided_by"]
    public = result["default_policy"]["ipv4"][2]
    assert public == {
        "chain": "windows Public profile",
        "priority": 0,
        "policy": "drop",
        "profile": "Public",
        "enabled": True,
        "default_inbound_action": "NotConfigured",
        "in_use": True,
    }
    assert any("come from group policy" in n for n in result["notes"])
    assert not any("hand-made 8443" in n for n in result["notes"])  # a one-profile rule is one firewall_port manages


def test_a_source_and_one_family():
    result, _host = run({"ports": [9100, 5985], "source": "10.20.0.5"})
    assert [(v["port"], v["verdict"]) for v in result["verdicts"]] == [(5985, "unknown"), (9100, "accept")]
    assert "ipv6" not in result["verdicts"][1]
    assert "'LocalSubnet'" in result["verdicts"][0]["ipv4"]["reason"]


def test_udp_and_a_program_rule():
    result, _host = run({"ports": [123], "protocol": "udp", "family": "ipv6"})
    assert result["verdicts"][0]["verdict"] == "unknown" and "program" in result["verdicts"][0]["ipv6"]["reason"]


def test_every_profile_off_is_no_active_backend():
    answer = fixture("info-web01.json")
    for item in answer["profiles"]:
        item["enabled"] = "False"
    result, _host = run({"ports": [445]}, FakeInfoHost(answer))
    assert result["active_backends"] == [] and result["verdicts"][0]["verdict"] == "accept"
    assert result["default_policy"]["ipv6"][0]["policy"] == "accept"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"zone": "public"}, "zone 'public'"),
        ({"interface": "bad\nname"}, "invalid interface"),
        ({"ports": ["443-80"]}, "443-80"),
        ({"source": "10.0.0.0/8"}, "invalid source"),
        ({"source": "::1", "family": "ipv4"}, "family is ipv4"),
    ],
)
def test_bad_options_fail_naming_the_value(params, message):
    with pytest.raises(ValidationError, match=message.replace("(", r"\(")):
        check_request(params)


def test_an_interface_alias_with_spaces_is_accepted():
    _request, interface = check_request({"interface": "vEthernet (Default Switch)"})
    assert interface == "vEthernet (Default Switch)"


def test_a_failed_script_is_an_error():
    host = FakeInfoHost(rc=1, raw='{"failed": true, "msg": "Access is denied"}\n')
    with pytest.raises(PowerShellError, match="Access is denied"):
        run({}, host)


# -- issue 14, item 4: rules scoped to Program=System (HTTP.sys: IIS, WinRM) are decided by who listens ----------
def stock_iis(**changes: Any) -> FakeInfoHost:
    answer = fixture("info-iis-stock.json")
    answer.update(changes)
    return FakeInfoHost(answer)


def test_the_read_asks_for_the_listeners_of_the_ports_and_protocol():
    _result, host = run({"ports": [443, "8000-8002"]}, stock_iis())
    assert host.inputs == [{"group": "webedge.https", "ports": [[443, 443], [8000, 8002]], "protocols": ["tcp"]}]


def test_a_stock_iis_host_admits_https_through_its_program_system_rule():
    result, _host = run({"ports": [443, 80]}, stock_iis())
    for verdict in result["verdicts"]:
        assert verdict["verdict"] == "accept", verdict
        assert "World Wide Web Services" in verdict["ipv4"]["decided_by"]


def test_a_program_system_rule_does_not_open_a_port_another_program_listens_on():
    listeners = [{"protocol": "tcp", "port": 443, "address": "::", "pid": 2216, "program": "C:\\nginx\\nginx.exe"}]
    result, _host = run({"ports": [443]}, stock_iis(listeners=listeners))
    assert result["verdicts"][0]["verdict"] == "drop"
    assert "no allow rule matches" in result["verdicts"][0]["ipv4"]["decided_by"]


def test_a_port_nobody_listens_on_stays_unknown_and_says_why():
    result, _host = run({"ports": [443]}, stock_iis(listeners=[]))
    assert result["verdicts"][0]["verdict"] == "unknown"
    assert "nothing listens on tcp/443" in result["verdicts"][0]["ipv4"]["reason"]


def test_a_program_given_by_path_is_compared_with_the_listener_expanded():
    result, _host = run({"ports": [8080, 8081]}, stock_iis())
    assert [(v["port"], v["verdict"]) for v in result["verdicts"]] == [(8080, "accept"), (8081, "drop")]
    assert "nginx 8080" in result["verdicts"][0]["ipv4"]["decided_by"]


def test_a_read_without_listeners_leaves_program_rules_unknown_as_before():
    answer = fixture("info-iis-stock.json")
    del answer["listeners"], answer["listeners_read"]
    result, _host = run({"ports": [443]}, FakeInfoHost(answer))
    assert result["verdicts"][0]["verdict"] == "unknown"
    assert "program 'System'" in result["verdicts"][0]["ipv4"]["reason"]
