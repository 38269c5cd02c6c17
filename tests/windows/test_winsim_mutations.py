# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulated Windows host catches what issue 14 says it must: each deliberate mutation fails.

The iis role is copied and one line of it changed (an undefined variable, an option the module lacks,
the wrong loop variable: defect 1 put back), then run by path on a fresh simulated host; the run must
fail at that task with the reason. The spec checks are also exercised directly (a wrong choice, a wrong
sub-option of microsoft.iis.website's bindings, a win_powershell parameter the script does not declare).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from ansible_collections.webedge.https.tests.unit.helpers import winsim_specs
from ansible_collections.webedge.https.tests.unit.helpers.playbooks import ansible_playbook, task_results
from ansible_collections.webedge.https.tests.unit.helpers.winsim import SimulatedWindows, scripts_by_name
from ansible_collections.webedge.https.tests.windows.test_site_windows import (
    COLLECTION,
    PLUGINS,
    failures,
    inventory,
    write_host,
)

WEB_CONFIG_DEST = 'dest: "{{ __iis_site.physical_path }}\\\\web.config"'
MUTATIONS = {
    # defect 1 put back: the web.config task loops with loop_var __iis_site but reads item
    "wrong loop variable": (
        "tasks/sites.yml",
        WEB_CONFIG_DEST,
        'dest: "{{ item.physical_path }}\\\\web.config"',
        "Write the site web.config",
        "'item' is undefined",
    ),
    "undefined variable": (
        "tasks/sites.yml",
        '    path: "{{ item.physical_path }}"\n    state: directory',
        '    path: "{{ __iis_site_root }}\\\\{{ item.name }}"\n    state: directory',
        "Create the site folders",
        "'__iis_site_root' is undefined",
    ),
    "option the module lacks": (
        "tasks/schannel.yml",
        "    name: DisableServerHeader\n    type: dword",
        "    name: DisableServerHeader\n    value_type: dword",
        "Leave the Server header out",
        "value_type",
    ),
}


def run_role(tmp: Path, role: Path):
    state = write_host(tmp)
    hosts = inventory(tmp, state)
    playbook = tmp / "play.yml"
    playbook.write_text(
        yaml.safe_dump([{"name": "iis", "hosts": "iis_servers", "gather_facts": True, "roles": [{"role": str(role)}]}])
    )
    return ansible_playbook(playbook, hosts, env={"ANSIBLE_CONNECTION_PLUGINS": str(PLUGINS), "ANSIBLE_FORKS": "1"})


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_a_mutated_role_fails_on_the_simulated_host(tmp_path, mutation):
    path, before, after, task, reason = MUTATIONS[mutation]
    role = tmp_path / "iis"
    shutil.copytree(COLLECTION / "roles" / "iis", role)
    text = (role / path).read_text()
    assert text.count(before) == 1, f"the line to mutate is not in {path}: {before!r}"
    (role / path).write_text(text.replace(before, after))
    run = run_role(tmp_path, role)
    found = failures(task_results(run, "win1"))
    assert run.returncode != 0 and found, run.stdout[-2000:]
    assert task in found[0] and reason in found[0], found


def test_the_unmutated_copy_converges(tmp_path):
    """The copy itself is sound: the failures above come from the mutations, not from running the role by path."""
    role = tmp_path / "iis"
    shutil.copytree(COLLECTION / "roles" / "iis", role)
    run = run_role(tmp_path, role)
    assert run.returncode == 0, failures(task_results(run, "win1")) or run.stdout[-2000:]


def test_a_wrong_choice_and_a_wrong_sub_option_are_refused_by_the_real_specs():
    errors, _params = winsim_specs.check("ansible.windows.win_feature", {"name": ["Web-Server"], "state": "installed"})
    assert errors and "state" in errors[0] and "installed" in errors[0]
    binding = {"add": [{"ip": "*", "port": 443, "hostname": "www", "protocol": "https", "ssl_flag": 1}]}
    errors, _params = winsim_specs.check("microsoft.iis.website", {"name": "www", "bindings": binding})
    assert errors and "ssl_flag" in " ".join(errors)
    fixed = {"add": [{"ip": "*", "port": 443, "hostname": "www", "protocol": "https", "use_sni": True}]}
    errors, _params = winsim_specs.check("microsoft.iis.website", {"name": "www", "bindings": fixed})
    assert errors == []


def test_the_specs_come_from_the_installed_modules():
    spec = winsim_specs.load_spec("ansible.windows.win_regedit")
    assert spec.path.endswith("ansible/windows/plugins/modules/win_regedit.ps1")
    assert spec.supports_check_mode and "type" in spec.argument_spec and "value_type" not in spec.argument_spec


def test_a_win_powershell_parameter_the_script_does_not_declare_fails(tmp_path):
    state = write_host(tmp_path)
    host = SimulatedWindows(str(state))
    script = scripts_by_name()["site_tls.ps1"]
    args = {"script": script, "parameters": {"SiteName": "www", "Thumbprint": "AB", "Binding": []}}
    result = host.run_module("ansible.windows.win_powershell", args)
    assert result["failed"] and "'Binding'" in result["msg"]
