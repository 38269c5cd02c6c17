# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tls_lab_ca action: a CA and leaves in a controller directory, kept while valid, nothing in check mode."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any, Dict
from unittest.mock import MagicMock

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.task import Task
from cryptography import x509

from ansible_collections.webedge.https.plugins.action.tls_lab_ca import ActionModule


def run(args: Dict[str, Any], check: bool = False) -> Dict[str, Any]:
    task = Task()
    task.args = args
    task.check_mode = check
    task.diff = False
    action = ActionModule(task, MagicMock(), MagicMock(), DataLoader(), None, None)
    return action.run(task_vars={})


def test_makes_a_chain_and_keeps_it_on_the_second_run(tmp_path: Path) -> None:
    # Given an empty directory and one leaf asked for
    args = {"dest": str(tmp_path / "ca"), "certificates": [{"name": "web1", "hostnames": ["web1.lab.test"]}]}
    # When the action runs twice
    first = run(args)
    second = run(args)
    # Then the first run makes root, intermediate and leaf, the second changes nothing
    assert first["changed"] is True
    assert first["created"] == ["ca", "intermediate", "web1"]
    assert second["changed"] is False and second["created"] == []
    web1 = first["certificates"]["web1"]
    assert web1["chain"] == first["chain"] == str(tmp_path / "ca" / "intermediate.crt")
    leaf = x509.load_pem_x509_certificate(Path(web1["certificate"]).read_bytes())
    assert leaf.issuer == x509.load_pem_x509_certificate(Path(first["chain"]).read_bytes()).subject
    assert stat.S_IMODE(Path(web1["private_key"]).stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(web1["certificate"]).stat().st_mode) == 0o644


def test_check_mode_writes_nothing(tmp_path: Path) -> None:
    result = run({"dest": str(tmp_path / "ca"), "certificates": []}, check=True)
    assert result["changed"] is True
    assert not (tmp_path / "ca").exists()


@pytest.mark.parametrize(
    ("certificates", "fragment"),
    [
        pytest.param([{"name": "../x", "hostnames": ["a.test"]}], "plain file name", id="path-in-name"),
        pytest.param([{"name": "ca", "hostnames": ["a.test"]}], "reserved", id="reserved-name"),
        pytest.param(
            [{"name": "a", "hostnames": ["a.test"]}, {"name": "a", "hostnames": ["b.test"]}], "unique", id="twice"
        ),
    ],
)
def test_bad_names_fail_as_a_result_before_anything_is_written(tmp_path: Path, certificates, fragment: str) -> None:
    result = run({"dest": str(tmp_path / "ca"), "certificates": certificates})
    assert result["failed"] is True and result["changed"] is False
    assert fragment in result["msg"]
    assert not (tmp_path / "ca").exists()
