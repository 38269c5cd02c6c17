# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/web_common/tasks/read.yml (the read step) and commit.yml,
for real (ansible-playbook, local connection, files in a temporary
directory): a file written after the server's last reload (a run killed before its handler ran) makes the
next run test the configuration and notify the reload; after the reload nothing is pending."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Dict

from ansible_collections.webedge.https.tests.unit.helpers.playbooks import ansible_playbook, task_results

PLAY = """
- hosts: lab
  gather_facts: false
  vars:
    web_common_server: test
    web_common_handler: Reload the test server
    web_common_test_command: [touch, "{{ base }}/tested"]
    web_common_sites: []
    web_common_written: []
    web_common_remove_files: []
    web_common_remove_links: []
    web_common_keep_backups: false
    web_common_loaded_stamp: "{{ base }}/state/test.loaded"
    web_common_watch_paths: ["{{ base }}/conf", "{{ base }}/tls", "{{ base }}/never-made"]
  tasks:
    - name: Read (as the begin step does first)
      ansible.builtin.include_role:
        name: webedge.https.web_common
        tasks_from: read
    - name: Commit
      ansible.builtin.include_role:
        name: webedge.https.web_common
        tasks_from: commit
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


def run(tmp_path: Path, *args: str) -> Dict[str, bool]:
    """One commit run; whether it tested the configuration and whether it reloaded (files it leaves)."""
    for name in ("tested", "reloaded"):
        (tmp_path / name).unlink(missing_ok=True)
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAY)
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"lab ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    result = ansible_playbook(playbook, inventory, "-e", json.dumps({"base": str(tmp_path)}), *args)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    task_results(result, "lab")  # a JSON document came back
    return {"tested": (tmp_path / "tested").exists(), "reloaded": (tmp_path / "reloaded").exists()}


def test_what_an_interrupted_run_wrote_is_tested_and_loaded_by_the_next_run(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "site.conf").write_text("old\n")
    # Never reloaded by this role (no stamp): everything counts as not loaded.
    assert run(tmp_path) == {"tested": True, "reloaded": True}
    assert run(tmp_path) == {"tested": False, "reloaded": False}  # loaded, nothing newer: nothing to do
    # A run wrote a file and was killed before its handler ran.
    time.sleep(0.05)
    (tmp_path / "conf" / "site.conf").write_text("new\n")
    assert run(tmp_path, "--check") == {"tested": False, "reloaded": False}  # check mode: only says so
    assert run(tmp_path) == {"tested": True, "reloaded": True}
    assert run(tmp_path) == {"tested": False, "reloaded": False}
    # A file removed from a watched directory (its mtime changes) counts too.
    time.sleep(0.05)
    os.unlink(tmp_path / "conf" / "site.conf")
    assert run(tmp_path) == {"tested": True, "reloaded": True}
