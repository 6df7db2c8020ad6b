#!/usr/bin/env bash
# Build kube-apiserver (and optionally kube-controller-manager) from the Go module proxy.
#
#   tools/cluster/build-kube-apiserver.sh            # -> prints the binary path (last stdout line)
#   K8S_VERSION=v1.36.3 WITH_KCM=1 tools/cluster/build-kube-apiserver.sh
#
# Idempotent: if $MESHBOOK_CACHE/k8s/$K8S_VERSION/bin/kube-apiserver exists and its --version
# reports $K8S_VERSION, it only prints the path. Otherwise it generates a wrapper Go module under
# $MESHBOOK_CACHE/build/k8s-$K8S_VERSION that requires k8s.io/kubernetes and pins every staging
# module (k8s.io/api, k8s.io/client-go, ...) to the published v0.M.P tag with replace lines, because
# k8s.io/kubernetes' own go.mod requires them at v0.0.0 with ./staging/src replaces that Go ignores
# in dependencies. The staging list is read from the served go.mod, not hard-coded.
# Logs go to stderr; stdout carries only the path(s).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

K8S_VERSION=${K8S_VERSION:-v1.36.3}
WITH_KCM=${WITH_KCM:-0}
case $K8S_VERSION in v1.*.*) ;; *) die "K8S_VERSION must look like v1.M.P, got '$K8S_VERSION'";; esac
STAGING_VERSION="v0.${K8S_VERSION#v1.}"          # v1.36.3 -> v0.36.3
K8S_MINOR=$(echo "$K8S_VERSION" | cut -d. -f2)

OUT_DIR="$MESHBOOK_CACHE/k8s/$K8S_VERSION/bin"
WORK="$MESHBOOK_CACHE/build/k8s-$K8S_VERSION"
PROGRAMS=(kube-apiserver)
[ "$WITH_KCM" = 1 ] && PROGRAMS+=(kube-controller-manager)

binary_ok() { # name
  local bin="$OUT_DIR/$1"
  [ -x "$bin" ] || return 1
  local out
  out=$("$bin" --version 2>/dev/null) || return 1
  [ "$out" = "Kubernetes $K8S_VERSION" ]
}

all_ok() {
  local p
  for p in "${PROGRAMS[@]}"; do binary_ok "$p" || return 1; done
}

print_paths() {
  local p
  for p in "${PROGRAMS[@]}"; do echo "$OUT_DIR/$p"; done
}

build() {
  need_go
  local t0=$SECONDS
  log "building ${PROGRAMS[*]} $K8S_VERSION with $(go version) (GOTOOLCHAIN=$GOTOOLCHAIN)"
  log "wrapper module: $WORK"
  mkdir -p "$WORK" "$OUT_DIR"
  cd "$WORK"
  rm -f go.mod go.sum
  printf 'module local.meshbook/k8sbins\n\ngo 1.26.0\n' > go.mod

  # 1) the served go.mod of k8s.io/kubernetes (also downloads its zip into the module cache)
  local gomod
  gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
          sed -nE 's/^[[:space:]]*"GoMod": "(.*)",?$/\1/p')
  [ -f "$gomod" ] || die "could not download k8s.io/kubernetes@$K8S_VERSION"

  # 2) each module it maps to ./staging/src/... -> the published v0.M.P of that module
  local mods args=()
  mods=$(sed -nE 's#^[[:space:]]*(replace[[:space:]]+)?(k8s\.io/[^[:space:]]+)[[:space:]]+=>[[:space:]]+\./staging/src/.*#\2#p' "$gomod")
  [ -n "$mods" ] || die "no ./staging/src replaces found in $gomod"
  local m
  for m in $mods; do args+=("-replace=$m=$m@$STAGING_VERSION"); done
  go mod edit "${args[@]}" -require="k8s.io/kubernetes@$K8S_VERSION"
  log "$(echo "$mods" | wc -l) staging modules pinned to $STAGING_VERSION"

  # 3) resolve the graph and go.sum (records the programs as tool directives)
  local p pkgs=()
  for p in "${PROGRAMS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$p@$K8S_VERSION"); done
  go get -tool "${pkgs[@]}"

  # 4) build like hack/lib/golang.sh (minus cgo/selinux), with version stamping so --version and
  #    /version report $K8S_VERSION instead of v0.0.0-master
  local ldf="-s -w" date
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  for v in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldf+=" -X $v.gitVersion=$K8S_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$K8S_MINOR"
    ldf+=" -X $v.gitTreeState=clean -X $v.buildDate=$date"
  done
  for p in "${PROGRAMS[@]}"; do
    binary_ok "$p" && continue     # e.g. WITH_KCM=1 after an apiserver-only build
    go build -trimpath -tags=notest,grpcnotrace -ldflags "$ldf" \
      -o "$OUT_DIR/.$p.tmp" "k8s.io/kubernetes/cmd/$p"
    mv -f "$OUT_DIR/.$p.tmp" "$OUT_DIR/$p"
    log "$("$OUT_DIR/$p" --version) -> $OUT_DIR/$p ($(du -m "$OUT_DIR/$p" | cut -f1) MB)"
  done
  log "build took $((SECONDS - t0)) s"
}

if all_ok; then print_paths; exit 0; fi
locked() {
  all_ok || build     # another process may have finished the build while we waited for the lock
  all_ok || die "built binaries do not report 'Kubernetes $K8S_VERSION'"
}
with_lock "$MESHBOOK_CACHE/build/k8s-$K8S_VERSION.lock" locked
print_paths
