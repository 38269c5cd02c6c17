# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""webedge.https.site's Windows play and the compliance role's Windows path, end to end, on a simulated host.

ansible-playbook runs the collection's own playbooks (``site.yml``: firewall_port + role iis;
``compliance.yml``'s role on the same host) over the ``winsim`` connection plugin
(tests/windows/connection_plugins/winsim.py): every module call of ansible.windows / microsoft.iis is
checked against that module's real argument spec and answered from the simulated host's state; our own
PowerShell arrives as over WinRM (stub on the command line, script on stdin). Order: check mode on a
fresh host (a prediction, nothing changed), the real run, a second run (nothing changes), check mode
on the converged host (nothing to change), then the compliance audit of it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall import parse_rule
from ansible_collections.webedge.https.tests.unit.helpers.playbooks import (
    COLLECTIONS_ROOT,
    ansible_playbook,
    task_results,
)
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import make_cert, make_key
from ansible_collections.webedge.https.tests.unit.helpers.winsim import initial_state
from ansible_collections.webedge.https.tests.unit.helpers.winsim_scripts import KSP, LEGACY_CSP

COLLECTION = COLLECTIONS_ROOT / "ansible_collections" / "webedge" / "https"
PLUGINS = Path(os.path.abspath(__file__)).parent / "connection_plugins"


def write_host(tmp: Path, **state: Any) -> Path:
    path = tmp / "winsim-state.json"
    path.write_text(json.dumps(initial_state(**state)))
    return path


def inventory(tmp: Path, state: Path, **hostvars: Any) -> Path:
    ca = make_cert("webedge test CA", key=make_key("rsa2048"), ca=True, days=800)
    leaf = make_cert("www.example.com", issuer=ca, key=make_key("rsa2048"), sans=["www.example.com"], days=300)
    host = {
        "ansible_connection": "winsim",
        # As an SSH inventory says it (the connection's name is not winrm/psrp): the roles tell Windows from it.
        "ansible_shell_type": "powershell",
        "winsim_state": str(state),
        "ansible_host": "127.0.0.1",
        "iis_windows_build": "",
        "iis_sites": [
            {
                "name": "www",
                "hostnames": ["www.example.com"],
                "certificate_content": leaf.cert_pem.decode(),
                "private_key_content": leaf.key_pem.decode(),
                "chain_content": ca.cert_pem.decode(),
            }
        ],
        **hostvars,
    }
    path = tmp / "hosts.yml"
    path.write_text(yaml.safe_dump({"all": {"children": {"iis_servers": {"hosts": {"win1": host}}}}}))
    return path


def play(tmp: Path, playbook: str, hosts: Path, *args: str):
    return ansible_playbook(
        COLLECTION / "playbooks" / playbook,
        hosts,
        "--diff",
        *args,
        env={"ANSIBLE_CONNECTION_PLUGINS": str(PLUGINS), "ANSIBLE_FORKS": "1"},
    )


def changed(results: List[Dict[str, Any]]) -> List[str]:
    names = []
    for result in results:
        items = result.get("results") if isinstance(result.get("results"), list) else [result]
        if any(item.get("changed") for item in items):
            names.append(result["_task"])
    return names


def failures(results: List[Dict[str, Any]]) -> List[str]:
    found = []
    for result in results:
        items = result.get("results") if isinstance(result.get("results"), list) else [result]
        for item in items:
            if item.get("failed") and item.get("failed_when_result") is not False:
                found.append(f"{result['_task']}: {item.get('msg')}")
    return found


def state_of(path: Path) -> Dict[str, Any]:
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def converged(tmp_path_factory):
    """The site play in check mode on a fresh host, then for real, then again, then check mode again."""
    tmp = tmp_path_factory.mktemp("site")
    state = write_host(tmp)
    hosts = inventory(tmp, state)
    runs = {}
    for name, args in (("check", ("--check",)), ("first", ()), ("second", ()), ("check_again", ("--check",))):
        run = play(tmp, "site.yml", hosts, *args)
        runs[name] = (run, task_results(run, "win1"), json.loads(json.dumps(state_of(state))))
    return state, hosts, runs


def test_check_mode_on_a_fresh_host_predicts_and_changes_nothing(converged):
    _state, _hosts, runs = converged
    run, results, after = runs["check"]
    assert run.returncode == 0, failures(results) or run.stdout[-3000:]
    assert after["features"] == [] and after["sites"] == {} and after["firewall"]["rules"] == []
    assert "webedge.https.iis : Install IIS" in changed(results)
    assert "Open the HTTPS port (and 80 for the redirect) in Windows Defender Firewall" in changed(results)


def test_the_real_run_converges_the_host(converged):
    _state, _hosts, runs = converged
    run, results, after = runs["first"]
    assert run.returncode == 0, failures(results) or run.stdout[-3000:]
    assert after["features"] == ["Web-Server", "Web-Scripting-Tools"]
    site = after["sites"]["www"]
    assert site["state"] == "started"
    https = [b for b in site["bindings"] if b["protocol"] == "https"]
    assert [(b["port"], b["hostname"], b["ssl_flags"]) for b in https] == [(443, "www.example.com", 1)]
    assert site["hsts"]["enabled"] is True and site["hsts"]["redirectHttpToHttps"] is True
    assert len(after["firewall"]["rules"]) == 4  # 443 and 80, IPv4 and IPv6
    config = [v for k, v in after["files"].items() if k.endswith("\\web.config")]
    assert len(config) == 1 and "removeServerHeader" in config[0]["content"]


def test_the_second_run_changes_nothing(converged):
    _state, _hosts, runs = converged
    run, results, _after = runs["second"]
    assert run.returncode == 0, failures(results)
    assert changed(results) == []


def test_check_mode_on_the_converged_host_changes_nothing(converged):
    _state, _hosts, runs = converged
    run, results, _after = runs["check_again"]
    assert run.returncode == 0, failures(results)
    assert changed(results) == []


def test_every_windows_module_call_was_checked_against_its_real_spec(converged):
    state, _hosts, _runs = converged
    modules = {c["module"] for c in state_of(state)["calls"] if "module" in c}
    assert {
        "ansible.windows.win_feature",
        "ansible.windows.win_regedit",
        "ansible.windows.win_file",
        "ansible.windows.win_powershell",
        "ansible.windows.win_copy",
        "microsoft.iis.website",
        "microsoft.iis.website_info",
    } <= modules
    assert not [c for c in state_of(state)["calls"] if c.get("failed")]


def test_the_compliance_role_audits_the_converged_host(converged):
    """The compliance playbook's Windows path on the host the site play converged: HTTP.sys (System) holds 443,
    the firewall admits it, the key file's ACL and the IIS configuration load pass (controls from the role);
    HOST-07 names the port exposed beyond the allow-list; one PowerShell round trip reads the listeners, the firewall
    and the exposure (compliance_info)."""
    state, hosts, _runs = converged
    extra = {
        "compliance_hosts": "iis_servers",
        "compliance_checks": {"host": True, "endpoint": False},
        "compliance_report_dest": str(state.parent / "reports"),
        "compliance_report_fail_on": "none",
        "compliance_report_formats": ["json"],
    }
    before = len(state_of(state)["calls"])
    run = play(state.parent, "compliance.yml", hosts, "-e", json.dumps(extra))
    results = task_results(run, "win1")
    assert run.returncode == 0, failures(results) or run.stdout[-3000:]
    report = json.loads((state.parent / "reports" / "compliance.json").read_text())
    controls = {r["control"]: r for r in report["hosts"][0]["results"]}
    verdicts = {name: controls[name]["status"] for name in ("HOST-01", "HOST-02", "HOST-03", "HOST-04")}
    assert verdicts == dict.fromkeys(verdicts, "pass"), {n: controls[n]["message"] for n in verdicts}
    assert controls["HOST-01"]["observed"] == "System"
    # HOST-07 (compliance_info's one wrapper script, exposure_info's: listeners, firewall rules, services): IIS's 80
    # and 443 are exposed (HTTP.sys and the rules), and java's 8080 through the host's stock Nginx-Allow-8080 rule.
    exposure = controls["HOST-07"]
    assert exposure["status"] == "fail" and exposure["observed"] == ["80/tcp", "443/tcp", "8080/tcp"], exposure
    assert "8080/tcp (java (pid 3100))" in exposure["message"]
    # The listeners, the firewall and the exposure in ONE round trip (compliance_info, HOST-01/02/07); the IIS
    # read (win_powershell) is the other. No separate listening_ports or firewall_info read any more.
    calls = state_of(state)["calls"][before:]
    reads = [c["script"] for c in calls if "script" in c and "module" not in c]
    assert reads == ["exposure read"], reads


def test_firewall_info_reads_back_the_rules_firewall_port_wrote(converged, tmp_path):
    """The converged host audited by firewall_info: the rules of our group it reads are exactly the ones
    firewall_port created (the simulated host answers both from one state), and they accept 443 and 80."""
    state, hosts, _runs = converged
    playbook = tmp_path / "audit.yml"
    task = {"name": "audit", "webedge.https.firewall_info": {"ports": [443, 80]}}
    playbook.write_text(yaml.safe_dump([{"hosts": "iis_servers", "gather_facts": False, "tasks": [task]}]))
    env = {"ANSIBLE_CONNECTION_PLUGINS": str(PLUGINS), "ANSIBLE_FORKS": "1"}
    run = ansible_playbook(playbook, hosts, env=env)
    (result,) = task_results(run, "win1")
    assert run.returncode == 0, result
    written = state_of(state)["firewall"]["rules"]
    read = result["rules"]["windows"]
    expected = [rule.as_dict() for record in written for rule in parse_rule(record).rules]
    assert len(written) == 4 and sorted(json.dumps(r, sort_keys=True) for r in read) == sorted(
        json.dumps(r, sort_keys=True) for r in expected
    ), (read, written)
    assert sorted((v["port"], v["verdict"]) for v in result["verdicts"]) == [(80, "accept"), (443, "accept")]


def test_the_binding_diff_arrives_whole(converged):
    """Issue 14 item 9: each binding's state in the diff is a structure four levels down (before > https >
    binding > ssl_flags); at win_powershell's default depth 2 it arrived as the name of its type."""
    _state, _hosts, runs = converged
    _run, results, _after = runs["first"]
    bind = next(r for r in results if r["_task"].startswith("webedge.https.iis : Bind https"))
    diff = bind["results"][0]["diff"]
    after = diff["after"]["https"]["*:443:www.example.com"]
    assert after["ssl_flags"] == {"value": 1, "sni": True, "central_certificate_store": False}, diff
    assert len(after["certificate"]) == 40 and after["store"] == "My"
    assert diff["before"]["https"] == {}


def test_the_site_key_is_in_the_software_ksp(converged):
    """Issue 14 item 3: the leaf's key is imported into the Software KSP (a legacy CAPI key breaks TLS 1.3)."""
    state, _hosts, _runs = converged
    assert [c["provider"] for c in state_of(state)["certs"]["My"].values()] == [KSP]


def test_a_key_left_in_a_legacy_provider_is_imported_again(converged, tmp_path):
    """A host converged by the earlier role (key in a CAPI CSP): the next run imports the leaf into the KSP."""
    state, hosts, _runs = converged
    legacy = state_of(state)
    for cert in legacy["certs"]["My"].values():
        cert["provider"] = LEGACY_CSP
    copy = tmp_path / "winsim-state.json"
    copy.write_text(json.dumps(legacy))
    inventory_text = hosts.read_text().replace(str(state), str(copy))
    (tmp_path / "hosts.yml").write_text(inventory_text)
    run = play(tmp_path, "site.yml", tmp_path / "hosts.yml")
    results = task_results(run, "win1")
    assert run.returncode == 0, failures(results)
    assert [name.split(" into ")[0] for name in changed(results)] == [
        "webedge.https.iis : Import the site certificates"
    ]
    assert [c["provider"] for c in state_of(copy)["certs"]["My"].values()] == [KSP]


GPO_SUITES = "TLS_AES_256_GCM_SHA384,TLS_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
GPO_RECORD = {  # an RSOP_RegistryPolicySetting of precedence 1, its value decoded (REG_SZ) and its GPO's name
    "registryKey": "Software\\Policies\\Microsoft\\Cryptography\\Configuration\\SSL\\00010002",
    "valueName": "Functions",
    "valueType": 1,
    "value": GPO_SUITES,
    "gpo": "Contoso TLS baseline",
}


def test_a_cipher_order_set_by_group_policy_is_left_to_it_with_a_warning(tmp_path):
    """Issue 14 item 7: on a domain member whose GPO sets the SSL cipher suite order, the role warns and leaves the
    value to the GPO; before, it wrote it at every run (the GPO's refresh put it back) and asked for a reboot."""
    state = write_host(tmp_path, group_policy=[GPO_RECORD])
    hosts = inventory(tmp_path, state)
    first = play(tmp_path, "site.yml", hosts)
    results = task_results(first, "win1")
    assert first.returncode == 0, failures(results)
    (warning,) = [r for r in results if r["_task"].startswith("webedge.https.iis : Warn about the SCHANNEL values")]
    assert "Functions" in warning["msg"] and "Contoso TLS baseline" in warning["msg"], warning["msg"]
    key = "hklm:\\software\\policies\\microsoft\\cryptography\\configuration\\ssl\\00010002"
    values = state_of(state)["registry"][key]
    assert values["functions"][2] == GPO_SUITES and values["ecccurves"][1] == "multistring"
    second = play(tmp_path, "site.yml", hosts)
    results = task_results(second, "win1")
    assert second.returncode == 0, failures(results)
    assert changed(results) == []
    (reboot,) = [
        r for r in results if r["_task"].startswith("webedge.https.iis : Tell whether the host needs a reboot")
    ]
    assert reboot["ansible_facts"]["iis_reboot_required"] in (False, "False")
