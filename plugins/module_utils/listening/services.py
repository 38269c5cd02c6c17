# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The service behind a socket: its systemd unit, and the container it belongs to.

A process name says ``systemd``, ``conmon`` or ``docker-proxy``; people ask which service that is.

* **systemd unit**: the unit whose cgroup holds the owning process (``/proc/<pid>/cgroup``, the
  systemd hierarchy), read relative to PID 1's own cgroup, so a host that is itself a container
  reads the same as a machine. A socket held by PID 1 is systemd's socket activation: it belongs
  to the service its ``.socket`` unit activates, not to PID 1 (``systemctl list-sockets``, one
  command, only when PID 1 holds a listening socket).
* **container**: a process that is a container's (or its conmon's) descendant belongs to that
  container: conmon names it on its command line (``-n NAME``, ``-c ID``), Docker's
  ``containerd-shim`` gives its id (``-id``); ``docker-proxy`` holds a published port for the
  container at its ``-container-ip``. Without those, a container scope in the cgroup path
  (``libpod-<id>.scope``, ``docker-<id>.scope``, ``/docker/<id>``) gives the id. Names come
  from the engines' own records (podman's ``containers.json``, Docker's ``config.v2.json``);
  a container whose name cannot be read is given by its short id.
"""

from __future__ import annotations

import glob
import json
import os
import re
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.listening.model import Service

__all__ = [
    "LIST_SOCKETS_ARGV",
    "ContainerNames",
    "Service",
    "ServiceResolver",
    "parse_list_sockets",
    "unit_from_cgroup",
]

LIST_SOCKETS_ARGV = ("systemctl", "list-sockets", "--all", "--full", "--show-types", "--no-pager", "--output=json")
UNIT_SUFFIXES = (".service", ".scope")
MAX_ANCESTORS = 16
_CONTAINER_SCOPE = re.compile(r"^(?:libpod|docker|crio|cri-containerd)-(?:conmon-)?([0-9a-f]{64})(?:\.scope)?$")
_HEX_ID = re.compile(r"^[0-9a-f]{64}$")
SOCKET_TYPES = {"stream": "tcp", "datagram": "udp"}
Runner = Callable[[Sequence[str]], Tuple[int, str, str]]


def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def _systemd_path(text: Optional[str]) -> Optional[str]:
    """The systemd hierarchy's path in a ``/proc/<pid>/cgroup`` text (v1 ``name=systemd``, else v2 ``0::``)."""
    unified = named = None
    for line in (text or "").splitlines():
        number, _sep, rest = line.partition(":")
        controllers, _sep, path = rest.partition(":")
        if controllers == "name=systemd":
            named = path
        elif number == "0" and controllers == "":
            unified = path
    return named if named is not None else unified


def unit_from_cgroup(path: Optional[str], root: str = "/") -> Tuple[Optional[str], Optional[str]]:
    """``(unit, container id)`` from a systemd cgroup path, read below ``root`` (PID 1's parent cgroup)."""
    if not path:
        return None, None
    relative = path[len(root) :] if root != "/" and path.startswith(root.rstrip("/") + "/") else path
    unit = container = None
    parts = [p for p in relative.split("/") if p]
    for index, part in enumerate(parts):
        scope = _CONTAINER_SCOPE.match(part)
        if scope:
            container = scope.group(1)
            continue
        if index > 0 and parts[index - 1] == "docker" and _HEX_ID.match(part):
            container = part
            continue
        if part.endswith(UNIT_SUFFIXES):
            unit = part
    return unit, container


def _options(cmdline: Sequence[str]) -> Dict[str, str]:
    """``-n web -c ID`` / ``-id ID`` / ``--name=web`` -> ``{"-n": "web", ...}`` (flags without a value skipped)."""
    found: Dict[str, str] = {}
    for index, word in enumerate(cmdline):
        if word.startswith("--") and "=" in word:
            key, _sep, value = word.partition("=")
            found.setdefault(key, value)
        elif word.startswith("-") and index + 1 < len(cmdline) and not cmdline[index + 1].startswith("-"):
            found.setdefault(word, cmdline[index + 1])
    return found


class ContainerNames:
    """Container id -> name (and container address -> id for Docker), from the engines' records, read once."""

    def __init__(self, root: str = "/") -> None:
        self._root = root
        self._names: Optional[Dict[str, Tuple[str, str]]] = None
        self._addresses: Dict[str, str] = {}

    def _load(self) -> Dict[str, Tuple[str, str]]:
        if self._names is not None:
            return self._names
        names: Dict[str, Tuple[str, str]] = {}
        pattern = os.path.join(self._root, "var/lib/containers/storage/*-containers/containers.json")
        for path in sorted(glob.glob(pattern)):
            try:
                records = json.loads(_read(path) or "[]")
            except ValueError:
                continue
            for record in records if isinstance(records, list) else []:
                if isinstance(record, Mapping) and record.get("id") and record.get("names"):
                    names[str(record["id"])] = (str(record["names"][0]), "podman")
        for path in sorted(glob.glob(os.path.join(self._root, "var/lib/docker/containers/*/config.v2.json"))):
            try:
                record = json.loads(_read(path) or "{}")
            except ValueError:
                continue
            if not isinstance(record, Mapping) or not record.get("ID"):
                continue
            names[str(record["ID"])] = (str(record.get("Name") or record["ID"][:12]).lstrip("/"), "docker")
            networks = (record.get("NetworkSettings") or {}).get("Networks") or {}
            for network in networks.values() if isinstance(networks, Mapping) else ():
                for key in ("IPAddress", "GlobalIPv6Address"):
                    if isinstance(network, Mapping) and network.get(key):
                        self._addresses[str(network[key])] = str(record["ID"])
        self._names = names
        return names

    def name(self, container_id: str, engine: Optional[str] = None) -> Tuple[str, Optional[str]]:
        """``(name, engine)``: the short id and ``engine`` when the records do not name it."""
        found = self._load().get(container_id)
        return found if found is not None else (container_id[:12], engine)

    def by_address(self, address: str) -> Optional[str]:
        self._load()
        return self._addresses.get(address)


class _Process:
    """What the attribution reads of one pid: parent, name, command line, systemd cgroup path."""

    def __init__(self, proc_root: str, pid: int) -> None:
        base = os.path.join(proc_root, str(pid))
        stat = _read(os.path.join(base, "stat")) or ""
        after = stat.rpartition(")")[2].split()
        self.ppid = int(after[1]) if len(after) > 1 and after[1].isdigit() else 0
        self.comm = (_read(os.path.join(base, "comm")) or "").strip()
        raw = _read(os.path.join(base, "cmdline")) or ""
        self.cmdline = [part for part in raw.split("\0") if part]
        self.cgroup = _systemd_path(_read(os.path.join(base, "cgroup")))


class ServiceResolver:
    """The :class:`Service` of each owning pid (cached), and of sockets systemd holds for socket activation."""

    def __init__(self, proc_root: str = "/proc", root: str = "/", runner: Optional[Runner] = None) -> None:
        self._proc = proc_root
        self._runner = runner
        self._names = ContainerNames(root)
        self._processes: Dict[int, _Process] = {}
        self._services: Dict[int, Service] = {}
        self._sockets: Optional[List[Dict[str, str]]] = None
        pid1 = self._process(1).cgroup or "/"
        self._root = "/"
        if pid1.endswith("/init.scope"):  # a host that is itself a container: its units sit below this
            self._root = pid1[: -len("/init.scope")] or "/"

    def _process(self, pid: int) -> _Process:
        found = self._processes.get(pid)
        if found is None:
            found = self._processes[pid] = _Process(self._proc, pid)
        return found

    def _container(self, process: _Process) -> Optional[Tuple[str, Optional[str]]]:
        """``(container, engine)`` named by this process itself (conmon, a shim, docker-proxy)."""
        options = _options(process.cmdline[1:])
        if process.comm == "conmon":
            if options.get("-n"):
                return options["-n"], "podman"
            if options.get("-c"):
                return self._names.name(options["-c"], "podman")
        if process.comm.startswith("containerd-shim") and options.get("-id"):
            return self._names.name(options["-id"], "docker")
        if process.comm == "docker-proxy" and options.get("-container-ip"):
            found = self._names.by_address(options["-container-ip"])
            if found is not None:
                return self._names.name(found, "docker")
            return options["-container-ip"], "docker"
        return None

    def of_pid(self, pid: int) -> Service:
        """The unit and container of the process ``pid``."""
        found = self._services.get(pid)
        if found is not None:
            return found
        process = self._process(pid)
        unit, scope_id = unit_from_cgroup(process.cgroup, self._root)
        container = self._container(process)
        ancestor, steps = process.ppid, 0
        while container is None and ancestor > 1 and steps < MAX_ANCESTORS:
            container = self._container(self._process(ancestor))
            ancestor, steps = self._process(ancestor).ppid, steps + 1
        if container is None and scope_id is not None:
            container = self._names.name(scope_id)
        name, engine = container if container is not None else (None, None)
        found = self._services[pid] = Service(unit=unit, container=name, engine=engine)
        return found

    def activated(self, protocol: str, address: str, port: int) -> Optional[Service]:
        """The service a ``.socket`` unit listening there activates (socket activation); None if none does."""
        if self._sockets is None:
            self._sockets = self._list_sockets()
        for entry in self._sockets:
            if entry["protocol"] == protocol and entry["port"] == port and entry["address"] in (address, "*"):
                return Service(unit=entry["activates"] or entry["unit"], socket_unit=entry["unit"])
        return None

    def _list_sockets(self) -> List[Dict[str, Any]]:
        if self._runner is None:
            return []
        rc, out, _err = self._runner(list(LIST_SOCKETS_ARGV))
        return parse_list_sockets(out) if rc == 0 else []


def _listen_address(text: str) -> Optional[Tuple[str, int]]:
    """``[::]:8081`` / ``0.0.0.0:53`` / ``8081`` -> ``(address, port)`` (``*`` for a bare port)."""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "*", text
    if not port.isdigit():
        return None
    return host.strip("[]") or "*", int(port)


def parse_list_sockets(text: str) -> List[Dict[str, Any]]:
    """``systemctl list-sockets --show-types --output=json`` (or its table) -> inet sockets with their units."""
    rows: List[Dict[str, str]] = []
    try:
        data = json.loads(text)
        rows = [r for r in data if isinstance(r, Mapping)] if isinstance(data, list) else []
    except ValueError:
        for line in (text or "").splitlines():
            words = line.split()
            if len(words) >= 3 and words[0] != "LISTEN" and not line[0].isspace():
                rows.append({"listen": words[0], "type": words[1], "unit": words[2], "activates": " ".join(words[3:])})
    found: List[Dict[str, Any]] = []
    for row in rows:
        protocol = SOCKET_TYPES.get(str(row.get("type", "")).lower())
        where = _listen_address(str(row.get("listen", "")))
        if protocol is None or where is None:
            continue
        activates = str(row.get("activates") or "").split(",", maxsplit=1)[0].strip()
        found.append(
            {
                "protocol": protocol,
                "address": where[0],
                "port": where[1],
                "unit": str(row.get("unit") or ""),
                "activates": activates,
            }
        )
    return found
