# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin: validation before the host is touched, what the module gets, diffs without keys."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, Dict, List, Optional
from unittest.mock import MagicMock

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.task import Task

from ansible_collections.webedge.https.plugins.action.tls_certificate import ActionModule
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import make_key, pki


def _module_answer(args: Dict[str, Any], existing: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    files = []
    for role, option in (
        ("cert", "cert_path"),
        ("key", "key_path"),
        ("chain", "chain_path"),
        ("fullchain", "fullchain_path"),
    ):
        if option in args:
            before = (existing or {}).get(role, {"exists": False})
            files.append(
                {
                    "role": role,
                    "path": args[option],
                    "changed": True,
                    "content_changed": True,
                    "uid": 0,
                    "gid": 0,
                    "mode": "0600" if role == "key" else "0644",
                    "before": {"path": args[option], **before},
                }
            )
    return {"changed": True, "files": files, "paths": {f["role"]: f["path"] for f in files}, "changed_paths": []}


class Harness:
    def __init__(self, args: Dict[str, Any], diff: bool = True, remote_files: Optional[Dict[str, bytes]] = None):
        task = Task()
        task.args = args
        task.diff = diff
        task.check_mode = False
        self.calls: List[Dict[str, Any]] = []
        self.remote_files = remote_files or {}
        connection = MagicMock()
        connection._shell.tmpdir = None
        self.action = ActionModule(task, connection, MagicMock(), DataLoader(), None, None)
        self.action._execute_module = self._execute_module  # type: ignore[method-assign]
        self.existing: Dict[str, Any] = {}

    def _execute_module(self, module_name: str, module_args: Dict[str, Any], task_vars: Any = None) -> Dict[str, Any]:
        self.calls.append({"name": module_name, "args": dict(module_args)})
        if module_name == "ansible.legacy.slurp":
            src = module_args["src"]
            if src not in self.remote_files:
                return {"failed": True, "msg": f"file not found: {src}"}
            return {"content": base64.b64encode(self.remote_files[src]).decode(), "encoding": "base64"}
        return _module_answer(module_args, self.existing)

    def run(self) -> Dict[str, Any]:
        return self.action.run(task_vars={})


def _files(tmp_path: Path, cert: bytes, key: bytes, chain: bytes) -> Dict[str, str]:
    out = {}
    for name, data in (("leaf.crt", cert), ("leaf.key", key), ("chain.pem", chain)):
        (tmp_path / name).write_bytes(data)
        out[name] = str(tmp_path / name)
    return out


def test_controller_files_are_validated_and_module_gets_ordered_pem(tmp_path: Path) -> None:
    p = pki()
    f = _files(tmp_path, p.leaf.cert_pem, p.leaf.key_pem, p.root.cert_pem + p.inter.cert_pem)
    h = Harness(
        {
            "certificate": f["leaf.crt"],
            "private_key": f["leaf.key"],
            "chain": f["chain.pem"],
            "fullchain_path": "/etc/ssl/site.pem",
            "key_path": "/etc/ssl/site.key",
            "hostnames": ["www.example.com"],
            "min_days_valid": 0,
        }
    )
    result = h.run()
    (call,) = h.calls
    assert call["name"] == "webedge.https.tls_certificate"
    assert call["args"]["chain_content"] == (p.inter.cert_pem + p.root.cert_pem).decode()
    assert call["args"]["private_key_content"] == p.leaf.key_pem.decode()
    assert not {"certificate", "private_key", "chain", "hostnames", "private_key_passphrase"} & set(call["args"])
    assert result["subject"] == "CN=www.example.com"
    assert result["chain_length"] == 2
    body = p.leaf.key_pem.decode().splitlines()[1]
    assert body not in repr(result)


def _leaf_to_site(p: Any) -> Dict[str, Any]:
    """The test leaf and its key given as content, installed as /etc/ssl/site.crt and site.key."""
    return {
        "certificate_content": p.leaf.cert_pem.decode(),
        "private_key_content": p.leaf.key_pem.decode(),
        "cert_path": "/etc/ssl/site.crt",
        "key_path": "/etc/ssl/site.key",
        "min_days_valid": 0,
    }


def test_diff_shows_metadata_and_public_key_hash_never_key_material(tmp_path: Path) -> None:
    p = pki()
    h = Harness(_leaf_to_site(p))
    old = pki().inter.cert_pem.decode()
    h.existing = {
        "cert": {"exists": True, "uid": 0, "gid": 0, "mode": "0644", "sha256": "x", "certificates": [old]},
        "key": {"exists": True, "uid": 0, "gid": 0, "mode": "0600", "sha256": "y"},
    }
    result = h.run()
    cert_diff, key_diff = result["diff"]
    assert "subject: CN=Test Intermediate" in cert_diff["before"]
    assert "subject: CN=www.example.com" in cert_diff["after"]
    assert "sha256_fingerprint:" in cert_diff["after"]
    assert "private key sha256 of public key: " + result["private_key_public_sha256"] in key_diff["after"]
    assert "a different key (content not shown)" in key_diff["before"]
    text = repr(result)
    assert "PRIVATE KEY" not in text
    assert p.leaf.key_pem.decode().splitlines()[1] not in text
    assert all("certificates" not in f["before"] for f in result["files"])


def test_remote_src_fetches_with_slurp_then_validates(tmp_path: Path) -> None:
    p = pki()
    remote = {"/srv/c.pem": p.leaf.cert_pem, "/srv/k.pem": p.leaf.key_pem, "/srv/ch.pem": p.inter.cert_pem}
    h = Harness(
        {
            "remote_src": True,
            "certificate": "/srv/c.pem",
            "private_key": "/srv/k.pem",
            "chain": "/srv/ch.pem",
            "fullchain_path": "/etc/ssl/site.pem",
            "min_days_valid": 0,
        },
        remote_files=remote,
    )
    h.run()
    assert [c["name"] for c in h.calls] == ["ansible.legacy.slurp"] * 3 + ["webedge.https.tls_certificate"]


FAILURES = [
    pytest.param({"certificate_content": "garbage"}, "certificate: no PEM certificate found", id="garbage-pem"),
    pytest.param(
        {"private_key_content": "KEY-OF-ANOTHER"},
        "private key does not match the certificate",
        id="key-of-another-cert",
    ),
    pytest.param({"hostnames": ["shop.example.com"]}, "hostnames not covered", id="name-not-covered"),
    pytest.param({"min_days_valid": 365}, "min_days_valid requires at least 365", id="too-few-days"),
    pytest.param({"private_key_content": None}, "key_path is set but no private key was given", id="key-path-no-key"),
]


@pytest.mark.parametrize(("override", "message"), FAILURES)
def test_bad_input_fails_before_anything_reaches_the_host(override: Dict[str, Any], message: str) -> None:
    p = pki()
    args: Dict[str, Any] = {
        "certificate_content": p.leaf.cert_pem.decode(),
        "private_key_content": p.leaf.key_pem.decode(),
        "key_path": "/etc/ssl/site.key",
        "cert_path": "/etc/ssl/site.crt",
        "min_days_valid": 0,
    }
    if override.get("private_key_content") == "KEY-OF-ANOTHER":
        override = {"private_key_content": pki().inter.key_pem.decode()}
    args.update(override)
    args = {k: v for k, v in args.items() if v is not None}
    h = Harness(args)
    result = h.run()
    assert result["failed"] is True
    assert message in result["msg"]
    assert h.calls == []  # the module never ran


def test_weak_key_fails_before_the_host() -> None:
    from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import make_cert

    weak = make_cert("weak", issuer=pki().inter, key=make_key("rsa1024"), sans=["weak.example.com"])
    h = Harness(
        {
            "certificate_content": weak.cert_pem.decode(),
            "private_key_content": weak.key_pem.decode(),
            "key_path": "/k",
            "min_days_valid": 0,
        }
    )
    result = h.run()
    assert result["failed"] is True
    assert "RSA key of 1024 bits is too weak" in result["msg"]
    assert h.calls == []


def test_missing_controller_file_is_named(tmp_path: Path) -> None:
    h = Harness({"certificate": str(tmp_path / "nope.crt"), "cert_path": "/c"})
    result = h.run()
    assert result["failed"] is True
    assert "nope.crt" in result["msg"]


def test_files_staged_by_a_killed_run_are_named_in_the_diff_never_shown() -> None:
    p = pki()
    h = Harness(_leaf_to_site(p))
    stale = "/etc/ssl/.site.key.4242.1.tmp"
    answer = h._execute_module

    def with_stale(module_name: str, module_args: Dict[str, Any], task_vars: Any = None) -> Dict[str, Any]:
        return dict(answer(module_name, module_args, task_vars), stale_files=[stale])

    h.action._execute_module = with_stale  # type: ignore[method-assign]
    result = h.run()
    assert result["stale_files"] == [stale]
    (entry,) = [d for d in result["diff"] if d["before_header"] == stale]
    assert entry["after_header"] == f"{stale} (removed)" and entry["after"] == ""
    assert "PRIVATE KEY" not in repr(result)
