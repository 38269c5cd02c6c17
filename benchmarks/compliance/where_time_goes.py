# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where one tls_probe run spends its time: per check, the jobs' wall and CPU time, and the process's CPU.

Runs the probe in this process (as the tls_probe action does on the controller) on N lab endpoints,
with every check's jobs wrapped to time themselves, and prints per check: jobs, total and longest
job time, and the whole run's wall and CPU time. Called by bench.py; traffic goes only to the lab
address given (bench.py runs the containment guard first).

    python where_time_goes.py --address 10.89.0.5 --ca-file ca.crt --count 50 [--json-out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections import defaultdict
from typing import Any, Callable, Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BENCH_NAME = "bench.lab.test"
BENCH_FIRST_PORT = 5001


def _import_probe() -> Any:
    collections = os.environ.get("ANSIBLE_COLLECTIONS_PATH", os.path.join(REPO, ".build", "collections"))
    sys.path.insert(0, collections.split(os.pathsep)[0])
    from ansible_collections.webedge.https.plugins.module_utils.tls.probe import runner
    from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks import registry
    from ansible_collections.webedge.https.plugins.module_utils.tls.probe.targets import parse_targets
    from ansible_collections.webedge.https.plugins.plugin_utils.tls.certificate_reader import controller_reader

    return runner, registry, parse_targets, controller_reader


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--ca-file", required=True)
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--first-port", type=int, default=BENCH_FIRST_PORT)
    parser.add_argument("--server-name", default=BENCH_NAME)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--json-out")
    args = parser.parse_args()
    runner, registry, parse_targets, controller_reader = _import_probe()
    spent: Dict[str, List[float]] = defaultdict(list)
    cpu_spent: Dict[str, float] = defaultdict(float)
    lock = threading.Lock()

    def timed(name: str, job: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            started, cpu_started = time.monotonic(), time.thread_time()
            try:
                return job()
            finally:
                with lock:
                    spent[name].append(time.monotonic() - started)
                    cpu_spent[name] += time.thread_time() - cpu_started

        return run

    for check in registry.PROBE_CHECKS:
        original = check.jobs

        def jobs(endpoint: Any, prior: Any, _original: Any = original, _name: str = check.name) -> List[Any]:
            return [timed(_name, job) for job in _original(endpoint, prior)]

        check.jobs = jobs  # type: ignore[method-assign]
    for name in ("_version_job", "_handshake_job"):
        original_job = getattr(runner, name)

        def wrapped(*a: Any, _original: Any = original_job, _name: str = name, **k: Any) -> Any:
            return timed(_name.strip("_").replace("_job", "s"), lambda: _original(*a, **k))()

        setattr(runner, name, wrapped)
    targets = parse_targets(
        [{"host": args.server_name, "port": args.first_port + i, "address": args.address} for i in range(args.count)]
    )
    cpu, wall = time.process_time(), time.monotonic()
    reports = runner.probe_targets(targets, ca_file=args.ca_file, timeout=args.timeout, reader=controller_reader())
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    rows = {
        name: {
            "jobs": len(times),
            "total_s": round(sum(times), 3),
            "longest_s": round(max(times), 3),
            "cpu_s": round(cpu_spent[name], 3),
        }
        for name, times in sorted(spent.items(), key=lambda item: -max(item[1]))
    }
    errors = sum(1 for report in reports if report.result["error"])
    print(f"{args.count} endpoint(s): wall {wall:.2f} s, CPU {cpu:.2f} s, {errors} error(s)")
    print(f"  {'check':24s} {'jobs':>6s} {'sum of job time':>16s} {'longest job':>12s} {'CPU in jobs':>12s}")
    for name, row in rows.items():
        print(f"  {name:24s} {row['jobs']:6d} {row['total_s']:15.2f}s {row['longest_s']:11.3f}s {row['cpu_s']:11.3f}s")
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump({"count": args.count, "wall_s": wall, "cpu_s": cpu, "errors": errors, "checks": rows}, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
