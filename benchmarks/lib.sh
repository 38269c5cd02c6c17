# Shared by the benchmark scripts (sourced). Needs $repo (the repository root).
#
# expose_collection WORK: make WORK/ac/ansible_collections/webedge/https the collection under test and
# point ANSIBLE_COLLECTIONS_PATH at it. BENCH_SOURCE picks what is measured:
#   worktree (default)  the checkout as it is, uncommitted changes included (a symlink)
#   head                the files of the commit HEAD only (git archive)
#   rev:REV             the files of commit REV only: a stable tree while other work is in progress
# BENCH_OVERLAY="PATH ..." (with head or rev:) copies these paths from the checkout over that tree,
# to measure a change of one area on an otherwise fixed tree. results.py records both.
expose_collection() {
  local dir=$1/ac/ansible_collections/webedge rev path
  mkdir -p "$dir"
  export ANSIBLE_COLLECTIONS_PATH=$1/ac
  case ${BENCH_SOURCE:-worktree} in
    worktree) ln -sfn "$repo" "$dir/https"; return ;;
    head) rev=HEAD ;;
    rev:*) rev=${BENCH_SOURCE#rev:} ;;
    *) echo "BENCH_SOURCE must be worktree, head or rev:REV, not ${BENCH_SOURCE}" >&2; return 2 ;;
  esac
  mkdir -p "$dir/https" && git -C "$repo" archive "$rev" | tar -x -C "$dir/https" || return 1
  for path in ${BENCH_OVERLAY:-}; do
    rm -rf "${dir:?}/https/$path" && mkdir -p "$(dirname "$dir/https/$path")" && cp -r "$repo/$path" "$dir/https/$path"
  done
}
