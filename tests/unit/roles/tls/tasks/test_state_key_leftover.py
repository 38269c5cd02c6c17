# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/tls/tasks/state_key.yml (the key part of state.yml) for real (ansible-playbook on this machine), source ca
with the key made on the host: the first copy of a new key that a run killed between making the key and installing
it left (`.NAME.key.new` beside the key) is removed by the next run, also by one with nothing due (before, it stayed
until the next issuance: a private key no certificate uses); the same look at the key directory still tells whether
the key is there (a missing key is a reason to issue) and its public half is read. Check mode removes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Tuple

from ansible_collections.webedge.https.tests.unit.helpers.playbooks import COLLECTIONS_ROOT, local_play
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import pki

ROLE = COLLECTIONS_ROOT / "ansible_collections" / "webedge" / "https" / "roles" / "tls"


def host(tmp_path: Path, key: bool = True, leftover: bool = True) -> Path:
    """A certificate of the CA on the host, its key (unless not ``key``) and a key copy of a killed run."""
    chain = pki()
    private = tmp_path / "private"
    private.mkdir()
    (tmp_path / "site.fullchain.pem").write_bytes(chain.leaf.cert_pem + chain.inter.cert_pem)
    (tmp_path / "ca.crt").write_bytes(chain.inter.cert_pem)
    names = ["site.key", ".other.key.new"] if key else [".other.key.new"]
    names += [".site.key.new"] if leftover else []
    for name in names:
        (private / name).write_bytes(chain.leaf.key_pem if name == "site.key" else b"a key no certificate uses\n")
        (private / name).chmod(0o600)
    return private


REMOVE = "Remove the first copy of a new key an interrupted issuance left - site"


def removal(out: str) -> Dict[str, Any]:
    """The removal task's result in the run's JSON output."""
    (task,) = [t for play in json.loads(out)["plays"] for t in play["tasks"] if t["task"]["name"] == REMOVE]
    return task["hosts"]["localhost"]


def run_state(tmp_path: Path, check: bool = False) -> Tuple[str, Dict[str, Any]]:
    entry = {
        "index": 0,
        "name": "site",
        "source": "ca",
        "hostnames": ["www.example.com", "example.com"],
        "key_path": str(tmp_path / "private" / "site.key"),
        "fullchain_path": str(tmp_path / "site.fullchain.pem"),
        "ca_certificate": str(tmp_path / "ca.crt"),
        "min_days_valid": 1,
    }
    result = tmp_path / "due.json"
    tasks = [
        {"ansible.builtin.include_vars": str(ROLE / "vars" / "main.yml")},
        {"ansible.builtin.include_tasks": str(ROLE / "tasks" / "state_key.yml")},
        {
            "ansible.builtin.copy": {
                "content": "{{ {'present': __tls_key_present | bool, 'public_rc': __tls_key_public.rc"
                " | default(none)} | to_json }}",
                "dest": str(result),
            },
            "check_mode": False,
        },
    ]
    out = local_play(tmp_path, {"__tls_entry": entry}, tasks, *(["--check"] if check else []))
    return out, json.loads(result.read_text())


def test_a_key_copy_left_by_a_killed_issuance_is_removed_when_nothing_is_due(tmp_path: Path) -> None:
    private = host(tmp_path)

    out, state = run_state(tmp_path)

    assert sorted(p.name for p in private.iterdir()) == [".other.key.new", "site.key"]
    assert state == {"present": True, "public_rc": 0}
    assert removal(out)["changed"] is True


def test_no_copy_no_change_and_the_key_still_found(tmp_path: Path) -> None:
    private = host(tmp_path, leftover=False)

    out, state = run_state(tmp_path)

    assert sorted(p.name for p in private.iterdir()) == [".other.key.new", "site.key"]
    assert state == {"present": True, "public_rc": 0}
    assert removal(out).get("skipped") is True and not removal(out).get("changed")


def test_a_missing_key_is_a_reason_to_issue_and_its_copy_goes_too(tmp_path: Path) -> None:
    private = host(tmp_path, key=False)

    _out, state = run_state(tmp_path)

    assert sorted(p.name for p in private.iterdir()) == [".other.key.new"]
    assert state == {"present": False, "public_rc": None}  # state.yml: "there is no key at ..."


def test_check_mode_removes_no_key_copy_and_says_it_would(tmp_path: Path) -> None:
    private = host(tmp_path)
    out, _state = run_state(tmp_path, check=True)
    assert (private / ".site.key.new").exists()
    assert removal(out)["changed"] is True
