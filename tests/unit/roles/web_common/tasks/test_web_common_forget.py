# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/web_common/tasks/begin.yml's first task, for real (ansible-playbook, local connection, files in a temporary
directory): it forgets this role's results and the caller's (web_common_forget) from an earlier run in the same
playbook, in one task, so that a run failing before the caller's write registers again does not roll back from the
earlier run's results: the file the earlier run wrote stays, its copy (kept: web_common_keep_backups) is not put
back. Without the caller's names the earlier run's copy would be put back (the control case below)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.playbooks import ansible_playbook, task_results

RUN = """
- hosts: lab
  gather_facts: false
  vars:
    web_common_server: test
    web_common_handler: Reload the test server
    web_common_test_command: ["true"]
    web_common_sites: []
    web_common_site_definitions: []
    web_common_tls_dir: "{{ base }}/tls"
    web_common_min_days_valid: 1
    web_common_written: ["{{ __caller_written | default({}) }}"]
    web_common_forget: "{{ forget }}"
    web_common_keep_backups: true
    web_common_loaded_stamp: "{{ base }}/state/test.loaded"
    web_common_watch_paths: ["{{ base }}/conf"]
    web_common_managed_files: ["{{ base }}/conf/www.conf"]
  tasks:
    - name: Read
      ansible.builtin.import_role:
        name: webedge.https.web_common
        tasks_from: read
    - name: Apply
      block:
        - name: Begin
          ansible.builtin.import_role:
            name: webedge.https.web_common
            tasks_from: begin
        - name: Fail before the write, as a failed certificate install does
          ansible.builtin.fail:
            msg: the certificate expires too soon
          when: fail_before_write
        - name: Write
          ansible.builtin.copy:
            content: "{{ content }}"
            dest: "{{ base }}/conf/www.conf"
            mode: "0644"
            backup: true
          register: __caller_written
          notify: Reload the test server
        - name: Commit
          ansible.builtin.import_role:
            name: webedge.https.web_common
            tasks_from: commit
      rescue:
        - name: Roll back
          ansible.builtin.import_role:
            name: webedge.https.web_common
            tasks_from: rollback
  handlers:
    - name: Reload the test server
      ansible.builtin.command:
        argv: [install, -D, -m, "0644", /dev/null, "{{ base }}/state/test.loaded"]
      changed_when: true
"""


def playbook(forget: list) -> str:
    """Two runs of the same steps in one playbook (registered results live on between its plays): the first writes
    version 2 over version 1 (keeping a copy of version 1), the second fails before its write."""
    first = RUN.replace(
        "- hosts: lab\n  gather_facts: false\n  vars:\n",
        '- hosts: lab\n  gather_facts: false\n  vars:\n    content: "version 2\\n"\n    fail_before_write: false\n',
        1,
    )
    second = RUN.replace(
        "- hosts: lab\n  gather_facts: false\n  vars:\n",
        '- hosts: lab\n  gather_facts: false\n  vars:\n    content: "version 3\\n"\n    fail_before_write: true\n',
        1,
    )
    return (first + second).replace('"{{ forget }}"', json.dumps(forget))


@pytest.mark.parametrize("forget, kept", [(["__caller_written"], True), ([], False)])
def test_a_run_failing_before_the_write_does_not_roll_back_from_an_earlier_runs_copy(tmp_path: Path, forget, kept):
    (tmp_path / "conf").mkdir()
    site = tmp_path / "conf" / "www.conf"
    site.write_text("version 1\n")
    play = tmp_path / "play.yml"
    play.write_text(playbook(forget))
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"lab ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    result = ansible_playbook(play, inventory, "-e", json.dumps({"base": str(tmp_path)}))
    assert result.returncode != 0, result.stdout[-3000:]  # the second run fails, after its rescue
    assert "the certificate expires too soon" in result.stdout
    copies = [p for p in (tmp_path / "conf").iterdir() if p.name.startswith("www.conf.") and p.name.endswith("~")]
    forgotten = [
        r
        for r in task_results(result, "lab")
        if r["_task"].endswith(
            "Forget the results of an earlier run (of this role, of the caller, or of another web server role)"
        )
    ]
    assert len(forgotten) == 2  # one task per run
    if kept:
        assert site.read_text() == "version 2\n"  # what the first run wrote stays: nothing of this run to put back
        assert len(copies) == 1 and copies[0].read_text() == "version 1\n"  # the first run's copy, kept
    else:
        # the control: without the caller's name, the first run's result is taken for this run's and its copy put back
        assert site.read_text() == "version 1\n" and copies == []
