# Shared by the benchmark scripts (sourced). Needs $repo (the repository root).
#
# expose_collection WORK: make WORK/ac/ansible_collections/webedge/https the collection under test and
# point ANSIBLE_COLLECTIONS_PATH at it. BENCH_SOURCE picks what is measured:
#   worktree (default)  the checkout as it is, uncommitted changes included (a symlink)
#   head                the files of the commit HEAD only (git archive): a stable tree while other
#                       work is in progress in the checkout
expose_collection() {
  local dir=$1/ac/ansible_collections/webedge
  mkdir -p "$dir"
  case ${BENCH_SOURCE:-worktree} in
    worktree) ln -sfn "$repo" "$dir/https" ;;
    head) mkdir -p "$dir/https" && git -C "$repo" archive HEAD | tar -x -C "$dir/https" ;;
    *) echo "BENCH_SOURCE must be worktree or head, not ${BENCH_SOURCE}" >&2; return 2 ;;
  esac
  export ANSIBLE_COLLECTIONS_PATH=$1/ac
}
