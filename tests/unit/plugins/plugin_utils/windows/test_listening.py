# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""listening_ports on Windows: the read script's answer through the Linux code's checks.

The answers are hand-built from Microsoft's documented object shapes (see
``tests/unit/fixtures/listening/windows/README.md``), not captured from a host.
"""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.module_utils.listening.report import parse_query, run
from ansible_collections.webedge.https.plugins.plugin_utils.windows import listening as windows
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import PowerShellError
from ansible_collections.webedge.https.tests.unit.helpers.proctree import build, fixed_users
from ansible_collections.webedge.https.tests.unit.helpers.windows_listening_host import (
    FakeListeningHost,
    fixture,
)

NOTE = f" ({windows.DUAL_STACK_NOTE})"


def result(params, answer=None):
    host = FakeListeningHost(answer)
    return windows.run(parse_query(params), host), host


def listed(report):
    return [(s["protocol"], s["port"], s["address"], s["pid"]) for s in report["listening"]]


def test_every_listener_is_read_normalised_deduplicated_and_sorted():
    answer = fixture("web01-elevated.json")
    answer["sockets"].append(dict(answer["sockets"][0]))  # the same endpoint twice: reported once
    report, host = result({}, answer)
    assert host.inputs == [{"protocols": ["tcp", "udp"]}]
    assert listed(report) == [
        ("tcp", 135, "0.0.0.0", 960),
        ("tcp", 135, "::", 960),
        ("tcp", 139, "192.0.2.20", 4),
        ("tcp", 443, "0.0.0.0", 2216),
        ("tcp", 443, "::", 2216),
        ("tcp", 445, "0.0.0.0", 4),
        ("tcp", 445, "::", 4),
        ("tcp", 3389, "0.0.0.0", 1104),
        ("tcp", 3389, "::", 1104),
        ("tcp", 5985, "0.0.0.0", 4),
        ("tcp", 5985, "::", 4),
        ("tcp", 8080, "::", 3100),
        ("tcp", 8443, "127.0.0.1", 2216),
        ("tcp", 8443, "::1", 2216),  # written in full by the host, compressed as on Linux
        ("tcp", 49664, "0.0.0.0", 5400),
        ("udp", 123, "0.0.0.0", 1312),
        ("udp", 123, "::", 1312),
        ("udp", 5353, "0.0.0.0", 1880),  # the port-0 endpoint is not listed
    ]
    assert "warnings" not in report and report["changed"] is False and "failed" not in report


def test_a_listener_has_the_linux_keys_and_windows_values(tmp_path, monkeypatch):
    fixed_users(monkeypatch)
    linux_root, _pids = build(tmp_path, "lab-nginx")
    linux = run(parse_query({}), linux_root)
    report, _host = result({"ports": [443]})
    assert set(report) - {"changed"} == set(linux)
    assert list(report["listening"][0]) == list(linux["listening"][0])
    assert report["listening"][0] == {
        "protocol": "tcp",
        "family": "ipv4",
        "address": "0.0.0.0",
        "port": 443,
        "dual_stack": False,
        "pid": 2216,
        "process": "nginx",
        "user": "WEB01\\svc-nginx",
        "unit": None,
        "container": None,
    }
    assert report["processes"]["2216"] == {
        "process": "nginx",
        "user": "WEB01\\svc-nginx",
        "cmdline": '"C:\\nginx\\nginx.exe"',
    }
    assert report["bindv6only"] is None


def test_no_socket_is_dual_stack_on_windows():
    report, _host = result({})
    assert {s["dual_stack"] for s in report["listening"]} == {False}


@pytest.mark.parametrize(
    ("pid", "process", "reason"),
    [
        (0, None, "Windows reports no owning process for it (OwningProcess 0)"),
        (5400, None, "no process 5400 was found when the process list was read a moment later (it exited)"),
        (4, "System", None),
    ],
)
def test_owner_of_unusual_pids(pid, process, reason):
    answer = {"version": 1, "sockets": [{"protocol": "tcp", "address": "0.0.0.0", "port": 80, "pid": pid}]}
    answer["processes"] = [] if pid != 4 else [{"pid": 4, "name": None, "program": "System"}]
    report, _host = result({}, answer)
    (entry,) = report["listening"]
    assert (entry["pid"], entry["process"], report["owner_unknown_reason"]) == (pid or None, process, reason)


def test_a_one_element_list_may_come_as_an_object():
    answer = {
        "version": 1,
        "sockets": {"protocol": "udp", "address": "::", "port": 53, "pid": 7},
        "processes": {"pid": 7, "name": "dns", "program": "dns.exe", "cmdline": None, "user": None},
    }
    report, _host = result({}, answer)
    assert listed(report) == [("udp", 53, "::", 7)]
    assert report["listening"][0]["process"] == "dns"


def test_unexpected_entries_are_skipped_with_a_warning():
    answer = {
        "version": 1,
        "sockets": [
            {"protocol": "tcp", "address": "not-an-address", "port": 80, "pid": 7},
            {"protocol": "tcp", "address": "0.0.0.0", "port": 81, "pid": 7},
        ],
        "processes": [],
    }
    report, _host = result({}, answer)
    assert [s["port"] for s in report["listening"]] == [81]
    assert len(report["warnings"]) == 1 and "not-an-address" in report["warnings"][0]


# expect entry, None when met or the exact message when missing
CASES = [
    ({"port": 443, "process": "nginx"}, None),
    ({"port": 443, "process": "nginx.exe"}, None),  # the program's file name
    ({"port": 443, "process": "nginx", "family": "ipv6"}, None),
    ({"port": 443, "address": "0.0.0.0"}, None),
    ({"port": 443, "address": "192.0.2.20"}, None),  # a wildcard accepts every local address
    ({"port": 443, "address": "[2001:db8::20]"}, None),
    ({"port": 5985, "process": "System"}, None),  # HTTP.sys listeners belong to the System process
    ({"port": 5985, "process": "winrm"}, "5985/tcp is served by System (pid 4), expected winrm"),
    ({"port": 8080, "family": "ipv6", "process": "java"}, None),
    # an IPv4 listener is there and fails on the process: no dual-stack note
    ({"port": 443, "family": "ipv4", "process": "httpd"}, "443/tcp is served by nginx (pid 2216), expected httpd"),
    ({"port": 8080, "family": "ipv4"}, "8080/tcp is listening on :: only (java, pid 3100), expected IPv4" + NOTE),
    (
        {"port": 8080, "address": "127.0.0.1"},
        "8080/tcp is listening on :: only (java, pid 3100), expected 127.0.0.1" + NOTE,
    ),
    (
        {"port": 8443, "address": "0.0.0.0"},
        "8443/tcp is listening on 127.0.0.1 and ::1 only (nginx, pid 2216), expected 0.0.0.0",
    ),
    ({"port": 8443, "family": "ipv4", "process": "nginx"}, None),
    ({"port": 123, "protocol": "udp", "process": "svchost"}, None),
    ({"port": 53, "protocol": "udp"}, "53/udp is not listening; 5353/udp is (svchost, pid 1880)"),
    ({"port": 49664, "process": "lsass"}, "49664/tcp is served by ? (pid 5400), expected lsass"),
    (
        {"port": 9999},
        "9999/tcp is not listening; tcp ports listening: 135, 139, 443, 445, 3389, 5985, 8080, 8443, 49664",
    ),
]


@pytest.mark.parametrize(("entry", "message"), CASES, ids=[str(case[0]) for case in CASES])
def test_expectations_on_windows_data(entry, message):
    report, _host = result({"expect": [entry], "fail_on_missing": False})
    if message is None:
        assert len(report["matched"]) == 1 and report["missing"] == []
    else:
        assert report["matched"] == [] and [m["message"] for m in report["missing"]] == [message]


def test_filters_shape_listening_but_not_expectations():
    report, host = result({"ports": [443], "protocols": ["tcp"], "expect": [{"port": 123, "protocol": "udp"}]})
    assert {s["port"] for s in report["listening"]} == {443}
    assert len(report["matched"]) == 1
    assert host.inputs == [{"protocols": ["tcp", "udp"]}]  # udp read for the expectation only


def test_only_the_protocols_needed_are_read():
    _report, host = result({"protocols": ["udp"]})
    assert host.inputs == [{"protocols": ["udp"]}]


def test_missing_fails_unless_told_otherwise_and_facts_are_set():
    failing, _host = result({"expect": [{"port": 9999}], "fact_name": "win_ports"})
    assert failing["failed"] is True and failing["msg"].startswith("1 of 1 expected listener(s) missing: 9999/tcp")
    assert failing["ansible_facts"] == {"win_ports": failing["listening"]}
    passing, _host = result({"expect": [{"port": 9999}], "fail_on_missing": False})
    assert "failed" not in passing and "ansible_facts" not in passing


def test_not_elevated_leaves_user_and_cmdline_unknown_and_warns():
    report, _host = result({}, fixture("web01-not-elevated.json"))
    by_port = {(s["port"], s["family"]): s for s in report["listening"]}
    nginx = report["processes"][str(by_port[(443, "ipv4")]["pid"])]
    assert (by_port[(443, "ipv4")]["user"], nginx["user"], nginx["cmdline"]) == (None, None, None)
    assert by_port[(443, "ipv4")]["process"] == "nginx" and report["owner_unknown_reason"] is None
    assert by_port[(8000, "ipv4")]["user"] == "WEB01\\deploy"
    assert report["warnings"] == [
        "the connection is not elevated: the user and command line of other users' processes are not readable"
    ]


@pytest.mark.parametrize(
    ("rc", "raw", "message"),
    [
        (1, 'noise\n{"failed": true, "msg": "Access is denied"}\n', "script failed: Access is denied"),
        (1, "", "gave no JSON answer (rc=1): some error text"),
        (0, '{"version": 2}\n', "unexpected answer"),
    ],
)
def test_a_failed_or_unexpected_read_is_an_error(rc, raw, message):
    host = FakeListeningHost(rc=rc, raw=raw)
    with pytest.raises(PowerShellError, match=message.replace("(", r"\(").replace(")", r"\)")):
        windows.run(parse_query({}), host)
    assert len(host.inputs) == 1
