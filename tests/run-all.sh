#!/usr/bin/env bash
# `make test`: every stage runs even when an earlier one fails, then a summary
# with the counts of each and a closing line of totals. Non-zero on any failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tree=$1
results="$root/.build/results"; rm -rf "$results"; mkdir -p "$results"
start=$SECONDS rc=0
bash "$root/tests/run-stage.sh" lint || rc=1
bash "$root/tests/run-stage.sh" sanity "$tree" || rc=1
bash "$root/tests/run-stage.sh" units "$tree" || rc=1
bash "$root/tests/run-stage.sh" lab || rc=1
bash "$root/tests/run-stage.sh" molecule || rc=1

total_passed=0 total_failed=0
printf '\n==================== make test summary ====================\n'
printf '%-10s %8s %8s  %s\n' stage passed failed unit
for stage in lint sanity units lab molecule; do
  if [ -f "$results/$stage" ]; then read -r p f u < "$results/$stage"; else p=0 f=1 u="(did not run)"; fi
  printf '%-10s %8s %8s  %s\n' "$stage" "$p" "$f" "$u"
  total_passed=$((total_passed+p)); total_failed=$((total_failed+f))
done
printf 'time: %dm%02ds\n' $(((SECONDS-start)/60)) $(((SECONDS-start)%60))
echo "total: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ] && exit "$rc" || exit 1
