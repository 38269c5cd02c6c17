# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper: a /proc tree rebuilt from a captured scenario under tests/unit/fixtures/listening/.

The socket tables are copied verbatim; each captured process becomes ``<root>/<pid>/`` with
``comm``, ``cmdline``, ``status`` and real ``fd/N -> socket:[inode]`` symlinks.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Dict, List, Tuple

from ansible_collections.webedge.https.plugins.module_utils.listening import owners

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "listening"
TABLES = ("tcp", "tcp6", "udp", "udp6")
SCENARIOS = ("netns-mixed", "netns-v6only", "netns-other-pidns", "lab-nginx", "lab-apache", "lab-nginx-local")
USERS = {0: "root", 33: "www-data", 100: "messagebus"}


def scenario_owners(scenario: str) -> List[Dict[str, Any]]:
    with open(FIXTURES / scenario / "owners.json") as handle:
        return json.load(handle)["processes"]


def write_process(root: Path, pid: int, comm: str, cmdline: List[str], uid: int, links: List[str]) -> None:
    base = root / str(pid)
    (base / "fd").mkdir(parents=True)
    (base / "comm").write_text(comm + "\n")
    (base / "cmdline").write_bytes(b"".join(arg.encode() + b"\0" for arg in cmdline))
    (base / "status").write_text(f"Name:\t{comm}\nUmask:\t0022\nState:\tS\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\n")
    for number, target in enumerate(links):
        os.symlink(target, base / "fd" / str(number))


def build(tmp_path: Path, scenario: str) -> Tuple[str, List[int]]:
    """The proc root for ``scenario`` and the pids whose fd links the capture could not read."""
    root = tmp_path / "proc"
    (root / "net").mkdir(parents=True)
    for table in TABLES:
        if (FIXTURES / scenario / table).exists():
            shutil.copyfile(FIXTURES / scenario / table, root / "net" / table)
    (root / "sys" / "net" / "ipv6").mkdir(parents=True)
    shutil.copyfile(FIXTURES / scenario / "bindv6only", root / "sys" / "net" / "ipv6" / "bindv6only")
    (root / "self").mkdir()  # /proc has non-numeric entries too
    denied: List[int] = []
    for proc in scenario_owners(scenario):
        links = ["/dev/null", "pipe:[4242]"] + [f"socket:[{inode}]" for inode in proc["socket_inodes"]]
        write_process(root, proc["pid"], proc["comm"], proc["cmdline"], proc["uid"], links)
        if proc.get("fd_denied"):
            denied.append(proc["pid"])
    return str(root), denied


def deny_fds(monkeypatch: Any, root: str, pids: List[int]) -> None:
    """Make reading the fd links of ``pids`` fail as it does without CAP_SYS_PTRACE."""
    real = owners._readlink
    blocked = tuple(os.path.join(root, str(pid), "fd") + os.sep for pid in pids)

    def readlink(path: str) -> str:
        if blocked and path.startswith(blocked):
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(owners, "_readlink", readlink)


def fixed_users(monkeypatch: Any) -> None:
    """User names independent of the test machine's passwd."""
    monkeypatch.setattr(owners, "user_name", lambda uid: USERS.get(uid, str(uid)))
