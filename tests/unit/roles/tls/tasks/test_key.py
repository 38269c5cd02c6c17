# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/tls/tasks/key.yml for real (ansible-playbook on this machine): the new key is new even when a
run killed after its install left the first copy (.NAME.key.new, the key in use) behind."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.playbooks import COLLECTIONS_ROOT, ansible_playbook

ROLE = COLLECTIONS_ROOT / "ansible_collections" / "webedge" / "https" / "roles" / "tls"
OPENSSL = shutil.which("openssl")

pytestmark = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")


def public_half(path: Path) -> str:
    return subprocess.run(
        [OPENSSL, "pkey", "-pubout", "-in", str(path)], capture_output=True, text=True, check=True
    ).stdout


def make_key(tmp_path: Path, key_file: Path) -> subprocess.CompletedProcess:
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    playbook = tmp_path / "key.yml"
    entry = {"name": "site", "key_type": "ec_p256", "key_path": str(tmp_path / "site.key")}
    playbook.write_text(
        json.dumps(
            [
                {
                    "hosts": "localhost",
                    "gather_facts": False,
                    "vars": {"__tls_entry": entry, "__tls_key_file": str(key_file)},
                    "tasks": [
                        {"ansible.builtin.include_vars": str(ROLE / "vars" / "main.yml")},
                        {"ansible.builtin.include_tasks": str(ROLE / "tasks" / "key.yml")},
                    ],
                }
            ]
        )
    )
    return ansible_playbook(playbook, inventory)


def test_a_first_copy_left_by_a_killed_run_is_replaced_by_a_new_key(tmp_path: Path) -> None:
    key_file = tmp_path / ".site.key.new"
    genpkey = [OPENSSL, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", str(key_file)]
    subprocess.run(genpkey, check=True, capture_output=True)
    left_behind = public_half(key_file)
    run = make_key(tmp_path, key_file)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert public_half(key_file) != left_behind
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "PRIVATE KEY" not in run.stdout + run.stderr


def test_without_a_leftover_the_key_is_made(tmp_path: Path) -> None:
    key_file = tmp_path / ".site.key.new"
    run = make_key(tmp_path, key_file)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "-----BEGIN PUBLIC KEY-----" in public_half(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
