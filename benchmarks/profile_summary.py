# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Summarise a py-spy ``--format raw`` profile (folded stacks: ``frame;frame;... COUNT``).

    python3 benchmarks/profile_summary.py FILE [--top N]

Splits the samples into the controller's main process (strategy, results, callbacks) and its
forked workers (``WorkerProcess``: templating, the action, the connection), and lists for each the
functions holding the most samples inclusively (each function counted once per stack) and where
the CPU itself is spent (the leaf frame). A function is ``file.py:function``; lines are dropped.
Frames of this collection (``ansible_collections/webedge/https``) are counted apart too.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
from typing import Any, Dict, List, Tuple

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^():]+)(?::\d+)?\)$")
OURS = "ansible_collections/webedge/https/"


def _name(frame: str) -> str:
    match = FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match["file"]
    if OURS in path:
        short = "webedge:" + path.split(OURS, 1)[1]
    elif "/site-packages/" in path:
        short = path.split("/site-packages/", 1)[1]
    else:
        short = path.rsplit("/", 1)[-1]
    return f"{short}:{match['func']}"


# Where controller time goes, by phase: (label, substrings of a frame name); a sample counts for every
# phase one of its frames matches (inclusive), so the shares overlap and need not add up to 100%.
PHASES = [
    ("start-up: imports", ("_find_and_load",)),
    ("inventory and playbook loading", ("inventory/manager.py:", "playbook/__init__.py:Playbook.load", "yaml/")),
    ("variables (VariableManager.get_vars)", ("vars/manager.py:VariableManager.get_vars",)),
    ("templating (Jinja2)", ("template/__init__.py:", "_internal/_templating/", "jinja2/")),
    ("main: forking workers", ("popen_fork.py:Popen._launch",)),
    ("building modules (AnsiballZ)", ("module_common.py:modify_module", "module_common.py:_find_module_utils")),
    ("ssh: connection plugin", ("connection/ssh.py:",)),
    ("action plugins of webedge.https", ("webedge:plugins/action/",)),
    ("filters of webedge.https", ("webedge:plugins/filter/",)),
    ("tls_probe (in-process probe)", ("webedge:plugins/module_utils/tls/",)),
    ("results: strategy processing", ("strategy/__init__.py:StrategyBase._process_pending_results",)),
    ("results: callbacks", ("task_queue_manager.py:TaskQueueManager.send_callback",)),
    ("main: polling for results (_wait_on_pending_results)", ("_wait_on_pending_results",)),
    ("workers: waiting on the host (select)", ("selectors.py:",)),
]
# Phases counted in one kind of process only (the workers' stacks start with their parent's frames).
MAIN_ONLY = ("main: forking workers", "main: polling for results (_wait_on_pending_results)")
WORKERS_ONLY = ("workers: waiting on the host (select)",)
# The strategy's loop for a free worker: StrategyBase._queue_task spins (sleeping 100 microseconds a turn,
# hard-coded) while every fork is busy; its own frame at the top of the main process's stack.
SPIN = "ansible/plugins/strategy/__init__.py:StrategyBase._queue_task"


def parse(path: str) -> List[Tuple[List[str], int]]:
    stacks = []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line:
                continue
            body, _sep, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            stacks.append((body.split(";"), int(count)))
    return stacks


def summarise(path: str, top: int = 12) -> Dict[str, Any]:
    stacks = parse(path)
    total = sum(c for _s, c in stacks)
    groups: Dict[str, Dict[str, Any]] = {}
    ours = 0
    phases: collections.Counter = collections.Counter()
    for frames, count in stacks:
        names = [_name(f) for f in frames if not f.startswith("process ") and not f.startswith("thread ")]
        if any("AnsiballZ_" in n for n in names):
            role = "module processes (a local target)"
        elif any(n.endswith("WorkerProcess.run") or n.endswith("WorkerProcess._run") for n in names):
            role = "workers"
        else:
            role = "main process"
        for label, needles in PHASES:
            if (label in MAIN_ONLY and role != "main process") or (label in WORKERS_ONLY and role != "workers"):
                continue
            if any(needle in name for name in names for needle in needles):
                phases[label] += count
        if role == "main process" and names and names[-1] == SPIN:
            phases["main: spinning for a free worker (_queue_task)"] += count
        group = groups.setdefault(
            role, {"samples": 0, "inclusive": collections.Counter(), "self": collections.Counter()}
        )
        group["samples"] += count
        for name in set(names):
            group["inclusive"][name] += count
        if names:
            group["self"][names[-1]] += count
        if any(n.startswith("webedge:") for n in names):
            ours += count
    out: Dict[str, Any] = {
        "samples": total,
        "ours_share": ours / total if total else 0.0,
        "phases": [
            (label, phases[label] / total if total else 0.0)
            for label in [p[0] for p in PHASES] + ["main: spinning for a free worker (_queue_task)"]
        ],
        "groups": {},
    }
    for role, group in sorted(groups.items()):
        out["groups"][role] = {
            "samples": group["samples"],
            "share": group["samples"] / total if total else 0.0,
            "inclusive": [(n, c / total) for n, c in group["inclusive"].most_common(top)],
            "self": [(n, c / total) for n, c in group["self"].most_common(top)],
        }
    return out


def as_text(summary: Dict[str, Any]) -> str:
    lines = [f"{summary['samples']} samples; frames of webedge.https in {summary['ours_share']:.1%} of them"]
    lines.append("by phase (inclusive, overlapping):")
    lines += [f"    {share:6.1%}  {label}" for label, share in summary["phases"] if share > 0]
    for role, group in summary["groups"].items():
        lines.append(f"{role}: {group['share']:.1%} of the samples")
        lines.append("  inclusive (share of all samples):")
        lines += [f"    {share:6.1%}  {name}" for name, share in group["inclusive"]]
        lines.append("  self (leaf frame):")
        lines += [f"    {share:6.1%}  {name}" for name, share in group["self"]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    summary = summarise(args.path, args.top)
    print(json.dumps(summary, indent=1) if args.json else as_text(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
