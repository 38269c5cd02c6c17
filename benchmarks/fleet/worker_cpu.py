# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the controller's CPU goes, per task: each worker process's own CPU, and the parent's time queueing it.

ansible-playbook forks one worker per task and host; most live well under 100 ms, too short for a sampling
profiler that attaches to new processes (py-spy) to see them whole. This wrapper runs ansible-playbook in this
process with two hooks and writes one JSON line per event:

* ``worker``: task name, host, the worker's user+system CPU from the start to the end of ``WorkerProcess.run``
  (``os.times``, 10 ms resolution: sum over hosts), its wall time;
* ``queue``: task name, host, the parent's CPU in ``StrategyBase._queue_task`` (the fork, and the spinning for a
  free worker when every fork is busy).

Usage (the same environment as the measured run: inventory, collections path, forks):

    .venv/bin/python benchmarks/fleet/worker_cpu.py run OUT.jsonl webedge.https.site [ansible-playbook arguments]
    .venv/bin/python benchmarks/fleet/worker_cpu.py summary OUT.jsonl

Hooks into ansible-core's internals (``WorkerProcess.run``, ``StrategyBase._queue_task``): a measuring tool for
ansible-core 2.17 to 2.19, never used by the collection itself.
"""

from __future__ import annotations

import collections
import json
import os
import sys
import time
from typing import Any, Callable, Dict, List


def _append(path: str, row: List[Any]) -> None:
    with open(path, "a", encoding="utf-8") as handle:  # one write per line: workers append concurrently
        handle.write(json.dumps(row) + "\n")


def _hook_worker(path: str) -> None:
    from ansible.executor.process import worker

    original: Callable[..., Any] = worker.WorkerProcess.run

    def run(self: Any) -> Any:
        start, wall = os.times(), time.monotonic()
        try:
            return original(self)
        finally:
            end = os.times()
            cpu = end.user - start.user + end.system - start.system
            _append(path, ["worker", self._task.get_name(), self._host.name, cpu, time.monotonic() - wall])

    worker.WorkerProcess.run = run


def _hook_queue(path: str) -> None:
    from ansible.plugins import strategy

    original: Callable[..., Any] = strategy.StrategyBase._queue_task

    def queue(self: Any, host: Any, task: Any, task_vars: Any, play_context: Any) -> Any:
        start = time.process_time()
        try:
            return original(self, host, task, task_vars, play_context)
        finally:
            _append(path, ["queue", task.get_name(), host.name, time.process_time() - start, 0.0])

    strategy.StrategyBase._queue_task = queue


def run(path: str, argv: List[str]) -> int:
    _hook_worker(path)
    _hook_queue(path)
    from ansible.cli.playbook import main

    sys.argv = ["ansible-playbook", *argv]
    return main()


def summary(path: str) -> str:
    cpu: Dict[str, float] = collections.defaultdict(float)
    queued: Dict[str, float] = collections.defaultdict(float)
    runs: Dict[str, int] = collections.Counter()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            kind, task, _host, seconds = json.loads(line)[:4]
            if kind == "worker":
                cpu[task] += seconds
                runs[task] += 1
            elif kind == "queue":
                queued[task] += seconds
    lines = [
        f"workers' CPU {sum(cpu.values()):.1f} s over {sum(runs.values())} task executions;"
        f" the parent queueing them {sum(queued.values()):.1f} s",
        "  CPU s  ms/run  queue ms/run  runs  task",
    ]
    for task, seconds in sorted(cpu.items(), key=lambda item: -item[1]):
        n = runs[task]
        lines.append(f"{seconds:7.2f}  {1000 * seconds / n:6.0f}  {1000 * queued[task] / n:12.0f}  {n:4}  {task[:100]}")
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) >= 4 and sys.argv[1] == "run":
        return run(sys.argv[2], sys.argv[3:])
    if len(sys.argv) == 3 and sys.argv[1] == "summary":
        print(summary(sys.argv[2]))
        return 0
    print(__doc__.split("Usage")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
