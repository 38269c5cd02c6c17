# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tls_probe action: in-process on a plain local connection (with the controller's certificate reader),
the module everywhere else, the same results but for what only a certificate parser reads."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional
from unittest.mock import MagicMock

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.webedge.https.plugins.action.tls_probe import ActionModule
from ansible_collections.webedge.https.plugins.modules import tls_probe as tls_probe_module
from ansible_collections.webedge.https.tests.unit.helpers.import_closure import imported_with
from ansible_collections.webedge.https.tests.unit.helpers.module_args import patch_module_args
from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import (
    OPENSSL,
    Pki,
    free_port,
    make_pki,
    s_server,
)

MODULE_SENTINEL = {"changed": False, "results": ["from the module"]}


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def make_action(
    args: Dict[str, Any],
    transport: str = "local",
    become: bool = False,
    environment: Optional[List[Dict[str, Any]]] = None,
    async_val: int = 0,
) -> ActionModule:
    task = MagicMock()
    task.args = args
    task.async_val = async_val
    task.environment = [{}] if environment is None else environment
    task.check_mode = False
    task.diff = False
    connection = MagicMock()
    connection.transport = transport
    connection.has_native_async = False
    play_context = MagicMock()
    play_context.become = become
    templar = MagicMock()
    templar.template.side_effect = lambda value: value
    action = ActionModule(task, connection, play_context, MagicMock(), templar, MagicMock())
    action._load_name = "webedge.https.tls_probe"  # read by validate_argument_spec on ansible-core 2.17
    action._execute_module = MagicMock(return_value=dict(MODULE_SENTINEL))  # type: ignore[method-assign]
    action._remove_tmp_path = MagicMock()  # type: ignore[method-assign]
    return action


# (id, how the task would run) - each of these must ship the module, not probe in-process
MODULE_PATHS = [
    ("ssh_connection", {"transport": "ssh"}),
    ("podman_connection", {"transport": "containers.podman.podman"}),
    ("become", {"become": True}),
    ("environment", {"environment": [{}, {"HTTPS_PROXY": "http://proxy.invalid:3128"}]}),
    ("async", {"async_val": 30}),
]


@pytest.mark.parametrize("how", [row[1] for row in MODULE_PATHS], ids=[row[0] for row in MODULE_PATHS])
def test_runs_the_module_unless_plain_local(how: Dict[str, Any]) -> None:
    action = make_action({"targets": ["localhost:1"]}, **how)
    result = action.run(task_vars={})
    action._execute_module.assert_called_once()
    assert action._execute_module.call_args.kwargs["wrap_async"] is bool(how.get("async_val"))
    assert result["results"] == MODULE_SENTINEL["results"]


def test_bad_options_fail_in_process_with_the_module_message() -> None:
    action = make_action({"targets": ["https://www.example.test:70000/"]})
    with pytest.raises(AnsibleActionFail, match="invalid URL"):
        action.run(task_vars={})
    action._execute_module.assert_not_called()


def test_unknown_option_is_refused_in_process() -> None:
    action = make_action({"targets": ["localhost:1"], "sni": "x"})
    with pytest.raises(AnsibleActionFail, match="sni"):
        action.run(task_vars={})


def test_fail_on_error_fails_in_process() -> None:
    port = free_port()
    action = make_action({"targets": [f"localhost:{port}"], "http_checks": False, "fail_on_error": True})
    result = action.run(task_vars={})
    assert result["failed"] is True
    assert f"localhost:{port}: connection refused" in result["msg"]
    assert result["results"][0]["error"] == "connection refused"


def _module_result(args: Dict[str, Any], capsys: pytest.CaptureFixture) -> Dict[str, Any]:
    with patch_module_args(args), pytest.raises(SystemExit):
        tls_probe_module.main()
    return json.loads(capsys.readouterr().out)


@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
def test_in_process_results_equal_the_modules(pki: Pki, capsys: pytest.CaptureFixture) -> None:
    with s_server(pki.good) as port:
        args = {
            "targets": [f"https://localhost:{port}/", f"localhost:{free_port()}"],
            "ca_file": str(pki.root),
            "http_checks": False,
            "timeout": 3.0,
            "profile": "modern",
            "profile_version": "6.0",
        }
        action = make_action(dict(args))
        in_process = action.run(task_vars={})
        from_module = _module_result(dict(args), capsys)
    action._execute_module.assert_not_called()
    assert in_process["changed"] is False and "failed" not in in_process
    assert in_process["results"][0]["error"] is None
    assert in_process["results"][0]["protocols"]["TLSv1.3"] is True
    assert in_process["results"][1]["error"] == "connection refused"
    # The same probe, options and checks either way; only what takes a certificate parser differs:
    # in-process the controller's cryptography reader fills it, the module (standard library) leaves it null
    in_process_results = json.loads(json.dumps(in_process["results"]))
    cert = in_process_results[0]["certificate"]
    assert {key: cert[key] for key in READER_ONLY} == {"self_signed": False, "intermediates_served": True}
    module_cert = from_module["results"][0]["certificate"]
    assert {key: module_cert[key] for key in READER_ONLY} == dict.fromkeys(READER_ONLY)
    # the key and signature are read by both (the probe's own DER reader), so TLS-11 is decided either way
    assert (
        module_cert["key_type"] == cert["key_type"] == "RSA"
        and module_cert["signature_algorithm"] == "ecdsa-with-SHA256"
    )
    module_findings = from_module["results"][0]["findings"]
    assert [module_findings[cid]["status"] for cid in READER_CONTROLS] == ["error"]
    assert in_process_results[0]["grade"]["grade"] == from_module["results"][0]["grade"]["grade"]
    assert _without_reader_only(in_process_results) == _without_reader_only(from_module["results"])


# What only a certificate parser can read, and the controls that judge it.
READER_ONLY = ("self_signed", "intermediates_served")
READER_CONTROLS = ("TLS-12",)


def _without_reader_only(results: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    out = json.loads(json.dumps(results))
    for result in out:
        if result["certificate"]:
            result["certificate"].update(dict.fromkeys(READER_ONLY))
        for cid in READER_CONTROLS:
            result["findings"].pop(cid, None)
    return out


def test_the_action_imports_no_windows_or_report_code() -> None:
    """Loaded in every compliance play (Ansible compiles each module of ours it imports on every run)."""
    loaded = imported_with("plugins.action.tls_probe")
    assert "plugins.module_utils.tls.probe.runner" in loaded  # it does read what it uses
    assert [m for m in loaded if m.startswith(("plugins.plugin_utils.windows", "plugins.plugin_utils.reporting"))] == []
    assert "plugins.plugin_utils.actions" not in loaded
