#!/usr/bin/env bash
# `make test`: every stage runs even when an earlier one fails, then a summary
# with the counts of each and a closing line of totals. Non-zero on any failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tree=$1
results="$root/.build/results"; rm -rf "$results"; mkdir -p "$results"
start=$SECONDS rc=0
# stage NAME ARGS...: run one stage and keep its wall time for the summary.
stage() { local t=$SECONDS; bash "$root/tests/run-stage.sh" "$@" || rc=1; echo $((SECONDS - t)) > "$results/$1.time"; }
stage lint
stage sanity "$tree"
stage units "$tree"
stage matrix "$tree"
stage windows "$tree"
stage lab
# Before molecule: the scenario `ecosystem` runs in the execution environment this stage builds.
stage ecosystem
stage molecule

total_passed=0 total_failed=0
printf '\n==================== make test summary ====================\n'
printf '%-10s %8s %8s %7s  %s\n' stage passed failed time unit
for stage in lint sanity units matrix windows lab ecosystem molecule; do
  if [ -f "$results/$stage" ]; then read -r p f u < "$results/$stage"; else p=0 f=1 u="(did not run)"; fi
  t=$(cat "$results/$stage.time" 2>/dev/null || echo 0)
  printf '%-10s %8s %8s %3dm%02ds  %s\n' "$stage" "$p" "$f" $((t / 60)) $((t % 60)) "$u"
  total_passed=$((total_passed+p)); total_failed=$((total_failed+f))
done
printf 'time: %dm%02ds\n' $(((SECONDS-start)/60)) $(((SECONDS-start)%60))
echo "total: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ] && exit "$rc" || exit 1
