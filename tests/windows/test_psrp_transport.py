# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real PSRP transport: pypsrp and Ansible's psrp connection plugin against an MS-PSRP endpoint.

ansible-playbook runs firewall_info, listening_ports and firewall_port over ``ansible.builtin.psrp``
(pypsrp, Basic over HTTP) to ``tests/unit/helpers/psrp_server.py`` on 127.0.0.1: a runspace pool opened
over WS-Management, one pipeline per script. Ansible's psrp connection runs our ``-EncodedCommand``
stub as the pipeline's script and sends the script as the pipeline's input, one line per object.
Asserted: every pipeline's script is our stub, exactly; its input, joined as the stub joins it, is the
shipped script template with only its base64 input in place (so the script arrived intact, a write
script larger than one PSRP fragment included, reassembled from several Send requests); the answer
(PIPELINE_OUTPUT strings, the exit code from SetShouldExit) is parsed into the task's result; the
pool is closed at the end. What the "host" answers comes from the same simulated hosts as the unit tests.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import yaml

from ansible_collections.webedge.https.plugins.plugin_utils.windows import firewall_info_ps, firewall_ps, listening_ps
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import PLACEHOLDER, STUB
from ansible_collections.webedge.https.tests.unit.helpers.playbooks import ansible_playbook, task_results
from ansible_collections.webedge.https.tests.unit.helpers.psrp_server import PsrpServer
from ansible_collections.webedge.https.tests.unit.helpers.windows_console import ScriptHost
from ansible_collections.webedge.https.tests.unit.helpers.windows_host import FakeWindowsHost
from ansible_collections.webedge.https.tests.unit.helpers.windows_info_host import FakeInfoHost
from ansible_collections.webedge.https.tests.unit.helpers.windows_listening_host import FakeListeningHost

TEMPLATES = {
    firewall_info_ps.READ_SCRIPT: "firewall_info read",
    listening_ps.READ_SCRIPT: "listening_ports read",
    firewall_ps.READ_SCRIPT: "firewall_port read",
    firewall_ps.WRITE_SCRIPT: "firewall_port write",
}
BASE64_INPUT = re.compile(r"FromBase64String\('([A-Za-z0-9+/=]+)'\)")


def inventory(path: Path, port: int, password: str = "Pa55w.rd") -> Path:
    host = {
        "ansible_host": "127.0.0.1",
        "ansible_port": port,
        "ansible_connection": "psrp",
        "ansible_user": "ansible",
        "ansible_password": password,
        "ansible_psrp_auth": "basic",
        "ansible_psrp_protocol": "http",
        "ansible_psrp_message_encryption": "never",  # Basic over HTTP: pypsrp refuses "auto"
    }
    (path / "hosts.yml").write_text(yaml.safe_dump({"all": {"hosts": {"win1": host}}}))
    return path / "hosts.yml"


# pypsrp's largest Send payload once the server answers protocol 2.3 (a 512000-byte envelope, base64):
# the write script for this many sources is larger, so its input crosses at least two Send requests.
PSRP_PAYLOAD = 382752
SOURCES = [str(network) for network in list(ipaddress.ip_network("10.0.0.0/8").subnets(new_prefix=20))[:1024]]

PLAYBOOK = [
    {
        "name": "Windows over PSRP",
        "hosts": "win1",
        "gather_facts": False,
        "tasks": [
            {"name": "info", "webedge.https.firewall_info": {"ports": [443]}},
            {"name": "listening", "webedge.https.listening_ports": {"ports": [443]}},
            {
                "name": "open from many sources",
                "webedge.https.firewall_port": {"port": [443], "family": "ipv4", "source": SOURCES},
            },
        ],
    }
]


def template_of(script: str) -> str:
    """Which shipped script ``script`` is, with its input taken out; AssertionError if none is."""
    inputs = BASE64_INPUT.findall(script)
    assert len(inputs) == 1, "a script carries exactly one base64 input"
    bare = script.replace(inputs[0], PLACEHOLDER)
    found = [name for template, name in TEMPLATES.items() if template.splitlines() == bare.splitlines()]
    assert found, "the script that arrived is not a shipped template with its input"
    return found[0]


def test_the_three_modules_over_the_real_psrp_client(tmp_path):
    firewall = FakeWindowsHost()
    host = ScriptHost(firewall=firewall, info=FakeInfoHost(), listening=FakeListeningHost())
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump(PLAYBOOK, sort_keys=False))
    with PsrpServer(host.pipeline) as server:
        run = ansible_playbook(playbook, inventory(tmp_path, server.port))
    results = task_results(run, "win1")
    assert run.returncode == 0, results or run.stdout[-2000:]
    info, listening, opened = results
    # parsed answers
    assert [(v["port"], v["verdict"]) for v in info["verdicts"]] == [(443, "accept")]
    assert listening["listening"][0]["process"] == "nginx" and listening["missing"] == []
    assert opened["changed"] is True and len(opened["added"]) == 1024
    assert len(firewall.names) == 1024
    # what crossed the wire: one runspace pool, opened and closed; every pipeline runs the stub on its input
    assert server.pools_opened and server.pools_closed == server.pools_opened
    pipelines = server.pipelines
    assert len(pipelines) == len(host.scripts) == 4  # info, listening, read, write
    kinds = [template_of(code) for _stub, code in host.scripts]
    assert kinds == ["firewall_info read", "listening_ports read", "firewall_port read", "firewall_port write"]
    for pipeline in pipelines:
        assert pipeline.script == STUB and pipeline.is_script and pipeline.arguments == []
        assert not pipeline.no_input and pipeline.input_ended and pipeline.answered
    # a pipeline left open is stopped when the next starts (Ansible's psrp connection does so)
    # each task opens its own pool; in one, the pipeline left open is stopped when the next one starts
    pools = [p.pool_id for p in pipelines]
    assert pools[2] == pools[3] and len(set(pools)) == 3 and set(pools) == set(server.pools_opened)
    assert [p.stopped for p in pipelines] == [False, False, True, False]
    write = pipelines[3]
    assert sum(len(line) + 1 for line in write.input) > PSRP_PAYLOAD and write.sends >= 2
    assert all(p.sends <= 1 for p in pipelines if p is not write)


class NoAnswerHost:
    """A host whose read prints no JSON answer and exits 3."""

    def run(self, argv, data=None):
        return 3, "Get-NetFirewallRule : the service is not running", ""


def test_the_exit_code_reaches_the_task(tmp_path):
    """The stub's ``exit $LASTEXITCODE`` arrives as SetShouldExit(3): Ansible's rc, named in the task's failure."""
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{**PLAYBOOK[0], "tasks": PLAYBOOK[0]["tasks"][:1]}]))
    with PsrpServer(ScriptHost(info=NoAnswerHost()).pipeline) as server:
        run = ansible_playbook(playbook, inventory(tmp_path, server.port))
    result = task_results(run, "win1")[0]
    assert run.returncode != 0 and result.get("failed") is True, result
    assert "gave no JSON answer (rc=3)" in result["msg"] and "service is not running" in result["msg"], result
    assert len(server.pipelines) == 1


def test_wrong_credentials_are_unreachable(tmp_path):
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{**PLAYBOOK[0], "tasks": PLAYBOOK[0]["tasks"][:1]}]))
    with PsrpServer(ScriptHost(info=FakeInfoHost()).pipeline) as server:
        run = ansible_playbook(playbook, inventory(tmp_path, server.port, password="wrong"))
    assert run.returncode != 0
    result = task_results(run, "win1")[0]
    assert result.get("unreachable") is True and "authenticate" in result["msg"], result
    assert server.pools_opened == [] and server.pipelines == []
