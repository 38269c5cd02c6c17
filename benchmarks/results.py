# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The record of one `make bench` run (run-all.sh) and the page it writes: benchmarks/RESULTS.md.

    results.py start --state F --command CMD --quick 0|1 --repo DIR   the machine, versions, date
    results.py resume --state F --command CMD                         note a resumed run (run-all --resume)
    results.py begin --state F --name N                               load before benchmark N
    results.py end   --state F --name N --rc RC --json J              its status, load after, figures
    results.py write --state F --out RESULTS.md [--final]             the page, from what is there

Every figure on the page is a ratio to a peer or a floor measured in the same run, with the
seconds beside it, and the load average of the machine before and after each benchmark. A
benchmark whose load average exceeded half the machine's cores is marked as taken under load.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from typing import Any, Dict, List, Optional

MIB = 1 << 20


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return ""


def _cmd(argv: List[str], cwd: Optional[str] = None) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=cwd, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr).strip() else "?"


def load_now() -> Dict[str, Any]:
    """Load average (1, 5, 15 min) and the CPU pressure (share of time some task waited for a CPU)."""
    load = [float(x) for x in _read("/proc/loadavg").split()[:3]] or [0.0, 0.0, 0.0]
    pressure = None
    for line in _read("/proc/pressure/cpu").splitlines():
        if line.startswith("some "):
            pressure = float(dict(kv.split("=") for kv in line.split()[1:])["avg60"])
    return {"loadavg": load, "cpu_pressure_avg60": pressure, "at": _now()}


def _resumed_at(resumed: Dict[str, Any]) -> str:
    """' at commit X' for a resumed run that recorded the tree it measured (older records did not)."""
    if not resumed.get("commit"):
        return ""
    return f" at commit {resumed['commit']}{' with uncommitted changes' if resumed.get('dirty') else ''}"


def machine(repo: str) -> Dict[str, Any]:
    mem = 0
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            mem = int(line.split()[1]) * 1024
    model = ""
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    venv = os.path.join(repo, ".venv", "bin")
    status = _cmd(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo)
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_bytes": mem,
        "kernel": platform.release(),
        "os": _cmd(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
        "python": platform.python_version(),
        "ansible_core": _cmd([os.path.join(venv, "ansible"), "--version"]),
        "podman": _cmd(["podman", "--version"]),
        "commit": _cmd(["git", "rev-parse", "--short", "HEAD"], cwd=repo),
        "dirty": status not in ("", "?"),
        "source": os.environ.get("BENCH_SOURCE", "worktree"),
        "overlay": os.environ.get("BENCH_OVERLAY", ""),
    }


def _state(path: str) -> Dict[str, Any]:
    text = _read(path)
    return json.loads(text) if text else {}


def _save(path: str, state: Dict[str, Any]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(state, handle, indent=1)


# ------------------------------------------------------------------ the page


def busy(entry: Dict[str, Any], cores: int) -> bool:
    loads = [entry.get(k, {}).get("loadavg", [0])[0] for k in ("load_before", "load_after")]
    return max(loads) > cores / 2


def met(value: Optional[float], op: str, goal: float) -> str:
    if value is None:
        return "not measured"
    ok = value <= goal if op == "<=" else value >= goal if op == ">=" else value < goal
    return "**met**" if ok else "**missed**"


def fmt(value: Optional[float], digits: int = 2, unit: str = "") -> str:
    return "-" if value is None else f"{value:.{digits}f}{unit}"


def load_text(entry: Dict[str, Any]) -> str:
    before, after = entry.get("load_before", {}), entry.get("load_after", {})

    def one(load: Dict[str, Any]) -> str:
        if not load:
            return "?"
        pressure = load.get("cpu_pressure_avg60")
        return f"{load['loadavg'][0]:.1f}" + (f" (CPU pressure {pressure:.0f}%)" if pressure is not None else "")

    return f"load average {one(before)} before, {one(after)} after"


def listening_section(data: Dict[str, Any]) -> List[str]:
    r, wall, cpu = data["ratios"], data["wall"], data["cpu"]
    lines = [
        f"{data['sockets']} listening TCP sockets on this machine (local connection), one ad-hoc `ansible` run per"
        f" figure with the json callback; ping and ours alternate, median of {len(data['runs']['ours'])} runs each;"
        f" the peer {len(data['runs']['peer'])} run(s).",
        "",
        "| module | wall s | controller CPU s | ratio |",
        "|---|---|---|---|",
        f"| ansible.builtin.ping (floor) | {wall['ping']:.2f} | {cpu['ping']:.2f} | 1 |",
        f"| webedge.https.listening_ports | {wall['ours']:.2f} | {cpu['ours']:.2f} |"
        f" {r['ours_over_ping']:.2f}x ping (CPU {r['ours_over_ping_cpu']:.2f}x,"
        f" paired {r['ours_over_ping_paired']:.2f}x) |",
        f"| community.general.listen_ports_facts (peer) | {wall['peer']:.2f} | {cpu['peer']:.2f} |"
        f" ours is {r['peer_over_ours']:.1f}x faster |",
        "",
        f"Where our time goes: the module's own work on the target (report.run, no Ansible) is"
        f" {data['own_work_s'] * 1000:.0f} ms; its result is {data['result_bytes'] / 1024:.0f} KiB of JSON, and"
        f" carrying a result that size costs the controller {r['result_cost_cpu']:+.2f} s of CPU"
        f" ({r['result_cost_wall']:+.2f} s wall) against ping's result (two canned modules that only print a result).",
    ]
    return lines


def work(size: Dict[str, Any], key: str) -> float:
    """All the CPU a run used: the controller's and the targets' (steadier than wall clock under load)."""
    return size[key]["cpu"] + (size[key].get("target_cpu") or 0.0)


def tcpu(size: Dict[str, Any], key: str) -> str:
    return fmt(size[key].get("target_cpu"), 1)


def fleet_section(data: Dict[str, Any]) -> List[str]:
    lines = [
        f"Lab hosts `{data['image']}` on the internal network `{data['network']}`, over SSH (pipelining,"
        f" ControlPersist), forks={data['forks']}, strategy linear, no fact gathering. Each figure is one"
        f" `ansible`/`ansible-playbook` run (median of {data.get('reps', '?')} for the re-run and the audit,"
        f" {data.get('ping_reps', '?')} for ping); CPU is the controller's (the process tree, ssh clients"
        " included); RSS is the peak of the whole ansible process tree, summed (forked workers share most of"
        " their pages with the controller, and a sum of RSS counts them once per process; PSS, where shown,"
        " divides shared pages among their sharers: the memory the tree really holds).",
        "",
        "| hosts | ping s | compliance s (x ping) | site first converge s (x ping) | site re-run s (x ping) |"
        " peak RSS MiB (PSS) | controller CPU s (ping / compliance / first / re-run) | targets' CPU s (same) | load |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key in sorted(data["sizes"], key=int):
        s = data["sizes"][key]
        ping = s["ping"]["wall"]
        peak = max(s[k]["peak_rss"] for k in ("ping", "compliance", "site_first", "site_rerun")) / MIB
        pss = max(s[k].get("peak_pss") or 0 for k in ("ping", "compliance", "site_first", "site_rerun")) / MIB
        lines.append(
            f"| {key} | {ping:.1f} | {s['compliance']['wall']:.1f} ({s['compliance']['wall'] / ping:.1f}x) |"
            f" {s['site_first']['wall']:.1f} ({s['site_first']['wall'] / ping:.1f}x) |"
            f" {s['site_rerun']['wall']:.1f} ({s['site_rerun']['wall'] / ping:.1f}x) | {peak:.0f}"
            + (f" ({pss:.0f})" if pss else "")
            + " |"
            f" {s['ping']['cpu']:.1f} / {s['compliance']['cpu']:.1f} / {s['site_first']['cpu']:.1f} /"
            f" {s['site_rerun']['cpu']:.1f} | {tcpu(s, 'ping')} / {tcpu(s, 'compliance')} / {tcpu(s, 'site_first')} /"
            f" {tcpu(s, 'site_rerun')} | {s['load_start'][0]:.1f} to {s['load_end'][0]:.1f} |"
        )
    goals = data.get("goals", {})
    if goals.get("slopes"):
        lines += [
            "",
            "Marginal cost per host (seconds of wall clock per added host; growth = the slope from the middle size"
            " to the largest over the slope from the smallest to the middle, 1.0 = flat):",
            "",
            "| figure | s/host small-middle | s/host middle-large | growth | CPU s/host small-middle | middle-large |",
            "|---|---|---|---|---|---|",
        ]
        for key, slope in goals["slopes"].items():
            lines.append(
                f"| {key} | {slope['per_host_low_mid']:.2f} | {slope['per_host_mid_high']:.2f} |"
                f" {fmt(slope['growth'])} | {slope['cpu_per_host_low_mid']:.2f} |"
                f" {slope['cpu_per_host_mid_high']:.2f} |"
            )
    settings = data.get("settings")
    if settings:
        base = {(r["what"]): r["wall"] for r in settings["rows"] if r["setting"] == "base"}
        lines += [
            "",
            f"Settings at {settings['hosts']} hosts, one run each, against the base settings in the same fleet:",
            "",
            "| setting | run | wall s | x base | controller CPU s | targets' CPU s | peak RSS MiB | load | note |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for row in settings["rows"]:
            ref = base.get(row["what"])
            ratio = f"{row['wall'] / ref:.2f}" if ref else "-"
            lines.append(
                f"| {row['setting']} | {row['what']} | {row['wall']:.1f} | {ratio} | {row['cpu']:.1f} |"
                f" {fmt(row.get('target_cpu'), 1)} |"
                f" {row['peak_rss'] / MIB:.0f} | {row['load']:.1f} | {row['note'] or ('ok' if row['ok'] else '')} |"
            )
    profiles = data.get("profiles")
    if profiles:
        lines += ["", f"Controller profiles at the largest size (py-spy, every process of the tree, {50} Hz):", ""]
        for what, prof in profiles.items():
            lines.append(
                f"- **{what}** ({prof['samples']} samples; frames of webedge.https in {prof['ours_share']:.0%};"
                f" folded stacks: `{prof.get('folded', '')}`):"
            )
            phases = ", ".join(f"{label} {share:.0%}" for label, share in prof.get("phases", []) if share >= 0.01)
            lines.append(f"  - by phase (inclusive, overlapping): {phases}")
            for role, group in prof["groups"].items():
                top = ", ".join(f"{name} {share:.0%}" for name, share in group["self"][:6])
                lines.append(f"  - {role} ({group['share']:.0%} of samples), most CPU in: {top}")
    if data.get("error"):
        lines += ["", f"**The run stopped early**: {data['error'].splitlines()[0]}"]
    return lines


def compliance_section(data: Dict[str, Any]) -> List[str]:
    f, r = data["figures"], data["ratios"]
    lines = ["| figure | seconds |", "|---|---|"]
    lines += [f"| {k} | {v:.2f} |" for k, v in f.items()]
    lines += ["", "| ratio | value | goal |", "|---|---|---|"]
    goals = data.get("goals", {})
    for name, value in r.items():
        goal = goals.get(name)
        lines.append(f"| {name} | {value:.1f} | {f'{goal[0]} {goal[1]}: ' + met(value, *goal) if goal else '-'} |")
    return lines


def firewall_section(data: Dict[str, Any]) -> List[str]:
    lines = [
        f"Part 1: opening {data['ports']} ports on a fresh host, one `firewall_port` task against the peer module"
        " one task per port; part 2: the idempotent re-run with"
        f" {data['rules']} foreign rules against ansible.builtin.ping (wall clock of whole `ansible-playbook` runs).",
        "",
        "| backend | peer | ours s | peer s | peer/ours | goal |",
        "|---|---|---|---|---|---|",
    ]
    for backend, row in data["open"].items():
        lines.append(
            f"| {backend} | {row['peer_module']} ({row['peer_tasks']} tasks) | {row['ours_wall']:.2f} |"
            f" {row['peer_wall']:.2f} | {row['peer_over_ours']:.1f}x | >= {row['goal']:g}x:"
            f" {met(row['peer_over_ours'], '>=', row['goal'])} |"
        )
    lines += ["", "| backend | ping s | re-run s | re-run/ping | goal |", "|---|---|---|---|---|"]
    for backend, row in data["idempotent"].items():
        lines.append(
            f"| {backend} | {row['ping_wall']:.2f} | {row['ours_wall']:.2f} | {row['ours_over_ping']:.2f}x |"
            f" <= {row['goal']:g}x: {met(row['ours_over_ping'], '<=', row['goal'])} |"
        )
    return lines


SECTIONS = {
    "listening": ("listening_ports on 2,000 sockets (benchmarks/listening_ports)", listening_section),
    "fleet": ("Fleet: 10, 25 and 50 hosts (benchmarks/fleet)", fleet_section),
    "compliance": ("Compliance probe against testssl.sh and sslyze (benchmarks/compliance)", compliance_section),
    "firewall": ("Firewall against the peer modules (benchmarks/firewall)", firewall_section),
}


def goal_rows(state: Dict[str, Any]) -> List[str]:
    rows = []
    bench = state.get("benchmarks", {})
    lst = bench.get("listening", {}).get("data")
    if lst:
        r = lst["ratios"]
        ping_ratio, peer_ratio = r["ours_over_ping"], r["peer_over_ours"]
        rows.append(
            f"| listening_ports / ping, 2,000 sockets | {ping_ratio:.2f}x | <= 1.1x | {met(ping_ratio, '<=', 1.1)} |"
        )
        rows.append(
            f"| listen_ports_facts / listening_ports | {peer_ratio:.1f}x | >= 30x | {met(peer_ratio, '>=', 30)} |"
        )
    fleet = bench.get("fleet", {}).get("data")
    if fleet and fleet.get("goals"):
        g = fleet["goals"]
        n = g["largest"]
        big = fleet["sizes"][str(n)]
        for key, label, goal in (("compliance", "compliance", 4), ("site_rerun", "site re-run", 6)):
            wall = big[key]["wall"] / big["ping"]["wall"]
            rows.append(
                f"| {label} / ping, {n} hosts (all CPU: {work(big, key) / work(big, 'ping'):.2f}x) | {wall:.2f}x |"
                f" <= {goal}x | {met(wall, '<=', goal)} |"
            )
        # Our plays' growth; ping's (the floor, the machine's own) is shown beside it.
        growths = [s["growth"] for k, s in g.get("slopes", {}).items() if k != "ping" and s.get("growth") is not None]
        worst = max(growths) if growths else None
        ping_growth = g.get("slopes", {}).get("ping", {}).get("growth")
        sizes = "->".join(sorted(fleet["sizes"], key=int))
        cpu_growth = {
            k: v["cpu_per_host_mid_high"] / v["cpu_per_host_low_mid"]
            for k, v in g.get("slopes", {}).items()
            if v.get("cpu_per_host_low_mid")
        }
        cpu_text = ", ".join(f"{k} {v:.2f}" for k, v in cpu_growth.items())
        rows.append(
            f"| marginal cost per host, our plays' worst wall clock growth {sizes} (ping itself: {fmt(ping_growth)};"
            f" controller CPU growth: {cpu_text}) |"
            f" {fmt(worst)} | <= 1.5 (flat) | {met(worst, '<=', 1.5)} |"
        )
        pss = g.get("peak_pss_bytes")
        memory = (pss or g["peak_rss_bytes"]) / MIB
        rows.append(
            f"| controller peak memory, {n} hosts: the process tree's "
            + (f"PSS (shared pages once; summed RSS {g['peak_rss_bytes'] / MIB:.0f} MiB)" if pss else "summed RSS")
            + f" | {memory:.0f} MiB | < 1024 MiB | {met(memory, '<', 1024)} |"
        )
    comp = bench.get("compliance", {}).get("data")
    if comp:
        for name, goal in comp.get("goals", {}).items():
            value = comp["ratios"].get(name)
            rows.append(f"| compliance bench: {name} | {fmt(value, 1)} | {goal[0]} {goal[1]} | {met(value, *goal)} |")
    fw = bench.get("firewall", {}).get("data")
    if fw:
        for backend, row in fw["open"].items():
            rows.append(
                f"| firewall {backend}: peer / ours | {row['peer_over_ours']:.1f}x | >= {row['goal']:g}x |"
                f" {met(row['peer_over_ours'], '>=', row['goal'])} |"
            )
        for backend, row in fw["idempotent"].items():
            rows.append(
                f"| firewall {backend}: re-run / ping | {row['ours_over_ping']:.2f}x | <= {row['goal']:g}x |"
                f" {met(row['ours_over_ping'], '<=', row['goal'])} |"
            )
    return rows


def render(state: Dict[str, Any], final: bool) -> str:
    m = state["machine"]
    cores = m["cores"] or 1
    entries = state.get("benchmarks", {})
    loaded = [name for name, e in entries.items() if busy(e, cores)]
    env = ""
    if m.get("source", "worktree") != "worktree":
        env = f"BENCH_SOURCE={m['source']} " + (f'BENCH_OVERLAY="{m["overlay"]}" ' if m.get("overlay") else "")
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{state['command']}` (benchmarks/run-all.sh), started {state['started']}"
        + ("" if final else " - **run still in progress or interrupted: partial results**")
        + ". Every ratio compares two figures measured in the same run on the same machine.",
        "",
        f"- Machine: {m['cores']} cores ({m['cpu']}), {m['memory_bytes'] / (1 << 30):.1f} GiB memory, {m['os']},"
        f" kernel {m['kernel']}; load average at the start {state['load_start']['loadavg'][0]:.1f}.",
        f"- Versions: Python {m['python']}, {m['ansible_core']}, {m['podman']}; webedge.https at commit"
        f" {m['commit']}{' with uncommitted changes' if m['dirty'] else ''} (measured: {m['source']}"
        + (f", with {m['overlay']} from the checkout" if m.get("overlay") else "")
        + ").",
        f"- Repeat: `{env}{state['command']}` from the repository root (it installs what it needs: `make lab venv"
        " judges` and py-spy in .build/venv-bench).",
    ]
    missing = [name for name in SECTIONS if name not in entries]
    if missing and final:
        lines.append(
            f"- Not run in this record: {', '.join(missing)} (their READMEs keep their last figures; `make bench`"
            " runs every benchmark)."
        )
    for resumed in state.get("resumed", []):
        lines.append(
            f"- Resumed {resumed['at']} with `{resumed['command']}`{_resumed_at(resumed)} (load average"
            f" {resumed['load']['loadavg'][0]:.1f}): the benchmarks it ran replace their earlier figures."
        )
    if state.get("quick"):
        lines.append("- **Quick mode**: fewer repetitions and settings than `make bench` takes by default.")
    if loaded:
        lines.append(
            f"- **Taken under load** (load average above {cores / 2:g}, half the cores, during: {', '.join(loaded)}):"
            " wall clock figures are noisy and ratios to a floor measured minutes apart are skewed; the CPU"
            " figures are steadier. Re-run on a quiet machine for figures to quote."
        )
    lines += ["", "## Goals", "", "| goal | figure | target | |", "|---|---|---|---|"]
    lines += goal_rows(state) or ["| (nothing measured yet) | | | |"]
    for name, (title, section) in SECTIONS.items():
        entry = entries.get(name)
        if entry is None:
            continue
        lines += ["", f"## {title}", "", f"Ran {entry.get('started', '?')}, {load_text(entry)}."]
        if entry.get("rc") not in (0, None):
            lines.append(f"**Exit status {entry['rc']}**: see .build/bench/{name}.log.")
        if entry.get("data"):
            lines.append("")
            lines += section(entry["data"])
        elif entry.get("rc") is None:
            lines.append("Running.")
        else:
            lines.append("No figures (it failed before writing them).")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["start", "resume", "begin", "end", "write"])
    parser.add_argument("--state", required=True)
    parser.add_argument("--command")
    parser.add_argument("--quick", type=int, default=0)
    parser.add_argument("--repo")
    parser.add_argument("--name")
    parser.add_argument("--rc", type=int)
    parser.add_argument("--json")
    parser.add_argument("--out")
    parser.add_argument("--final", action="store_true")
    args = parser.parse_args()
    if args.action == "start":
        _save(
            args.state,
            {
                "command": args.command,
                "quick": bool(args.quick),
                "started": _now(),
                "machine": machine(args.repo),
                "load_start": load_now(),
                "benchmarks": {},
            },
        )
        return 0
    state = _state(args.state)
    if args.action == "resume":
        here = machine(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        state.setdefault("resumed", []).append(
            {
                "at": _now(),
                "command": args.command,
                "load": load_now(),
                "commit": here["commit"],
                "dirty": here["dirty"],
            }
        )
    elif args.action == "begin":
        state["benchmarks"][args.name] = {"started": _now(), "load_before": load_now(), "rc": None}
    elif args.action == "end":
        entry = state["benchmarks"][args.name]
        entry.update(rc=args.rc, ended=_now(), load_after=load_now())
        text = _read(args.json)
        entry["data"] = json.loads(text) if text else None
    else:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(render(state, args.final))
        return 0
    _save(args.state, state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
