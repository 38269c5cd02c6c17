# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/apache/tasks/apply.yml, its writes and links exactly as the role has them (with the role's variables that
read web_common's read), run for real (ansible-playbook, local connection, files in a temporary directory) after
web_common's read: a file already there as it would be written, or a link already pointing where it would point,
reaches no module; a changed byte, mode or owner, or a link moved, does, and check mode reports it without
making it. tasks/main.yml includes the apply only when the read says there is something to do: its questions
(__apache_writes_pending, __apache_links_to_make), asked right after the read, say yes exactly when a write or a
link then reaches its module, in every run below."""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, List

import yaml

from ansible_collections.webedge.https.tests.unit.helpers.playbooks import ansible_playbook, task_results
from ansible_collections.webedge.https.tests.unit.helpers.roles import load, task

# one write task and one link task, each with the server-wide TLS policy ("global" below) and the sites in one loop
STEPS = [
    "Write the site configurations",  # and the server-wide TLS policy, in the same loop
    "Enable the server-wide TLS policy and the sites",
]
SERVER_WIDE = "server-wide TLS policy"
ROLE_VARS = load("apache", "vars/main.yml")

PLAY = """
- hosts: lab
  gather_facts: false
  vars:
    web_common_handler: Reload apache
    web_common_sites: []
    web_common_loaded_stamp: "{{ base }}/state/apache.loaded"
    web_common_watch_paths: >-
      {{ ['sites-available', 'sites-enabled', 'conf-available', 'conf-enabled']
         | map('regex_replace', '^', base ~ '/') | list }}
    web_common_managed_files: >-
      {{ __apache_site_files | map('regex_replace', '^', __apache_config_root ~ '/sites-available/') | list
         + [__apache_config_root ~ '/conf-available/' ~ __apache_global_conf] }}
    __apache_config_root: "{{ base }}"
    __apache_global_conf: zz-webedge-https.conf
    __apache_sites:
      - {name: www, file: webedge-site--www.conf, greeting: "{{ greeting | default('hello') }}"}
      - {name: api, file: webedge-site-api.conf, greeting: hello}
    __apache_site_files: "{{ __apache_sites | map(attribute='file') | list }}"
  roles:
    - writes
  handlers:
    - name: Reload apache
      ansible.builtin.command:
        argv: [touch, "{{ base }}/reloaded"]
      changed_when: true
"""


# What tasks/main.yml's include asks of the read (its other questions are about the package, the service and
# web_common's own steps), asked before anything is written.
DECIDE = {
    "name": "Decide",
    "ansible.builtin.debug": {
        "msg": {"writes": "{{ __apache_writes_pending | bool }}", "links": "{{ __apache_links_to_make | length > 0 }}"}
    },
}


def role(tmp_path: Path) -> None:
    """A role whose tasks are web_common's read and the apache role's writes and links as they are, with the
    apache role's variables that read the read."""
    folder = tmp_path / "roles" / "writes"
    for sub in ("templates", "tasks", "vars"):
        (folder / sub).mkdir(parents=True)
    (folder / "templates" / "site.conf.j2").write_text(
        "{{ ansible_managed | comment }}\n<VirtualHost *:443>\n  # {{ __apache_site.greeting }} é\n</VirtualHost>\n",
        encoding="utf-8",
    )
    (folder / "templates" / "webedge-https.conf.j2").write_text(
        "{{ ansible_managed | comment }}\nSSLProtocol -all +TLSv1.2 +TLSv1.3\n", encoding="utf-8"
    )
    names = [
        "__apache_read",
        "__apache_found",
        "__apache_linked_sites",
        "__apache_writes",
        "__apache_writes_pending",
        "__apache_links_to_make",
    ]
    (folder / "vars" / "main.yml").write_text(yaml.safe_dump({n: ROLE_VARS[n] for n in names}))
    read = {"name": "Read", "ansible.builtin.import_role": {"name": "webedge.https.web_common", "tasks_from": "read"}}
    steps = [copy.deepcopy(task("apache", "apply.yml", name)) for name in STEPS]
    (folder / "tasks" / "main.yml").write_text(yaml.safe_dump([read, DECIDE, *steps], sort_keys=False))
    for sub in ("sites-available", "sites-enabled", "conf-available", "conf-enabled"):
        (tmp_path / sub).mkdir()


def run(tmp_path: Path, *args: str, **extra: Any) -> Dict[str, List[str]]:
    """One run: per step, the items that reached the module (each changed, or in check mode would change)."""
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAY)
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"lab ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    result = ansible_playbook(playbook, inventory, "-e", json.dumps({"base": str(tmp_path), **extra}), *args)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    out: Dict[str, List[str]] = {}
    for name, key in zip(STEPS, ["__apache_site", "item"]):
        (found,) = [r for r in task_results(result, "lab") if r["_task"] == f"writes : {name}"]
        ran = [r for r in found.get("results", [found]) if not r.get("skipped")]
        out[name] = sorted("global" if r[key]["name"] == SERVER_WIDE else r[key]["name"] for r in ran)
        assert all(r.get("changed") for r in ran), ran
    (decided,) = [r for r in task_results(result, "lab") if r["_task"] == "writes : Decide"]
    assert decided["msg"] == {"writes": bool(out[STEPS[0]]), "links": bool(out[STEPS[1]])}, (decided["msg"], out)
    return out


def test_unchanged_files_and_links_reach_no_module_and_changed_ones_do(tmp_path: Path) -> None:
    role(tmp_path)
    everything = {STEPS[0]: ["api", "global", "www"], STEPS[1]: ["api", "global", "www"]}
    nothing: Dict[str, List[str]] = {step: [] for step in STEPS}
    assert run(tmp_path) == everything
    assert run(tmp_path) == nothing
    www = tmp_path / "sites-available" / "webedge-site--www.conf"
    www.write_text(www.read_text(encoding="utf-8").replace("hello", "hellO"), encoding="utf-8")
    os.chmod(tmp_path / "conf-available" / "zz-webedge-https.conf", 0o640)
    link = tmp_path / "sites-enabled" / "webedge-site-api.conf"
    link.unlink()
    link.symlink_to("/elsewhere/webedge-site-api.conf")
    changed = {STEPS[0]: ["global", "www"], STEPS[1]: ["api"]}
    assert run(tmp_path, "--check") == changed  # reported, not made
    assert os.readlink(link) == "/elsewhere/webedge-site-api.conf"
    assert "hellO" in www.read_text(encoding="utf-8")
    assert run(tmp_path) == changed
    assert os.readlink(link) == "../sites-available/webedge-site-api.conf"
    assert "hellO" not in www.read_text(encoding="utf-8")
    os.chown(www, 65534, 0)
    assert run(tmp_path) == {**nothing, STEPS[0]: ["www"]}
    assert run(tmp_path) == nothing
