# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/tls/tasks/validate.yml for real (ansible-playbook on this machine, one run for every case): one task,
passing good entries (the user's and the lab CA's), failing bad ones with the message of the first broken check
(names and sources, then each entry whose key is made on the host, then the names the web server serves)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict, List

import yaml

from ansible_collections.webedge.https.tests.unit.helpers.playbooks import COLLECTIONS_ROOT, ansible_playbook

ROLE = COLLECTIONS_ROOT / "ansible_collections" / "webedge" / "https" / "roles" / "tls"

ACME = {"name": "site", "source": "acme", "hostnames": ["www.example.com", "example.com"]}
CA = {
    "name": "internal",
    "source": "ca",
    "hostnames": ["api.internal"],
    "ca_certificate": "/ca/ca.crt",
    "ca_private_key": "/ca/ca.key",
    "ca_private_key_passphrase": "hunter2-passphrase",
}
FILES = {"name": "given", "certificate": "/x.crt", "private_key_content": "-----BEGIN PRIVATE KEY-----\nAAAA"}
ACME_SETTINGS = {"tls_acme_directory": "https://acme.example/dir", "tls_acme_account_key": "/keys/account.key"}
LAB_RESULT = {
    "ca_certificate": "/lab/ca.crt",
    "chain": None,
    "certificates": {
        "given": {"certificate": "/l.crt", "private_key": "/l.key", "chain": "", "hostnames": ["h"], "created": False}
    },
}

CASES: Dict[str, Dict[str, Any]] = {
    "good": {"tls_certificates": [FILES, CA, ACME], **ACME_SETTINGS, "tls_acme_served_names": ACME["hostnames"]},
    "none": {"tls_certificates": []},
    "names": {"tls_certificates": [{**CA, "name": "bad name", "hostnames": []}, {"name": "x", "source": "vault"}]},
    # the lab CA's entry repeats a user's name (a file entry named after the host)
    "lab_duplicate": {"tls_certificates": [FILES], "tls_lab_ca_enabled": True, "__tls_lab_ca_result": LAB_RESULT},
    "entries": {"tls_certificates": [{**CA, "hostnames": []}, ACME], "tls_acme_directory": "ftp://acme"},
    "served": {"tls_certificates": [ACME, CA], **ACME_SETTINGS, "tls_acme_served_names": ["www.example.com"]},
}


def run_cases(tmp_path: Path) -> Dict[str, Any]:
    """Each case's outcome: 'passed' or the failure message of the validate step (and its task count)."""
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    out = tmp_path / "outcomes"
    out.mkdir()
    tasks: List[Dict[str, Any]] = [
        {"ansible.builtin.include_vars": str(ROLE / "defaults" / "main.yml")},
        {"ansible.builtin.include_vars": str(ROLE / "vars" / "main.yml")},
    ]
    for name, variables in CASES.items():
        tasks.append(
            {
                "block": [
                    {"ansible.builtin.include_tasks": str(ROLE / "tasks" / "validate.yml"), "vars": variables},
                    {"ansible.builtin.copy": {"content": "passed", "dest": str(out / name)}},
                ],
                "rescue": [
                    {
                        "ansible.builtin.copy": {
                            "content": "{{ ansible_failed_result.msg }}",
                            "dest": str(out / name),
                        }
                    }
                ],
            }
        )
    playbook = tmp_path / "validate.yml"
    playbook.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    run = ansible_playbook(playbook, inventory)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "hunter2" not in run.stdout and "PRIVATE KEY" not in run.stdout
    return {"outcomes": {p.name: p.read_text() for p in out.iterdir()}, "stdout": run.stdout}


def test_the_validate_step_is_one_task():
    (task,) = yaml.safe_load((ROLE / "tasks" / "validate.yml").read_text())
    assert "loop" not in task and "when" not in task


def test_each_check_fails_with_its_message_and_only_after_the_ones_before_it(tmp_path: Path) -> None:
    outcomes = run_cases(tmp_path)["outcomes"]
    assert set(outcomes) == set(CASES)
    assert outcomes["good"] == "passed" and outcomes["none"] == "passed"
    # names first: one message, though the first entry's hostnames are missing too
    assert outcomes["names"] == (
        "tls_certificates: every entry needs a unique name of letters, digits, '.', '_' or '-' and a source of"
        " files, acme or ca (names ['bad name', 'x'], sources ['ca', 'vault']). Nothing was changed."
    )
    assert outcomes["lab_duplicate"].startswith("tls_certificates: every entry needs a unique name")
    assert "names ['given', 'given']" in outcomes["lab_duplicate"]
    # then each entry whose key is made on the host, one message each, joined
    internal, site = outcomes["entries"].split("; ")
    assert internal.startswith("tls_certificates entry internal (source ca): needs hostnames (got [])")
    assert site.startswith("tls_certificates entry site (source acme): needs hostnames")
    assert 'tls_acme_directory (an http(s) URL, got "ftp://acme") and tls_acme_account_key (got "")' in site
    # then the names the web server serves
    assert outcomes["served"] == (
        "tls_certificates entry site: example.com is not served by this host's web server (it serves"
        " www.example.com), so the ACME server's HTTP-01 challenge for it would not reach this host. Add a site"
        " for the name or remove it from hostnames. Nothing was requested or changed."
    )
