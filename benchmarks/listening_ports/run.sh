#!/usr/bin/env bash
# webedge.https.listening_ports against community.general.listen_ports_facts and ansible.builtin.ping,
# on a host with N listening TCP sockets (default 2000). Not part of `make test`.
# The host is this machine over loopback (--target local, the default: where the issue's
# figures were measured) or a lab container through podman (--target container).
#
# Usage: benchmarks/listening_ports/run.sh [--check-goals] [--target local|container] [--sockets N] [--reps N] [--peer-reps N]
# Env:   ANSIBLE (default: `ansible` on PATH), IMAGE (default localhost/webedge-lab:debian12)
# Goals: peer/ours >= 30 and ours/ping <= 1.5 (checked only with --check-goals).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
ansible_bin=${ANSIBLE:-ansible}
image=${IMAGE:-localhost/webedge-lab:debian12}
name=bench-listening
sockets=2000 reps=3 peer_reps=1 check_goals=0 target=local
while (($#)); do
  case $1 in
    --check-goals) check_goals=1 ;;
    --target) target=$2; shift ;;
    --sockets) sockets=$2; shift ;;
    --reps) reps=$2; shift ;;
    --peer-reps) peer_reps=$2; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

work=$(mktemp -d /tmp/bench-listening.XXXXXX)
holder=""
cleanup() {
  [ -n "$holder" ] && kill "$holder" 2>/dev/null
  [ "$target" = container ] && podman rm -f "$name" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The repository root is the collection: expose it as ansible_collections/webedge/https.
mkdir -p "$work/ac/ansible_collections/webedge"
ln -s "$repo" "$work/ac/ansible_collections/webedge/https"
if [ "$target" = local ]; then
  name=localhost
  printf 'localhost ansible_connection=local ansible_python_interpreter=%s\n' "$(command -v python3)" > "$work/inventory"
else
  printf '%s ansible_connection=containers.podman.podman ansible_python_interpreter=/usr/bin/python3\n' \
    "$name" > "$work/inventory"
fi
export ANSIBLE_COLLECTIONS_PATH="$work/ac" ANSIBLE_INVENTORY="$work/inventory" \
  ANSIBLE_STDOUT_CALLBACK=json ANSIBLE_LOAD_CALLBACK_PLUGINS=1 ANSIBLE_HOST_KEY_CHECKING=0 \
  ANSIBLE_DEPRECATION_WARNINGS=0 ANSIBLE_LOCALHOST_WARNING=0

if [ "$target" = local ]; then
  echo "== opening $sockets listening TCP sockets on this machine (127.0.0.1:20000-)"
  python3 -c "$(printf '%s' "import socket, time
held = []
for port in range(20000, 20000 + $sockets):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port))
    s.listen(1)
    held.append(s)
time.sleep(86400)")" &
  holder=$!
  in_host() { sh -c "$1"; }
else
  echo "== starting $name from $image"
  podman rm -f "$name" >/dev/null 2>&1 || true
  podman run -d --name "$name" --systemd=always --cap-add NET_ADMIN,NET_RAW --network none "$image" >/dev/null
  for _ in $(seq 1 60); do
    state=$(podman exec "$name" systemctl is-system-running 2>/dev/null || true)
    case $state in running | degraded) break ;; esac
    sleep 1
  done
  case $state in running | degraded) ;; *) echo "container did not boot (state: ${state:-none})" >&2; exit 1 ;; esac

  echo "== opening $sockets listening TCP sockets in the container"
  podman exec -d "$name" python3 -c "import socket, time
held = []
for port in range(20000, 20000 + $sockets):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('0.0.0.0', port))
    s.listen(1)
    held.append(s)
time.sleep(86400)" >/dev/null
  in_host() { podman exec "$name" sh -c "$1"; }
fi
for _ in $(seq 1 60); do
  count=$(in_host "grep -c ' 0A ' /proc/net/tcp" || true)
  [ "${count:-0}" -ge "$sockets" ] && break
  sleep 0.5
done
echo "   $count TCP sockets in LISTEN (tcp4 table)"

# time_task LABEL CHECK MODULE [ARGS]: one run, wall clock, result checked by CHECK (a python expression on r)
time_task() {
  local label=$1 check=$2 module=$3 args=${4:-} start end
  start=$(date +%s.%N)
  if ! "$ansible_bin" "$name" -m "$module" ${args:+-a "$args"} > "$work/out.json" 2> "$work/err.txt"; then
    echo "$label failed:" >&2; head -c 2000 "$work/out.json" "$work/err.txt" >&2; exit 1
  fi
  end=$(date +%s.%N)
  python3 - "$work/out.json" "$check" "$label" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
r = next(iter(data["plays"][0]["tasks"][0]["hosts"].values()))
if not eval(sys.argv[2], {"r": r}):
    sys.exit(f"{sys.argv[3]}: unexpected result: {json.dumps(r)[:500]}")
PY
  echo "$label $(python3 -c "print(f'{$end - $start:.3f}')")" >> "$work/times"
}

echo "== the module's own work on the target (module_utils only, no Ansible; best of 5)"
own_work='
import time
from ansible_collections.webedge.https.plugins.module_utils.listening.report import parse_query, run
best = None
for _ in range(5):
    start = time.perf_counter()
    result = run(parse_query({}))
    best = min(best or 1e9, time.perf_counter() - start)
print("   %d sockets reported with owners in %.1f ms" % (len(result["listening"]), best * 1000))
'
if [ "$target" = local ]; then
  PYTHONPATH="$work/ac" python3 -c "$own_work"
else
  podman exec "$name" mkdir -p /tmp/bench/ansible_collections/webedge/https/plugins
  podman cp "$repo/plugins/module_utils" "$name:/tmp/bench/ansible_collections/webedge/https/plugins/"
  podman exec "$name" env PYTHONPATH=/tmp/bench python3 -c "$own_work"
fi

echo "== warming up the connection"
time_task warmup "r.get('ping') == 'pong'" ansible.builtin.ping
: > "$work/times"

ours_check="len(r['listening']) >= $sockets"
peer_check="len(r['ansible_facts']['tcp_listen']) >= $sockets"
for i in $(seq 1 "$reps"); do
  echo "== round $i/$reps: ping, listening_ports"
  time_task ping "r.get('ping') == 'pong'" ansible.builtin.ping
  time_task ours "$ours_check" webedge.https.listening_ports
done
for i in $(seq 1 "$peer_reps"); do
  echo "== peer run $i/$peer_reps: community.general.listen_ports_facts (slow: it runs ps per socket)"
  time_task peer "$peer_check" community.general.listen_ports_facts
done

python3 - "$work/times" "$sockets" "$check_goals" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    label, seconds = line.split()
    times.setdefault(label, []).append(float(seconds))
med = {k: statistics.median(v) for k, v in times.items()}
names = {"ping": "ansible.builtin.ping", "ours": "webedge.https.listening_ports",
         "peer": "community.general.listen_ports_facts"}
print(f"\n{int(sys.argv[2])} listening TCP sockets; wall clock per ad-hoc `ansible` run (median)")
low = {k: min(v) for k, v in times.items()}
print(f"{'task':40} {'runs':>4} {'median s':>9} {'min s':>6}   all runs")
for key in ("ping", "ours", "peer"):
    runs = ", ".join(f"{t:.2f}" for t in times[key])
    print(f"{names[key]:40} {len(times[key]):>4} {med[key]:>9.2f} {low[key]:>6.2f}   {runs}")
speedup, overhead = med["peer"] / med["ours"], med["ours"] / med["ping"]
print(f"\npeer/ours = {speedup:.1f}x  (goal >= 30x; on the fastest runs {low['peer'] / low['ours']:.1f}x)")
print(f"ours/ping = {overhead:.2f}x  (goal <= 1.5x; on the fastest runs {low['ours'] / low['ping']:.2f}x)")
try:
    print(f"load average at the end: {open('/proc/loadavg').read().split()[0]} (noisy neighbours skew wall clock)")
except OSError:
    pass
if sys.argv[3] == "1" and not (speedup >= 30 and overhead <= 1.5):
    sys.exit("goals not met")
PY
