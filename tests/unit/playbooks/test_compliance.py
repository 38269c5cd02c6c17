# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The webedge.https.compliance playbook in endpoint-only mode, for real: ansible-playbook probes a local
TLS server and writes the reports; skipped controls stay skipped in every report, the gate holds."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.playbooks import COLLECTIONS_ROOT, ansible_playbook
from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import OPENSSL, Pki, make_pki, s_server

PLAYBOOK = COLLECTIONS_ROOT / "ansible_collections" / "webedge" / "https" / "playbooks" / "compliance.yml"

pytestmark = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def audit(tmp_path: Path, port: int, pki: Pki, env: Optional[dict] = None, **extra: object) -> tuple:
    tmp_path.mkdir(parents=True, exist_ok=True)
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    variables = {
        "compliance_mode": "endpoints",
        "compliance_endpoints": [f"localhost:{port}"],
        "compliance_ca_file": str(pki.root),
        "compliance_report_dest": str(tmp_path / "reports"),
        "compliance_report_formats": ["json"],
        "compliance_http_port": 1,  # nothing listens there: the redirect check fails, nothing leaves the machine
        **extra,
    }
    run = ansible_playbook(PLAYBOOK, inventory, "-e", json.dumps(variables), env=env)
    reports = tmp_path / "reports"
    document = json.loads(next(reports.glob("*.json")).read_text()) if reports.is_dir() else None
    return run, document


def _endpoint_statuses(document: dict) -> dict:
    text = json.dumps(document)
    assert '"TLS-09"' in text, text[:2000]
    found = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("control") and node.get("status"):
                found.setdefault(node["control"], set()).add(node["status"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    return found


def test_a_wrong_name_fails_the_gate_and_a_skipped_control_is_reported_skipped(tmp_path: Path, pki: Pki) -> None:
    with s_server(pki.wrong_name) as port:
        judged_run, judged = audit(tmp_path / "judged", port, pki, compliance_report_fail_on="high")
        skipped_run, skipped = audit(
            tmp_path / "skipped", port, pki, compliance_report_fail_on="none", compliance_skip_controls=["TLS-09"]
        )
    assert judged_run.returncode != 0, judged_run.stdout[-2000:]  # the hostname mismatch fails the gate
    assert _endpoint_statuses(judged)["TLS-09"] == {"fail"}
    assert skipped_run.returncode == 0, skipped_run.stdout[-3000:] + skipped_run.stderr[-2000:]
    assert _endpoint_statuses(skipped)["TLS-09"] == {"skip"}


def test_an_unknown_control_to_skip_fails_naming_it_and_writes_nothing(tmp_path: Path, pki: Pki) -> None:
    with s_server(pki.good) as port:
        run, document = audit(tmp_path, port, pki, compliance_skip_controls=["TLS-99"])
    assert run.returncode != 0
    assert "skip_controls" in run.stdout and "TLS-99" in run.stdout, run.stdout[-2000:]
    assert document is None


def test_a_wrong_mode_fails_naming_it_before_anything_is_probed_or_written(tmp_path: Path, pki: Pki) -> None:
    # No task of its own checks the mode: the probe task's condition does, so the message must still say it.
    with s_server(pki.good) as port:
        # compliance_hosts matches no host: the first play is then empty wherever an unmatched host pattern is
        # an error (as under ansible-test), and the second play's check is what fails.
        run, document = audit(tmp_path, port, pki, compliance_mode="endpoint", compliance_hosts="localhost:!localhost")
    assert run.returncode != 0
    assert "compliance_mode must be 'hosts' or 'endpoints', got endpoint" in run.stdout, run.stdout[-2000:]
    assert document is None
    assert "Write the reports" not in run.stdout


def _collection_with_a_broken_compliance_role(root: Path) -> Path:
    """A collections tree: this collection's files linked, except the compliance role, whose tasks cannot parse."""
    ours = COLLECTIONS_ROOT / "ansible_collections" / "webedge" / "https"
    copy = root / "ansible_collections" / "webedge" / "https"
    (copy / "roles").mkdir(parents=True)
    for entry in ours.iterdir():
        if entry.name != "roles":
            (copy / entry.name).symlink_to(entry)
    for role in (ours / "roles").iterdir():
        if role.name != "compliance":
            (copy / "roles" / role.name).symlink_to(role)
    broken = copy / "roles" / "compliance"
    for entry in (ours / "roles" / "compliance").iterdir():
        if entry.name != "tasks":
            (broken / entry.name).parent.mkdir(parents=True, exist_ok=True)
            (broken / entry.name).symlink_to(entry)
    (broken / "tasks").mkdir()
    (broken / "tasks" / "main.yml").write_text("- name: Not a task\n  no_such_module_anywhere: {}\n")
    return root


def test_endpoint_mode_does_not_read_the_compliance_role(tmp_path: Path, pki: Pki) -> None:
    # The role is included by a task of the first play, which matches no host in endpoint mode: its files are
    # never parsed (listed under the play's roles, they were, about a tenth of a second of every endpoint run).
    root = _collection_with_a_broken_compliance_role(tmp_path / "collections")
    playbook = root / "ansible_collections" / "webedge" / "https" / "playbooks" / "compliance.yml"
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    env = {"ANSIBLE_COLLECTIONS_PATH": str(root)}
    with s_server(pki.good) as port:
        variables = {
            "compliance_mode": "endpoints",
            "compliance_endpoints": [f"localhost:{port}"],
            "compliance_ca_file": str(pki.root),
            "compliance_http_port": 1,  # nothing listens there: nothing leaves the machine
            "compliance_report_dest": str(tmp_path / "reports"),
            "compliance_report_formats": ["json"],
            "compliance_report_fail_on": "none",
        }
        run = ansible_playbook(playbook, inventory, "-e", json.dumps(variables), env=env)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
        assert list((tmp_path / "reports").glob("*.json"))
        # The same tree in host mode does read the role, and fails on its broken task file.
        variables.update(compliance_mode="hosts", compliance_hosts="localhost", compliance_become=False)
        run = ansible_playbook(playbook, inventory, "-e", json.dumps(variables), env=env)
    assert run.returncode != 0
    assert "no_such_module_anywhere" in run.stdout + run.stderr, run.stdout[-3000:] + run.stderr[-2000:]


def host_mode_audit(tmp_path: Path, pki: Pki, env: Optional[dict] = None) -> tuple:
    """Host mode through the included role, on this machine, endpoint checks only, never gating."""
    with s_server(pki.good) as port:
        return audit(
            tmp_path,
            port,
            pki,
            env=env,
            compliance_mode="hosts",
            compliance_hosts="localhost",
            compliance_become=False,
            compliance_checks={"host": False, "endpoint": True},
            compliance_report_fail_on="none",
        )


def test_host_mode_runs_the_compliance_role_on_the_hosts(tmp_path: Path, pki: Pki) -> None:
    # Host mode through the included role: the host's endpoint is probed and reported under the host.
    run, document = host_mode_audit(tmp_path, pki)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    text = json.dumps(document)
    assert "localhost" in text and '"TLS-09"' in text, text[:2000]
    assert _endpoint_statuses(document)["TLS-09"] == {"pass"}


def test_the_audit_runs_linear_when_the_configuration_says_free(tmp_path: Path, pki: Pki) -> None:
    # A user's ansible.cfg with strategy = free: the batch probe and the report task run once, as in linear
    # (measured on the 50-host fleet: the free strategy refused the report task and failed the play).
    run, document = host_mode_audit(tmp_path, pki, env={"ANSIBLE_STRATEGY": "free"})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "free strategy" not in run.stdout + run.stderr
    assert _endpoint_statuses(document)["TLS-09"] == {"pass"}
