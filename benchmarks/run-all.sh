#!/usr/bin/env bash
# `make bench`: every benchmark in one run, then benchmarks/RESULTS.md (benchmarks/results.py).
# Not part of `make test`. Needs the lab (make lab), the venvs (make venv judges) and py-spy
# (.build/venv-bench); the Makefile target installs all of it first.
#
# Usage: benchmarks/run-all.sh [--quick] [--only listening,fleet,compliance,firewall]
#   --quick   fewer repetitions and settings (a busy machine; the figures say so)
#   --resume  keep the figures of the previous run's other benchmarks (with --only: re-run one that
#             failed); RESULTS.md lists when each benchmark ran and says that the record was resumed
# Env:   BENCH_SOURCE=worktree|head (benchmarks/lib.sh), MOLECULE_LOCK_DIR (a directory of
#        molecule-<scenario>.lock files to hold while the compliance lab runs, for a machine shared
#        with other molecule runs), BENCH_FLEET_ARGS (the fleet benchmark's options instead of
#        the default repetitions, settings and --profile)
# Each benchmark writes .build/bench/<name>.json and .build/bench/<name>.log; RESULTS.md is
# rewritten after each one, so an interrupted run still reports what it measured. A benchmark that
# fails is reported as failed and the others still run; the exit status is 1 when one failed.
set -uo pipefail
all_args="$*"
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=$repo/.build/bench
quick=0 resume=0 only=listening,fleet,compliance,firewall
while (($#)); do
  case $1 in
    --quick) quick=1 ;;
    --resume) resume=1 ;;
    --only) only=$2; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$out"
export PATH="$repo/.venv/bin:$repo/.build/venv-bench/bin:$PATH"
command="make bench"
((quick)) && command="make bench BENCH_ARGS=--quick"
[ "$only" != listening,fleet,compliance,firewall ] && command="benchmarks/run-all.sh $( ((quick)) && echo '--quick ')--only $only"
[ -n "${BENCH_FLEET_ARGS:-}" ] && command="BENCH_FLEET_ARGS='$BENCH_FLEET_ARGS' $command"

# the run's own record: when, what, on which machine; results.py adds each benchmark's figures
if ((resume)) && [ -s "$out/run.json" ]; then
  python3 "$here/results.py" resume --state "$out/run.json" --command "benchmarks/run-all.sh $all_args"
else
  python3 "$here/results.py" start --state "$out/run.json" --command "$command" --quick "$quick" --repo "$repo"
fi

failed=0
run() {  # run NAME COMMAND...: one benchmark, its log, its load before and after, its status
  local name=$1 rc; shift
  echo "== $(date -u +%H:%M:%S) $name: $* (log: $out/$name.log)"
  rm -f "$out/$name.json"
  python3 "$here/results.py" begin --state "$out/run.json" --name "$name"
  "$@" >"$out/$name.log" 2>&1
  rc=$?
  python3 "$here/results.py" end --state "$out/run.json" --name "$name" --rc "$rc" --json "$out/$name.json"
  python3 "$here/results.py" write --state "$out/run.json" --out "$here/RESULTS.md"
  if ((rc)); then failed=1; echo "   $name failed (exit $rc): tail of its log:"; tail -n 15 "$out/$name.log"; fi
}

if [[ ,$only, == *,listening,* ]]; then
  if ((quick)); then reps=(--reps 5); else reps=(--reps 9); fi
  run listening bash "$here/listening_ports/run.sh" --sockets 2000 "${reps[@]}" --peer-reps 1 \
    --json-out "$out/listening.json"
fi
if [[ ,$only, == *,fleet,* ]]; then
  if ((quick)); then reps=(--reps 1 --ping-reps 2 --quick-settings); else reps=(--reps 2 --ping-reps 3); fi
  # BENCH_FLEET_ARGS replaces the repetitions, settings and profile options (e.g. "--reps 1 --no-settings").
  if [ -n "${BENCH_FLEET_ARGS:-}" ]; then read -r -a reps <<<"$BENCH_FLEET_ARGS"; else reps+=(--profile); fi
  run fleet bash "$here/fleet/run.sh" --sizes 10,25,50 "${reps[@]}" \
    --profile-dir "$out/profiles" --json-out "$out/fleet.json"
fi
if [[ ,$only, == *,compliance,* ]]; then
  if ((quick)); then reps=(--reps 1); else reps=(--reps 3); fi
  lock=()
  if [ -n "${MOLECULE_LOCK_DIR:-}" ]; then lock=(flock "$MOLECULE_LOCK_DIR/molecule-compliance.lock"); fi
  run compliance "${lock[@]}" bash "$here/compliance/run.sh" "${reps[@]}" --json-out "$out/compliance.json"
fi
if [[ ,$only, == *,firewall,* ]]; then
  if ((quick)); then reps=(--reps 1 --idem-reps 2 --no-profile); else reps=(--reps 2 --idem-reps 3); fi
  run firewall bash "$here/firewall/run.sh" "${reps[@]}" --json-out "$out/firewall.json"
fi
python3 "$here/results.py" write --state "$out/run.json" --out "$here/RESULTS.md" --final
echo "== $(date -u +%H:%M:%S) wrote $here/RESULTS.md"
exit "$failed"
