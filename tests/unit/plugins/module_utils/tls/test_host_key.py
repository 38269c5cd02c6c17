# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A key made on the host, checked against its certificate there: the DER reader and the real openssl."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path
from typing import Sequence, Tuple

import pytest
from cryptography.hazmat.primitives import serialization

from ansible_collections.webedge.https.plugins.module_utils.tls import host_key
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import fresh_key, key_pem, make_cert


def openssl(argv: Sequence[str]) -> Tuple[int, str, str]:
    """The host's runner, for real: the openssl of this machine."""
    proc = subprocess.run(list(argv), capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"}, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def _spki(key: object) -> bytes:
    return key.public_key().public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _write_key(path: Path, key: object) -> bytes:
    data = key_pem(key)
    path.write_bytes(data)
    path.chmod(0o600)
    return data


@pytest.mark.parametrize("kind", ["ec_p256", "rsa2048", "ed25519"])
def test_the_key_of_the_certificate_is_accepted(tmp_path: Path, kind: str) -> None:
    key = fresh_key(kind)
    data = _write_key(tmp_path / "site.key", key)
    pair = make_cert("www.example.com", key=key, sans=["www.example.com"])
    found = host_key.read_host_key(str(tmp_path / "site.key"), pair.cert_pem.decode(), openssl)
    assert found.content == data
    assert found.public_sha256 == hashlib.sha256(_spki(key)).hexdigest()
    # the key never shows in its representation (what a traceback or a log would print)
    assert data.decode().splitlines()[1] not in repr(found)


def test_another_key_is_refused_naming_both_public_keys_only(tmp_path: Path) -> None:
    data = _write_key(tmp_path / "site.key", fresh_key("ec_p256"))
    pair = make_cert("www.example.com", key=fresh_key("ec_p256"), sans=["www.example.com"])
    with pytest.raises(host_key.HostKeyError, match="is not the key of the certificate") as caught:
        host_key.read_host_key(str(tmp_path / "site.key"), pair.cert_pem.decode(), openssl)
    assert data.decode().splitlines()[1] not in str(caught.value)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        pytest.param("missing", "no such file on the host", id="missing"),
        pytest.param("directory", "not a regular file", id="directory"),
        pytest.param("garbage", "openssl cannot read it as a private key", id="not-a-key"),
        pytest.param("certificate", "openssl cannot read it as a private key", id="a-certificate"),
    ],
)
def test_an_unusable_key_file_is_refused(tmp_path: Path, setup: str, message: str) -> None:
    path = tmp_path / "site.key"
    pair = make_cert("www.example.com", sans=["www.example.com"])
    if setup == "directory":
        path.mkdir()
    elif setup == "garbage":
        path.write_bytes(b"-----BEGIN PRIVATE KEY-----\nU0VDUkVU\n-----END PRIVATE KEY-----\n")
    elif setup == "certificate":
        path.write_bytes(pair.cert_pem)
    with pytest.raises(host_key.HostKeyError, match=message) as caught:
        host_key.read_host_key(str(path), pair.cert_pem.decode(), openssl)
    assert "U0VDUkVU" not in str(caught.value)


def test_no_openssl_on_the_host_is_named(tmp_path: Path) -> None:
    key = fresh_key("ec_p256")
    _write_key(tmp_path / "site.key", key)
    pair = make_cert("www.example.com", key=key)
    with pytest.raises(host_key.HostKeyError, match=r"openssl cannot read it.*openssl: command not found"):
        host_key.read_host_key(
            str(tmp_path / "site.key"), pair.cert_pem.decode(), lambda argv: (127, "", "openssl: command not found")
        )
