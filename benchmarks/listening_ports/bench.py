# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""webedge.https.listening_ports against ansible.builtin.ping and community.general.listen_ports_facts.

Called by run.sh (the collection exposed, the venv on PATH, the inventory written), on a host
holding --sockets listening TCP sockets. Each figure is an ad-hoc ``ansible HOST -m MODULE`` run
with the json callback (its result checked), as wall clock and controller CPU (the whole
process tree: the module process included on a local target). ping and ours run in alternating
order, --reps rounds, so that both see the same load; the peer runs --peer-reps times.

Also measured, to say where our time goes: the module's own work without Ansible (report.run,
best of 5), the size of its JSON result, and the controller's cost of a result that size
(``canned``: a module that only prints a result of the same size, against one that prints
ping's), all in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from typing import Any, Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "fleet"))
from procmon import Measured, measure

GOAL_PEER = 30.0  # peer / ours, at least
GOAL_PING = 1.1  # ours / ping, at most
NAMES = {
    "ping": "ansible.builtin.ping",
    "ours": "webedge.https.listening_ports",
    "peer": "community.general.listen_ports_facts",
    "canned_big": "canned (prints a result the size of ours)",
    "canned_small": "canned (prints ping's result)",
    "play_ping": "playbook: ping, registered",
    "play_ours": "playbook: listening_ports, registered",
}

# The same two modules as one registered task of an ansible-playbook run with the default callback:
# how a play uses the module (the result is kept, not printed).
PLAY = """- hosts: {host}
  gather_facts: false
  tasks:
    - {module}:
      register: result
    - ansible.builtin.assert:
        that: result is not failed
"""


# A benchmark helper module (not part of the collection), written into the work directory at run
# time (ANSIBLE_LIBRARY): it prints the JSON result stored at ``path``, or ping's result when ``path``
# is empty. Timing it with a big and a small result measures what Ansible's controller pays to carry
# a result of that size, without any work on the target. Old-style (WANT_JSON): Ansible runs it with
# the host's Python through its shebang.
CANNED = """#!/usr/bin/python
# WANT_JSON
import json
import sys

with open(sys.argv[1]) as handle:
    path = json.load(handle).get("path") or ""
if path:
    with open(path) as handle:
        sys.stdout.write(handle.read())
else:
    sys.stdout.write(json.dumps({"changed": False, "ping": "pong"}))
"""


def loadavg() -> float:
    with open("/proc/loadavg", encoding="ascii") as handle:
        return float(handle.read().split()[0])


def check(label: str, result: Measured, sockets: int) -> Dict[str, Any]:
    try:
        data = json.loads(result.output[result.output.index("{") :])
        host = next(iter(data["plays"][0]["tasks"][0]["hosts"].values()))
    except (ValueError, KeyError, StopIteration):
        raise SystemExit(f"{label}: exit {result.rc}, no json result:\n{result.output[-2000:]}") from None
    if label == "ping" and host.get("ping") != "pong":
        raise SystemExit(f"ping: unexpected result {json.dumps(host)[:300]}")
    if label == "ours" and len(host.get("listening", [])) < sockets:
        raise SystemExit(f"ours: {len(host.get('listening', []))} sockets reported, expected >= {sockets}")
    if label == "peer" and len(host.get("ansible_facts", {}).get("tcp_listen", [])) < sockets:
        raise SystemExit(f"peer: unexpected result {json.dumps(host)[:300]}")
    if result.rc:
        raise SystemExit(f"{label}: exit {result.rc}: {json.dumps(host)[:500]}")
    return host


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--peer-reps", type=int, default=1)
    parser.add_argument("--own-work-cmd", required=True, help="argv (JSON) printing report.run's best time")
    parser.add_argument("--container", help="the target is this container: the canned result is copied into it")
    parser.add_argument("--json-out")
    parser.add_argument("--check-goals", action="store_true")
    args = parser.parse_args()
    library = os.path.join(args.work, "library")
    os.makedirs(library, exist_ok=True)
    with open(os.path.join(library, "canned.py"), "w", encoding="utf-8") as handle:
        handle.write(CANNED)
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_LIBRARY=library)
    env.pop("ANSIBLE_CALLBACKS_ENABLED", None)

    def adhoc(label: str, module: str, module_args: str = "") -> Measured:
        argv = ["ansible", args.host, "-m", module] + (["-a", module_args] if module_args else [])
        result = measure(argv, env=env, cwd=args.work, log=os.path.join(args.work, f"{label}.log"))
        return result

    play_env = dict(env)
    play_env.pop("ANSIBLE_STDOUT_CALLBACK")
    plays = {}
    for label, module in (("play_ping", "ansible.builtin.ping"), ("play_ours", "webedge.https.listening_ports")):
        plays[label] = os.path.join(args.work, f"{label}.yml")
        with open(plays[label], "w", encoding="utf-8") as handle:
            handle.write(PLAY.format(host=args.host, module=module))

    def play(label: str) -> Measured:
        result = measure(["ansible-playbook", plays[label]], env=play_env, cwd=args.work,
                         log=os.path.join(args.work, f"{label}.log"))  # fmt: skip
        if result.rc:
            raise SystemExit(f"{label}: exit {result.rc}: {result.output[-3000:]}")
        return result

    own = json.loads(subprocess.run(json.loads(args.own_work_cmd), capture_output=True, text=True, check=True).stdout)
    print(f"== the module's own work without Ansible: {own['sockets']} sockets in {own['best_s'] * 1000:.1f} ms")

    print("== warm-up (not measured)")
    check("ping", adhoc("ping", "ansible.builtin.ping"), args.sockets)
    ours_result = check("ours", adhoc("ours", "webedge.https.listening_ports"), args.sockets)
    result_bytes = len(json.dumps(ours_result))
    # The controller's cost of carrying a result this size: a module that only prints it.
    big = os.path.join(args.work, "canned_big.json")
    with open(big, "w", encoding="utf-8") as handle:
        json.dump(dict(ours_result, changed=False), handle)
    if args.container:
        subprocess.run(["podman", "cp", big, f"{args.container}:{big}"], check=True)
    runs: Dict[str, List[Measured]] = {k: [] for k in NAMES}
    order = ["ping", "ours", "canned_small", "canned_big", "play_ping", "play_ours"]
    for rep in range(args.reps):
        for label in order if rep % 2 == 0 else list(reversed(order)):
            if label == "ping":
                result = adhoc(label, "ansible.builtin.ping")
            elif label == "ours":
                result = adhoc(label, "webedge.https.listening_ports")
            elif label.startswith("play_"):
                result = play(label)
            else:
                result = adhoc(label, "canned", f"path={big if label == 'canned_big' else ''}")
            if label in ("ping", "ours"):
                check(label, result, args.sockets)
            elif result.rc:
                raise SystemExit(f"{label}: exit {result.rc}: {result.output[-3000:]}")
            runs[label].append(result)
        print(
            f"   round {rep + 1}/{args.reps}: ping {runs['ping'][-1].wall:.2f} s, ours {runs['ours'][-1].wall:.2f} s"
            f" (load {loadavg():.1f})"
        )
    for rep in range(args.peer_reps):
        print(f"== peer run {rep + 1}/{args.peer_reps}: community.general.listen_ports_facts (slow: ps per socket)")
        result = adhoc("peer", "community.general.listen_ports_facts")
        check("peer", result, args.sockets)
        runs["peer"].append(result)

    med = {k: statistics.median(r.wall for r in v) for k, v in runs.items() if v}
    cpu = {k: statistics.median(r.cpu for r in v) for k, v in runs.items() if v}
    low = {k: min(r.wall for r in v) for k, v in runs.items() if v}
    # ours/ping per round (each pair ran back to back), then the median: steadier under load than
    # the ratio of two medians
    paired = statistics.median(o.wall / p.wall for o, p in zip(runs["ours"], runs["ping"]))
    play_paired = statistics.median(o.wall / p.wall for o, p in zip(runs["play_ours"], runs["play_ping"]))
    figures = {
        "sockets": args.sockets,
        "result_bytes": result_bytes,
        "own_work_s": own["best_s"],
        "wall": med,
        "cpu": cpu,
        "min_wall": low,
        "runs": {k: [round(r.wall, 3) for r in v] for k, v in runs.items()},
        "ratios": {
            "peer_over_ours": med["peer"] / med["ours"],
            "ours_over_ping": med["ours"] / med["ping"],
            "ours_over_ping_paired": paired,
            "ours_over_ping_cpu": cpu["ours"] / cpu["ping"],
            "ours_over_ping_fastest": low["ours"] / low["ping"],
            "play_ours_over_play_ping": med["play_ours"] / med["play_ping"],
            "play_ours_over_play_ping_paired": play_paired,
            "play_ours_over_play_ping_cpu": cpu["play_ours"] / cpu["play_ping"],
            "result_cost_cpu": cpu["canned_big"] - cpu["canned_small"],
            "result_cost_wall": med["canned_big"] - med["canned_small"],
        },
        "load_end": loadavg(),
    }
    ratios = figures["ratios"]
    print(f"\n{args.sockets} listening TCP sockets; ad-hoc `ansible` runs, json callback; median of the runs")
    print(f"{'task':44} {'runs':>4} {'wall s':>7} {'cpu s':>6} {'min s':>6}")
    for key, name in NAMES.items():
        if runs[key]:
            print(f"{name:44} {len(runs[key]):>4} {med[key]:>7.2f} {cpu[key]:>6.2f} {low[key]:>6.2f}")
    print(f"\nour result: {result_bytes / 1024:.0f} KiB of JSON; the module's own work {own['best_s'] * 1000:.0f} ms")
    print(
        f"controller cost of a result that size: +{ratios['result_cost_cpu']:.2f} s CPU,"
        f" +{ratios['result_cost_wall']:.2f} s wall (canned modules)"
    )
    print(f"peer/ours = {ratios['peer_over_ours']:.1f}x (goal >= {GOAL_PEER:g}x)")
    print(
        f"ours/ping = {ratios['ours_over_ping']:.2f}x wall, {ratios['ours_over_ping_paired']:.2f}x paired,"
        f" {ratios['ours_over_ping_cpu']:.2f}x CPU (goal <= {GOAL_PING:g}x)"
    )
    in_play = [ratios[f"play_ours_over_play_ping{kind}"] for kind in ("", "_paired", "_cpu")]
    print(
        "in a playbook (one registered task, default callback): ours/ping ="
        f" {in_play[0]:.2f}x wall, {in_play[1]:.2f}x paired, {in_play[2]:.2f}x CPU"
        " (shown; the goal is judged on the ad-hoc runs above, which print the whole result)"
    )
    print(f"load average at the end: {figures['load_end']:.1f}")
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=1)
    met = ratios["peer_over_ours"] >= GOAL_PEER and ratios["ours_over_ping"] <= GOAL_PING
    return 1 if args.check_goals and not met else 0


if __name__ == "__main__":
    sys.exit(main())
