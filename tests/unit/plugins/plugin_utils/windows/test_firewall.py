# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Windows Defender Firewall backend: parsing the read answer, planning, the write input, the run.

The fixtures are built from Microsoft's documented object shapes, not captured from a host
(see fixtures/firewall/windows/README.md); the host is simulated (tests/unit/helpers/windows_host.py).
"""

from __future__ import annotations

import json
from typing import Any, Dict

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall import engine
from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import Ruleset
from ansible_collections.webedge.https.plugins.module_utils.firewall.lockout import LockoutError
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import (
    DesiredState,
    FirewallError,
    ReadScope,
    Rule,
    ValidationError,
)
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange
from ansible_collections.webedge.https.plugins.plugin_utils.windows import firewall as windows
from ansible_collections.webedge.https.plugins.plugin_utils.windows import firewall_ps
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import (
    POWERSHELL_ARGV,
    STUB,
    PowerShellError,
    encode_command,
    render,
)
from ansible_collections.webedge.https.tests.unit.helpers.windows_host import (
    FakeWindowsHost,
    fixture,
    script_input,
)


class Printing:
    """A host whose every script prints ``output`` (with exit code 1 when it is not a JSON answer)."""

    def __init__(self, output: str) -> None:
        self.output = output

    def run(self, argv: Any, data: Any = None) -> Any:
        return (0 if self.output.startswith("{") else 1), self.output, ""


def run(params: Dict[str, Any], host: FakeWindowsHost, **options: Any) -> Dict[str, Any]:
    """firewall_port on a Windows host: the one orchestrator with the Windows registry."""
    return engine.run(params, host, registry=windows.WINDOWS, **options)


def rule(family: str, protocol: str, first: int, last: int = 0, source: Any = None) -> Rule:
    return Rule(family, protocol, PortRange(first, last or first), source)


# -- parsing ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("Any", [("ipv4", None), ("ipv6", None)]),
        ("*", [("ipv4", None), ("ipv6", None)]),
        ("0.0.0.0-255.255.255.255", [("ipv4", None)]),
        ("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", [("ipv6", None)]),
        ("0.0.0.0/0", [("ipv4", None)]),
        ("10.0.0.0/255.0.0.0", [("ipv4", "10.0.0.0/8")]),
        ("10.0.0.0/8", [("ipv4", "10.0.0.0/8")]),
        ("192.0.2.7", [("ipv4", "192.0.2.7/32")]),
        ("192.0.2.0-192.0.2.255", [("ipv4", "192.0.2.0/24")]),
        ("2001:db8::/32", [("ipv6", "2001:db8::/32")]),
        ("fe80::1", [("ipv6", "fe80::1/128")]),
    ],
)
def test_remote_address_tokens_map_to_family_and_source(token, expected):
    assert windows.parse_address(token) == expected


@pytest.mark.parametrize("token", ["LocalSubnet", "DNS", "192.0.2.1-192.0.2.5", "10.0.0.5/8", "Internet4"])
def test_remote_address_we_cannot_represent_is_refused(token):
    with pytest.raises(ValueError, match="remote address"):
        windows.parse_address(token)


@pytest.mark.parametrize(
    ("values", "expected"),
    [(["443"], [PortRange(443, 443)]), (["80", "8000-8080"], [PortRange(80, 80), PortRange(8000, 8080)])],
)
def test_local_ports_parse(values, expected):
    assert windows.parse_ports(values) == expected


@pytest.mark.parametrize("values", [["Any"], ["RPC"], [], ["PlayToDiscovery"]])
def test_local_port_keywords_are_not_ours(values):
    with pytest.raises(ValueError):
        windows.parse_ports(values)


def test_read_answer_of_owned_rules():
    state = windows.parse_read(fixture("read-owned.json"))
    assert state.owned == (
        rule("ipv4", "tcp", 443),
        rule("ipv4", "tcp", 8000, 8080, "10.0.0.0/8"),
        rule("ipv4", "udp", 53),
        rule("ipv6", "tcp", 443),
        rule("ipv6", "udp", 53),
    )
    problems = {w.name: w.problem for w in state.rules if w.problem}
    assert problems == {
        "webedge.https disabled": "enabled is 'False', not 'True'",
        "webedge.https subnet keyword": "unsupported remote address 'LocalSubnet'",
    }
    by_hand = next(w for w in state.rules if w.name == "webedge.https by hand")
    assert by_hand.rules == (rule("ipv4", "udp", 53), rule("ipv6", "udp", 53))
    assert [(p.name, p.enabled, p.default_inbound_action, p.allow_local_firewall_rules) for p in state.profiles] == [
        ("Domain", True, "Block", False),
        ("Private", False, "Block", True),
        ("Public", True, "Block", True),
    ]
    assert [(c.client, c.port) for c in state.connections] == [("192.0.2.10", 5985), ("2001:db8::10", 5985)]


def test_read_notes_say_what_is_left_alone_and_what_group_policy_ignores():
    notes = windows.state_notes(windows.parse_read(fixture("read-owned.json")))
    assert notes == (
        "rule 'webedge.https disabled' in group 'webedge.https' is left alone: enabled is 'False', not 'True'",
        "rule 'webedge.https subnet keyword' in group 'webedge.https' is left alone: "
        "unsupported remote address 'LocalSubnet'",
        "group policy ignores local firewall rules in profile Domain: ours have no effect there",
    )


def test_not_configured_default_inbound_action_reads_as_block():
    state = windows.parse_read(fixture("read-empty.json"))
    assert [p.describe() for p in state.profiles] == [
        "Domain on, inbound Block",
        "Private on, inbound Block",
        "Public on, inbound Block",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"failed": true, "msg": "Access is denied."}\n', "read script failed: Access is denied."),
        ("#< CLIXML\nnot json\n", "gave no JSON answer"),
        ("", "gave no JSON answer"),
    ],
)
def test_read_failures_raise(text, message):
    with pytest.raises(PowerShellError, match=message):
        windows.WindowsBackend(Printing(text)).read(ReadScope())


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("write-rolled-back.json", r"Access is denied\. \(every change of this run was undone\)"),
        ("write-undo-failed.json", r"undoing failed too: restoring rule 'webedge.https tcp/80 ipv4 from any'"),
    ],
)
def test_write_failures_say_whether_they_were_undone(name, message):
    with pytest.raises(FirewallError, match=message):
        windows.check_write(fixture(name))


def test_write_success_is_returned():
    assert windows.check_write(fixture("write-ok.json")) is None


# -- rendering ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("neutral", "name", "remote"),
    [
        (rule("ipv4", "tcp", 443), "webedge.https tcp/443 ipv4 from any", "0.0.0.0-255.255.255.255"),
        (rule("ipv6", "udp", 53), "webedge.https udp/53 ipv6 from any", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        (
            rule("ipv4", "tcp", 8000, 8080, "10.0.0.0/8"),
            "webedge.https tcp/8000-8080 ipv4 from 10.0.0.0/8",
            "10.0.0.0/8",
        ),
    ],
)
def test_rule_spec_names_the_rule_after_itself_and_restricts_the_family(neutral, name, remote):
    spec = windows.rule_spec(neutral)
    assert spec["name"] == spec["display_name"] == name
    assert spec["remote_address"] == [remote]
    assert spec["protocol"] == neutral.protocol.upper()
    assert spec["local_port"] == [str(neutral.ports)]
    # what the write creates reads back as exactly that rule
    record = {"name": name, "enabled": "True", "direction": "Inbound", "action": "Allow", "profile": "Any", **spec}
    assert windows.parse_rule(record).rules == (neutral,)


def test_user_values_reach_the_script_only_as_base64():
    changes = windows.WinChanges(
        (),
        ("webedge.https 'quoted'; Remove-Item",),
        ((rule("ipv6", "tcp", 443, 0, "2001:db8::/32"), windows.ALL_PROFILES),),
    )
    script = render(firewall_ps.WRITE_SCRIPT, windows.write_input(changes))
    assert script.isascii()
    assert "Remove-Item" not in script.replace("Remove-NetFirewallRule", "").replace("Remove-OwnedRule", "")
    assert "2001:db8" not in script
    assert script_input(script) == windows.write_input(changes)
    assert render(firewall_ps.READ_SCRIPT, {"group": "webedge.https", "ports": [5986]}).count("__INPUT") == 0


def test_render_refuses_a_script_without_exactly_one_placeholder():
    with pytest.raises(ValueError):
        render("Write-Output 1", {})


def test_encoded_command_is_utf16_base64_of_the_stub():
    import base64

    command = encode_command(STUB)
    assert command.startswith("PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand ")
    assert base64.b64decode(command.rsplit(" ", 1)[1]).decode("utf-16-le") == STUB


# -- planning and running -----------------------------------------------------------------
def params(**extra: Any) -> Dict[str, Any]:
    return {"port": [443], **extra}


def test_open_on_an_empty_host_is_one_read_and_one_write_then_nothing():
    host = FakeWindowsHost()
    first = run(params(), host, connection_ports=[5986])
    assert first["changed"] is True
    assert [entry[0] for entry in host.scripts] == ["read", "write"]
    assert host.names == ["webedge.https tcp/443 ipv4 from any", "webedge.https tcp/443 ipv6 from any"]
    assert first["backend"] == "windows"
    assert first["rules"] == [
        {"family": "ipv4", "protocol": "tcp", "port": "443", "source": None},
        {"family": "ipv6", "protocol": "tcp", "port": "443", "source": None},
    ]
    assert first["commands"][0]["argv"] == list(POWERSHELL_ARGV)

    second = run(params(), host, connection_ports=[5986])
    assert second["changed"] is False and second["commands"] == []
    assert [entry[0] for entry in host.scripts] == ["read", "write", "read"]


@pytest.mark.parametrize(
    ("start", "task"),
    [
        ("read-empty.json", params()),
        ("read-empty.json", params(port=["8000-8080", 22], source=["10.0.0.0/8", "2001:db8::/32"])),
        ("read-owned.json", params(port=[8050], source=["10.0.0.0/8"], state="closed")),
        ("read-owned.json", params(port=[53], protocol="udp", family="ipv4", state="closed")),
        ("read-owned.json", params(port=[443], state="closed")),
        ("read-owned.json", params(port=[9000])),
    ],
)
def test_check_mode_predicts_the_real_run_and_the_second_plan_is_empty(start, task):
    predicted_host = FakeWindowsHost(fixture(start))
    predicted = run(task, predicted_host, check_mode=True, connection_ports=[5986])
    assert [entry[0] for entry in predicted_host.scripts] == ["read"]  # nothing written in check mode
    assert predicted_host.state == fixture(start)

    host = FakeWindowsHost(fixture(start))
    real = run(task, host, connection_ports=[5986])
    assert real == predicted
    again = run(task, host, check_mode=True, connection_ports=[5986])
    assert again["changed"] is False
    assert again["rules"] == real["rules"]


def test_closing_part_of_a_range_keeps_the_rest_open():
    host = FakeWindowsHost(fixture("read-owned.json"))
    result = run(params(port=[8050], source=["10.0.0.0/8"], state="closed"), host, connection_ports=[5986])
    write = host.scripts[-1][1]
    assert write["remove"] == ["webedge.https tcp/8000-8080 ipv4 from 10.0.0.0/8"]
    assert [s["name"] for s in write["add"]] == [
        "webedge.https tcp/8000-8049 ipv4 from 10.0.0.0/8",
        "webedge.https tcp/8051-8080 ipv4 from 10.0.0.0/8",
    ]
    assert result["removed"] == [{"family": "ipv4", "protocol": "tcp", "port": "8000-8080", "source": "10.0.0.0/8"}]


def test_closing_one_family_of_an_any_rule_replaces_it_by_the_other_family():
    host = FakeWindowsHost(fixture("read-owned.json"))
    run(params(port=[53], protocol="udp", family="ipv4", state="closed"), host, connection_ports=[5986])
    write = host.scripts[-1][1]
    assert write["remove"] == ["webedge.https by hand"]
    assert [s["name"] for s in write["add"]] == ["webedge.https udp/53 ipv6 from any"]
    assert "webedge.https disabled" in host.names and "webedge.https subnet keyword" in host.names


def test_a_rule_of_ours_holding_the_needed_name_is_replaced_first():
    state = fixture("read-empty.json")
    state["rules"] = [dict(fixture("read-owned.json")["rules"][4], name="webedge.https tcp/9000 ipv4 from any")]
    host = FakeWindowsHost(state)
    run(params(port=[9000], family="ipv4"), host, connection_ports=[5986])
    write = host.scripts[-1][1]
    assert write["remove_first"] == ["webedge.https tcp/9000 ipv4 from any"]
    assert [s["name"] for s in write["add"]] == ["webedge.https tcp/9000 ipv4 from any"]
    assert host.state["rules"][0]["enabled"] == "True"


def test_a_failed_write_is_reported_as_undone_and_changes_nothing():
    host = FakeWindowsHost(fail_on_add="webedge.https tcp/443 ipv6 from any")
    with pytest.raises(FirewallError, match="every change of this run was undone"):
        run(params(), host, connection_ports=[5986])
    assert host.names == []


@pytest.mark.parametrize(
    ("task", "message"),
    [
        (params(backend="nftables"), "backend 'nftables' manages a Linux firewall"),
        (params(zone="public"), "zone 'public' is a firewalld option"),
        (params(persist=False), "persist=false is not supported on Windows"),
        (params(profiles=["public", "home"]), "invalid profiles value 'home'"),
        (params(port=["70000"]), "70000"),
        (params(source=["10.0.0.5/8"]), "host bits are set"),
    ],
)
def test_bad_or_linux_only_options_fail_before_any_script(task, message):
    host = FakeWindowsHost()
    with pytest.raises(ValidationError, match=message):
        run(task, host, connection_ports=[5986])
    assert host.scripts == []


def test_backend_windows_is_accepted():
    assert run(params(backend="windows"), FakeWindowsHost(), check_mode=True)["changed"] is True


# -- lockout guard ------------------------------------------------------------------------
def winrm_rule_host(connections: Any) -> FakeWindowsHost:
    host = FakeWindowsHost()
    run({"port": [5985]}, host, connection_ports=[5985])
    host.state["connections"] = connections
    return host


def test_closing_the_winrm_port_the_task_uses_is_refused():
    host = winrm_rule_host([{"local_port": 5985, "remote_address": "192.0.2.10"}])
    with pytest.raises(LockoutError, match=r"192\.0\.2\.10 to port 5985"):
        run({"port": [5985], "state": "closed"}, host, connection_ports=[5985])
    assert [entry[0] for entry in host.scripts][-1] == "read"


def test_force_lets_it_through_with_a_warning():
    host = winrm_rule_host([{"local_port": 5985, "remote_address": "192.0.2.10"}])
    result = run({"port": [5985], "state": "closed", "force": True}, host, connection_ports=[5985])
    assert result["changed"] is True and host.names == []
    assert result["warnings"][0].startswith("force=true: removing tcp/5985 ipv4 from any")


def test_ssh_connection_of_openssh_on_windows_is_used():
    host = winrm_rule_host([])
    host.state["ssh_connection"] = "2001:db8::7 50000 2001:db8::1 5985"
    with pytest.raises(LockoutError, match="2001:db8::7"):
        run({"port": [5985], "state": "closed", "family": "ipv6"}, host, connection_ports=[5985])


def test_unknown_client_is_treated_as_any_address():
    host = winrm_rule_host([])
    with pytest.raises(LockoutError, match="client address could not be read"):
        run({"port": [5985], "state": "closed", "family": "ipv4"}, host, connection_ports=[5985])
    # another port is not guarded
    result = run({"port": [5985], "state": "closed"}, host, check_mode=True, connection_ports=[5986])
    assert result["changed"] is True


def test_windows_changes_is_pure_planning():
    state = windows.parse_read(fixture("read-owned.json"))
    desired = DesiredState.from_params(params(port=[443], state="closed", family="ipv6"))
    plan = windows.WindowsBackend(FakeWindowsHost()).plan(desired, Ruleset(state.owned, state))
    assert plan.remove == (rule("ipv6", "tcp", 443),)
    assert script_input(plan.steps[0].data or "")["remove"] == ["webedge.https tcp/443 ipv6 from any"]
    assert json.loads(json.dumps(plan.to_diff("windows")))["after"].count("\n") == 4


def test_backend_windows_on_a_linux_host_fails_before_any_command():
    calls: list = []

    class Recorder:
        def run(self, argv: Any, data: Any = None) -> Any:
            calls.append(argv)
            return 0, "", ""

    with pytest.raises(FirewallError, match="needs a Windows host"):
        engine.run({"port": [443], "backend": "windows"}, Recorder())
    assert calls == []
