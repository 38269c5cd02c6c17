# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module: options are validated before any probe; results carry findings; errors do not fail the task."""

from __future__ import annotations

import json
from typing import Any, Dict

import pytest
from ansible.module_utils import basic

from ansible_collections.webedge.https.plugins.modules import tls_probe
from ansible_collections.webedge.https.tests.unit.helpers.module_args import patch_module_args
from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import (
    OPENSSL,
    Pki,
    free_port,
    make_pki,
    s_server,
)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def run(args: Dict[str, Any], capsys: pytest.CaptureFixture) -> Dict[str, Any]:
    with patch_module_args(args), pytest.raises(SystemExit):
        tls_probe.main()
    return json.loads(capsys.readouterr().out)


# (id, options, fragment of the failure message)
INVALID_TABLE = [
    ("port_out_of_range", {"targets": ["example.invalid:70000"]}, "70000"),
    ("unclosed_ipv6_bracket", {"targets": ["[::1:443"]}, "[::1:443"),
    ("unknown_target_key", {"targets": [{"host": "a.invalid", "sni": "x"}]}, "sni"),
    ("no_targets", {"targets": []}, "at least one"),
    ("zero_timeout", {"targets": ["a.invalid"], "timeout": 0}, "timeout"),
    ("zero_concurrency", {"targets": ["a.invalid"], "concurrency": 0}, "concurrency"),
    ("missing_ca_file", {"targets": ["a.invalid"], "ca_file": "/nonexistent/ca.pem"}, "/nonexistent/ca.pem"),
    ("unknown_skipped_control", {"targets": ["a.invalid"], "skip_controls": ["TLS-09", "TLS-99"]}, "'TLS-99'"),
]


@pytest.mark.parametrize(
    ("options", "fragment"), [row[1:] for row in INVALID_TABLE], ids=[row[0] for row in INVALID_TABLE]
)
def test_bad_options_fail_before_any_probe(
    options: Dict[str, Any], fragment: str, capsys: pytest.CaptureFixture
) -> None:
    result = run(options, capsys)
    assert result["failed"] is True
    assert fragment in result["msg"]
    assert "results" not in result


@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
def test_results_with_findings_and_error_targets_do_not_fail(
    pki: Pki, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Record warnings where the module gives them: once controller-side code is
    # imported (other tests do), ansible-core routes them to Display instead of
    # the result's "warnings", so the result alone is not a reliable witness.
    warned = []
    original_warn = basic.AnsibleModule.warn
    monkeypatch.setattr(
        basic.AnsibleModule, "warn", lambda self, text: (warned.append(text), original_warn(self, text))[1]
    )
    closed = free_port()
    with s_server(pki.wrong_name) as port:
        result = run(
            {
                "targets": [f"localhost:{port}", f"127.0.0.1:{closed}"],
                "ca_file": str(pki.root),
                "http_port": free_port(),
                "_ansible_check_mode": True,
            },
            capsys,
        )
    assert result["changed"] is False
    good, bad = result["results"]
    assert good["error"] is None
    assert good["findings"]["TLS-09"]["status"] == "fail"  # hostname mismatch reported, not hidden
    assert good["findings"]["TLS-03"]["status"] == "pass"  # TLS 1.0 refused
    assert good["findings"]["TLS-08"]["status"] == "pass"
    assert bad["error"] == "connection refused"
    assert any("hostname mismatch" in warning for warning in warned), warned


@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
def test_fail_on_error_fails_with_the_results(pki: Pki, capsys: pytest.CaptureFixture) -> None:
    closed = free_port()
    result = run({"targets": [f"127.0.0.1:{closed}"], "fail_on_error": True, "http_checks": False}, capsys)
    assert result["failed"] is True
    assert f"127.0.0.1:{closed}: connection refused" in result["msg"]
    assert result["results"][0]["error"] == "connection refused"


@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
def test_skipped_controls_are_reported_as_skip_and_the_grade_stays(pki: Pki, capsys: pytest.CaptureFixture) -> None:
    with s_server(pki.wrong_name) as port:
        options = {"targets": [f"localhost:{port}"], "ca_file": str(pki.root), "http_checks": False}
        judged = run(options, capsys)["results"][0]
        skipped = run({**options, "skip_controls": ["TLS-09", "HOST-07"]}, capsys)["results"][0]
    assert judged["findings"]["TLS-09"]["status"] == "fail"
    assert skipped["findings"]["TLS-09"]["status"] == "skip"
    assert skipped["findings"]["TLS-09"]["message"] == "not checked: disabled by configuration"
    assert "HOST-07" not in skipped["findings"]  # a host control: accepted, nothing to skip on an endpoint
    assert {k: v["status"] for k, v in skipped["findings"].items() if k != "TLS-09"} == {
        k: v["status"] for k, v in judged["findings"].items() if k != "TLS-09"
    }
    assert skipped["grade"]["grade"] == judged["grade"]["grade"]
