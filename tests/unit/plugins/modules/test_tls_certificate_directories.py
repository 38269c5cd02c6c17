# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module's ``directories``: created with their modes before the files, fixed when their mode
differs, predicted in check mode (nothing created), unchanged on a second run."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any, Dict

import pytest

from ansible_collections.webedge.https.plugins.modules import tls_certificate
from ansible_collections.webedge.https.tests.unit.helpers.module_args import patch_module_args
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import pki


def run(args: Dict[str, Any], capsys: pytest.CaptureFixture) -> Dict[str, Any]:
    with patch_module_args(args), pytest.raises(SystemExit):
        tls_certificate.main()
    return json.loads(capsys.readouterr().out)


def _args(base: Path, **extra: Any) -> Dict[str, Any]:
    p = pki()
    return {
        "certificate_content": p.leaf.cert_pem.decode(),
        "private_key_content": p.leaf.key_pem.decode(),
        "chain_content": p.inter.cert_pem.decode(),
        "fullchain_path": str(base / "certs" / "site.fullchain.pem"),
        "key_path": str(base / "certs" / "private" / "site.key"),
        "directories": [
            {"path": str(base / "certs"), "mode": "0755"},
            {"path": str(base / "certs" / "private"), "mode": "0710"},
        ],
        **extra,
    }


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_missing_directories_are_created_with_their_modes_then_the_files(tmp_path: Path, capsys) -> None:
    result = run(_args(tmp_path), capsys)
    assert result["changed"] is True
    assert mode(tmp_path / "certs") == 0o755 and mode(tmp_path / "certs" / "private") == 0o710
    assert (tmp_path / "certs" / "private" / "site.key").read_bytes() == pki().leaf.key_pem
    assert [(d["path"], d["created"], d["mode"]) for d in result["directories"]] == [
        (str(tmp_path / "certs"), True, "0755"),
        (str(tmp_path / "certs" / "private"), True, "0710"),
    ]
    assert result["changed_paths"][:2] == [str(tmp_path / "certs"), str(tmp_path / "certs" / "private")]
    again = run(_args(tmp_path), capsys)
    assert again["changed"] is False and again["changed_paths"] == []
    assert [d["changed"] for d in again["directories"]] == [False, False]


def test_check_mode_predicts_the_directories_and_files_and_creates_nothing(tmp_path: Path, capsys) -> None:
    result = run(_args(tmp_path, _ansible_check_mode=True), capsys)
    assert result["changed"] is True
    assert [d["created"] for d in result["directories"]] == [True, True]
    assert not (tmp_path / "certs").exists()
    assert not any("does not exist yet" in w for w in result.get("warnings", []))  # declared: no warning


def test_an_existing_directory_with_another_mode_is_fixed(tmp_path: Path, capsys) -> None:
    run(_args(tmp_path), capsys)
    (tmp_path / "certs" / "private").chmod(0o755)
    checked = run(_args(tmp_path, _ansible_check_mode=True), capsys)
    assert checked["changed"] is True and mode(tmp_path / "certs" / "private") == 0o755
    assert checked["directories"][1]["before"]["mode"] == "0755" and checked["directories"][1]["mode"] == "0710"
    result = run(_args(tmp_path), capsys)
    assert result["changed_paths"] == [str(tmp_path / "certs" / "private")]
    assert mode(tmp_path / "certs" / "private") == 0o710


def test_a_file_where_a_directory_is_wanted_fails_before_any_change(tmp_path: Path, capsys) -> None:
    (tmp_path / "certs").write_text("not a directory")
    result = run(_args(tmp_path), capsys)
    assert result["failed"] is True and "exists and is not a directory" in result["msg"]
    assert (tmp_path / "certs").read_text() == "not a directory"


def test_a_bad_directory_mode_is_named_and_nothing_is_created(tmp_path: Path, capsys) -> None:
    args = _args(tmp_path)
    args["directories"][1]["mode"] = "u+rwx"
    result = run(args, capsys)
    assert result["failed"] is True and "directories[1].mode" in result["msg"] and "u+rwx" in result["msg"]
    assert not (tmp_path / "certs").exists()
