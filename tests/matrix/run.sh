#!/usr/bin/env bash
# The ansible-core version matrix of `make test` (tests/run-stage.sh matrix TREE): ansible-test of
# ansible-core 2.17 and 2.18 on the collection copy TREE (.../ansible_collections/webedge/https);
# 2.19 is the sanity and units stages themselves (requirements-dev.txt). Per older release:
#   units   every unit test, with pytest in that release's venv (requirements-RELEASE.txt). Not
#           through ansible-test units: its plugin forks a process per test, which doubles the
#           stage (about 280 s against 150 s per release on 2 cores), and the isolation it buys
#           (module tests see only module_utils) is already proven by the units stage on 2.19.
#   sanity  the sanity tests whose verdict depends on the ansible-core release: validate-modules
#           (argument specs and documentation against that release's schema), ansible-doc,
#           action-plugin-docs, import (our plugins loaded by that release), runtime-metadata
#           (meta/runtime.yml against that release's schema), yamllint (the documentation blocks).
# The other sanity tests (pylint, pep8, compile, shebang, boilerplate, ...) check our files the
# same way whatever the release, and run once, on 2.19, in the sanity stage. Each check prints its
# time; the last line is "matrix: N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tree=${1:-$root/.build/test/ansible_collections/webedge/https}
source "$root/lab/lib.sh"
logs=$root/.build/matrix; rm -rf "$logs"; mkdir -p "$logs"
releases=(${MATRIX_RELEASES:-2.17 2.18})
[ -d "$tree/plugins" ] || die "no collection copy at $tree (make tree)"
# ansible-test 2.17 and 2.18 bootstrap pip with get-pip.py 23.1.2 from a host this machine cannot
# reach; the offline stand-in of the Makefile's venv target does the same job.
mkdir -p "$HOME/.ansible/test/cache"
cp "$root/tests/tooling/get_pip_offline.py" "$HOME/.ansible/test/cache/get_pip_23_1_2.py"
passed=0 failed=0

check() {  # check NAME COMMAND...
  local name=$1 start=$SECONDS; shift
  if "$@" > "$logs/$name.log" 2>&1; then
    passed=$((passed + 1)); printf 'ok   %-14s %4ss\n' "$name" "$((SECONDS - start))"
  else
    failed=$((failed + 1)); printf 'FAIL %-14s %4ss  (%s)\n' "$name" "$((SECONDS - start))" "$logs/$name.log"
    sed 's/\x1b\[[0-9;]*m//g' "$logs/$name.log" | grep -E '^(ERROR|FATAL|FAILED)|[0-9]+ failed' | head -n 25 | sed 's/^/     /'
  fi
}

for release in "${releases[@]}"; do
  venv=$root/.build/venv-core$release requirements=$root/tests/matrix/requirements-$release.txt
  want=$(cat "$requirements" "$root/tests/unit/requirements.txt" | sha256sum | cut -c1-16)
  if [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$want" ]; then
    bash "$root/lab/make-venv.sh" "$venv" "$requirements" >&2 && echo "$want" > "$venv/.stamp"
  fi
  # A clean output directory per run: ansible-test keeps results of the last run there.
  rm -rf "$tree/tests/output"
  check "sanity-$release" bash -c "cd '$tree' && '$venv/bin/ansible-test' sanity --venv --python 3.11 --color no \
    --test validate-modules --test ansible-doc --test action-plugin-docs --test import \
    --test runtime-metadata --test yamllint"
  check "units-$release" bash -c "cd '$tree/../../..' && '$venv/bin/python' -m pytest -q -p no:cacheprovider \
    --import-mode=importlib -n 4 --color no ansible_collections/webedge/https/tests/unit"
done
rm -rf "$tree/tests/output"
echo "matrix: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
