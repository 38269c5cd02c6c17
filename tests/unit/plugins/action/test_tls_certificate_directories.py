# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin's diff of the ``directories`` option, from what the real module returns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansible_collections.webedge.https.plugins.action.tls_certificate import directory_diffs
from ansible_collections.webedge.https.plugins.modules import tls_certificate
from ansible_collections.webedge.https.tests.unit.helpers.module_args import patch_module_args
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import pki


def module_directories(base: Path, capsys: pytest.CaptureFixture, check: bool) -> list:
    args = {
        "certificate_content": pki().leaf.cert_pem.decode(),
        "fullchain_path": str(base / "certs" / "site.pem"),
        "directories": [{"path": str(base / "certs"), "mode": "0750"}],
        "_ansible_check_mode": check,
    }
    with patch_module_args(args), pytest.raises(SystemExit):
        tls_certificate.main()
    return json.loads(capsys.readouterr().out)["directories"]


def test_a_directory_to_create_shows_as_absent_before(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (diff,) = directory_diffs(module_directories(tmp_path, capsys, check=True))
    assert diff["before_header"] == f"{tmp_path / 'certs'} (absent)" and diff["before"] == ""
    assert "state: directory\n" in diff["after"] and "mode: 0750\n" in diff["after"]


def test_a_mode_change_shows_both_modes_and_an_unchanged_directory_no_diff(tmp_path: Path, capsys) -> None:
    module_directories(tmp_path, capsys, check=False)
    assert directory_diffs(module_directories(tmp_path, capsys, check=True)) == []
    (tmp_path / "certs").chmod(0o755)
    (diff,) = directory_diffs(module_directories(tmp_path, capsys, check=True))
    assert "mode: 0755\n" in diff["before"] and "mode: 0750\n" in diff["after"]
