# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run ansible-playbook from this collection's tree and read its JSON results (tests/windows suites)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

__all__ = ["COLLECTIONS_ROOT", "ansible_playbook", "local_play", "task_results"]

# .../ansible_collections/webedge/https/tests/unit/helpers/playbooks.py, as imported (no symlink resolved)
_HERE = Path(os.path.abspath(__file__))
COLLECTIONS_ROOT = _HERE.parents[6]
assert (COLLECTIONS_ROOT / "ansible_collections" / "webedge" / "https").is_dir(), COLLECTIONS_ROOT


def ansible_playbook(
    playbook: Path,
    inventory: Path,
    *args: str,
    env: Optional[Dict[str, str]] = None,
    timeout: int = 600,
) -> subprocess.CompletedProcess:
    """ansible-playbook of this Python, this collection first on the collections path, JSON callback."""
    local_tmp = inventory.parent / "local-tmp"
    local_tmp.mkdir(exist_ok=True)
    environment = dict(os.environ)
    environment.update(
        ANSIBLE_COLLECTIONS_PATH=os.pathsep.join(
            p for p in (str(COLLECTIONS_ROOT), environment.get("ANSIBLE_COLLECTIONS_PATH", "")) if p
        ),
        ANSIBLE_CALLBACK_PLUGINS=str(_HERE.parent / "callback_plugins"),
        ANSIBLE_STDOUT_CALLBACK="json_document",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_HOST_KEY_CHECKING="0",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_LOCAL_TEMP=str(local_tmp),
        ANSIBLE_NO_TARGET_SYSLOG="1",
    )
    environment.update(env or {})
    command = [_ansible_playbook(), "-i", str(inventory), str(playbook), *args]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=timeout, check=False)


def local_play(tmp_path: Path, variables: Dict[str, Any], tasks: List[Dict[str, Any]], *args: str) -> str:
    """One play of ``tasks`` on this machine (local connection, this Python), its variables ``variables``; fails
    the test when the play fails; returns its JSON output."""
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    playbook = tmp_path / "play.yml"
    playbook.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "vars": variables, "tasks": tasks}]))
    run = ansible_playbook(playbook, inventory, *args)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    return run.stdout


def _ansible_playbook() -> str:
    """The ansible-playbook of this Python's environment; under ansible-test units, the one on PATH (its injector)."""
    beside = Path(sys.executable).parent / "ansible-playbook"
    if beside.exists():
        return str(beside)
    found = shutil.which("ansible-playbook")
    if found is None:
        raise AssertionError(f"no ansible-playbook beside {sys.executable} or on PATH")
    return found


def task_results(run: subprocess.CompletedProcess, host: str) -> List[Dict[str, Any]]:
    """Each task's result for ``host``, in order, its name under ``_task`` (looped: the loop's result)."""
    try:
        document = json.loads(run.stdout)
    except ValueError:
        raise AssertionError(
            f"ansible-playbook printed no JSON (rc={run.returncode}):\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
        ) from None
    results = []
    for play in document["plays"]:
        for task in play["tasks"]:
            if host in task["hosts"]:
                results.append({**task["hosts"][host], "_task": task["task"]["name"]})
    return results
