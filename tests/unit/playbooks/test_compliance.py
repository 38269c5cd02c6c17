# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The webedge.https.compliance playbook in endpoint-only mode, for real: ansible-playbook probes a local
TLS server and writes the reports; skipped controls stay skipped in every report, the gate holds."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.playbooks import COLLECTIONS_ROOT, ansible_playbook
from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import OPENSSL, Pki, make_pki, s_server

PLAYBOOK = COLLECTIONS_ROOT / "ansible_collections" / "webedge" / "https" / "playbooks" / "compliance.yml"

pytestmark = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def audit(tmp_path: Path, port: int, pki: Pki, **extra: object) -> tuple:
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
    run = ansible_playbook(PLAYBOOK, inventory, "-e", json.dumps(variables))
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
