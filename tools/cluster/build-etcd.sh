#!/usr/bin/env bash
# Build etcd (server) from the Go module proxy.
#
#   tools/cluster/build-etcd.sh                 # -> prints the binary path (last stdout line)
#   ETCD_VERSION=v3.6.16 tools/cluster/build-etcd.sh
#
# Idempotent: if $MESHBOOK_CACHE/etcd/$ETCD_VERSION/bin/etcd exists and `etcd --version` reports
# the version, it only prints the path. `go install go.etcd.io/etcd/server/v3@...` is refused
# because etcd's server/go.mod has replace directives (../api, ../client/...), so the program is
# built from a small wrapper module under $MESHBOOK_CACHE/build/etcd-$ETCD_VERSION. The server
# go.mod already requires its sibling modules at the same tag, so no replace lines are needed.
# Logs go to stderr; stdout carries only the path.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

ETCD_VERSION=${ETCD_VERSION:-v3.6.16}
case $ETCD_VERSION in v3.*.*) ;; *) die "ETCD_VERSION must look like v3.M.P, got '$ETCD_VERSION'";; esac

OUT_DIR="$MESHBOOK_CACHE/etcd/$ETCD_VERSION/bin"
BIN="$OUT_DIR/etcd"
WORK="$MESHBOOK_CACHE/build/etcd-$ETCD_VERSION"
PKG=go.etcd.io/etcd/server/v3

binary_ok() {
  [ -x "$BIN" ] || return 1
  local out
  # capture first: `etcd --version | grep -q` can die of SIGPIPE and fail under pipefail;
  # env -u: etcd treats ETCD_* environment variables as flags
  out=$(env -u ETCD_VERSION -u ETCD_BIN "$BIN" --version 2>/dev/null) || return 1
  grep -qx "etcd Version: ${ETCD_VERSION#v}" <<<"$out"
}

build() {
  need_go
  local t0=$SECONDS
  log "building etcd $ETCD_VERSION with $(go version) (GOTOOLCHAIN=$GOTOOLCHAIN)"
  log "wrapper module: $WORK"
  mkdir -p "$WORK" "$OUT_DIR"
  cd "$WORK"
  rm -f go.mod go.sum
  printf 'module local.meshbook/etcdbin\n\ngo 1.26.0\n' > go.mod
  go get -tool "$PKG@$ETCD_VERSION"
  # belt and braces: keep the sibling modules on the same tag as the server
  go get "go.etcd.io/etcd/api/v3@$ETCD_VERSION" "go.etcd.io/etcd/client/pkg/v3@$ETCD_VERSION" \
         "go.etcd.io/etcd/client/v3@$ETCD_VERSION" "go.etcd.io/etcd/pkg/v3@$ETCD_VERSION"
  go build -trimpath -ldflags '-s -w' -o "$OUT_DIR/.etcd.tmp" "$PKG"
  mv -f "$OUT_DIR/.etcd.tmp" "$BIN"
  log "$(env -u ETCD_VERSION -u ETCD_BIN "$BIN" --version | sed -n 1p) -> $BIN ($(du -m "$BIN" | cut -f1) MB)"
  log "build took $((SECONDS - t0)) s"
}

if binary_ok; then echo "$BIN"; exit 0; fi
locked() {
  binary_ok || build
  binary_ok || die "built binary does not report etcd Version: ${ETCD_VERSION#v}"
}
with_lock "$MESHBOOK_CACHE/build/etcd-$ETCD_VERSION.lock" locked
echo "$BIN"
