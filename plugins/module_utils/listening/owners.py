# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which process holds a socket: ``/proc/<pid>/fd/*`` links ``socket:[inode]``.

One pass over the processes in ascending pid order, reading only until every wanted inode is
found, so the lowest pid holding a socket is its owner (the master of a pre-forking server,
whose workers inherit the socket). Process details are read once per owning pid.
"""

from __future__ import annotations

import os
import pwd
from typing import Callable, Dict, Iterable, List, Optional, Set, Tuple

from ansible_collections.webedge.https.plugins.module_utils.listening.model import Owner

__all__ = ["Owner", "find_owners", "scan_socket_holders", "user_name"]

SOCKET_PREFIX = "socket:["
MAX_PIDS_NAMED = 5


def _readlink(path: str) -> str:
    return os.readlink(path)


def _listdir(path: str) -> List[str]:
    return os.listdir(path)


def user_name(uid: int) -> str:
    """The user name of ``uid``, or the uid as text when it has no passwd entry."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def scan_socket_holders(wanted: Iterable[int], proc_root: str = "/proc") -> Tuple[Dict[int, int], List[int]]:
    """Map each wanted socket inode to the lowest pid holding it.

    Returns (inode -> pid, pids whose open files could not be read). Processes that exit
    during the scan are skipped.

    The hot loop is one ``readlink`` per open file of every process scanned (thousands on a
    busy host), so paths are built by concatenation and only socket links are parsed.
    """
    remaining: Set[int] = set(wanted)
    holders: Dict[int, int] = {}
    denied: List[int] = []
    if not remaining:
        return holders, denied
    listdir, readlink = _listdir, _readlink
    start, cut = len(SOCKET_PREFIX), -1
    pids = sorted(int(entry) for entry in listdir(proc_root) if entry.isdigit())
    for pid in pids:
        fd_dir = f"{proc_root}/{pid}/fd"
        prefix = fd_dir + "/"
        try:
            for fd in listdir(fd_dir):
                link = readlink(prefix + fd)
                if link.startswith(SOCKET_PREFIX):
                    inode = int(link[start:cut])
                    if inode in remaining:
                        holders[inode] = pid
                        remaining.discard(inode)
        except PermissionError:  # another user's process; in a container even root needs CAP_SYS_PTRACE
            denied.append(pid)
        except OSError:  # the process or the fd went away
            continue
        if not remaining:
            break
    return holders, denied


def _read_text(path: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


class _ProcessInfo:
    """(comm, user, cmdline) of a pid, read once."""

    def __init__(self, proc_root: str, name_of: Callable[[int], str]) -> None:
        self._root = proc_root
        self._name_of = name_of
        self._cache: Dict[int, Tuple[Optional[str], Optional[str], Optional[str]]] = {}

    def get(self, pid: int) -> Tuple[Optional[str], Optional[str], Optional[str]]:
        found = self._cache.get(pid)
        if found is None:
            base = os.path.join(self._root, str(pid))
            comm = _read_text(os.path.join(base, "comm"))
            cmdline = _read_text(os.path.join(base, "cmdline"))
            status = _read_text(os.path.join(base, "status"))
            user = None
            for line in (status or b"").splitlines():
                if line.startswith(b"Uid:"):
                    user = self._name_of(int(line.split()[2]))  # effective uid
                    break
            found = self._cache[pid] = (
                None if comm is None else comm.decode("utf-8", "replace").rstrip("\n"),
                user,
                None if cmdline is None else cmdline.rstrip(b"\0").replace(b"\0", b" ").decode("utf-8", "replace"),
            )
        return found


def _unknown_reason(denied: List[int]) -> str:
    if denied:
        named = ", ".join(str(pid) for pid in denied[:MAX_PIDS_NAMED])
        more = f" and {len(denied) - MAX_PIDS_NAMED} more" if len(denied) > MAX_PIDS_NAMED else ""
        which = f"pid {named}" if len(denied) == 1 else f"{len(denied)} processes (pids {named}{more})"
        return (
            f"no permission to read the open files (/proc/PID/fd) of {which}, which may hold it;"
            " run as root (become: true); in a container root also needs CAP_SYS_PTRACE"
        )
    return (
        "held by no process visible in /proc (a process in another PID namespace sharing this network"
        " namespace, processes hidden by the hidepid mount option of /proc, or a kernel socket)"
    )


def find_owners(
    socket_uids: Dict[int, int],
    proc_root: str = "/proc",
    name_of: Optional[Callable[[int], str]] = None,
) -> Dict[int, Owner]:
    """An Owner for every socket inode in ``socket_uids`` (inode -> the socket's uid).

    When the process cannot be seen, ``user`` is the socket's own uid from the kernel table.
    ``name_of`` maps a uid to a user name (default: the passwd database).
    """
    name_of = name_of or user_name
    holders, denied = scan_socket_holders(socket_uids, proc_root)
    info = _ProcessInfo(proc_root, name_of)
    owners: Dict[int, Owner] = {}
    reason: Optional[str] = None
    names: Dict[int, str] = {}
    for inode, uid in socket_uids.items():
        pid = holders.get(inode)
        if pid is not None:
            owners[inode] = Owner(pid, *info.get(pid))
            continue
        if reason is None:
            reason = _unknown_reason(denied)
        if uid not in names:
            names[uid] = name_of(uid)
        owners[inode] = Owner(None, None, names[uid], None, reason)
    return owners
