# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The listening_ports module end to end, on /proc trees rebuilt from real captures."""

from __future__ import annotations

import json
from typing import Any, Dict, Tuple

import pytest

from ansible_collections.webedge.https.plugins.modules import listening_ports
from ansible_collections.webedge.https.tests.unit.helpers.module_args import patch_module_args
from ansible_collections.webedge.https.tests.unit.helpers.proctree import (
    build,
    deny_fds,
    fixed_users,
)


def _run(args: Dict[str, Any], capsys) -> Tuple[int, Dict[str, Any]]:
    with patch_module_args(args), pytest.raises(SystemExit) as exited:
        listening_ports.main()
    return exited.value.code, json.loads(capsys.readouterr().out)


@pytest.fixture()
def lab_nginx_local(tmp_path, monkeypatch):
    root, denied = build(tmp_path, "lab-nginx-local")
    deny_fds(monkeypatch, root, denied)
    fixed_users(monkeypatch)
    monkeypatch.setattr(listening_ports, "PROC_ROOT", root)
    return root


def test_a_report_without_expectations_succeeds_and_changes_nothing(lab_nginx_local, capsys):
    code, result = _run({"protocols": ["tcp"]}, capsys)
    assert code == 0
    assert result["changed"] is False
    assert "failed" not in result
    assert [(e["address"], e["port"], e["process"]) for e in result["listening"]] == [
        ("0.0.0.0", 22, "sshd"),
        ("::", 22, "sshd"),
        ("127.0.0.1", 443, "nginx"),
        ("::1", 443, "nginx"),
        ("0.0.0.0", 8443, "nginx"),
    ]
    assert result["matched"] == result["missing"] == []
    assert "ansible_facts" not in result


def test_a_missing_listener_fails_with_what_is_there_instead(lab_nginx_local, capsys):
    code, result = _run({"expect": [{"port": 443, "address": "0.0.0.0"}, {"port": 22}]}, capsys)
    message = "443/tcp is listening on 127.0.0.1 and ::1 only (nginx, pid 185), expected 0.0.0.0"
    assert code == 1
    assert result["failed"] is True
    assert result["changed"] is False
    assert result["msg"] == f"1 of 2 expected listener(s) missing: {message}"
    assert result["missing"] == [
        {
            "port": 443,
            "protocol": "tcp",
            "process": None,
            "address": "0.0.0.0",
            "family": None,
            "state": "present",
            "allow_loopback": False,
            "message": message,
        }
    ]
    assert [(m["port"], [e["address"] for e in m["listening"]]) for m in result["matched"]] == [(22, ["0.0.0.0", "::"])]


def test_fail_on_missing_false_reports_without_failing(lab_nginx_local, capsys):
    code, result = _run({"expect": [{"port": 80}], "fail_on_missing": False}, capsys)
    assert code == 0
    assert "failed" not in result
    assert [m["message"] for m in result["missing"]] == ["80/tcp is not listening; tcp ports listening: 22, 443, 8443"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_check_mode_runs_the_same_read_only_work(lab_nginx_local, capsys, check_mode):
    code, result = _run({"expect": [{"port": 8443, "process": "nginx"}], "_ansible_check_mode": check_mode}, capsys)
    assert (code, result["changed"], len(result["matched"])) == (0, False, 1)


def test_fact_name_returns_the_listening_list_as_a_fact(lab_nginx_local, capsys):
    code, result = _run({"ports": [443], "fact_name": "https_listeners"}, capsys)
    assert code == 0
    assert result["ansible_facts"] == {"https_listeners": result["listening"]}
    assert len(result["listening"]) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"ports": [0]}, "invalid port 0: ports run from 1 to 65535"),
        ({"ports": [70000]}, "invalid port 70000: ports run from 1 to 65535"),
        ({"ports": ["abc"]}, "invalid port 'abc': expected an integer from 1 to 65535 or a range 'a-b'"),
        ({"ports": ["500-400"]}, "invalid port range '500-400': the first port is greater than the last"),
        ({"expect": [{"port": 70000}]}, "expect[0]: invalid port 70000: ports run from 1 to 65535"),
        ({"expect": [{"port": "8000-8080"}]}, "expect[0]: port '8000-8080' must be one port, not a range"),
        (
            {"expect": [{"port": 443, "address": "::1", "family": "ipv4"}]},
            "expect[0]: address '::1' is ipv6, not family ipv4",
        ),
        (
            {"fact_name": "my-fact"},
            "invalid fact_name 'my-fact': use letters, digits and underscores, not starting with a digit",
        ),
    ],
)
def test_bad_input_fails_before_any_work_naming_the_value(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.setattr(listening_ports, "PROC_ROOT", str(tmp_path / "never-read"))
    code, result = _run(args, capsys)
    assert (code, result["msg"]) == (1, message)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        # checked by the argument spec (choices, required): Ansible's own wording, naming option and value
        ({"protocols": ["tcp", "sctp"]}, ("protocols", "sctp")),
        ({"expect": [{"port": 443, "family": "ipv5"}]}, ("family", "ipv5")),
        ({"expect": [{"port": 53, "protocol": "icmp"}]}, ("protocol", "icmp")),
        ({"expect": [{"process": "nginx"}]}, ("missing required arguments: port", "expect")),
    ],
)
def test_bad_choices_fail_in_the_argument_spec_naming_the_value(tmp_path, monkeypatch, capsys, args, named):
    monkeypatch.setattr(listening_ports, "PROC_ROOT", str(tmp_path / "never-read"))
    code, result = _run(args, capsys)
    assert code == 1
    assert all(part in result["msg"] for part in named), result["msg"]


def test_a_host_without_proc_net_fails_clearly(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(listening_ports, "PROC_ROOT", str(tmp_path))
    code, result = _run({}, capsys)
    assert code == 1
    assert result["msg"].startswith(f"no {tmp_path}/net/tcp here: listening_ports reads Linux's /proc (")
