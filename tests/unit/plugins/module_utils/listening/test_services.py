# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The service behind a socket: systemd unit from the cgroup, socket activation, container names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansible_collections.webedge.https.plugins.module_utils.listening.services import (
    LIST_SOCKETS_ARGV,
    ServiceResolver,
    parse_list_sockets,
    unit_from_cgroup,
)
from ansible_collections.webedge.https.tests.unit.helpers.proctree import write_process

CID = "4f2c" * 16
LIST_SOCKETS_JSON = json.dumps(
    [
        {
            "listen": "/run/dbus/system_bus_socket",
            "type": "UnixStream",
            "unit": "dbus.socket",
            "activates": "dbus.service",
        },
        {"listen": "[::]:8084", "type": "Stream", "unit": "web-act.socket", "activates": "web-act.service"},
        {"listen": "0.0.0.0:5353", "type": "Datagram", "unit": "mdns.socket", "activates": "mdns.service"},
    ]
)
LIST_SOCKETS_TABLE = """LISTEN                      TYPE       UNIT           ACTIVATES
/run/dbus/system_bus_socket UnixStream dbus.socket    dbus.service
[::]:8084                   Stream     web-act.socket web-act.service

3 sockets listed.
"""


@pytest.mark.parametrize("text", [LIST_SOCKETS_JSON, LIST_SOCKETS_TABLE])
def test_list_sockets_gives_the_inet_sockets_and_what_they_activate(text):
    found = parse_list_sockets(text)
    assert found[0] == {
        "protocol": "tcp",
        "address": "::",
        "port": 8084,
        "unit": "web-act.socket",
        "activates": "web-act.service",
    }
    assert all(entry["unit"] != "dbus.socket" for entry in found)


@pytest.mark.parametrize(
    ("path", "root", "expected"),
    [
        ("/system.slice/nginx.service", "/", ("nginx.service", None)),
        ("/machine.slice/lab1/system.slice/nginx.service", "/machine.slice/lab1", ("nginx.service", None)),
        (f"/machine.slice/libpod-{CID}.scope/container", "/", (None, CID)),
        (f"/system.slice/docker-{CID}.scope", "/", (None, CID)),
        (f"/docker/{CID}", "/", (None, CID)),
        ("/user.slice/user-0.slice/session-3.scope", "/", ("session-3.scope", None)),
        (None, "/", (None, None)),
    ],
)
def test_unit_and_container_from_the_cgroup(path, root, expected):
    assert unit_from_cgroup(path, root) == expected


def _proc(tmp_path: Path, pid: int, comm: str, cmdline, cgroup: str, ppid: int = 1) -> None:
    write_process(tmp_path, pid, comm, cmdline, 0, [])
    (tmp_path / str(pid) / "cgroup").write_text(f"0::{cgroup}\n")
    (tmp_path / str(pid) / "stat").write_text(f"{pid} ({comm}) S {ppid} 0 0\n")


def test_a_container_host_reads_units_below_pid_1_and_containers_from_conmon(tmp_path):
    proc = tmp_path / "proc"
    proc.mkdir()
    _proc(proc, 1, "systemd", ["/sbin/init"], "/machine.slice/lab/init.scope", ppid=0)
    _proc(proc, 10, "python3", ["python3", "-m", "http.server"], "/machine.slice/lab/system.slice/web.service")
    _proc(
        proc,
        20,
        "conmon",
        ["/usr/bin/conmon", "--api-version", "1", "-c", CID, "-n", "web"],
        "/machine.slice/lab/system.slice/podman.service",
    )
    _proc(proc, 21, "httpd", ["httpd", "-f"], f"/machine.slice/lab/machine.slice/libpod-{CID}.scope/container", ppid=20)
    calls = []

    def runner(argv):
        calls.append(tuple(argv))
        return 0, LIST_SOCKETS_JSON, ""

    resolver = ServiceResolver(str(proc), str(tmp_path), runner)
    assert resolver.of_pid(10).unit == "web.service"
    assert (resolver.of_pid(20).container, resolver.of_pid(20).engine) == ("web", "podman")
    assert resolver.of_pid(21).container == "web"
    assert resolver.of_pid(21).describe() == "container web (podman)"
    activated = resolver.activated("tcp", "::", 8084)
    assert (activated.unit, activated.socket_unit) == ("web-act.service", "web-act.socket")
    assert resolver.activated("tcp", "::", 9999) is None
    assert calls == [LIST_SOCKETS_ARGV]  # read once


def test_podman_records_name_a_container_seen_only_by_its_scope(tmp_path):
    proc = tmp_path / "proc"
    proc.mkdir()
    records = tmp_path / "var/lib/containers/storage/overlay-containers"
    records.mkdir(parents=True)
    (records / "containers.json").write_text(json.dumps([{"id": CID, "names": ["db"]}]))
    _proc(proc, 1, "systemd", ["/sbin/init"], "/init.scope", ppid=0)
    _proc(proc, 30, "postgres", ["postgres"], f"/machine.slice/libpod-{CID}.scope/container")
    assert ServiceResolver(str(proc), str(tmp_path)).of_pid(30).container == "db"
