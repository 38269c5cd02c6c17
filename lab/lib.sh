# Shared helpers for the lab scripts (sourced, not run).
say() { printf '\033[1;34m[lab]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[lab] error:\033[0m %s\n' "$*" >&2; exit 1; }
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else
    say "(needs root: running through sudo: $*)"
    sudo "$@"
  fi
}
# Print a dot every few seconds while a long command runs, so nothing stays
# silent for long; the command's own output goes to a log shown on failure.
with_progress() {
  local label=$1 log; shift
  log=$(mktemp)
  say "$label ..."
  ( while sleep 8; do printf '  ... still %s (%ss)\n' "$label" "$SECONDS" >&2; done ) &
  local ticker=$!
  if "$@" >"$log" 2>&1; then
    kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true; rm -f "$log"
  else
    local rc=$?
    kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true
    tail -n 40 "$log" >&2; rm -f "$log"
    die "$label failed (exit $rc)"
  fi
}
LAB_NETWORK=${LAB_NETWORK:-webedge-lab}
LAB_SUBNET4=${LAB_SUBNET4:-10.89.42.0/24}
LAB_SUBNET6=${LAB_SUBNET6:-fd42:89:42::/64}
