# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Expectations against real captures: what is met, and the message when it is not."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.module_utils.listening.procnet import read_bindv6only, read_sockets
from ansible_collections.webedge.https.plugins.module_utils.listening.report import (
    Query,
    QueryError,
    dual_stack_inodes,
    parse_query,
    run,
)
from ansible_collections.webedge.https.tests.unit.helpers.proctree import (
    build,
    deny_fds,
    fixed_users,
)

UNREADABLE = (
    "no permission to read the open files (/proc/PID/fd) of 4 processes (pids 33, 108, 109, 137), which may hold it;"
    " run as root (become: true); in a container root also needs CAP_SYS_PTRACE"
)

NOT_VISIBLE = (
    "held by no process visible in /proc (a process in another PID namespace sharing this network namespace,"
    " processes hidden by the hidepid mount option of /proc, or a kernel socket)"
)

# scenario, expect entry, None when met or the exact message when missing
CASES = [
    # nginx on 0.0.0.0 and [::] (IPv6-only: `listen [::]:443` next to `listen 443`), sshd, in a lab container
    ("lab-nginx", {"port": 443}, None),
    ("lab-nginx", {"port": 443, "process": "nginx", "family": "ipv4"}, None),
    ("lab-nginx", {"port": 443, "process": "nginx", "family": "ipv6"}, None),
    ("lab-nginx", {"port": 443, "address": "0.0.0.0"}, None),
    ("lab-nginx", {"port": 443, "address": "192.0.2.10"}, None),
    ("lab-nginx", {"port": 443, "address": "[2001:db8::10]"}, None),
    ("lab-nginx", {"port": 22, "process": "sshd"}, None),
    ("lab-nginx", {"port": 443, "process": "apache2"}, "443/tcp is served by nginx (pid 55), expected apache2"),
    (
        "lab-nginx",
        {"port": 443, "address": "0.0.0.0", "process": "apache2"},
        "443/tcp on 0.0.0.0 is served by nginx (pid 55), expected apache2",
    ),
    ("lab-nginx", {"port": 8443}, "8443/tcp is not listening; 443/tcp is (nginx, pid 55)"),
    ("lab-nginx", {"port": 8080}, "8080/tcp is not listening; 80/tcp is (nginx, pid 55)"),
    ("lab-nginx", {"port": 443, "protocol": "udp"}, "443/udp is not listening; 443/tcp is (nginx, pid 55)"),
    ("lab-nginx", {"port": 5432}, "5432/tcp is not listening; tcp ports listening: 22, 80, 443"),
    ("lab-nginx", {"port": 53, "protocol": "udp"}, "53/udp is not listening; nothing listens on udp"),
    # nginx on 127.0.0.1:443, [::1]:443 and 0.0.0.0:8443
    (
        "lab-nginx-local",
        {"port": 443, "address": "0.0.0.0"},
        "443/tcp is listening on 127.0.0.1 and ::1 only (nginx, pid 185), expected 0.0.0.0",
    ),
    (
        "lab-nginx-local",
        {"port": 443, "address": "192.0.2.10"},
        "443/tcp is listening on 127.0.0.1 and ::1 only (nginx, pid 185), expected 192.0.2.10",
    ),
    (
        "lab-nginx-local",
        {"port": 443, "address": "::"},
        "443/tcp is listening on 127.0.0.1 and ::1 only (nginx, pid 185), expected ::",
    ),
    ("lab-nginx-local", {"port": 443, "family": "ipv4"}, None),
    ("lab-nginx-local", {"port": 443, "address": "[::1]"}, None),
    ("lab-nginx-local", {"port": 443, "address": "::ffff:127.0.0.1"}, None),
    ("lab-nginx-local", {"port": 8443, "address": "192.0.2.10", "process": "nginx"}, None),
    (
        "lab-nginx-local",
        {"port": 8443, "family": "ipv6"},
        "8443/tcp is listening on 0.0.0.0 only (nginx, pid 185), expected IPv6",
    ),
    (
        "lab-nginx-local",
        {"port": 4443, "process": "nginx"},
        "4443/tcp is not listening; 443/tcp is (nginx, pid 185), 8443/tcp is (nginx, pid 185)",
    ),
    # apache `Listen 80` / `Listen 443`: one dual-stack [::] socket each; python3 as www-data on 8080 and 5000/udp
    ("lab-apache", {"port": 80, "family": "ipv4"}, None),  # the goss #149 case: a dual-stack socket serves IPv4
    ("lab-apache", {"port": 443, "address": "0.0.0.0", "process": "apache2"}, None),
    ("lab-apache", {"port": 80, "address": "127.0.0.1"}, None),
    ("lab-apache", {"port": 8080}, None),  # listening, even though its owner is unknown
    ("lab-apache", {"port": 5000, "protocol": "udp", "family": "ipv4"}, None),
    (
        "lab-apache",
        {"port": 8080, "process": "python3"},
        f"8080/tcp is served by an unknown process ({UNREADABLE}), expected python3",
    ),
    # made in a network namespace with bindv6only=0
    ("netns-mixed", {"port": 443, "family": "ipv4"}, None),
    ("netns-mixed", {"port": 443, "address": "127.0.0.1", "process": "tls-dual"}, None),
    ("netns-mixed", {"port": 123, "protocol": "udp", "address": "0.0.0.0"}, None),
    ("netns-mixed", {"port": 25, "family": "ipv4", "process": "mail-v4"}, None),
    ("netns-mixed", {"port": 25, "family": "ipv6", "process": "mail-v6"}, None),
    ("netns-mixed", {"port": 9090, "address": "127.0.0.1"}, None),
    ("netns-mixed", {"port": 9090, "family": "ipv4"}, None),
    (
        "netns-mixed",
        {"port": 9090, "family": "ipv6"},
        "9090/tcp is listening on ::ffff:127.0.0.1 only (mapped-lo, pid 32260), expected IPv6",
    ),
    (
        "netns-mixed",
        {"port": 631, "family": "ipv4"},
        "631/tcp is listening on ::1 only (cups-lo6, pid 32258), expected IPv4",
    ),
    ("netns-mixed", {"port": 8000, "process": "worker-b"}, None),  # SO_REUSEPORT: two sockets, two owners
    (
        "netns-mixed",
        {"port": 8000, "process": "nginx"},
        "8000/tcp is served by worker-a (pid 32265) and worker-b (pid 32266), expected nginx",
    ),
    (
        "netns-mixed",
        {"port": 5432},  # bound, never listen()ed: not in the table at all
        "5432/tcp is not listening; tcp ports listening: 25, 80, 443, 631, 7000, 8000, 8080, 8443, 9090",
    ),
    (
        "netns-mixed",
        {"port": 40000, "protocol": "udp"},  # connect()ed UDP socket
        "40000/udp is not listening; udp ports listening: 53, 123, 161, 5353",
    ),
    (
        "netns-mixed",
        {"port": 80, "address": "::"},
        "80/tcp is listening on 0.0.0.0 only (web-any4, pid 32255), expected ::",
    ),
    # Known limit: alt-v6only set IPV6_V6ONLY itself, which /proc/net does not show; with bindv6only=0 and no
    # IPv4 socket beside it, it is taken as dual-stack.
    ("netns-mixed", {"port": 8443, "family": "ipv4"}, None),
    # listeners in a network namespace, tables read from a new PID namespace that cannot see them
    ("netns-other-pidns", {"port": 443, "address": "0.0.0.0"}, None),
    ("netns-other-pidns", {"port": 53, "protocol": "udp", "family": "ipv4"}, None),
    (
        "netns-other-pidns",
        {"port": 443, "process": "nginx"},
        f"443/tcp is served by an unknown process ({NOT_VISIBLE}), expected nginx",
    ),
    # made in a network namespace with bindv6only=1
    (
        "netns-v6only",
        {"port": 443, "family": "ipv4"},
        "443/tcp is listening on :: only (tls-any6, pid 32314), expected IPv4"
        " (the :: socket does not accept IPv4: net.ipv6.bindv6only=1)",
    ),
    (
        "netns-v6only",
        {"port": 443, "address": "0.0.0.0"},
        "443/tcp is listening on :: only (tls-any6, pid 32314), expected 0.0.0.0"
        " (the :: socket does not accept IPv4: net.ipv6.bindv6only=1)",
    ),
    ("netns-v6only", {"port": 443, "address": "2001:db8::1"}, None),
    (
        "netns-v6only",
        {"port": 80, "address": "0.0.0.0"},
        "80/tcp is listening on 127.0.0.1 only (web-lo4, pid 32315), expected 0.0.0.0",
    ),
    ("netns-v6only", {"port": 53, "protocol": "udp", "family": "ipv6"}, None),
]


@pytest.mark.parametrize(
    ("scenario", "entry", "message"),
    CASES,
    ids=[f"{c[0]}-{'-'.join(f'{k}={v}' for k, v in c[1].items())}" for c in CASES],
)
def test_expectations_on_real_captures(tmp_path, monkeypatch, scenario, entry, message):
    root, denied = build(tmp_path, scenario)
    deny_fds(monkeypatch, root, denied)
    fixed_users(monkeypatch)
    result = run(parse_query({"expect": [entry]}), root)
    if message is None:
        assert result["missing"] == []
        assert len(result["matched"]) == 1
        assert result["matched"][0]["listening"]
    else:
        assert result["matched"] == []
        assert [m["message"] for m in result["missing"]] == [message]
        assert result["msg"] == f"1 of 1 expected listener(s) missing: {message}"


@pytest.mark.parametrize(
    ("scenario", "dual_stack_ports"),
    [
        ("netns-mixed", [("tcp", 443), ("tcp", 8443), ("udp", 123)]),  # not 25: an IPv4 listener shares it
        ("lab-nginx", []),  # nginx's [::] sockets sit next to its 0.0.0.0 ones: IPv6-only
        ("lab-apache", [("tcp", 80), ("tcp", 443)]),
        ("netns-v6only", []),  # bindv6only=1
        ("netns-other-pidns", [("udp", 53)]),
    ],
)
def test_which_wildcard_ipv6_sockets_are_dual_stack(tmp_path, scenario, dual_stack_ports):
    root = build(tmp_path, scenario)[0]
    sockets = read_sockets(root)
    dual = dual_stack_inodes(sockets, read_bindv6only(root))
    assert sorted((s.protocol, s.port) for s in sockets if s.inode in dual) == dual_stack_ports


def test_listening_is_filtered_sorted_and_owned(tmp_path, monkeypatch):
    root, denied = build(tmp_path, "lab-apache")
    deny_fds(monkeypatch, root, denied)
    fixed_users(monkeypatch)
    result = run(parse_query({"ports": ["22", "5000-8080"]}), root)
    assert result["listening"] == [
        {
            "protocol": "tcp",
            "family": "ipv4",
            "address": "0.0.0.0",
            "port": 22,
            "dual_stack": False,
            "pid": 37,
            "process": "sshd",
            "user": "root",
            "unit": None,
            "container": None,
        },
        {
            "protocol": "tcp",
            "family": "ipv6",
            "address": "::",
            "port": 22,
            "dual_stack": False,  # sshd's 0.0.0.0:22 beside it shows it is IPv6-only
            "pid": 37,
            "process": "sshd",
            "user": "root",
            "unit": None,
            "container": None,
        },
        {
            "protocol": "tcp",
            "family": "ipv4",
            "address": "0.0.0.0",
            "port": 8080,
            "dual_stack": False,
            "pid": None,
            "process": None,
            "user": "www-data",  # the socket's uid from the kernel table
            "unit": None,
            "container": None,
        },
        {
            "protocol": "udp",
            "family": "ipv4",
            "address": "0.0.0.0",
            "port": 5000,
            "dual_stack": False,
            "pid": None,
            "process": None,
            "user": "www-data",
            "unit": None,
            "container": None,
        },
    ]
    # each owning process once, and the reason once: entries carry neither (issue 18: the result's size)
    assert result["processes"] == {
        "37": {"process": "sshd", "user": "root", "cmdline": "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"}
    }
    assert result["owner_unknown_reason"] == UNREADABLE
    assert result["bindv6only"] is False
    assert result["msg"] == "4 listening socket(s) reported"


def test_reuseport_sockets_are_sorted_by_pid(tmp_path):
    root = build(tmp_path, "netns-mixed")[0]
    result = run(parse_query({"ports": [8000]}), root)
    assert [(e["process"], e["pid"]) for e in result["listening"]] == [("worker-a", 32265), ("worker-b", 32266)]


def test_expectations_ignore_the_filters(tmp_path):
    root = build(tmp_path, "lab-nginx")[0]
    result = run(parse_query({"ports": [22], "protocols": ["udp"], "expect": [{"port": 443}]}), root)
    assert result["listening"] == []
    assert [m["port"] for m in result["matched"]] == [443]
    assert result["msg"] == "all 1 expected listener(s) found; 0 listening socket(s) reported"


def test_owners_are_looked_up_only_for_what_is_reported(tmp_path, monkeypatch):
    from ansible_collections.webedge.https.plugins.module_utils.listening import report

    root = build(tmp_path, "lab-nginx")[0]
    asked = []
    real = report.find_owners
    monkeypatch.setattr(report, "find_owners", lambda uids, proc: asked.append(sorted(uids)) or real(uids, proc))
    run(parse_query({"ports": [22], "expect": [{"port": 443}]}), root)
    assert asked == [[76532, 76533, 77915, 77926]]  # 22 (reported) and 443 (expected); not 80


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"ports": [0]}, "invalid port 0: ports run from 1 to 65535"),
        ({"ports": [443, 70000]}, "invalid port 70000: ports run from 1 to 65535"),
        ({"ports": ["abc"]}, "invalid port 'abc': expected an integer from 1 to 65535 or a range 'a-b'"),
        ({"ports": ["500-400"]}, "invalid port range '500-400': the first port is greater than the last"),
        ({"protocols": ["tcp", "sctp"]}, "unknown protocol 'sctp': expected one of tcp, udp"),
        ({"expect": [{"process": "nginx"}]}, "expect[0]: port is required"),
        ({"expect": [{"port": 443, "family": "inet"}]}, "expect[0]: unknown family 'inet': expected one of ipv4, ipv6"),
        (
            {"fact_name": "2listeners"},
            "invalid fact_name '2listeners': use letters, digits and underscores, not starting with a digit",
        ),
    ],
)
def test_bad_input_fails_naming_the_value(params, message):
    with pytest.raises(QueryError) as caught:
        parse_query(params)
    assert str(caught.value) == message


def test_defaults():
    assert parse_query({}) == Query((), ("tcp", "udp"), (), True, None)


def test_a_socket_of_another_pid_namespace_reports_a_null_pid_and_why(tmp_path, monkeypatch):
    fixed_users(monkeypatch)
    root = build(tmp_path, "netns-other-pidns")[0]
    result = run(parse_query({"ports": [443]}), root)
    entry = result["listening"][0]
    assert (entry["pid"], entry["process"], entry["user"]) == (None, None, "root")
    assert result["owner_unknown_reason"] == NOT_VISIBLE and result["processes"] == {}
