#!/usr/bin/env bash
# Build istioctl from the same Istio module as the test cluster's CRDs (tools/cluster/crd-paths.sh),
# into $MESHBOOK_CACHE/istioctl/<version>/bin, for the tests that measure agreement with
# `istioctl analyze` and for `npm run bench -- --only istioctl`. Cached: a second run returns at once.
# Prints ISTIOCTL_BIN=<path> as its last line.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
need_go
unset GOFLAGS   # `go install pkg@version` runs outside any module

ISTIO_MODULE=${ISTIO_MODULE:-v0.0.0-20260827124520-eed52ebb66ad}
bin_dir="$MESHBOOK_CACHE/istioctl/$ISTIO_MODULE/bin"
build() {
  if [ -x "$bin_dir/istioctl" ]; then
    log "cached: $bin_dir/istioctl"
    return
  fi
  local start=$SECONDS
  mkdir -p "$bin_dir"
  ( cd "${TMPDIR:-/tmp}" && GOBIN="$bin_dir" go install "istio.io/istio/istioctl/cmd/istioctl@$ISTIO_MODULE" )
  log "built $bin_dir/istioctl in $((SECONDS - start)) s"
}
with_lock "$MESHBOOK_CACHE/istioctl/.lock" build
printf 'ISTIOCTL_BIN=%q\n' "$bin_dir/istioctl"
