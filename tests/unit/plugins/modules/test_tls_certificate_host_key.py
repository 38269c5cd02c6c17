# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module with host_private_key: a key made on the host, checked there with openssl, installed atomically."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any, Dict

import pytest

from ansible_collections.webedge.https.plugins.modules import tls_certificate
from ansible_collections.webedge.https.tests.unit.helpers.module_args import patch_module_args
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import Pair, fresh_key, key_pem, make_cert, pki


def run(args: Dict[str, Any], capsys: pytest.CaptureFixture) -> Dict[str, Any]:
    with patch_module_args(args), pytest.raises(SystemExit):
        tls_certificate.main()
    return json.loads(capsys.readouterr().out)


def _host(tmp_path: Path) -> Pair:
    """A leaf whose key was made 'on the host': only the key file is here, as the tls role leaves it."""
    inter = pki().inter
    key = fresh_key("ec_p256")
    staged = tmp_path / ".site.key.new"
    staged.write_bytes(key_pem(key))
    staged.chmod(0o600)
    return make_cert("www.example.com", key=key, issuer=inter, sans=["www.example.com"])


def _args(tmp_path: Path, leaf: Pair, **extra: Any) -> Dict[str, Any]:
    return {
        "certificate_content": leaf.cert_pem.decode(),
        "chain_content": pki().inter.cert_pem.decode(),
        "host_private_key": str(tmp_path / ".site.key.new"),
        "key_path": str(tmp_path / "site.key"),
        "fullchain_path": str(tmp_path / "site.fullchain.pem"),
        "mode": "0640",
        **extra,
    }


def test_the_host_key_is_checked_and_installed_with_the_certificate(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    leaf = _host(tmp_path)
    staged = (tmp_path / ".site.key.new").read_bytes()
    result = run(_args(tmp_path, leaf), capsys)
    assert result["changed"] is True
    assert (tmp_path / "site.key").read_bytes() == staged
    assert stat.S_IMODE((tmp_path / "site.key").stat().st_mode) == 0o640
    assert (tmp_path / "site.fullchain.pem").read_bytes().startswith(leaf.cert_pem)
    assert len(result["host_private_key_public_sha256"]) == 64
    assert staged.decode().splitlines()[1] not in json.dumps(result)


def test_a_second_run_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    leaf = _host(tmp_path)
    run(_args(tmp_path, leaf), capsys)
    result = run(_args(tmp_path, leaf), capsys)
    assert result["changed"] is False


def test_without_key_path_the_key_stays_where_it_is_and_gets_its_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    leaf = _host(tmp_path)
    args = _args(tmp_path, leaf)
    del args["key_path"]
    result = run(args, capsys)
    assert result["paths"]["key"] == str(tmp_path / ".site.key.new")
    assert stat.S_IMODE((tmp_path / ".site.key.new").stat().st_mode) == 0o640
    assert not (tmp_path / "site.key").exists()


def test_check_mode_checks_the_key_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    leaf = _host(tmp_path)
    result = run(_args(tmp_path, leaf, _ansible_check_mode=True), capsys)
    assert result["changed"] is True
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.key.new"]


def test_another_key_fails_and_nothing_is_written(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    _host(tmp_path)
    other = make_cert("www.example.com", key=fresh_key("ec_p256"), sans=["www.example.com"])
    (tmp_path / "site.fullchain.pem").write_bytes(b"old\n")
    result = run(_args(tmp_path, other), capsys)
    assert result["failed"] is True
    assert "is not the key of the certificate" in result["msg"]
    assert (tmp_path / "site.fullchain.pem").read_bytes() == b"old\n"
    assert not (tmp_path / "site.key").exists()


def test_a_missing_host_key_is_named(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    leaf = make_cert("www.example.com", sans=["www.example.com"])
    result = run(_args(tmp_path, leaf), capsys)
    assert result["failed"] is True
    assert result["msg"] == f"host_private_key {tmp_path / '.site.key.new'}: no such file on the host"
    assert list(tmp_path.iterdir()) == []


def test_the_first_copy_is_removed_in_the_same_run_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    leaf = _host(tmp_path)
    staged = (tmp_path / ".site.key.new").read_bytes()
    result = run(_args(tmp_path, leaf, remove_host_private_key=True), capsys)
    assert result["changed"] is True
    assert result["removed_paths"] == [str(tmp_path / ".site.key.new")]
    assert not (tmp_path / ".site.key.new").exists()
    assert (tmp_path / "site.key").read_bytes() == staged


def test_the_first_copy_stays_in_check_mode_and_by_default(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    leaf = _host(tmp_path)
    checked = run(_args(tmp_path, leaf, remove_host_private_key=True, _ansible_check_mode=True), capsys)
    assert checked["removed_paths"] == [] and (tmp_path / ".site.key.new").exists()
    default = run(_args(tmp_path, leaf), capsys)
    assert default["removed_paths"] == [] and (tmp_path / ".site.key.new").exists()


def test_a_key_installed_in_place_is_never_removed(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    leaf = _host(tmp_path)
    args = _args(tmp_path, leaf, remove_host_private_key=True)
    del args["key_path"]
    result = run(args, capsys)
    assert result["removed_paths"] == []
    assert (tmp_path / ".site.key.new").exists()


def test_a_failed_install_keeps_the_first_copy(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    _host(tmp_path)
    other = make_cert("www.example.com", key=fresh_key("ec_p256"), sans=["www.example.com"])
    result = run(_args(tmp_path, other, remove_host_private_key=True), capsys)
    assert result["failed"] is True
    assert (tmp_path / ".site.key.new").exists()
