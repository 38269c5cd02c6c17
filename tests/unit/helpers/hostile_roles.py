# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a web server role (nginx, apache) with ansible-playbook on local hosts, one host per hostile case,
and read, per case, whether the role failed before any change and with which message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Mapping, Tuple

from ansible_collections.webedge.https.tests.unit.helpers.playbooks import ansible_playbook, task_results

__all__ = ["good_site", "run_role_cases", "site"]


def good_site(name: str = "www") -> Dict[str, Any]:
    """A site that passes every check, with its certificate files named (nothing installed)."""
    return {
        "name": name,
        "server_names": ["www.lab.test"],
        "fullchain_path": "/etc/ssl/webedge/www.fullchain.pem",
        "key_path": "/etc/ssl/webedge/private/www.key",
        "root": "/var/www/www",
    }


def site(**keys: Any) -> List[Dict[str, Any]]:
    """A one-site list: the good site with these keys changed."""
    return [dict(good_site(), **keys)]


def run_role_cases(
    tmp: Path, role: str, cases: Mapping[str, Mapping[str, Any]]
) -> Dict[str, Tuple[bool, str, List[str]]]:
    """For each case (host name to the role variables it sets), run the role in check mode on a local
    host and return (failed, message of the failed task, names of the tasks that reported a change)."""
    hosts = {
        name: {"ansible_connection": "local", "ansible_python_interpreter": "auto_silent", **v}
        for name, v in cases.items()
    }
    inventory = tmp / "inventory.json"
    inventory.write_text(json.dumps({"all": {"hosts": hosts}}))
    playbook = tmp / "play.yml"
    playbook.write_text(
        "- hosts: all\n  gather_facts: false\n  tasks:\n"
        f"    - ansible.builtin.include_role:\n        name: webedge.https.{role}\n"
    )
    run = ansible_playbook(playbook, inventory, "--check", "--forks", "10", timeout=900)
    out: Dict[str, Tuple[bool, str, List[str]]] = {}
    for name in cases:
        failed, message, changed = False, "", []
        for result in task_results(run, name):
            if result.get("changed"):
                changed.append(result["_task"])
            if result.get("failed") and not failed:
                failed, message = True, str(result.get("msg", ""))
        out[name] = (failed, message, changed)
    return out
