# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet benchmark: ping, the compliance gate and site.yml over 10, 25 and 50 lab hosts.

Called by run.sh (venv on PATH, the collection visible, the network webedge-fleet up). For each
fleet size N it starts N fresh lab hosts (localhost/webedge-lab:debian12: systemd, sshd,
nftables with a policy-drop ruleset, nginx installed but not configured) on webedge-fleet, runs
lab/containment.py for their addresses, and times over SSH (pipelining, ControlPersist):

- ``ansible web_servers -m ansible.builtin.ping`` (the floor; median of --ping-reps);
- ``ansible-playbook webedge.https.site`` on the fresh hosts (first converge; every host must
  converge: failed=0, changed>0);
- the same again (idempotent re-run: changed=0 on every host; median of --reps);
- ``ansible-playbook webedge.https.compliance`` (host and endpoint controls, the five reports;
  it must pass: the converged fleet has no high or critical finding; median of --reps);

each as wall clock, controller CPU seconds and peak RSS of the whole ansible process tree
(procmon.py). At the largest size it then measures the settings (forks, pipelining, strategy,
fact gathering and caching, the probe's concurrency, the podman connection) and, with
--profile, records py-spy profiles of the controller. Writes every figure to --json-out.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [HERE, os.path.dirname(HERE)]
from procmon import Measured, measure
from profile_summary import summarise

NETWORK = os.environ.get("FLEET_NETWORK", "webedge-fleet")
IMAGE = os.environ.get("FLEET_IMAGE", "localhost/webedge-lab:debian12")
PREFIX = "fleet"
FIRST_OCTET = 11  # fleet01 is 10.89.44.11 / fd42:89:44::11
NFT_RULESET = os.path.join(REPO, "extensions", "molecule", "shared", "lab-files", "nftables-hostile.conf")
RECAP = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)\s+"
    r"failed=(?P<failed>\d+)",
    re.M,
)
GOALS = {
    "compliance_over_ping": 4.0,  # compliance at the largest size / ping at the same size
    "site_rerun_over_ping": 6.0,  # idempotent site re-run / ping
    "slope_growth": 1.5,  # marginal cost per host from the middle to the largest size / from the smallest to the middle
    # The controller's peak memory at the largest size: what the ansible-playbook process tree holds, i.e. its
    # PSS summed (each shared page counted once over its sharers). The workers are forks of the controller and
    # share most pages with it, so a sum of their RSS counts those pages once per worker; it is reported too.
    "peak_memory_bytes": 1 << 30,
}


def log(text: str) -> None:
    print(f"[fleet {time.strftime('%H:%M:%S')}] {text}", flush=True)


def sh(argv: List[str], check: bool = True, stdin: Optional[str] = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, capture_output=True, text=True, input=stdin, check=False)
    if check and proc.returncode:
        raise SystemExit(f"{' '.join(argv[:8])} exited {proc.returncode}: {(proc.stderr or proc.stdout)[-1500:]}")
    return proc


def loadavg() -> List[float]:
    with open("/proc/loadavg", encoding="ascii") as handle:
        return [float(x) for x in handle.read().split()[:3]]


# ------------------------------------------------------------------ the fleet


def host_name(index: int) -> str:
    return f"{PREFIX}{index:02d}"


def addresses(index: int) -> tuple:
    octet = FIRST_OCTET + index - 1
    return f"10.89.44.{octet}", f"fd42:89:44::{octet}"


def fleet_names() -> List[str]:
    out = sh(["podman", "ps", "-a", "--filter", "label=webedge.lab=fleet", "--format", "{{.Names}}"], check=False)
    return [n for n in out.stdout.split() if n]


def fleet_cpu() -> float:
    """CPU seconds used so far by every fleet container (their cgroups): the targets' side of a run.

    The targets share this machine's cores with the controller, so their work is part of every
    wall clock figure; this says how much of it there was. cgroup v1 (cpuacct) or v2 (cpu.stat).
    """
    out = sh(["podman", "ps", "--filter", "label=webedge.lab=fleet", "--format", "{{.ID}}", "--no-trunc"], check=False)
    total = 0.0
    for cid in out.stdout.split():
        for path, scale in (
            (f"/sys/fs/cgroup/cpuacct/libpod_parent/libpod-{cid}/cpuacct.usage", 1e-9),
            (f"/sys/fs/cgroup/libpod_parent/libpod-{cid}/cpu.stat", 1e-6),
        ):
            try:
                with open(path, encoding="ascii") as handle:
                    text = handle.read()
            except OSError:
                continue
            value = text.split()[1] if text.startswith("usage_usec") else text.split()[0]
            total += int(value) * scale
            break
    return total


def fleet_down() -> None:
    names = fleet_names()
    if names:
        sh(["podman", "rm", "-f", "-t", "0", *names], check=False)


def start_host(index: int, pubkey: str) -> None:
    name = host_name(index)
    ip4, ip6 = addresses(index)
    sh(["podman", "rm", "-f", "-t", "0", name], check=False)
    sh(
        [
            "podman", "run", "-d", "--name", name, "--hostname", name, "--systemd=always",
            "--cap-add", "NET_ADMIN,NET_RAW", "--network", NETWORK, "--ip", ip4, "--ip6", ip6,
            "-v", f"{pubkey}:/root/.ssh/authorized_keys:ro", "--label", "webedge.lab=fleet",
            IMAGE, "/sbin/init",
        ]
    )  # fmt: skip


BOOT_TIMEOUT = 600  # seconds; systemd in 50 containers on a busy 2-core machine can take minutes


def wait_booted(name: str, timeout: float) -> str:
    """systemd's state when it finished booting (running, degraded) or when ``timeout`` ran out."""
    deadline = time.monotonic() + timeout
    state = ""
    while time.monotonic() < deadline:
        state = sh(["podman", "exec", name, "systemctl", "is-system-running"], check=False).stdout.strip()
        if state in ("running", "degraded"):
            break
        time.sleep(2)
    return state


def prepare_host(index: int, pubkey: str) -> None:
    """Wait for boot (a host that does not boot is started again, once), then make it a host like a
    real one: nftables policy drop (SSH open), a page."""
    name = host_name(index)
    state = wait_booted(name, BOOT_TIMEOUT)
    if state not in ("running", "degraded"):
        log(f"   {name} did not boot in {BOOT_TIMEOUT} s (systemd: {state or 'no answer'}); starting it again")
        start_host(index, pubkey)
        state = wait_booted(name, BOOT_TIMEOUT)
    if state not in ("running", "degraded"):
        raise SystemExit(f"{name} did not boot (systemd: {state or 'no answer'})")
    with open(NFT_RULESET, encoding="utf-8") as handle:
        ruleset = handle.read()
    script = (
        "set -e; cat > /etc/nftables.conf; systemctl enable --now nftables >/dev/null 2>&1;"
        f" mkdir -p /var/www/{name}; echo '<!doctype html><title>{name}</title>' > /var/www/{name}/index.html"
    )
    sh(["podman", "exec", "-i", name, "sh", "-c", script], stdin=ruleset)


def fleet_up(count: int, pubkey: str) -> float:
    started = time.monotonic()
    fleet_down()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: start_host(i, pubkey), range(1, count + 1)))
        list(pool.map(lambda i: prepare_host(i, pubkey), range(1, count + 1)))
    guard = [sys.executable, os.path.join(REPO, "lab", "containment.py"), "--network", NETWORK, "--quiet"]
    for index in range(1, count + 1):
        guard += ["--address", addresses(index)[0], "--address", addresses(index)[1]]
    if subprocess.run(guard, check=False).returncode:
        raise SystemExit("containment guard failed: nothing is sent to the fleet")
    return time.monotonic() - started


def write_inventory(work: str, count: int, connection: str) -> str:
    """hosts.yml beside a copy of the benchmark's group_vars; returns the inventory directory."""
    inv = os.path.join(work, f"inventory-{connection}-{count}")
    shutil.rmtree(inv, ignore_errors=True)
    shutil.copytree(os.path.join(HERE, "inventory"), inv)
    hosts: Dict[str, Any] = {}
    for index in range(1, count + 1):
        ip4, ip6 = addresses(index)
        entry: Dict[str, Any] = {"lab_address": ip4, "lab_ipv6": ip6}
        if connection == "ssh":
            entry["ansible_host"] = ip4
        hosts[host_name(index)] = entry
    conn_vars: Dict[str, Any] = {"fleet_ca_dir": os.path.join(work, "lab-ca")}
    if connection == "ssh":
        conn_vars.update(ansible_connection="ssh", ansible_ssh_private_key_file=os.path.join(work, "key"))
    else:
        conn_vars.update(ansible_connection="containers.podman.podman")
    data = {
        "all": {
            "vars": conn_vars,
            "children": {"web_servers": {"children": {"nginx_servers": {"hosts": hosts}}}},
        }
    }
    with open(os.path.join(inv, "hosts.yml"), "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)  # JSON is YAML
    return inv


# ------------------------------------------------------------------ running Ansible


class Ansible:
    """Runs ansible and ansible-playbook with one set of settings, measured, in the work directory."""

    def __init__(self, work: str, settings: Dict[str, str]) -> None:
        self.work = work
        self.n = 0
        self.env = dict(
            os.environ,
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
            ANSIBLE_STDOUT_CALLBACK="default",
            ANSIBLE_HOST_KEY_CHECKING="0",
            ANSIBLE_DEPRECATION_WARNINGS="0",
            ANSIBLE_LOCALHOST_WARNING="0",
            ANSIBLE_RETRY_FILES_ENABLED="0",
            ANSIBLE_DISPLAY_SKIPPED_HOSTS="0",
            ANSIBLE_SSH_ARGS=(
                "-C -o ControlMaster=auto -o ControlPersist=600s -o UserKnownHostsFile=/dev/null"
                " -o StrictHostKeyChecking=no -o LogLevel=ERROR"
            ),
            ANSIBLE_SSH_CONTROL_PATH_DIR=os.path.join(work, "cp"),
            ANSIBLE_LOCAL_TEMP=os.path.join(work, "tmp"),
        )
        self.env.pop("ANSIBLE_CALLBACKS_ENABLED", None)  # no timing callbacks inside the measured runs
        self.env.update(settings)

    def run(self, label: str, argv: List[str], inventory: str, extra_env: Optional[Dict[str, str]] = None,
            wrap: Optional[List[str]] = None) -> Measured:  # fmt: skip
        self.n += 1
        env = dict(self.env, ANSIBLE_INVENTORY=inventory, **(extra_env or {}))
        path = os.path.join(self.work, "logs", f"{self.n:03d}-{label}.log")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        before = fleet_cpu()
        result = measure((wrap or []) + argv, env=env, cwd=self.work, log=path)
        result.target_cpu = fleet_cpu() - before
        return result


def recap(output: str) -> Dict[str, Dict[str, int]]:
    return {
        m["host"]: {k: int(m[k]) for k in ("ok", "changed", "unreachable", "failed")} for m in RECAP.finditer(output)
    }


def check_play(label: str, result: Measured, hosts: List[str], expect: str) -> Dict[str, int]:
    """Fail the benchmark unless every host ran: expect 'changed' (>0 each), 'unchanged' or 'any'."""
    stats = recap(result.output)
    missing = [h for h in hosts if h not in stats]
    failed = [h for h, s in stats.items() if s["failed"] or s["unreachable"]]
    problems = []
    if result.rc:
        problems.append(f"exit {result.rc}")
    if missing:
        problems.append(f"no recap for {len(missing)} host(s) ({', '.join(missing[:3])})")
    if failed:
        problems.append(f"failed or unreachable: {', '.join(failed[:5])}")
    if expect == "changed" and any(stats.get(h, {}).get("changed", 0) == 0 for h in hosts):
        problems.append("a host reported no change on a first converge")
    if expect == "unchanged" and any(stats.get(h, {}).get("changed", 1) for h in hosts):
        changed = [h for h in hosts if stats.get(h, {}).get("changed")]
        problems.append(f"not idempotent: changed on {', '.join(changed[:5])}")
    if problems:
        tail = "\n".join(result.output.splitlines()[-40:])
        raise SystemExit(f"{label}: {'; '.join(problems)}\n{tail}")
    return {k: sum(s[k] for s in stats.values()) for k in ("ok", "changed")}


def check_ping(label: str, result: Measured, hosts: List[str]) -> None:
    ok = re.findall(r"^(\S+) \| SUCCESS", result.output, re.M)
    if result.rc or sorted(ok) != sorted(hosts):
        raise SystemExit(f"{label}: exit {result.rc}, {len(ok)}/{len(hosts)} hosts answered\n{result.output[-2000:]}")


def figure(runs: List[Measured]) -> Dict[str, Any]:
    return {
        "wall": statistics.median(r.wall for r in runs),
        "cpu": statistics.median(r.cpu for r in runs),
        "target_cpu": statistics.median(r.target_cpu for r in runs),
        "peak_rss": max(r.peak_rss for r in runs),
        "peak_pss": max(r.peak_pss for r in runs),
        "runs": [round(r.wall, 2) for r in runs],
        "load": loadavg()[0],
    }


# ------------------------------------------------------------------ the benchmark


def playbook_argv(name: str, *extra: str) -> List[str]:
    return ["ansible-playbook", *extra, name]


def compliance_argv(work: str, *extra: str) -> List[str]:
    return playbook_argv("webedge.https.compliance", "-e", f"compliance_report_dest={work}/reports", *extra)


def measure_size(args: argparse.Namespace, work: str, count: int, results: Dict[str, Any]) -> str:
    hosts = [host_name(i) for i in range(1, count + 1)]
    log(f"== {count} hosts: starting a fresh fleet")
    boot = fleet_up(count, os.path.join(work, "key.pub"))
    inv = write_inventory(work, count, "ssh")
    ans = Ansible(work, base_settings(args))
    ping = ["ansible", "web_servers", "-m", "ansible.builtin.ping"]
    log(f"   fleet up in {boot:.0f} s; warming the SSH connections")
    check_ping("warm-up ping", ans.run("warmup", ping, inv), hosts)
    size: Dict[str, Any] = {"hosts": count, "boot_s": round(boot, 1), "load_start": loadavg()}

    pings = []
    for rep in range(args.ping_reps):
        pings.append(ans.run(f"ping-{count}", ping, inv))
        check_ping(f"ping {count} #{rep + 1}", pings[-1], hosts)
    size["ping"] = figure(pings)
    log(f"   ping: {size['ping']['runs']} s")

    ca = ans.run(f"lab-ca-{count}", playbook_argv(os.path.join(REPO, "playbooks", "demo", "lab-ca.yml")), inv)
    check_play("lab CA (not timed)", ca, hosts, "any")

    first = ans.run(f"site-first-{count}", playbook_argv("webedge.https.site"), inv)
    size["site_first_counts"] = check_play(f"site first converge on {count}", first, hosts, "changed")
    size["site_first"] = figure([first])
    log(f"   site first converge: {first.wall:.1f} s")

    reruns = []
    for rep in range(args.reps):
        reruns.append(ans.run(f"site-rerun-{count}", playbook_argv("webedge.https.site"), inv))
        check_play(f"site re-run {count} #{rep + 1}", reruns[-1], hosts, "unchanged")
    size["site_rerun"] = figure(reruns)
    log(f"   site re-run: {size['site_rerun']['runs']} s")

    audits = []
    for rep in range(args.reps):
        audits.append(ans.run(f"compliance-{count}", compliance_argv(work), inv))
        check_play(f"compliance {count} #{rep + 1}", audits[-1], hosts, "unchanged")
    size["compliance"] = figure(audits)
    report = os.path.join(work, "reports", "compliance.json")
    size["compliance_report_hosts"] = report_hosts(report)
    if size["compliance_report_hosts"] != count:
        raise SystemExit(f"compliance report names {size['compliance_report_hosts']} hosts, expected {count}")
    log(f"   compliance: {size['compliance']['runs']} s")
    size["load_end"] = loadavg()
    results["sizes"][str(count)] = size
    return inv


def report_hosts(path: str) -> int:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return -1
    hosts = data.get("hosts")
    if isinstance(hosts, list):
        return len(hosts)
    if isinstance(hosts, dict):
        return len(hosts)
    return len({f.get("host") for f in data.get("findings", []) if f.get("host")})


def base_settings(args: argparse.Namespace) -> Dict[str, str]:
    return {"ANSIBLE_FORKS": str(args.forks), "ANSIBLE_PIPELINING": "1"}


def poll_cfg(work: str, interval: float) -> str:
    """An ansible.cfg setting only [defaults] internal_poll_interval (it has no environment variable)."""
    path = os.path.join(work, f"ansible-poll-{interval:g}.cfg")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(f"[defaults]\ninternal_poll_interval = {interval:g}\n")
    return path


def measure_settings(args: argparse.Namespace, work: str, count: int, inv: str, results: Dict[str, Any]) -> None:
    """One knob at a time at the largest size, against the base settings, in the same fleet."""
    hosts = [host_name(i) for i in range(1, count + 1)]
    base = base_settings(args)
    variants: List[tuple] = [
        ("forks=5", {"ANSIBLE_FORKS": "5"}),
        ("forks=10", {"ANSIBLE_FORKS": "10"}),
        (f"forks={count}", {"ANSIBLE_FORKS": str(count)}),
        ("pipelining off", {"ANSIBLE_PIPELINING": "0"}),
        ("strategy free", {"ANSIBLE_STRATEGY": "free"}),
        # no environment variable for this one: an ansible.cfg of its own (the profile shows the main
        # process polling for results every 1 ms, the default)
        ("internal_poll_interval=0.01", {"ANSIBLE_CONFIG": poll_cfg(work, 0.01)}),
    ]
    if args.quick_settings:  # a loaded machine: fewer knobs, and not on the (slowest) site re-run
        variants = [v for v in variants if v[0] in ("forks=5", f"forks={count}", "pipelining off")]
    only = set(args.settings_only.split(",")) if args.settings_only else None
    if only is not None:  # the knobs named (and the base rows they are compared with), nothing else
        variants = [v for v in variants if v[0] in only]
    rows: List[Dict[str, Any]] = []

    def row(name: str, settings: Dict[str, str], what: str, argv: List[str], checker: Callable, inventory: str = inv,
            extra_env: Optional[Dict[str, str]] = None) -> None:  # fmt: skip
        ans = Ansible(work, dict(base, **settings))
        result = ans.run(f"setting-{what}-{re.sub(r'[^a-z0-9]+', '-', name)}", argv, inventory, extra_env)
        note = ""
        try:
            checker(result)
        except SystemExit as exc:
            note = str(exc).splitlines()[0][:200]
        rows.append(
            {
                "setting": name,
                "what": what,
                "wall": result.wall,
                "cpu": result.cpu,
                "target_cpu": result.target_cpu,
                "peak_rss": result.peak_rss,
                "peak_pss": result.peak_pss,
                "ok": not note,
                "note": note,
                "load": loadavg()[0],
            }
        )
        log(f"   {name:24} {what:18} {result.wall:7.1f} s  cpu {result.cpu:6.1f} s  {note}")

    def ping_ok(r: Measured) -> None:
        check_ping("ping", r, hosts)

    def unchanged(r: Measured) -> None:
        check_play("play", r, hosts, "unchanged")

    ping = ["ansible", "web_servers", "-m", "ansible.builtin.ping"]
    log(f"== settings at {count} hosts (base: forks={args.forks}, pipelining on, linear, no facts)")
    row("base", {}, "ping", ping, ping_ok)
    if not args.quick_settings:
        row("base", {}, "site re-run", playbook_argv("webedge.https.site"), unchanged)
    row("base", {}, "compliance", compliance_argv(work), unchanged)
    for name, settings in variants:
        if name == f"forks={args.forks}":
            continue
        row(name, settings, "ping", ping, ping_ok)
        if not args.quick_settings:
            row(name, settings, "site re-run", playbook_argv("webedge.https.site"), unchanged)
        row(name, settings, "compliance", compliance_argv(work), unchanged)

    def wanted(group: str) -> bool:
        return only is None or group in only

    for concurrency in () if args.quick_settings or not wanted("compliance_concurrency") else (8, 64):
        row(f"compliance_concurrency={concurrency}", {}, "compliance",
            compliance_argv(work, "-e", f"compliance_concurrency={concurrency}"), unchanged)  # fmt: skip
    if wanted("facts"):
        measure_facts(args, work, inv, base, row, unchanged)
    if args.podman and not args.quick_settings and wanted("podman"):
        pinv = write_inventory(work, count, "podman")
        row("connection podman (lab)", {}, "ping", ping, ping_ok, pinv)
        row("connection podman (lab)", {}, "site re-run", playbook_argv("webedge.https.site"), unchanged, pinv)
        row("connection podman (lab)", {}, "compliance", compliance_argv(work), unchanged, pinv)
    results["settings"] = {"hosts": count, "base": base, "rows": rows}


def measure_facts(args: argparse.Namespace, work: str, inv: str, base: Dict[str, str], row: Callable,
                  unchanged: Callable) -> None:  # fmt: skip
    """Fact gathering: our playbooks do not gather; a play of yours that does pays this per run."""
    gather = os.path.join(HERE, "gather.yml")
    cache = {
        "ANSIBLE_GATHERING": "smart",
        "ANSIBLE_CACHE_PLUGIN": "jsonfile",
        "ANSIBLE_CACHE_PLUGIN_CONNECTION": os.path.join(work, "facts"),
        "ANSIBLE_CACHE_PLUGIN_TIMEOUT": "3600",
    }
    shutil.rmtree(os.path.join(work, "facts"), ignore_errors=True)
    row("facts gathered", {"ANSIBLE_GATHERING": "implicit"}, "gather play", playbook_argv(gather), unchanged)
    if not args.quick_settings:
        row("facts: smart+jsonfile, cold", cache, "gather play", playbook_argv(gather), unchanged)
    else:  # fill the cache untimed
        Ansible(work, dict(base, **cache)).run("facts-cache-fill", playbook_argv(gather), inv)
    row("facts: smart+jsonfile, warm", cache, "gather play", playbook_argv(gather), unchanged)
    if not args.quick_settings:
        row("facts: min subset", {"ANSIBLE_GATHERING": "implicit", "ANSIBLE_GATHER_SUBSET": "!all"},
            "gather play", playbook_argv(gather), unchanged)  # fmt: skip


def profile(args: argparse.Namespace, work: str, count: int, inv: str, results: Dict[str, Any]) -> None:
    """py-spy over the whole ansible-playbook tree (workers included), folded stacks summarised."""
    pyspy = shutil.which("py-spy")
    if not pyspy:
        log("   py-spy not found: no profile (make bench installs it in .build/venv-bench)")
        return
    hosts = [host_name(i) for i in range(1, count + 1)]
    ans = Ansible(work, base_settings(args))
    out: Dict[str, Any] = {}
    runs = [("compliance", compliance_argv(work)), ("site re-run", playbook_argv("webedge.https.site"))]
    if not args.quick_settings:
        runs.append(("ping", ["ansible", "web_servers", "-m", "ansible.builtin.ping"]))
    for what, argv in runs:
        folded = os.path.join(work, f"profile-{what.replace(' ', '-')}.txt")
        wrap = [
            pyspy,
            "record",
            "--subprocesses",
            "--full-filenames",
            "--rate",
            "50",
            "--format",
            "raw",
            "-o",
            folded,
            "--",
        ]
        result = ans.run(f"profile-{what.replace(' ', '-')}", argv, inv, wrap=wrap)
        if what == "ping":
            check_ping("profile ping", result, hosts)
        else:
            check_play(f"profile {what}", result, hosts, "unchanged")
        if os.path.exists(folded):
            out[what] = summarise(folded)
            keep = os.path.join(args.profile_dir, f"fleet-{count}-{what.replace(' ', '-')}.folded")
            os.makedirs(args.profile_dir, exist_ok=True)
            shutil.copyfile(folded, keep)
            out[what]["folded"] = os.path.relpath(keep, REPO)
            log(f"   profiled {what}: {result.wall:.1f} s under py-spy, {out[what]['samples']} samples")
    results["profiles"] = out


def goals(results: Dict[str, Any]) -> Dict[str, Any]:
    sizes = sorted(int(k) for k in results["sizes"])
    big = results["sizes"][str(sizes[-1])]
    out: Dict[str, Any] = {"largest": sizes[-1]}
    out["compliance_over_ping"] = big["compliance"]["wall"] / big["ping"]["wall"]
    out["site_rerun_over_ping"] = big["site_rerun"]["wall"] / big["ping"]["wall"]
    plays = ("ping", "site_first", "site_rerun", "compliance")
    out["peak_rss_bytes"] = max(big[k]["peak_rss"] for k in plays)
    pss = [big[k].get("peak_pss") or 0 for k in plays]
    out["peak_pss_bytes"] = max(pss) if all(pss) else None
    slopes: Dict[str, Any] = {}
    if len(sizes) >= 3:
        low, mid, high = sizes[0], sizes[len(sizes) // 2], sizes[-1]
        for key in ("ping", "site_first", "site_rerun", "compliance"):
            val = {n: results["sizes"][str(n)][key]["wall"] for n in (low, mid, high)}
            cpu = {n: results["sizes"][str(n)][key]["cpu"] for n in (low, mid, high)}
            first = (val[mid] - val[low]) / (mid - low)
            second = (val[high] - val[mid]) / (high - mid)
            slopes[key] = {
                "per_host_low_mid": first,
                "per_host_mid_high": second,
                "per_host_low_high": (val[high] - val[low]) / (high - low),
                "growth": second / first if first > 0 else None,
                "cpu_per_host_low_mid": (cpu[mid] - cpu[low]) / (mid - low),
                "cpu_per_host_mid_high": (cpu[high] - cpu[mid]) / (high - mid),
            }
    out["slopes"] = slopes
    # The goal is about our plays; ping's own growth (the machine's: the targets share its cores) is the floor.
    growths = [s["growth"] for k, s in slopes.items() if k != "ping" and s["growth"] is not None]
    memory = out["peak_pss_bytes"] if out["peak_pss_bytes"] is not None else out["peak_rss_bytes"]
    out["met"] = {
        "compliance_over_ping": out["compliance_over_ping"] <= GOALS["compliance_over_ping"],
        "site_rerun_over_ping": out["site_rerun_over_ping"] <= GOALS["site_rerun_over_ping"],
        "peak_memory_bytes": memory < GOALS["peak_memory_bytes"],
        "slope_growth": bool(growths) and max(growths) <= GOALS["slope_growth"],
    }
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--sizes", default="10,25,50")
    parser.add_argument("--reps", type=int, default=2, help="runs of the site re-run and the compliance play")
    parser.add_argument("--ping-reps", type=int, default=3)
    parser.add_argument("--forks", type=int, default=25)
    parser.add_argument("--no-settings", dest="settings", action="store_false")
    parser.add_argument("--no-podman", dest="podman", action="store_false")
    parser.add_argument("--quick-settings", action="store_true", help="fewer settings, none on the site re-run")
    parser.add_argument(
        "--settings-only",
        default="",
        help="comma list: knob names (e.g. 'strategy free'),"
        " compliance_concurrency, facts, podman; the base rows are always measured",
    )
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--profile-dir", default=os.path.join(REPO, ".build", "bench", "profiles"))
    parser.add_argument("--json-out")
    parser.add_argument("--keep", action="store_true", help="leave the last fleet running")
    args = parser.parse_args()
    work = args.work
    sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "webedge-fleet-bench", "-f", os.path.join(work, "key")])
    os.makedirs(os.path.join(work, "cp"), exist_ok=True)
    results: Dict[str, Any] = {
        "sizes": {},
        "forks": args.forks,
        "image": IMAGE,
        "network": NETWORK,
        "reps": args.reps,
        "ping_reps": args.ping_reps,
        "quick_settings": args.quick_settings,
    }
    sizes = [int(s) for s in args.sizes.split(",")]
    started = time.monotonic()

    def save() -> None:
        """Every figure so far (a later failure keeps what was measured), with the goals."""
        if results["sizes"]:
            results["goals"] = goals(results)
        results["duration_s"] = round(time.monotonic() - started)
        if args.json_out:
            with open(args.json_out, "w", encoding="utf-8") as handle:
                json.dump(results, handle, indent=1)

    try:
        inv = ""
        for count in sizes:
            inv = measure_size(args, work, count, results)
            save()
        if args.profile:  # before the settings: where the time goes matters more than the knobs
            profile(args, work, sizes[-1], inv, results)
            save()
        if args.settings:
            measure_settings(args, work, sizes[-1], inv, results)
    except SystemExit as exc:
        results["error"] = str(exc)[:3000]
        save()
        raise
    finally:
        if not args.keep:
            fleet_down()
    save()
    g = results["goals"]
    log(
        f"compliance/ping {g['compliance_over_ping']:.2f}x (goal <= 4),"
        f" site re-run/ping {g['site_rerun_over_ping']:.2f}x (goal <= 6),"
        f" peak memory {(g.get('peak_pss_bytes') or g['peak_rss_bytes']) / 2**20:.0f} MiB PSS"
        f" ({g['peak_rss_bytes'] / 2**20:.0f} MiB summed RSS; goal < 1024)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
