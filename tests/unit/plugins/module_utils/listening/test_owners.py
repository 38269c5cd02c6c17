# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Socket inode -> process, on /proc trees made of real ``socket:[inode]`` symlinks."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.module_utils.listening import owners as owners_mod
from ansible_collections.webedge.https.plugins.module_utils.listening.owners import (
    Owner,
    find_owners,
    scan_socket_holders,
)
from ansible_collections.webedge.https.tests.unit.helpers.proctree import (
    USERS,
    build,
    deny_fds,
    write_process,
)

NOT_VISIBLE = (
    "held by no process visible in /proc (a process in another PID namespace sharing this network namespace,"
    " processes hidden by the hidepid mount option of /proc, or a kernel socket)"
)
DENIED_LAB_APACHE = (
    "no permission to read the open files (/proc/PID/fd) of 4 processes (pids 33, 108, 109, 137), which may hold it;"
    " run as root (become: true); in a container root also needs CAP_SYS_PTRACE"
)


def _users(uid: int) -> str:
    return USERS.get(uid, str(uid))


@pytest.fixture()
def tree(tmp_path):
    """nginx master (100) and worker (101) share inode 500; sshd (7) holds 600; 900 is nobody's."""
    root = tmp_path / "proc"
    write_process(root, 7, "sshd", ["sshd: /usr/sbin/sshd -D [listener]"], 0, ["/dev/null", "socket:[600]"])
    master = ["nginx: master process /usr/sbin/nginx", "", ""]  # nginx rewrites its argv, NULs left over
    write_process(root, 100, "nginx", master, 0, ["pipe:[1]", "socket:[500]", "socket:[501]"])
    write_process(root, 101, "nginx", ["nginx: worker process"], 33, ["socket:[500]", "anon_inode:[eventpoll]"])
    write_process(root, 1000, "python3", ["/usr/bin/python3", "-m", "http.server"], 4242, ["socket:[700]"])
    (root / "self").mkdir()
    (root / "net").mkdir()
    return str(root)


@pytest.mark.parametrize(
    ("wanted", "holders"),
    [
        ({500}, {500: 100}),  # master and worker share it: the lowest pid owns it
        ({600, 500}, {600: 7, 500: 100}),
        ({700}, {700: 1000}),
        ({900}, {}),
        (set(), {}),
    ],
    ids=["shared-lowest-pid", "two-processes", "unprivileged-user", "not-held", "nothing-wanted"],
)
def test_each_inode_maps_to_the_lowest_pid_holding_it(tree, wanted, holders):
    assert scan_socket_holders(wanted, tree) == (holders, [])


def test_the_scan_stops_once_every_wanted_inode_is_found(tree, monkeypatch):
    listed = []
    real = owners_mod._listdir

    def listdir(path):
        listed.append(path)
        return real(path)

    monkeypatch.setattr(owners_mod, "_listdir", listdir)
    scan_socket_holders({600}, tree)
    assert [p for p in listed if p.endswith("/fd")] == [f"{tree}/7/fd"]


def test_owner_details_come_from_comm_cmdline_and_effective_uid(tree):
    found = find_owners({500: 0, 600: 0, 700: 4242}, tree, _users)
    assert found == {
        500: Owner(100, "nginx", "root", "nginx: master process /usr/sbin/nginx"),
        600: Owner(7, "sshd", "root", "sshd: /usr/sbin/sshd -D [listener]"),
        700: Owner(1000, "python3", "4242", "/usr/bin/python3 -m http.server"),
    }


def test_an_inode_in_no_visible_process_says_so_and_keeps_the_socket_uid(tree):
    assert find_owners({900: 33}, tree, _users) == {900: Owner(None, None, "www-data", None, NOT_VISIBLE)}


def test_unreadable_fd_tables_are_named_in_the_reason(tree, monkeypatch):
    deny_fds(monkeypatch, tree, [1000])
    found = find_owners({700: 4242, 600: 0}, tree, _users)
    assert found[600].pid == 7
    assert found[700] == Owner(
        None,
        None,
        "4242",
        None,
        "no permission to read the open files (/proc/PID/fd) of pid 1000, which may hold it;"
        " run as root (become: true); in a container root also needs CAP_SYS_PTRACE",
    )


def test_a_process_that_exits_during_the_scan_is_skipped(tree, monkeypatch):
    real = owners_mod._listdir

    def listdir(path):
        if path.endswith("/7/fd"):
            raise FileNotFoundError(2, "No such file or directory", path)
        return real(path)

    monkeypatch.setattr(owners_mod, "_listdir", listdir)
    assert scan_socket_holders({600, 500}, tree) == ({500: 100}, [])


@pytest.mark.parametrize(
    ("scenario", "socket_uids", "expected"),
    [
        (
            "lab-nginx",  # the master holds the sockets; its www-data workers' fds are unreadable, and not needed
            {76533: 0, 77915: 0},
            {
                76533: Owner(
                    55, "nginx", "root", "nginx: master process /usr/sbin/nginx -g daemon on; master_process on;"
                ),
                77915: Owner(37, "sshd", "root", "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"),
            },
        ),
        (
            "lab-apache",  # python3 as www-data on 8080: root in the container cannot read its fds
            {88621: 33, 89186: 0},
            {
                88621: Owner(None, None, "www-data", None, DENIED_LAB_APACHE),
                89186: Owner(107, "apache2", "root", "/usr/sbin/apache2 -k start"),
            },
        ),
    ],
    ids=["lab-nginx", "lab-apache-unreadable"],
)
def test_owners_in_captured_lab_containers(tmp_path, monkeypatch, scenario, socket_uids, expected):
    root, denied = build(tmp_path, scenario)
    deny_fds(monkeypatch, root, denied)
    assert find_owners(socket_uids, root, _users) == expected
