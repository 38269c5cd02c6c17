# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""webedge.https.firewall_port against the peer modules, on fresh lab containers.

Called by run.sh (which puts the venv on PATH and removes the containers on exit).

1. Opening N ports (default 50; IPv4 and IPv6) in ONE firewall_port task against the peers one
   port per task, on the same kind of host, each side on a fresh container:
   iptables host (ansible.builtin.iptables, 2N tasks: one per port and IP version),
   firewalld host (ansible.posix.firewalld, N tasks, permanent + immediate),
   ufw host (community.general.ufw, N tasks; ufw enabled beforehand).
2. An idempotent re-run (changed=false) on hosts holding 5,000 foreign rules (nftables: a table
   with an input chain, policy drop; iptables: INPUT in both IP versions) with our N ports already
   open, against ansible.builtin.ping on the same host in the same run.

Every figure is the wall clock of a whole `ansible-playbook` run (start-up included equally for both
sides); the table also shows the time inside the play (first task start to last task end, from the
json callback). Containers run with --network none: no traffic leaves them.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PREFIX = "bench-fw-"
FIRST_PORT = 10000  # ports FIRST_PORT, +2, +4 ... (never adjacent, so firewall_port does not merge them)
FOREIGN_FIRST_PORT = 20000  # the 5,000 foreign rules
IMAGES = {
    "iptables": "localhost/webedge-lab:debian12-iptables",
    "firewalld": "localhost/webedge-lab:debian12-firewalld",
    "ufw": "localhost/webedge-lab:debian12-ufw",
    "nftables": "localhost/webedge-lab:debian12",
}
PEERS = {
    "iptables": "ansible.builtin.iptables",
    "firewalld": "ansible.posix.firewalld",
    "ufw": "community.general.ufw",
}
GOAL_SPEEDUP = 10.0  # peer/ours, per backend
GOAL_IDEMPOTENT = 2.0  # ours (changed=false, 5,000 foreign rules) / ping


def sh(argv: List[str], check: bool = True, **kwargs: Any) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)
    if check and proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:6])} ... exited {proc.returncode}: {(proc.stderr or proc.stdout)[-1500:]}")
    return proc


def pexec(name: str, script: str, check: bool = True, stdin: Optional[str] = None) -> str:
    return sh(["podman", "exec", "-i", name, "sh", "-c", script], check=check, input=stdin).stdout


# ---------------------------------------------------------------- containers


def start(name: str, image: str) -> None:
    sh(["podman", "rm", "-f", name], check=False)
    sh(
        [
            "podman",
            "run",
            "-d",
            "--name",
            name,
            "--systemd=always",
            "--cap-add",
            "NET_ADMIN,NET_RAW",
            "--network",
            "none",
            image,
        ]
    )


def wait_booted(name: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    state = ""
    while time.monotonic() < deadline:
        state = sh(["podman", "exec", name, "systemctl", "is-system-running"], check=False).stdout.strip()
        if state in ("running", "degraded"):
            return
        time.sleep(1)
    raise SystemExit(f"{name} did not boot (state: {state or 'none'})")


def prepare(name: str, backend: str) -> None:
    """Bring a fresh host to the clean starting state of its backend."""
    if backend == "firewalld":
        pexec(name, "systemctl start firewalld")  # installed but not enabled in the image
        for _attempt in range(60):
            if pexec(name, "firewall-cmd --state 2>/dev/null || true").strip() == "running":
                break
            time.sleep(1)
        else:
            raise SystemExit(f"{name}: firewalld not running")
    elif backend == "ufw":
        pexec(name, "ufw allow 22 >/dev/null && ufw --force enable >/dev/null && ufw status | head -1")


# ---------------------------------------------------------------- playbooks


def ports(count: int) -> List[int]:
    return [FIRST_PORT + 2 * i for i in range(count)]


def play(host: str, tasks: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [{"name": "bench", "hosts": host, "gather_facts": False, "tasks": tasks}]


def ours_task(backend: str, count: int) -> Dict[str, Any]:
    return {
        "name": f"open {count} ports",
        "webedge.https.firewall_port": {"port": ports(count), "backend": backend},
    }


def peer_tasks(backend: str, count: int) -> List[Dict[str, Any]]:
    tasks: List[Dict[str, Any]] = []
    for port in ports(count):
        if backend == "iptables":
            for version in ("ipv4", "ipv6"):
                tasks.append(
                    {
                        "name": f"{port} {version}",
                        "ansible.builtin.iptables": {
                            "chain": "INPUT",
                            "protocol": "tcp",
                            "destination_port": str(port),
                            "jump": "ACCEPT",
                            "comment": "bench",
                            "ip_version": version,
                        },
                    }
                )
        elif backend == "firewalld":
            tasks.append(
                {
                    "name": f"{port}",
                    "ansible.posix.firewalld": {
                        "port": f"{port}/tcp",
                        "permanent": True,
                        "immediate": True,
                        "state": "enabled",
                    },
                }
            )
        elif backend == "ufw":
            tasks.append(
                {"name": f"{port}", "community.general.ufw": {"rule": "allow", "port": str(port), "proto": "tcp"}}
            )
    return tasks


def count_open(name: str, backend: str, count: int) -> str:
    """What the host shows afterwards, to prove both sides did the same work."""
    first, last = FIRST_PORT, FIRST_PORT + 2 * (count - 1)
    test = f"$i ~ /^[0-9]+$/ && $i >= {first} && $i <= {last} && $i % 2 == 0"
    sel = f"awk '{{for(i=1;i<=NF;i++) if ({test}) {{print; next}}}}'"
    if backend == "iptables":
        v4 = pexec(name, f"iptables-save | grep -e '--dport' | grep ACCEPT | {sel} | wc -l").strip()
        v6 = pexec(name, f"ip6tables-save | grep -e '--dport' | grep ACCEPT | {sel} | wc -l").strip()
        return f"v4 {v4}, v6 {v6} accept rules"
    if backend == "firewalld":
        rt = pexec(name, "firewall-cmd --list-ports | wc -w").strip()
        perm = pexec(name, "firewall-cmd --permanent --list-ports | wc -w").strip()
        return f"runtime {rt}, permanent {perm} ports"
    if backend == "ufw":
        both = pexec(name, "ufw status | tr '/' ' ' | " + sel + " | wc -l").strip()
        v6 = pexec(name, "ufw status | grep -c '(v6)' || true").strip()
        return f"{both} ufw rules ({v6} v6, incl. 22)"
    return ""


# ---------------------------------------------------------------- timing


class Runner:
    def __init__(self, work: str) -> None:
        self.work = work
        self.n = 0
        self.inventory = os.path.join(work, "inventory")
        self.env = dict(
            os.environ,
            ANSIBLE_INVENTORY=self.inventory,
            ANSIBLE_STDOUT_CALLBACK="json",
            ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
            ANSIBLE_HOST_KEY_CHECKING="0",
            ANSIBLE_DEPRECATION_WARNINGS="0",
            ANSIBLE_LOCALHOST_WARNING="0",
            ANSIBLE_RETRY_FILES_ENABLED="0",
        )

    def write_inventory(self, names: List[str]) -> None:
        with open(self.inventory, "w", encoding="utf-8") as handle:
            for name in names:
                handle.write(
                    f"{name} ansible_connection=containers.podman.podman ansible_python_interpreter=/usr/bin/python3\n"
                )

    def playbook(
        self, label: str, host: str, tasks: List[Dict[str, Any]], changed: Optional[int]
    ) -> Tuple[float, float]:
        """Run one playbook; return (wall clock, time inside the play). `changed`: expected changed count."""
        self.n += 1
        path = os.path.join(self.work, f"{self.n:03d}-{label}.yml")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(play(host, tasks), handle, indent=1)  # JSON is YAML
        started = time.monotonic()
        proc = subprocess.run(
            ["ansible-playbook", path],
            capture_output=True,
            text=True,
            env=self.env,
            check=False,
        )
        wall = time.monotonic() - started
        try:
            data = json.loads(proc.stdout)
            stats = data["stats"][host]
        except (ValueError, KeyError):
            raise SystemExit(
                f"{label} on {host}: exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
            ) from None
        if proc.returncode or stats.get("failures") or stats.get("unreachable"):
            failed = [
                t["hosts"][host].get("msg") for t in data["plays"][0]["tasks"] if t["hosts"].get(host, {}).get("failed")
            ]
            raise SystemExit(f"{label} on {host} failed: {failed[:2]} {proc.stderr[-1000:]}")
        if changed is not None and stats.get("changed") != changed:
            raise SystemExit(f"{label} on {host}: changed={stats.get('changed')}, expected {changed}")
        spans = [t["task"]["duration"] for t in data["plays"][0]["tasks"]]
        inside = (iso(spans[-1]["end"]) - iso(spans[0]["start"])) if spans else 0.0
        return wall, inside


def iso(text: str) -> float:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def fmt_runs(values: List[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


# ---------------------------------------------------------------- foreign rules


def load_foreign_nft(name: str, rules: int) -> None:
    lines = [
        "table inet bench_foreign {",
        " chain input {",
        "  type filter hook input priority 0; policy drop;",
        "  ct state established,related accept",
        "  iif lo accept",
    ]
    lines += [f"  tcp dport {FOREIGN_FIRST_PORT + i} accept" for i in range(rules)]
    lines += [" }", "}"]
    pexec(name, "nft -f -", stdin="\n".join(lines) + "\n")


def load_foreign_iptables(name: str, rules: int) -> None:
    body = [
        "*filter",
        ":INPUT DROP [0:0]",
        ":FORWARD DROP [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        "-A INPUT -i lo -j ACCEPT",
        "-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
    ]
    body += [f"-A INPUT -p tcp -m tcp --dport {FOREIGN_FIRST_PORT + i} -j ACCEPT" for i in range(rules)]
    body += ["COMMIT"]
    text = "\n".join(body) + "\n"
    pexec(name, "iptables-restore", stdin=text)
    pexec(name, "ip6tables-restore", stdin=text)


def foreign_count(name: str, backend: str) -> str:
    if backend == "nftables":
        return (
            pexec(name, "nft list table inet bench_foreign | grep -c 'dport'").strip() + " rules in inet bench_foreign"
        )
    v4 = pexec(name, "iptables -S INPUT | grep -c -- '-A INPUT'").strip()
    v6 = pexec(name, "ip6tables -S INPUT | grep -c -- '-A INPUT'").strip()
    return f"INPUT: {v4} (v4), {v6} (v6) rules"


# ---------------------------------------------------------------- host-side breakdown


def engine_on_host(name: str, backend: str, count: int) -> Dict[str, Any]:
    base = "/tmp/bench-fw/ansible_collections/webedge/https/plugins"
    pexec(name, f"mkdir -p {base}")
    sh(["podman", "cp", os.path.join(REPO, "plugins", "module_utils"), f"{name}:{base}/"])
    sh(["podman", "cp", os.path.join(HERE, "profile_host.py"), f"{name}:/tmp/bench-fw/profile_host.py"])
    out = pexec(name, f"cd /tmp && PYTHONPATH=/tmp/bench-fw python3 /tmp/bench-fw/profile_host.py {backend} {count}")
    return json.loads(out.strip().splitlines()[-1])


def show_profile(title: str, data: Dict[str, Any]) -> None:
    spent = sum(c["s"] for c in data["commands"])
    print(
        f"  {title}: import {data['import_s']:.2f} s, engine.run {data['run_s']:.2f} s "
        f"(changed={data['changed']}), {len(data['commands'])} commands taking {spent:.2f} s:"
    )
    for call in data["commands"]:
        print(f"    {call['s']:6.2f} s  rc={call['rc']:<3} {call['argv']}")


def profile(hosts: Dict[Tuple[str, str, int], str], backends: List[str], idem_backends: List[str], count: int) -> None:
    """The engine alone on the host (no Ansible): every command it runs and how long it took."""
    print("\nHost-side breakdown: engine.run() on the host without Ansible, every command timed")
    fresh = {b: f"{PREFIX}prof-{b[:3]}" for b in backends}
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda b: start(fresh[b], IMAGES[b]), backends))
        list(pool.map(wait_booted, fresh.values()))
        list(pool.map(lambda b: prepare(fresh[b], b), backends))
    for backend in backends:
        title = f"{backend}, opening {count} ports on a fresh host"
        show_profile(title, engine_on_host(fresh[backend], backend, count))
        show_profile(f"{backend}, the same again (no change)", engine_on_host(fresh[backend], backend, count))
        sh(["podman", "rm", "-f", fresh[backend]], check=False)
    for backend in idem_backends:
        host = hosts[(backend, "idem", 0)]
        show_profile(f"{backend}, no change, with the foreign rules", engine_on_host(host, backend, count))


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check-goals", action="store_true")
    parser.add_argument("--reps", type=int, default=2, help="repetitions per side in part 1 (fresh host each)")
    parser.add_argument("--idem-reps", type=int, default=3, help="repetitions of ping and the re-run in part 2")
    parser.add_argument("--ports", type=int, default=50)
    parser.add_argument("--rules", type=int, default=5000, help="foreign rules in part 2")
    parser.add_argument("--backends", default="iptables,firewalld,ufw")
    parser.add_argument("--idem-backends", default="nftables,iptables")
    parser.add_argument(
        "--no-profile",
        dest="profile",
        action="store_false",
        help="skip the host-side breakdown (engine without Ansible) after the timings",
    )
    parser.add_argument("--work", help="scratch directory (default: a new temporary one, left in place)")
    parser.add_argument("--json-out", help="write every median and ratio to this JSON file (make bench)")
    args = parser.parse_args()
    backends = [b for b in args.backends.split(",") if b]
    idem_backends = [b for b in args.idem_backends.split(",") if b]
    count = args.ports

    work = args.work or tempfile.mkdtemp(prefix="bench-firewall.")
    runner = Runner(work)

    # Every host fresh: one per side, backend and repetition in part 1, one per backend in part 2.
    hosts: Dict[Tuple[str, str, int], str] = {}
    for backend in backends:
        for rep in range(1, args.reps + 1):
            for side in ("ours", "peer"):
                hosts[(backend, side, rep)] = f"{PREFIX}{backend[:3]}-{side}-{rep}"
    for backend in idem_backends:
        hosts[(backend, "idem", 0)] = f"{PREFIX}idem-{backend[:3]}"
    images = {
        name: IMAGES["nftables" if key[1] == "idem" and key[0] == "nftables" else key[0]] for key, name in hosts.items()
    }
    print(f"== starting {len(hosts)} fresh lab hosts (--network none)")
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda n: start(n, images[n]), hosts.values()))
        list(pool.map(wait_booted, hosts.values()))
        list(pool.map(lambda k: prepare(hosts[k], k[0]), [k for k in hosts if k[1] != "idem"]))
    runner.write_inventory(list(hosts.values()))

    print("== warming up (ansible.builtin.ping on every host, one run; not timed)")
    warm = subprocess.run(
        ["ansible", "all", "-f", "4", "-m", "ansible.builtin.ping"],
        capture_output=True,
        text=True,
        env=dict(runner.env, ANSIBLE_STDOUT_CALLBACK="minimal"),
        check=False,
    )
    if warm.returncode:
        raise SystemExit(f"warm-up failed: {warm.stdout[-1500:]} {warm.stderr[-1500:]}")

    # ------------------------------------------------------------ part 1
    results: Dict[Tuple[str, str], List[Tuple[float, float]]] = {}
    proof: Dict[Tuple[str, str], str] = {}
    for backend in backends:
        npeer = len(peer_tasks(backend, count))
        for rep in range(1, args.reps + 1):
            order = ("ours", "peer") if rep % 2 else ("peer", "ours")  # alternate who goes first
            for side in order:
                host = hosts[(backend, side, rep)]
                print(f"== {backend} rep {rep}/{args.reps}: {side} on {host}", flush=True)
                if side == "ours":
                    timing = runner.playbook(f"{backend}-ours", host, [ours_task(backend, count)], 1)
                else:
                    timing = runner.playbook(f"{backend}-peer", host, peer_tasks(backend, count), npeer)
                results.setdefault((backend, side), []).append(timing)
                proof[(backend, side)] = count_open(host, backend, count)
                print(f"   {timing[0]:.2f} s wall, {timing[1]:.2f} s in the play; host: {proof[(backend, side)]}")
                sh(["podman", "rm", "-f", host], check=False)  # done with it: less background load

    # ------------------------------------------------------------ part 2
    idem: Dict[Tuple[str, str], List[Tuple[float, float]]] = {}
    foreign: Dict[str, str] = {}
    for backend in idem_backends:
        host = hosts[(backend, "idem", 0)]
        print(f"== {backend}: loading {args.rules} foreign rules into {host}", flush=True)
        (load_foreign_nft if backend == "nftables" else load_foreign_iptables)(host, args.rules)
        foreign[backend] = foreign_count(host, backend)
        print(f"   {foreign[backend]}; opening our {count} ports (not timed)")
        runner.playbook(f"{backend}-setup", host, [ours_task(backend, count)], 1)
        for rep in range(1, args.idem_reps + 1):
            print(f"== {backend} idempotent rep {rep}/{args.idem_reps}: ping, firewall_port", flush=True)
            idem.setdefault((backend, "ping"), []).append(
                runner.playbook(f"{backend}-ping", host, [{"ansible.builtin.ping": {}}], 0)
            )
            idem.setdefault((backend, "ours"), []).append(
                runner.playbook(f"{backend}-rerun", host, [ours_task(backend, count)], 0)
            )
        print(
            f"   ping {fmt_runs([t[0] for t in idem[(backend, 'ping')]])}; "
            f"re-run {fmt_runs([t[0] for t in idem[(backend, 'ours')]])}"
        )

    # ------------------------------------------------------------ report
    def med(values: List[Tuple[float, float]], i: int) -> float:
        return statistics.median(v[i] for v in values)

    missed: List[str] = []
    print(
        f"\nPart 1: opening {count} TCP ports (IPv4 + IPv6) on a fresh host; wall clock of a whole "
        f"`ansible-playbook` run, median of {args.reps} (each run on its own fresh host)"
    )
    print(f"{'backend':9} {'side':44} {'tasks':>5} {'wall s':>7} {'in play s':>9}   all runs (wall)")
    for backend in backends:
        for side in ("ours", "peer"):
            module = "webedge.https.firewall_port" if side == "ours" else PEERS[backend]
            ntasks = 1 if side == "ours" else len(peer_tasks(backend, count))
            vals = results[(backend, side)]
            print(
                f"{backend:9} {module:44} {ntasks:>5} {med(vals, 0):>7.2f} {med(vals, 1):>9.2f}   "
                f"{fmt_runs([v[0] for v in vals])}"
            )
    print()
    for backend in backends:
        ours, peer = results[(backend, "ours")], results[(backend, "peer")]
        ratio = med(peer, 0) / med(ours, 0)
        inside = med(peer, 1) / med(ours, 1)
        ok = ratio >= GOAL_SPEEDUP
        print(
            f"{backend:9} peer/ours = {ratio:5.1f}x wall ({inside:5.1f}x in the play)  goal >= {GOAL_SPEEDUP:g}x: "
            f"{'met' if ok else 'MISSED'}   "
            f"[ours: {proof[(backend, 'ours')]}; peer: {proof[(backend, 'peer')]}]"
        )
        if not ok:
            missed.append(f"{backend} speed-up {ratio:.1f}x < {GOAL_SPEEDUP:g}x")

    if idem_backends:
        print(
            f"\nPart 2: idempotent re-run (changed=false) of the same task with {args.rules} foreign rules on "
            f"the host and our {count} ports open, against ansible.builtin.ping; "
            f"median of {args.idem_reps}"
        )
        print(f"{'backend':9} {'task':44} {'wall s':>7} {'in play s':>9}   all runs (wall)")
        for backend in idem_backends:
            for side, module in (("ping", "ansible.builtin.ping"), ("ours", "webedge.https.firewall_port")):
                vals = idem[(backend, side)]
                print(
                    f"{backend:9} {module:44} {med(vals, 0):>7.2f} {med(vals, 1):>9.2f}   "
                    f"{fmt_runs([v[0] for v in vals])}"
                )
        print()
        for backend in idem_backends:
            ours, ping = idem[(backend, "ours")], idem[(backend, "ping")]
            ratio = med(ours, 0) / med(ping, 0)
            ok = ratio <= GOAL_IDEMPOTENT
            print(
                f"{backend:9} ours/ping = {ratio:4.2f}x wall ({med(ours, 1) - med(ping, 1):+.2f} s in the play)  "
                f"goal <= {GOAL_IDEMPOTENT:g}x: {'met' if ok else 'MISSED'}   [{foreign[backend]}]"
            )
            if not ok:
                missed.append(f"{backend} idempotent re-run {ratio:.2f}x ping > {GOAL_IDEMPOTENT:g}x")
    if args.json_out:
        summary: Dict[str, Any] = {"ports": count, "rules": args.rules, "open": {}, "idempotent": {}}
        for backend in backends:
            ours, peer = results[(backend, "ours")], results[(backend, "peer")]
            summary["open"][backend] = {
                "peer_module": PEERS[backend],
                "peer_tasks": len(peer_tasks(backend, count)),
                "ours_wall": med(ours, 0),
                "peer_wall": med(peer, 0),
                "peer_over_ours": med(peer, 0) / med(ours, 0),
                "goal": GOAL_SPEEDUP,
            }
        for backend in idem_backends:
            ours, ping = idem[(backend, "ours")], idem[(backend, "ping")]
            summary["idempotent"][backend] = {
                "ping_wall": med(ping, 0),
                "ours_wall": med(ours, 0),
                "ours_over_ping": med(ours, 0) / med(ping, 0),
                "goal": GOAL_IDEMPOTENT,
            }
        summary["missed"] = missed
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump(summary, handle, indent=1)
    if args.profile:
        profile(hosts, backends, idem_backends, count)
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            print(f"\nload average at the end: {handle.read().split()[0]} (noisy neighbours skew wall clock)")
    except OSError:
        pass
    if args.check_goals and missed:
        print("goals missed: " + "; ".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
