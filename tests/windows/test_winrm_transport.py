# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real transport: pywinrm and Ansible's winrm connection plugin against a WS-Management endpoint.

ansible-playbook runs firewall_port, firewall_info and listening_ports over ``ansible.builtin.winrm``
(pywinrm, Basic over HTTP) to ``tests/unit/helpers/wsman_server.py`` on 127.0.0.1, which records the
command line and the standard input each command receives. Asserted: the command line is our stub,
byte for byte, and the script arrives intact (a write script larger than one WinRM Send chunk, 200000
bytes, arrives in several chunks and is reassembled exactly); the answer is parsed into the task's
result. What the endpoint's "host" answers comes from the same simulated hosts as the unit tests.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import yaml

from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import STUB, encode_command
from ansible_collections.webedge.https.tests.unit.helpers.playbooks import ansible_playbook, task_results
from ansible_collections.webedge.https.tests.unit.helpers.windows_console import ScriptHost
from ansible_collections.webedge.https.tests.unit.helpers.windows_host import FakeWindowsHost, fixture
from ansible_collections.webedge.https.tests.unit.helpers.windows_info_host import FakeInfoHost
from ansible_collections.webedge.https.tests.unit.helpers.windows_listening_host import FakeListeningHost
from ansible_collections.webedge.https.tests.unit.helpers.wsman_server import WsmanServer

WINRM_CHUNK = 200000  # ansible's winrm plugin: _wrapper_payload_stream's buffer_size


def inventory(path: Path, port: int, password: str = "Pa55w.rd") -> Path:
    hosts = {
        "all": {
            "hosts": {
                "win1": {
                    "ansible_host": "127.0.0.1",
                    "ansible_port": port,
                    "ansible_connection": "winrm",
                    "ansible_user": "ansible",
                    "ansible_password": password,
                    "ansible_winrm_transport": "basic",
                    "ansible_winrm_scheme": "http",
                }
            }
        }
    }
    (path / "hosts.yml").write_text(yaml.safe_dump(hosts))
    return path / "hosts.yml"


SOURCES = [str(network) for network in list(ipaddress.ip_network("10.0.0.0/8").subnets(new_prefix=20))[:640]]

PLAYBOOK = [
    {
        "name": "Windows over WinRM",
        "hosts": "win1",
        "gather_facts": False,
        "tasks": [
            {"name": "info", "webedge.https.firewall_info": {"ports": [443]}, "register": "info"},
            {"name": "listening", "webedge.https.listening_ports": {"ports": [443]}},
            {
                "name": "open from many sources",
                "webedge.https.firewall_port": {"port": [443], "family": "ipv4", "source": SOURCES},
            },
            {
                "name": "again",
                "webedge.https.firewall_port": {"port": [443], "family": "ipv4", "source": SOURCES},
            },
        ],
    }
]


def test_the_three_modules_over_the_real_winrm_client(tmp_path):
    firewall = FakeWindowsHost()
    host = ScriptHost(firewall=firewall, info=FakeInfoHost(), listening=FakeListeningHost())
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump(PLAYBOOK, sort_keys=False))
    with WsmanServer(host) as server:
        run = ansible_playbook(playbook, inventory(tmp_path, server.port))
    results = task_results(run, "win1")
    assert run.returncode == 0, results or run.stdout[-2000:]
    info, listening, opened, again = results
    # parsed answers
    assert [(v["port"], v["verdict"]) for v in info["verdicts"]] == [(443, "accept")]
    assert listening["listening"][0]["process"] == "nginx" and listening["missing"] == []
    assert opened["changed"] is True and len(opened["added"]) == 640 and again["changed"] is False
    assert len(firewall.names) == 640
    # what crossed the wire: every command line is the stub, every script arrived whole
    commands = server.record.commands
    assert len(commands) == len(host.scripts) == 5  # info, listening, read, write, read
    for command, (stub, script) in zip(commands, host.scripts):
        assert command.command_line == encode_command(STUB) and stub == STUB
        assert command.stdin.decode("ascii") == script and command.signalled
    write = commands[3]
    assert len(write.stdin) > WINRM_CHUNK and write.chunks == -(-len(write.stdin) // WINRM_CHUNK) >= 2
    assert "New-NetFirewallRule" in write.stdin.decode("ascii")
    assert all(c.chunks == 1 for c in commands if c is not write)


def test_wrong_credentials_are_unreachable_not_a_script_failure(tmp_path):
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{**PLAYBOOK[0], "tasks": PLAYBOOK[0]["tasks"][:1]}]))
    with WsmanServer(ScriptHost(info=FakeInfoHost())) as server:
        run = ansible_playbook(playbook, inventory(tmp_path, server.port, password="wrong"))
    assert run.returncode != 0
    result = task_results(run, "win1")[0]
    assert result.get("unreachable") is True and "credentials were rejected" in result["msg"]
    assert server.record.commands == []


def test_localized_names_survive_the_console(tmp_path):
    """Issue 14, item 5: a French host's rule and network names come back as they are (the stub sets UTF-8)."""
    answer = fixture("info-web01.json")
    answer["networks"] = {"interface_alias": "Ethernet", "name": "R\u00e9seau 2", "category": "Public"}
    answer["rules"][0]["display_name"] = "Acc\u00e8s HTTPS (entr\u00e9e)"
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{**PLAYBOOK[0], "tasks": PLAYBOOK[0]["tasks"][:1]}]))
    with WsmanServer(ScriptHost(info=FakeInfoHost(answer))) as server:
        run = ansible_playbook(playbook, inventory(tmp_path, server.port))
    result = task_results(run, "win1")[0]
    assert run.returncode == 0, result
    assert result["windows"]["networks"][0]["name"] == "R\u00e9seau 2"
