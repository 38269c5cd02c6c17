# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance_report action: gathers hostvars, writes every format, fails exactly at fail_on."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from unittest.mock import MagicMock

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.webedge.https.plugins.action.compliance_report import ActionModule
from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint import evaluate_endpoint
from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import findings_to_dict
from ansible_collections.webedge.https.plugins.module_utils.compliance.host import evaluate_host
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import get_profile
from ansible_collections.webedge.https.tests.unit.helpers.import_closure import imported_with

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "compliance" / "probe_intermediate_ok.json"


def _probe(**changes):
    probe = json.loads(FIXTURE.read_text(encoding="utf-8"))
    now = datetime.now(timezone.utc).replace(microsecond=0)
    probe["certificate"]["days_remaining"] = 200
    probe["certificate"]["not_before"] = (now - timedelta(days=30)).isoformat()
    probe["certificate"]["not_after"] = (now + timedelta(days=200)).isoformat()
    for key, value in changes.items():
        probe["protocols"][key] = value
    return probe


def _results(probe, evaluate=True):
    if evaluate:
        probe = dict(probe, findings=findings_to_dict(evaluate_endpoint(probe, get_profile("intermediate"))))
    facts = {
        "listening": {"port": 443, "listening": True},
        "firewall": {"backend": "nftables", "verdict": "accept"},
    }
    return {
        "profile": "intermediate",
        "profile_version": "5.7",
        "controls": findings_to_dict(evaluate_host(facts)),
        "endpoints": [probe],
    }


def _run(args, hostvars, play_hosts=None, playbook_dir=None, variables=None):
    task = MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = False
    task.diff = False
    loader = MagicMock()
    loader.path_dwim.side_effect = lambda p: p
    action = ActionModule(task, MagicMock(), MagicMock(), loader, MagicMock(), MagicMock())
    task_vars = {"hostvars": hostvars, "ansible_play_hosts_all": play_hosts or list(hostvars)}
    if playbook_dir:
        task_vars["playbook_dir"] = playbook_dir
    task_vars.update(variables or {})
    return action.run(task_vars=task_vars)


def test_writes_every_format_and_passes(tmp_path):
    result = _run({"dest": str(tmp_path)}, {"web1": {"webedge_https_compliance": _results(_probe())}})
    assert not result.get("failed"), result.get("msg")
    assert set(result["paths"]) == {"json", "junit", "sarif", "html", "markdown"}
    assert all(Path(p).is_file() for p in result["paths"].values())
    assert result["changed"] is True
    assert result["summary"]["counts"]["fail"] == 0


@pytest.mark.parametrize(
    ("fail_on", "failed"),
    [("critical", False), ("high", True), ("medium", True), ("low", True), ("none", False)],
)
def test_fails_exactly_at_threshold(tmp_path, fail_on, failed):
    hostvars = {"web1": {"webedge_https_compliance": _results(_probe(TLSv1=True))}}  # TLS-03 high
    result = _run({"dest": str(tmp_path), "fail_on": fail_on, "formats": ["json"]}, hostvars)
    assert bool(result.get("failed")) is failed
    if failed:
        assert "TLS-03 (high) on web1" in result["msg"]
    assert Path(result["paths"]["json"]).is_file()  # written even when failing


def test_host_without_results_fails_the_gate(tmp_path):
    hostvars = {"web1": {"webedge_https_compliance": _results(_probe())}, "web2": {}}
    result = _run({"dest": str(tmp_path), "formats": ["markdown"], "fail_on": "critical"}, hostvars)
    assert result["failed"] is True
    assert result["hosts_without_results"] == ["web2"]
    assert "no results from web2" in result["msg"]


def test_endpoint_only_mode_evaluates_raw_probes(tmp_path):
    registered = {"results": [{"item": "web1", **_probe(SSLv3=True)}]}
    result = _run(
        {"dest": str(tmp_path), "hosts": [], "endpoints": registered, "formats": ["json"], "profile": "intermediate"},
        {},
    )
    assert result["failed"] is True and "TLS-02 (critical) on web1.lab.example" in result["msg"]
    data = json.loads(Path(result["paths"]["json"]).read_text(encoding="utf-8"))
    assert [h["name"] for h in data["hosts"]] == ["web1.lab.example"]


def test_endpoints_var_reads_the_registered_result_as_given_in_endpoints(tmp_path):
    registered = {"changed": False, "results": [{"item": "web1", **_probe(SSLv3=True)}, _probe(TLSv1=True)]}
    common = {"hosts": [], "formats": ["json", "markdown"], "fail_on": "none"}
    by_value = _run({"dest": str(tmp_path / "a"), "endpoints": registered, **common}, {})
    by_name = _run(
        {"dest": str(tmp_path / "b"), "endpoints_var": "probed", **common}, {}, variables={"probed": registered}
    )
    assert by_name["summary"] == by_value["summary"] and by_name["summary"]["endpoints"] == 2
    assert by_name["summary"]["failing_controls"] == by_value["summary"]["failing_controls"] != []
    for fmt in ("json", "markdown"):
        a, b = (Path(r["paths"][fmt]).read_text(encoding="utf-8") for r in (by_value, by_name))
        assert _without_times(a) == _without_times(b)


def test_endpoints_var_and_endpoints_are_combined(tmp_path):
    one = {"results": [_probe(SSLv3=True)]}
    other = dict(_probe(), host="other.lab.example")
    result = _run(
        {"dest": str(tmp_path), "hosts": [], "endpoints": [other], "endpoints_var": "probed", "formats": ["json"]},
        {},
        variables={"probed": one},
    )
    data = json.loads(Path(result["paths"]["json"]).read_text(encoding="utf-8"))
    assert sorted(h["name"] for h in data["hosts"]) == ["other.lab.example", "web1.lab.example"]


def test_an_undefined_endpoints_var_fails_naming_it_and_writes_nothing(tmp_path):
    with pytest.raises(AnsibleActionFail, match="endpoints_var: no variable named 'nothing_here'"):
        _run({"dest": str(tmp_path / "reports"), "hosts": [], "endpoints_var": "nothing_here"}, {})
    assert not (tmp_path / "reports").exists()


def _without_times(text):
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^\"\s|]*", "TIME", text)


def test_bad_format_is_rejected(tmp_path):
    with pytest.raises(AnsibleActionFail, match="pdf"):
        _run({"dest": str(tmp_path), "formats": ["pdf"]}, {})


# --- SARIF locations: the inventory file of the user's repository that defines each host ---------


def _repo(tmp_path):
    repo = tmp_path / "repo"
    (repo / "inventory").mkdir(parents=True)
    (repo / "inventory" / "hosts.ini").write_text("[web_servers]\nweb0\nweb1 ansible_host=10.0.0.1\n", encoding="utf-8")
    return repo


def _sarif_locations(result):
    log = json.loads(Path(result["paths"]["sarif"]).read_text(encoding="utf-8"))
    return {r["properties"]["host"]: r["locations"][0]["physicalLocation"] for r in log["runs"][0]["results"]}


def test_sarif_results_sit_at_the_inventory_line_of_their_host(tmp_path):
    repo = _repo(tmp_path)
    inventory = repo / "inventory" / "hosts.ini"
    hostvars = {
        "web1": {
            "webedge_https_compliance": _results(_probe(TLSv1=True)),
            "inventory_file": str(inventory),
            "inventory_dir": str(inventory.parent),
        }
    }
    result = _run({"dest": str(tmp_path / "out"), "formats": ["sarif", "json"], "source_root": str(repo)}, hostvars)
    assert _sarif_locations(result)["web1"] == {
        "artifactLocation": {"uri": "inventory/hosts.ini", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 1, "endColumn": 5},
    }
    data = json.loads(Path(result["paths"]["json"]).read_text(encoding="utf-8"))
    assert data["hosts"][0]["source"]["kind"] == "inventory"


def test_source_root_defaults_to_the_working_directory(tmp_path, monkeypatch):
    repo = _repo(tmp_path)
    monkeypatch.chdir(repo)
    inventory = repo / "inventory" / "hosts.ini"
    hostvars = {"web0": {"webedge_https_compliance": _results(_probe(TLSv1=True)), "inventory_file": str(inventory)}}
    result = _run({"dest": str(tmp_path / "out"), "formats": ["sarif"]}, hostvars)
    assert _sarif_locations(result)["web0"]["region"]["startLine"] == 2


def test_endpoint_only_results_go_to_the_ci_workflow_file(tmp_path, monkeypatch):
    repo = _repo(tmp_path)
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "https.yml").write_text("name: https\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_REPOSITORY", "octo/web")
    monkeypatch.setenv("GITHUB_WORKFLOW_REF", "octo/web/.github/workflows/https.yml@refs/heads/main")
    registered = {"results": [{"item": "web1", **_probe(SSLv3=True)}]}
    args = {"dest": str(tmp_path / "out"), "hosts": [], "endpoints": registered, "formats": ["sarif"]}
    result = _run(dict(args, source_root=str(repo)), {})
    location = _sarif_locations(result)["web1.lab.example"]
    assert location["artifactLocation"]["uri"] == ".github/workflows/https.yml"
    assert location["region"] == {"startLine": 1}


def test_the_action_imports_no_probe_or_windows_code():
    """Loaded in every compliance play (Ansible compiles each module of ours it imports on every run)."""
    loaded = imported_with("plugins.action.compliance_report")
    assert "plugins.plugin_utils.reporting.writer" in loaded  # it does read what it uses
    assert [m for m in loaded if m.startswith(("plugins.module_utils.tls.probe", "plugins.plugin_utils.windows"))] == []
