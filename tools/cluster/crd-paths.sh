#!/usr/bin/env bash
# Fetch Istio and Gateway API CRD manifests from the Go module proxy (module cache, no build)
# and print their paths as shell assignments (last lines of stdout):
#   ISTIO_CRDS=<file with 15 Istio CRDs>   GATEWAY_API_CRDS=<dir of standard-channel CRDs>
#   eval "$(tools/cluster/crd-paths.sh)"; kubectl apply --server-side -f "$ISTIO_CRDS" -f "$GATEWAY_API_CRDS"
# Env: ISTIO_MODULE (istio.io/istio pseudo-version, default: the one in the notes/go-partial list),
#      GATEWAY_API_VERSION (default v1.6.0 = the version istio.io/istio's go.mod requires).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
need_go
unset GOFLAGS   # -mod=mod is only valid inside a module; `go mod download` runs outside one

ISTIO_MODULE=${ISTIO_MODULE:-v0.0.0-20260827124520-eed52ebb66ad}
GATEWAY_API_VERSION=${GATEWAY_API_VERSION:-v1.6.0}

mod_dir() { # module@version -> extracted directory in the module cache
  go mod download -json "$1" | sed -nE 's/^[[:space:]]*"Dir": "(.*)",?$/\1/p'
}
cd "${TMPDIR:-/tmp}"   # not inside any go.mod
istio_dir=$(mod_dir "istio.io/istio@$ISTIO_MODULE")
gw_dir=$(mod_dir "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION")
istio_crds="$istio_dir/manifests/charts/base/files/crd-all.gen.yaml"
gw_crds="$gw_dir/config/crd/standard"
[ -f "$istio_crds" ] || die "missing $istio_crds"
[ -d "$gw_crds" ] || die "missing $gw_crds"
printf 'ISTIO_CRDS=%q\n' "$istio_crds"
printf 'GATEWAY_API_CRDS=%q\n' "$gw_crds"
