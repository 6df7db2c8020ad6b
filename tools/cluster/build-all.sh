#!/usr/bin/env bash
# Build (or reuse from $MESHBOOK_CACHE, default ~/.cache/meshbook) the test-cluster binaries.
# The last lines of stdout are shell assignments, so callers can do:
#   eval "$(tools/cluster/build-all.sh | grep -E '^[A-Z_]+_BIN=')"
# Env: K8S_VERSION (default v1.36.3), ETCD_VERSION (default v3.6.16), WITH_KCM=1 to also build
# kube-controller-manager (adds KUBE_CONTROLLER_MANAGER_BIN=...).
# Builds run one after the other (2-core machines): cold ~ see docs/test-cluster.md.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

k8s_paths=$("$HERE/build-kube-apiserver.sh")
etcd_path=$("$HERE/build-etcd.sh" | tail -n 1)

apiserver=$(echo "$k8s_paths" | grep '/kube-apiserver$')
kcm=$(echo "$k8s_paths" | grep '/kube-controller-manager$' || true)

printf 'KUBE_APISERVER_BIN=%q\n' "$apiserver"
[ -n "$kcm" ] && printf 'KUBE_CONTROLLER_MANAGER_BIN=%q\n' "$kcm"
printf 'ETCD_BIN=%q\n' "$etcd_path"
