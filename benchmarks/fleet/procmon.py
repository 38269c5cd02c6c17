# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a command and measure it the way the fleet benchmark reports it.

- wall clock;
- CPU seconds (user + system) of the process and every descendant it waited for (``wait4``'s
  rusage: Ansible's forked workers and their ssh or podman clients), which is the controller's
  CPU; an ssh ControlPersist master detaches and is not counted (it only relays bytes);
- peak RSS of the whole process tree (the process and all its live descendants, summed), sampled
  from /proc every ``interval`` seconds. ``ru_maxrss`` would give the largest single process
  only, and the issue asks for the tree. Ansible's workers are forks of the controller and share
  most of their pages with it, which a sum of RSS counts once per process; so at each new peak
  the tree's PSS (proportional set size: shared pages divided among their sharers, from
  /proc/PID/smaps_rollup) is read too: the memory the tree really holds.

Standard library only; Linux only (/proc).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measured:
    argv: List[str]
    rc: int
    wall: float
    cpu: float  # user + system seconds of the tree (waited-for descendants)
    peak_rss: int  # bytes, the tree summed, sampled
    samples: int
    output: str  # stdout and stderr, interleaved
    peak_pss: int = 0  # bytes: the tree's PSS at its RSS peak
    target_cpu: float = 0.0  # CPU seconds of the targets during the run, when the caller measures them


def _stat(pid: str) -> Optional[tuple]:
    """(ppid, rss bytes) of a pid, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    tail = data[data.rindex(b")") + 2 :].split()
    # fields after "comm": state(0) ppid(1) ... rss is field 24 of stat, i.e. tail[21]
    return int(tail[1]), int(tail[21]) * PAGE


def tree_pids(root: int) -> List[int]:
    """``root`` and its live descendants."""
    parent: Dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found = _stat(entry)
            if found is not None:
                parent[int(entry)] = found[0]
    children: Dict[int, List[int]] = {}
    for pid, ppid in parent.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def tree_pss(root: int) -> int:
    """The summed PSS (bytes) of ``root`` and its descendants."""
    total = 0
    for pid in tree_pids(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


def tree_rss(root: int) -> int:
    """The summed RSS of ``root`` and all its descendants (one pass over /proc)."""
    parent: Dict[int, int] = {}
    rss: Dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        found = _stat(entry)
        if found is None:
            continue
        pid = int(entry)
        parent[pid], rss[pid] = found
    children: Dict[int, List[int]] = {}
    for pid, ppid in parent.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


class _Sampler(threading.Thread):
    def __init__(self, root: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.peak = 0
        self.peak_pss = 0
        self.samples = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            rss = tree_rss(self.root)
            if rss > self.peak:  # a new peak: what the tree really holds now (costlier, so only here)
                self.peak = rss
                self.peak_pss = max(self.peak_pss, tree_pss(self.root))
            self.samples += 1
            self.done.wait(self.interval)


def measure(
    argv: List[str],
    env: Optional[Mapping[str, str]] = None,
    cwd: Optional[str] = None,
    interval: float = 0.2,
    log: Optional[str] = None,
) -> Measured:
    """Run ``argv`` to the end; its output goes to ``log`` (a file path) and is returned."""
    log = log or os.devnull
    with open(log, "w+b") as out:
        started = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        sampler = _Sampler(proc.pid, interval)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        sampler.done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace") if log != os.devnull else ""
    return Measured(
        argv=list(argv),
        rc=proc.returncode,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_rss=sampler.peak,
        peak_pss=sampler.peak_pss,
        samples=sampler.samples,
        output=text,
    )
