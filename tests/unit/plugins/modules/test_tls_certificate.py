# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module on the host: writes exactly the validated files; check mode writes nothing."""

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


def _args(tmp_path: Path, **extra: Any) -> Dict[str, Any]:
    p = pki()
    return {
        "certificate_content": p.leaf.cert_pem.decode(),
        "private_key_content": p.leaf.key_pem.decode(),
        "chain_content": p.inter.cert_pem.decode(),
        "cert_path": str(tmp_path / "site.crt"),
        "key_path": str(tmp_path / "site.key"),
        "chain_path": str(tmp_path / "chain.pem"),
        "fullchain_path": str(tmp_path / "full.pem"),
        **extra,
    }


def test_writes_each_file_with_its_content_and_mode(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    p = pki()
    result = run(_args(tmp_path, mode="0640"), capsys)
    assert result["changed"] is True
    assert (tmp_path / "site.crt").read_bytes() == p.leaf.cert_pem
    assert (tmp_path / "chain.pem").read_bytes() == p.inter.cert_pem
    assert (tmp_path / "full.pem").read_bytes() == p.leaf.cert_pem + p.inter.cert_pem
    assert (tmp_path / "site.key").read_bytes() == p.leaf.key_pem
    assert stat.S_IMODE((tmp_path / "site.key").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "site.crt").stat().st_mode) == 0o644
    assert p.leaf.key_pem.decode().splitlines()[1] not in json.dumps(result)


def test_second_run_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run(_args(tmp_path), capsys)
    result = run(_args(tmp_path), capsys)
    assert result["changed"] is False
    assert result["changed_paths"] == []


def test_check_mode_predicts_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    result = run(_args(tmp_path, _ansible_check_mode=True), capsys)
    assert result["changed"] is True
    assert len(result["changed_paths"]) == 4
    assert list(tmp_path.iterdir()) == []


def test_result_before_state_never_carries_the_old_key(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "site.key").write_bytes(b"-----BEGIN PRIVATE KEY-----\nT0xES0VZ\n-----END PRIVATE KEY-----\n")
    result = run(_args(tmp_path, backup=True), capsys)
    assert "T0xES0VZ" not in json.dumps(result)
    assert str(tmp_path / "site.key") in result["backup_files"]


REFUSALS = [
    pytest.param({"mode": "0644"}, "would let others access the private key", id="key-mode-readable-by-others"),
    pytest.param({"mode": "u=rw"}, "is not an octal mode", id="symbolic-mode"),
    pytest.param({"owner": "no-such-user-xyz"}, "owner: no such user", id="unknown-owner"),
    pytest.param({"private_key_content": None}, "key_path is set but no private key", id="key-path-without-key"),
    pytest.param(
        {"certificate": "/etc/x.crt", "certificate_content": None},
        "runs through its action plugin",
        id="called-without-action",
    ),
]


@pytest.mark.parametrize(("extra", "message"), REFUSALS)
def test_refusals_write_nothing(tmp_path: Path, capsys: pytest.CaptureFixture, extra: dict, message: str) -> None:
    args = {k: v for k, v in {**_args(tmp_path), **extra}.items() if v is not None}
    result = run(args, capsys)
    assert result["failed"] is True
    assert message in result["msg"]
    assert list(tmp_path.iterdir()) == []
