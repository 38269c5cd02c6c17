# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/nginx/tasks/apply.yml, its one write task ("Write the site configurations", with the DH parameters: each
site's configuration and the RFC 7919 ffdhe2048 DH parameters in one loop) exactly as the role has it, run for real
(ansible-playbook, local connection, files in a temporary directory) after web_common's read: a file already there
as it would be written is not written (no module run: the loop item is skipped); a changed byte, mode or owner is
written again, and check mode reports such a change (with its diff) without making it. tasks/main.yml includes the
apply only when the read says there is something to do: its question about the writes (__nginx_writes_pending, the
role's variable, with __nginx_writes the loop), asked right after the read, says yes exactly when a write then
reaches its module, in every run below."""

from __future__ import annotations

import copy
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any, Dict, List

import yaml

from ansible_collections.webedge.https.tests.unit.helpers.playbooks import ansible_playbook, task_results
from ansible_collections.webedge.https.tests.unit.helpers.roles import ROLES, load, task

WRITE = "Write the site configurations"  # and the DH parameters, in the same loop
ROLE_VARS = load("nginx", "vars/main.yml")
# tasks/main.yml's include asks this of the read (besides the package, the service and web_common's own steps)
DECIDE = {"name": "Decide", "ansible.builtin.debug": {"msg": "{{ __nginx_writes_pending | bool }}"}}
DH_LABEL = "ffdhe2048 DH parameters"

# A template with what changes rendering: ansible_managed, a loop with trim_blocks, the loop variable, non-ASCII
# text and the final newline.
TEMPLATE = """{{ ansible_managed | comment }}
server {
{% for name in __nginx_site.names %}
    server_name {{ name }};
{% endfor %}
    # café {{ __nginx_site.greeting }}
}
"""

PLAY = """
- hosts: lab
  gather_facts: false
  vars:
    web_common_handler: Reload nginx
    web_common_sites: []
    web_common_loaded_stamp: "{{ base }}/state/nginx.loaded"
    web_common_watch_paths: ["{{ nginx_conf_dir }}", "{{ __nginx_dhparam_path }}"]
    web_common_managed_files: "{{ __nginx_site_files + [__nginx_dhparam_path] }}"
    nginx_conf_dir: "{{ base }}/conf.d"
    __nginx_site_prefix: webedge-site-
    __nginx_dhparam_path: "{{ base }}/webedge-ffdhe2048.pem"
    __nginx_profile: {nginx: {ssl_dhparam_needed: true}}
    __nginx_sites:
      - {name: www, names: [www.lab.test, lab.test], greeting: "{{ greeting | default('hello') }}"}
      - {name: api, names: [api.lab.test], greeting: hello}
    __nginx_site_files: >-
      {{ __nginx_sites | map(attribute='name') | map('regex_replace', '^', nginx_conf_dir ~ '/webedge-site-')
         | map('regex_replace', '$', '.conf') | list }}
  roles:
    - writes
  handlers:
    - name: Reload nginx
      ansible.builtin.command:
        argv: [touch, "{{ base }}/reloaded"]
      changed_when: true
"""


def role(tmp_path: Path) -> None:
    """A role whose tasks are web_common's read and the nginx role's two write tasks as they are."""
    folder = tmp_path / "roles" / "writes"
    (folder / "templates").mkdir(parents=True)
    (folder / "files").mkdir()
    (folder / "tasks").mkdir()
    (folder / "vars").mkdir()
    names = ["__nginx_writes", "__nginx_writes_pending"]
    (folder / "vars" / "main.yml").write_text(yaml.safe_dump({n: ROLE_VARS[n] for n in names}))
    (folder / "templates" / "site.conf.j2").write_text(TEMPLATE, encoding="utf-8")
    shutil.copy(ROLES / "nginx" / "files" / "ffdhe2048.pem", folder / "files" / "ffdhe2048.pem")
    read = {"name": "Read", "ansible.builtin.import_role": {"name": "webedge.https.web_common", "tasks_from": "read"}}
    write = copy.deepcopy(task("nginx", "apply.yml", WRITE))
    (folder / "tasks" / "main.yml").write_text(yaml.safe_dump([read, DECIDE, write], sort_keys=False))


DIFFS: List[str] = []


def run(tmp_path: Path, *args: str, **extra: Any) -> Dict[str, List[str]]:
    """One run: the items of the write task that reached the module (and changed, or would change, a file), as
    {"dh": [the DH parameters' item, if it ran], "sites": [the sites' items that ran]}; DIFFS gets the 'after' text of
    their diffs."""
    DIFFS.clear()
    (tmp_path / "conf.d").mkdir(exist_ok=True)
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAY)
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"lab ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    variables = {"base": str(tmp_path), **extra}
    result = ansible_playbook(playbook, inventory, "-e", json.dumps(variables), *args)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    (found,) = [r for r in task_results(result, "lab") if r["_task"] == f"writes : {WRITE}"]
    items = found.get("results", [found])
    assert len(items) == 3  # two sites and the DH parameters, one loop
    ran = [r for r in items if not r.get("skipped")]  # reached the module
    # the read skips only files already right: whatever reaches the module changes (or would change) it
    assert all(r.get("changed") for r in ran), ran
    DIFFS.extend(d.get("after", "") for r in ran for d in (r.get("diff") or []) if isinstance(d, dict))
    names = [r["__nginx_site"]["name"] for r in ran]
    (decided,) = [r for r in task_results(result, "lab") if r["_task"] == "writes : Decide"]
    assert decided["msg"] is bool(ran), (decided["msg"], names)
    out: Dict[str, List[str]] = {
        "dh": ["dh"] if DH_LABEL in names else [],
        "sites": sorted(n for n in names if n != DH_LABEL),
    }
    return out


def site(tmp_path: Path, name: str) -> Path:
    return tmp_path / "conf.d" / f"webedge-site-{name}.conf"


def test_an_unchanged_file_is_not_written_and_a_changed_byte_mode_or_owner_is(tmp_path: Path) -> None:
    role(tmp_path)
    dh = tmp_path / "webedge-ffdhe2048.pem"
    assert run(tmp_path) == {"dh": ["dh"], "sites": ["api", "www"]}
    assert "# café hello" in site(tmp_path, "www").read_text(encoding="utf-8")
    # written through the template module byte for byte as the role's file (as the copy module wrote it before)
    assert dh.read_bytes() == (ROLES / "nginx" / "files" / "ffdhe2048.pem").read_bytes()
    assert run(tmp_path) == {"dh": [], "sites": []}  # as they would be written: no write at all

    # one byte changed by hand: only that file is written again
    text = site(tmp_path, "www").read_text(encoding="utf-8")
    site(tmp_path, "www").write_text(text.replace("hello", "hellO"), encoding="utf-8")
    assert run(tmp_path) == {"dh": [], "sites": ["www"]}
    assert site(tmp_path, "www").read_text(encoding="utf-8") == text

    # the mode, then the owner
    os.chmod(site(tmp_path, "api"), 0o600)
    os.chmod(dh, 0o664)
    assert run(tmp_path) == {"dh": ["dh"], "sites": ["api"]}
    assert oct(site(tmp_path, "api").stat().st_mode & 0o7777) == "0o644"
    os.chown(site(tmp_path, "www"), 65534, 65534)
    assert run(tmp_path) == {"dh": [], "sites": ["www"]}
    assert site(tmp_path, "www").stat().st_uid == 0
    assert run(tmp_path) == {"dh": [], "sites": []}

    # a link in place of the file is not taken for it
    target = tmp_path / "elsewhere.conf"
    shutil.copy(site(tmp_path, "api"), target)
    site(tmp_path, "api").unlink()
    site(tmp_path, "api").symlink_to(target)
    assert run(tmp_path)["sites"] == ["api"]


def test_check_mode_reports_a_changed_file_with_its_diff_and_leaves_it(tmp_path: Path) -> None:
    role(tmp_path)
    run(tmp_path)
    before = site(tmp_path, "www").read_bytes()
    checked = run(tmp_path, "--check", "--diff", greeting="changed")  # what the next run would write differs
    assert checked == {"dh": [], "sites": ["www"]}
    assert site(tmp_path, "www").read_bytes() == before
    assert any("# café changed" in after for after in DIFFS), DIFFS
    assert run(tmp_path, "--check", "--diff") == {"dh": [], "sites": []}  # nothing to change: nothing said
    assert run(tmp_path, greeting="changed")["sites"] == ["www"]
    assert "# café changed" in site(tmp_path, "www").read_text(encoding="utf-8")
