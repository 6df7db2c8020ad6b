#!/usr/bin/env bash
# Build tools/cyclonus-cases (Cyclonus's generated NetworkPolicy cases and the verdicts its matcher
# expects, as JSON) and write the JSON to $MESHBOOK_CACHE (default ~/.cache/meshbook), never into
# the repo. test/reachability/cyclonus.test.ts reads it.
#
#   tools/cyclonus-cases/build.sh     # last stdout line: CYCLONUS_CASES_JSON=<path>
#
# Cyclonus comes from the Go module proxy at the version go.mod requires. The output goes to
# $MESHBOOK_CACHE/cyclonus-cases/<version>/ with a stamp of this directory's sources, so a cached
# cases.json is reused only while main.go, go.mod and go.sum are unchanged. Logs go to stderr.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../cluster/lib.sh
. "$HERE/../cluster/lib.sh"

VERSION=$(sed -n 's#^[[:space:]]*github.com/mattfenwick/cyclonus \(v[0-9][^ ]*\).*#\1#p' "$HERE/go.mod" | head -n 1)
[ -n "$VERSION" ] || die "no github.com/mattfenwick/cyclonus requirement in $HERE/go.mod"

OUT_DIR="$MESHBOOK_CACHE/cyclonus-cases/$VERSION"
JSON="$OUT_DIR/cases.json"
STAMP="$OUT_DIR/source.sha256"
stamp=$(cat "$HERE/main.go" "$HERE/go.mod" "$HERE/go.sum" | sha256sum | cut -d' ' -f1)

json_ok() {
  [ -s "$JSON" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$stamp" ] &&
    grep -q "\"generator\":\"github.com/mattfenwick/cyclonus@$VERSION\"" <(head -c 200 "$JSON")
}

build() {
  need_go
  local t0=$SECONDS
  log "building cyclonus-cases with cyclonus $VERSION and $(go version) (GOTOOLCHAIN=$GOTOOLCHAIN)"
  mkdir -p "$OUT_DIR"
  # -mod=readonly: go.sum is committed; a build must not rewrite files in the repo.
  (cd "$HERE" && go build -mod=readonly -trimpath -ldflags '-s -w' -o "$OUT_DIR/.cyclonus-cases.tmp" .)
  mv -f "$OUT_DIR/.cyclonus-cases.tmp" "$OUT_DIR/cyclonus-cases"
  "$OUT_DIR/cyclonus-cases" > "$OUT_DIR/.cases.json.tmp"
  mv -f "$OUT_DIR/.cases.json.tmp" "$JSON"
  echo "$stamp" > "$STAMP"
  log "$(du -k "$JSON" | cut -f1) kB -> $JSON"
  log "build took $((SECONDS - t0)) s"
}

if ! json_ok; then
  locked() { json_ok || build; json_ok || die "cases.json missing or stale after the build"; }
  with_lock "$MESHBOOK_CACHE/build/cyclonus-cases-$VERSION.lock" locked
fi
printf 'CYCLONUS_CASES_JSON=%q\n' "$JSON"
