#!/usr/bin/env bash
# Run one test stage and record its counts in .build/results/<stage>.
#   run-stage.sh lint
#   run-stage.sh sanity TREE     (TREE: a copy at .../ansible_collections/webedge/https)
#   run-stage.sh units TREE
#   run-stage.sh lab
#   run-stage.sh molecule [SCENARIO...]
#   run-stage.sh ecosystem       (tests/ecosystem/run.sh: reports, CI recipes, Galaxy, docs, EE)
#   run-stage.sh matrix TREE     (tests/matrix/run.sh: sanity and units on older ansible-core)
#   run-stage.sh windows [TREE]  (tests/windows: simulated Windows host and the real WinRM client, no Windows)
# Exit status: non-zero when anything in the stage failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
results="$root/.build/results"; mkdir -p "$results"
stage=$1; shift
log="$results/$stage.log"
say() { printf '\033[1;35m[test]\033[0m %s\n' "$*"; }
record() { printf '%s %s %s\n' "$1" "$2" "$3" > "$results/$stage"; }  # passed failed unit

# Target Pythons (3.8+) found on this machine, for the compile test: "VERSION DIR"
# lines for pyenv installs when present (a machine without them skips these).
other_pythons() {
  local v d
  for v in 3.8 3.9 3.10 3.12 3.13; do
    for d in "$HOME"/.pyenv/versions/"$v".*/bin; do
      [ -x "$d/python$v" ] && { echo "$v $d"; break; }
    done
  done
}

case $stage in
lint)
  cd "$root"
  passed=0 failed=0
  # The last two: the example inventory parses (any unparsed source fails), and every playbook
  # passes --syntax-check against it (the globs expand when the check runs).
  for check in "ruff check ." "ruff format --check ." "ansible-lint --profile production" \
      "env ANSIBLE_INVENTORY_UNPARSED_FAILED=true ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true ansible-inventory -i inventory/example --list --output /dev/null" \
      "ansible-playbook --syntax-check -i inventory/example playbooks/*.yml playbooks/demo/*.yml"; do
    say "$check"
    if $check 2>&1 | tee -a "$log"; then passed=$((passed+1)); else failed=$((failed+1)); say "FAILED: $check"; fi
  done
  record "$passed" "$failed" checks
  ;;
sanity)
  tree=$1; cd "$tree"
  say "ansible-test sanity (Python 3.11, every test)"
  ansible-test sanity --venv --python 3.11 --color 2>&1 | tee "$log" | grep -vE 'Location .* is ignored|Looking in|Collecting|Downloading|━|Requirement already|Installing collected|Successfully installed'
  rc=${PIPESTATUS[0]}
  total=$(grep -c '^Running sanity test' "$log")
  while read -r v dir; do
    say "ansible-test sanity --test compile on Python $v"
    # That interpreter's own directory first: pyenv's shims answer "command not found".
    if PATH="$dir:$PATH" ansible-test sanity --venv --python "$v" --test compile >> "$log" 2>&1; then total=$((total+1))
    else rc=1; tail -20 "$log"; fi
  done < <(other_pythons)
  failed=$(sed -n 's/.*The \([0-9]*\) sanity test(s) listed below.*/\1/p' "$log" | tail -1)
  failed=${failed:-0}; [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
  record "$((total-failed))" "$failed" tests
  exit "$rc"
  ;;
units)
  tree=$1; cd "$tree"
  say "ansible-test units (Python 3.11)"
  # Four workers on two cores: many tests wait on local servers and ansible-playbook runs, not the CPU
  # (the suite took 127 s with four, 157 s with two, in one pytest run on this machine).
  ansible-test units --venv --python 3.11 --requirements --num-workers 4 --color 2>&1 | tee "$log" | grep -vE 'Location .* is ignored|Looking in|Collecting|Downloading|━|Requirement already|Installing collected|Successfully installed'
  rc=${PIPESTATUS[0]}
  # ansible-test runs pytest once per group (modules, module_utils, controller): add them up.
  summaries=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^=+ .*[0-9]+ (passed|failed|errors?).* in [0-9.]+s')
  passed=$(grep -oE '[0-9]+ passed' <<<"$summaries" | awk '{n+=$1} END {print n+0}')
  failed=$(grep -oE '[0-9]+ (failed|errors?)' <<<"$summaries" | awk '{n+=$1} END {print n+0}')
  failed=${failed:-0}; [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
  record "${passed:-0}" "$failed" tests
  exit "$rc"
  ;;
lab)
  # The lab's own tooling (the containment guard), for real in network namespaces of its own.
  cd "$root"
  say "pytest tests/lab (the lab containment guard)"
  python -m pytest -q -p no:cacheprovider tests/lab 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  summary=$(grep -E '[0-9]+ (passed|failed)' "$log" | tail -1)
  passed=$(grep -oE '[0-9]+ passed' <<<"$summary" | awk '{print $1+0}')
  failed=$(grep -oE '[0-9]+ (failed|errors?)' <<<"$summary" | awk '{n+=$1} END {print n+0}')
  [ "$rc" -ne 0 ] && [ "${failed:-0}" -eq 0 ] && failed=1
  record "${passed:-0}" "${failed:-0}" tests
  exit "$rc"
  ;;
molecule)
  cd "$root"
  # Before the first packet to a lab address: the lab subnets must route to the lab bridge.
  if ! python3 "$root/lab/containment.py"; then
    record 0 1 "scenarios (containment guard failed; none ran)"
    exit 1
  fi
  scenarios=("$@")
  if ((${#scenarios[@]} == 0)); then
    mapfile -t scenarios < <(find extensions/molecule -mindepth 2 -maxdepth 2 -name molecule.yml -printf '%h\n' | xargs -n1 basename | sort)
    # The longest first, so that no long scenario starts late and runs alone at the end (in the clean-clone
    # CI of 25a9de2, reliability, started fifth at 748 s, ran alone for its last minutes: the stage 27m34s).
    longest=(compliance reliability acme exposure webserver_broken)
    mapfile -t scenarios < <(printf '%s\n' "${longest[@]}" "${scenarios[@]}" | awk '!seen[$0]++' | \
      grep -Fx -f <(printf '%s\n' "${scenarios[@]}"))
  fi
  # Scenarios run MOLECULE_JOBS at a time (default 3): most of their time is
  # spent waiting on booting hosts, timeouts and Ansible's own start-up, not CPU.
  jobs=${MOLECULE_JOBS:-3}
  # Only this run's scenarios' status files: another `make molecule` in the same checkout may be running others.
  statuses=("${scenarios[@]/#/$results/molecule-}"); statuses=("${statuses[@]/%/.status}")
  rm -f "${statuses[@]}"
  say "molecule: ${#scenarios[@]} scenarios, $jobs at a time: ${scenarios[*]}"
  run_one() {
    local s=$1 start=$SECONDS log="$results/molecule-$1.log"
    if molecule test -s "$s" > "$log" 2>&1; then
      echo passed > "$results/molecule-$s.status"
      printf '\033[1;35m[test]\033[0m scenario %s passed in %ss\n' "$s" "$((SECONDS-start))"
    else
      echo failed > "$results/molecule-$s.status"
      printf '\033[1;31m[test]\033[0m scenario %s FAILED after %ss; last lines of %s:\n' "$s" "$((SECONDS-start))" "$log"
      sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E 'fatal:|failed:|ERROR|msg:|fail_msg|assertion' | tail -n 40
      molecule destroy -s "$s" >/dev/null 2>&1 || true
    fi
  }
  export -f run_one; export results
  # A heartbeat so a long stage never stays silent.
  ( while sleep 30; do printf '  ... molecule still running (%ss, %s done)\n' "$SECONDS" "$(ls "${statuses[@]}" 2>/dev/null | wc -l)"; done ) &
  ticker=$!
  printf '%s\n' "${scenarios[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {}
  kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null
  passed=$(grep -lx passed "${statuses[@]}" 2>/dev/null | wc -l)
  failed=$((${#scenarios[@]} - passed))
  record "$passed" "$failed" scenarios
  ((failed == 0))
  ;;
windows)
  # Windows end to end without a Windows host (tests/windows): the plays against a simulated host over a
  # connection plugin for tests, and the real winrm client against a WS-Management endpoint on 127.0.0.1.
  tree=${1:-$root/.build/collections/ansible_collections/webedge/https}
  collections=$(cd "$tree/../../.." && pwd)
  cd "$collections"
  say "pytest tests/windows (simulated Windows host, WinRM transport)"
  # Two workers, one test file each at a time (a file's simulated host is a module-scoped fixture).
  ANSIBLE_COLLECTIONS_PATH="$collections" python -m pytest -q -p no:cacheprovider --import-mode=importlib \
    -n 2 --dist loadfile ansible_collections/webedge/https/tests/windows 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '[0-9]+ (passed|failed)' | tail -1)
  passed=$(grep -oE '[0-9]+ passed' <<<"$summary" | awk '{print $1+0}')
  failed=$(grep -oE '[0-9]+ (failed|errors?)' <<<"$summary" | awk '{n+=$1} END {print n+0}')
  [ "$rc" -ne 0 ] && [ "${failed:-0}" -eq 0 ] && failed=1
  record "${passed:-0}" "${failed:-0}" tests
  exit "$rc"
  ;;
ecosystem|matrix)
  # Each script prints a line per check with its time and closes with "NAME: N passed, N failed".
  cd "$root"
  script=tests/$stage/run.sh
  say "$script"
  bash "$script" "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  summary=$(grep -E "^$stage: [0-9]+ passed, [0-9]+ failed" "$log" | tail -1)
  passed=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$summary")
  failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$summary")
  [ -z "$summary" ] && passed=0 failed=1
  [ "$rc" -ne 0 ] && [ "${failed:-0}" -eq 0 ] && failed=1
  record "${passed:-0}" "${failed:-0}" checks
  exit "$rc"
  ;;
*) echo "unknown stage $stage" >&2; exit 2 ;;
esac
