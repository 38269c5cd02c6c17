# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/web_common/tasks/read.yml (the read step), commit.yml and rollback.yml,
for real (ansible-playbook, local connection, files in a
temporary directory): the backup copies of the managed files that an earlier run left behind (a controller
killed before the copies were dropped; an empty copy from a write that failed on a full disk) are removed by
the next run - only Ansible's backup names of managed paths, never anything else - reported but kept in check
mode, kept with web_common_keep_backups; a run that then changes nothing leaves none and reloads nothing. The same
read tells which directories the sites need are not there yet: only those are made."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Dict, List

from ansible_collections.webedge.https.tests.unit.helpers.playbooks import ansible_playbook, task_results

BACKUP = ".4242.2026-12-03@19:35:36~"

PLAY = """
- hosts: lab
  gather_facts: false
  vars:
    web_common_server: test
    web_common_handler: Reload the test server
    web_common_test_command: "{{ test_command }}"
    web_common_sites:
      - name: www
        install_certificate: true
        fullchain_path: "{{ base }}/tls/www.fullchain.pem"
        key_path: "{{ base }}/tls/www.key"
        chain_path: null
        http_redirect: true
        acme_challenge_root: "{{ base }}/acme"
        root: "{{ base }}/www"
        create_root: true
      - name: ext
        install_certificate: false  # files of the user's: not managed, their copies are not ours
        fullchain_path: "{{ base }}/user/ext.pem"
        key_path: "{{ base }}/user/ext.key"
        chain_path: null
        http_redirect: false
        acme_challenge_root: "{{ base }}/not-made"
        root: "{{ base }}/ext"
        create_root: false
    web_common_written: []
    web_common_remove_files: []
    web_common_remove_links: []
    web_common_keep_backups: "{{ keep | default(false) }}"
    web_common_loaded_stamp: "{{ base }}/state/test.loaded"
    web_common_watch_paths: ["{{ base }}/conf", "{{ base }}/tls"]
    web_common_managed_files: ["{{ base }}/conf/www.conf", "{{ base }}/dh.pem"]
  tasks:
    - name: Commit, or fail and roll back
      block:
        - name: Read (as the begin step does first)
          ansible.builtin.import_role:
            name: webedge.https.web_common
            tasks_from: read
        - name: Commit
          ansible.builtin.import_role:
            name: webedge.https.web_common
            tasks_from: commit
        - name: Fail as a write on a full disk does
          ansible.builtin.fail:
            msg: no space left on device
          when: fail_write | default(false)
      rescue:
        - name: Roll back
          ansible.builtin.import_role:
            name: webedge.https.web_common
            tasks_from: rollback
  handlers:
    - name: Reload the test server
      ansible.builtin.command:
        argv: [touch, "{{ base }}/reloaded"]
      changed_when: true
    - name: Note that the test server loaded its files
      ansible.builtin.command:
        argv: [install, -D, -m, "0644", /dev/null, "{{ base }}/state/test.loaded"]
      changed_when: true
      listen: Reload the test server
"""

LEFT = ["conf/www.conf" + BACKUP, "tls/www.key" + BACKUP, "tls/www.fullchain.pem" + BACKUP, "dh.pem" + BACKUP]
NOT_OURS = [
    "conf/other.conf" + BACKUP,  # no managed file of that name
    "user/ext.key" + BACKUP,  # the user's own certificate files
    "conf/www.conf.bak~",  # not Ansible's backup name
    "conf/www.conf.4242.2026-12-03@19:35:36",  # no tilde
    "tls/www.key.save",
]


def run(tmp_path: Path, *args: str, **extra: object) -> Dict[str, object]:
    (tmp_path / "reloaded").unlink(missing_ok=True)
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAY)
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"lab ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    variables = {"base": str(tmp_path), "test_command": ["true"], **extra}
    result = ansible_playbook(playbook, inventory, "-e", json.dumps(variables), *args)
    failed = result.returncode != 0
    assert failed == bool(extra.get("fail_write")), result.stdout[-3000:] + result.stderr[-2000:]
    results = task_results(result, "lab")
    return {"reloaded": (tmp_path / "reloaded").exists(), "results": results}


def present(tmp_path: Path, names: List[str]) -> List[str]:
    return [n for n in names if (tmp_path / n).exists()]


def plant(tmp_path: Path) -> None:
    for name in ["conf/www.conf", "tls/www.key", "tls/www.fullchain.pem", "dh.pem", *LEFT, *NOT_OURS]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("" if name.endswith("~") else "current\n")  # a full disk's copy is empty


def test_copies_left_behind_go_with_the_next_run_and_nothing_else_does(tmp_path: Path) -> None:
    plant(tmp_path)
    run(tmp_path)  # no stamp yet: this first run reloads; the copies go
    assert present(tmp_path, LEFT) == []
    assert present(tmp_path, NOT_OURS) == NOT_OURS
    converged = run(tmp_path)
    assert converged["reloaded"] is False  # converged: nothing removed, nothing to reload
    # and the commit step is one skipped task (its include), not one task per step
    prefix = "webedge.https.web_common : "
    ran = [r for r in converged["results"] if r["_task"].startswith(prefix) and "Validating" not in r["_task"]]
    assert [r["_task"][len(prefix) :] for r in ran] == [
        "Look for files the server has not loaded yet (written after its last reload by this role)",
        "Remove what is no longer wanted, make the missing directories, test the configuration"
        " when this run changed it",
    ]
    assert ran[-1].get("skipped") is True
    # A run killed after it wrote its files and made its copies, after the reload of an earlier run.
    plant(tmp_path)
    checked = run(tmp_path, "--check")
    assert present(tmp_path, LEFT) == LEFT  # check mode reports the removal and does not do it
    assert checked["reloaded"] is False
    (removal,) = [r for r in checked["results"] if "Remove the copies of the managed files" in r["_task"]]
    removals = [r["item"] for r in removal["results"] if r["changed"]]
    assert sorted(removals) == sorted(str(tmp_path / n) for n in LEFT)
    assert run(tmp_path)["reloaded"] is True  # removed (the watched directories changed: tested and reloaded)
    assert present(tmp_path, LEFT) == []
    assert present(tmp_path, NOT_OURS) == NOT_OURS
    assert run(tmp_path)["reloaded"] is False  # and the run after changes nothing


def test_only_the_directories_not_there_as_root_owned_0755_are_made(tmp_path: Path) -> None:
    made = ["acme/.well-known/acme-challenge", "www"]

    def file_runs(result: Dict[str, object]) -> List[str]:
        found = [
            r
            for r in result["results"]
            if r["_task"].endswith("Create the ACME challenge directories and the document roots")
        ]
        assert len(found) <= 1  # not there at all when the commit step had nothing to do (its include skipped)
        return [r["item"] for task in found for r in task.get("results", [])]

    checked = run(tmp_path, "--check")
    assert file_runs(checked) == [str(tmp_path / d) for d in made]  # check mode: reported, not made
    assert present(tmp_path, made) == []
    assert file_runs(run(tmp_path)) == [str(tmp_path / d) for d in made]
    assert [oct((tmp_path / d).stat().st_mode & 0o7777) for d in made] == ["0o755", "0o755"]
    assert present(tmp_path, ["not-made", "ext"]) == []  # no redirect, a root not to create
    assert file_runs(run(tmp_path)) == []  # there: no file module run at all
    (tmp_path / "www").chmod(0o700)  # changed by hand: made right again
    assert file_runs(run(tmp_path)) == [str(tmp_path / "www")]
    assert oct((tmp_path / "www").stat().st_mode & 0o7777) == "0o755"


def test_kept_when_backups_are_kept(tmp_path: Path) -> None:
    plant(tmp_path)
    run(tmp_path, keep=True)
    assert present(tmp_path, LEFT) == LEFT


def test_a_failed_run_leaves_no_copy_behind(tmp_path: Path) -> None:
    plant(tmp_path)
    run(tmp_path)
    (tmp_path / ("conf/www.conf" + BACKUP)).write_text("")  # the empty copy of a write that failed
    run(tmp_path, fail_write=True)  # the rescue rolls back
    assert present(tmp_path, LEFT) == []
    assert present(tmp_path, NOT_OURS) == NOT_OURS
