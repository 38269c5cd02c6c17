# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin with host_private_key: the controller validates the certificate, never reads the key."""

from __future__ import annotations

from typing import Any, Dict, List
from unittest.mock import MagicMock

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.task import Task

from ansible_collections.webedge.https.plugins.action.tls_certificate import ActionModule
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import pki

HOST_KEY_SHA = "ab" * 32


class Harness:
    """The action plugin with a module that answers as the real one does for a key found on the host."""

    def __init__(self, args: Dict[str, Any]) -> None:
        task = Task()
        task.args = args
        task.diff = True
        task.check_mode = False
        self.calls: List[Dict[str, Any]] = []
        connection = MagicMock()
        connection._shell.tmpdir = None
        self.action = ActionModule(task, connection, MagicMock(), DataLoader(), None, None)
        self.action._execute_module = self._execute_module  # type: ignore[method-assign]

    def _execute_module(self, module_name: str, module_args: Dict[str, Any], task_vars: Any = None) -> Dict[str, Any]:
        self.calls.append({"name": module_name, "args": dict(module_args)})
        files = [
            {
                "role": role,
                "path": module_args[option],
                "changed": True,
                "content_changed": True,
                "uid": 0,
                "gid": 0,
                "mode": "0600" if role == "key" else "0644",
                "before": {"path": module_args[option], "exists": False},
            }
            for role, option in (("key", "key_path"), ("fullchain", "fullchain_path"))
            if option in module_args
        ]
        return {"changed": True, "files": files, "host_private_key_public_sha256": HOST_KEY_SHA}


def test_the_key_stays_on_the_host_and_is_named_by_its_public_key() -> None:
    p = pki()
    h = Harness(
        {
            "certificate_content": p.leaf.cert_pem.decode(),
            "chain_content": p.inter.cert_pem.decode(),
            "host_private_key": "/etc/ssl/webedge/private/.site.key.new",
            "key_path": "/etc/ssl/webedge/private/site.key",
            "fullchain_path": "/etc/ssl/webedge/site.fullchain.pem",
            "hostnames": ["www.example.com"],
            "min_days_valid": 0,
        }
    )
    result = h.action.run(task_vars={})
    (call,) = h.calls
    assert call["args"]["host_private_key"] == "/etc/ssl/webedge/private/.site.key.new"
    assert "private_key_content" not in call["args"]
    assert result["private_key_public_sha256"] == HOST_KEY_SHA
    assert "host_private_key_public_sha256" not in result
    key_diff = result["diff"][0]
    assert key_diff["after_header"] == "/etc/ssl/webedge/private/site.key"
    assert "private key sha256 of public key: " + HOST_KEY_SHA in key_diff["after"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param({"private_key_content": "x"}, "mutually exclusive", id="with-key-content"),
        pytest.param({"private_key": "/tmp/k"}, "mutually exclusive", id="with-key-file"),
    ],
)
def test_a_second_key_source_is_refused_before_the_host(extra: Dict[str, Any], message: str) -> None:
    p = pki()
    h = Harness(
        {
            "certificate_content": p.leaf.cert_pem.decode(),
            "host_private_key": "/k",
            "key_path": "/etc/ssl/site.key",
            "min_days_valid": 0,
            **extra,
        }
    )
    result = h.action.run(task_vars={})
    assert result["failed"] is True
    assert message in result["msg"]
    assert h.calls == []
