#!/usr/bin/env bash
# webedge.https.listening_ports against ansible.builtin.ping and community.general.listen_ports_facts,
# on a host with N listening TCP sockets (default 2000). Not part of `make test`.
# The host is this machine (--target local, the default: where the issue's figures were measured)
# or a lab container through podman (--target container, --network none).
#
# Usage: benchmarks/listening_ports/run.sh [--check-goals] [--target local|container] [--sockets N]
#                                          [--reps N] [--peer-reps N] [--json-out FILE]
# Env:   IMAGE (default localhost/webedge-lab:debian12), BENCH_SOURCE (worktree|head, see ../lib.sh)
# Goals: peer/ours >= 30 and ours/ping <= 1.1 (checked only with --check-goals). bench.py says what is timed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export PATH="$repo/.venv/bin:$PATH"
image=${IMAGE:-localhost/webedge-lab:debian12}
name=bench-listening
sockets=2000 target=local args=()
while (($#)); do
  case $1 in
    --check-goals) args+=(--check-goals) ;;
    --target) target=$2; shift ;;
    --sockets) sockets=$2; shift ;;
    --reps | --peer-reps | --json-out) args+=("$1" "$2"); shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

work=$(mktemp -d /tmp/bench-listening.XXXXXX)
holder=""
cleanup() {
  [ -n "$holder" ] && kill "$holder" 2>/dev/null
  [ "$target" = container ] && podman rm -f -t 0 "$name" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

source "$here/../lib.sh"
expose_collection "$work"   # the checkout, or HEAD with BENCH_SOURCE=head
if [ "$target" = local ]; then
  name=localhost
  printf 'localhost ansible_connection=local ansible_python_interpreter=%s\n' "$(command -v python3)" > "$work/inventory"
else
  printf '%s ansible_connection=containers.podman.podman ansible_python_interpreter=/usr/bin/python3\n' \
    "$name" > "$work/inventory"
fi
export ANSIBLE_INVENTORY="$work/inventory" ANSIBLE_HOST_KEY_CHECKING=0 \
  ANSIBLE_DEPRECATION_WARNINGS=0 ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_NOCOLOR=1

if [ "$target" = local ]; then
  echo "== opening $sockets listening TCP sockets on this machine (127.0.0.1:20000-)"
  python3 "$here/holder.py" "$sockets" 20000 127.0.0.1 &
  holder=$!
  in_host() { sh -c "$1"; }
  own_work=$(printf '["env", "PYTHONPATH=%s", "python3", "%s"]' "$work/ac" "$here/own_work.py")
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
  podman cp "$here/holder.py" "$name:/usr/local/bin/holder.py"
  podman exec -d "$name" python3 /usr/local/bin/holder.py "$sockets" 20000 0.0.0.0 >/dev/null
  in_host() { podman exec "$name" sh -c "$1"; }
  podman exec "$name" mkdir -p /tmp/bench/ansible_collections/webedge/https/plugins "$work"
  podman cp "$work/ac/ansible_collections/webedge/https/plugins/module_utils" \
    "$name:/tmp/bench/ansible_collections/webedge/https/plugins/"
  podman cp "$here/own_work.py" "$name:/tmp/bench/own_work.py"
  own_work=$(printf '["podman", "exec", "%s", "env", "PYTHONPATH=/tmp/bench", "python3", "/tmp/bench/own_work.py"]' "$name")
fi
for _ in $(seq 1 60); do
  count=$(in_host "grep -c ' 0A ' /proc/net/tcp" || true)
  [ "${count:-0}" -ge "$sockets" ] && break
  sleep 0.5
done
echo "   $count TCP sockets in LISTEN (tcp4 table)"

[ "$target" = container ] && args+=(--container "$name")
python3 "$here/bench.py" --work "$work" --host "$name" --sockets "$sockets" --own-work-cmd "$own_work" "${args[@]}"
