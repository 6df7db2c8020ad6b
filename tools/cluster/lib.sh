# Shared helpers for tools/cluster/*.sh (sourced, not executed).
# All build output goes to $MESHBOOK_CACHE (default: $HOME/.cache/meshbook), never into the repo.

MESHBOOK_CACHE=${MESHBOOK_CACHE:-$HOME/.cache/meshbook}

# Go: the machine's own toolchain only (a module that needs a newer Go must fail loudly,
# not download a toolchain), static binaries, no VCS stamping (wrapper dirs are not repos).
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  PATH=$PATH:/usr/local/go/bin
fi
export PATH
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}
export CGO_ENABLED=0
export GOFLAGS="-mod=mod -buildvcs=false"

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

need_go() {
  command -v go >/dev/null 2>&1 || die "go not found (expected /usr/local/go/bin/go)"
}

# Run "$@" while holding an exclusive lock on file $1 (serialises concurrent builds of one target).
with_lock() {
  local lockfile=$1; shift
  mkdir -p "$(dirname "$lockfile")"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$lockfile"
    flock 9
  fi
  "$@"
}
