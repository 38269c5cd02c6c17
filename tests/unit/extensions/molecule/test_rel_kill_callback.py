# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reliability scenario's kill callback (``extensions/molecule/reliability/files/callback_plugins/rel_kill.py``)
run by ansible-playbook on this machine: one log line per task that changed a host, with the hosts it changed,
written when the task has ended on every host; the controller SIGKILLed right after the first change that is a
kill point (no later task, no handler), and a run without a kill point met left to end; the state reader's output
written to the file on the controller its command names."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

from ansible_collections.webedge.https.tests.unit.helpers.playbooks import COLLECTIONS_ROOT, ansible_playbook

CALLBACKS = (
    COLLECTIONS_ROOT
    / "ansible_collections"
    / "webedge"
    / "https"
    / "extensions"
    / "molecule"
    / "reliability"
    / "files"
    / "callback_plugins"
)

# the stdout callback of ansible_playbook (json_document)
HELPER_CALLBACKS = (
    COLLECTIONS_ROOT / "ansible_collections" / "webedge" / "https" / "tests" / "unit" / "helpers" / "callback_plugins"
)


def run(tmp_path: Path, points: list) -> tuple:
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(
        "".join(
            f"{host} ansible_connection=local ansible_python_interpreter={sys.executable}\n" for host in ("h1", "h2")
        )
    )
    marker = tmp_path / "later"
    changed = "{{ inventory_hostname == 'h1' }}"
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        json.dumps(
            [
                {
                    "hosts": "h1:h2",
                    "gather_facts": False,
                    "tasks": [
                        {"name": "unchanged", "ansible.builtin.debug": {"msg": "x"}},
                        {
                            "name": "first",
                            "ansible.builtin.debug": {"msg": "x"},
                            "changed_when": changed,
                            "notify": "handler",
                        },
                        {"name": "second", "ansible.builtin.debug": {"msg": "x"}, "changed_when": True},
                        {
                            "name": "third",
                            "ansible.builtin.file": {"path": str(marker), "state": "touch"},
                            "run_once": True,
                        },
                    ],
                    "handlers": [{"name": "handler", "ansible.builtin.debug": {"msg": "x"}, "changed_when": True}],
                }
            ]
        )
    )
    log = tmp_path / "changes.log"
    log.unlink(missing_ok=True)
    marker.unlink(missing_ok=True)
    env = {
        "ANSIBLE_CALLBACK_PLUGINS": os.pathsep.join([str(CALLBACKS), str(HELPER_CALLBACKS)]),
        "ANSIBLE_CALLBACKS_ENABLED": "rel_kill",
        "REL_KILL_LOG": str(log),
        "REL_KILL_POINTS": json.dumps(points),
    }
    result = ansible_playbook(playbook, inventory, env=env, timeout=120)
    return result, log.read_text().splitlines(), marker.exists()


def test_a_run_without_a_kill_point_met_logs_each_change_with_its_hosts(tmp_path: Path) -> None:
    result, log, later = run(tmp_path, ["no such task @ h1"])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert log == ["first @ h1", "second @ h1,h2", "third @ h1", "handler @ h1"]
    assert later


def test_the_controller_dies_right_after_the_kill_point(tmp_path: Path) -> None:
    result, log, later = run(tmp_path, ["second @ h1,h2", "third @ h1"])
    assert result.returncode == -signal.SIGKILL
    assert log == ["first @ h1", "second @ h1,h2"]
    assert not later  # nothing after the point ran: neither the next task nor the handler


def test_a_point_is_the_task_with_the_hosts_it_changed(tmp_path: Path) -> None:
    # "first" changed h1 only: a point naming it with both hosts is another change, never met
    result, log, later = run(tmp_path, ["first @ h1,h2"])
    assert result.returncode == 0
    assert log[0] == "first @ h1" and later
    result, log, later = run(tmp_path, ["first @ h1"])
    assert result.returncode == -signal.SIGKILL and log == ["first @ h1"] and not later


def test_the_state_reader_s_output_is_written_to_the_file_named_last(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"h1 ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    read = tmp_path / "rel-kill-3-before-h1.json"
    playbook = tmp_path / "play.yml"
    # echo stands in for the reader: its output is its arguments
    task = {"ansible.builtin.command": {"argv": ["echo", "/usr/local/bin/rel-served-state", "nginx", str(read)]}}
    playbook.write_text(json.dumps([{"hosts": "h1", "gather_facts": False, "tasks": [task]}]))
    env = {
        "ANSIBLE_CALLBACK_PLUGINS": os.pathsep.join([str(CALLBACKS), str(HELPER_CALLBACKS)]),
        "ANSIBLE_CALLBACKS_ENABLED": "rel_kill",
    }
    result = ansible_playbook(playbook, inventory, env=env, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert read.read_text() == f"/usr/local/bin/rel-served-state nginx {read}"
