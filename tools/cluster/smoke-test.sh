#!/usr/bin/env bash
# Manual smoke test of the built binaries: etcd + kube-apiserver on 127.0.0.1 with throw-away
# certs (openssl), RBAC, audit log and service-account keys; then `kubectl get ns`, /readyz,
# a low-privilege viewer, and optionally `kubectl apply` of CRD files. Stops everything it started.
#
#   eval "$(tools/cluster/build-all.sh | grep -E '^[A-Z_]+_BIN=')"
#   KUBE_APISERVER_BIN=... ETCD_BIN=... tools/cluster/smoke-test.sh [crd.yaml|dir ...]
#   KUBE_CONTROLLER_MANAGER_BIN=... also runs KCM (ClusterRole aggregation + namespace deletion).
#   KEEP=1 ... keeps the temp dir (certs, kubeconfigs, logs, audit.log) for inspection.
# Needs: openssl, curl, kubectl (any recent client; only used as a client), python3 (free ports).
set -euo pipefail
: "${KUBE_APISERVER_BIN:?set KUBE_APISERVER_BIN (see build-all.sh)}"
: "${ETCD_BIN:?set ETCD_BIN (see build-all.sh)}"
KUBECTL=${KUBECTL:-kubectl}

log() { printf '[smoke %s] %s\n' "$(date +%T)" "$*" >&2; }
now_ms() { date +%s%3N; }

D=$(mktemp -d "${TMPDIR:-/tmp}/meshbook-cluster.XXXXXX")
PIDS=()
cleanup() {
  local rc=$? p
  # stop in reverse start order (apiserver before etcd), each with SIGTERM then wait
  local i t
  for ((i=${#PIDS[@]}-1; i>=0; i--)); do
    p=${PIDS[$i]}; t=$(now_ms)
    kill -TERM "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
    log "stopped pid $p in $(( $(now_ms) - t )) ms"
  done
  if [ "${KEEP:-0}" = 1 ] || [ $rc -ne 0 ]; then log "kept $D"; else rm -rf "$D"; fi
  exit $rc
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
EP=$(free_port); PP=$(free_port); AP=$(free_port)
while [ "$PP" = "$EP" ]; do PP=$(free_port); done
while [ "$AP" = "$EP" ] || [ "$AP" = "$PP" ]; do AP=$(free_port); done

# ---- certs ------------------------------------------------------------------------------------
cd "$D"
openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -days 2 \
  -keyout ca.key -out ca.crt -subj /CN=meshbook-test-ca 2>/dev/null
mk() { # name subject extensions
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
  printf "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
    -out "$1.crt" -extfile "$1.ext" 2>/dev/null
}
mk apiserver "/CN=kube-apiserver" 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'
mk admin  "/O=system:masters/CN=test-admin" 'extendedKeyUsage=clientAuth\n'
mk viewer "/O=test-viewers/CN=test-viewer"  'extendedKeyUsage=clientAuth\n'
mk kcm "/O=system:masters/CN=test-kube-controller-manager" 'extendedKeyUsage=clientAuth\n'
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key 2>/dev/null
openssl pkey -in sa.key -pubout -out sa.pub

cat > audit-policy.yaml <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: None
    users: ["system:apiserver"]
  - level: Metadata
EOF

kubeconfig() { # user file
  cat > "$2" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: "https://127.0.0.1:$AP", certificate-authority-data: "$(base64 -w0 ca.crt)"}}]
users: [{name: $1, user: {client-certificate-data: "$(base64 -w0 "$1.crt")", client-key-data: "$(base64 -w0 "$1.key")"}}]
contexts: [{name: test, context: {cluster: test, user: $1}}]
current-context: test
EOF
}
kubeconfig admin admin.kubeconfig
kubeconfig viewer viewer.kubeconfig
kubeconfig kcm kcm.kubeconfig

# ---- etcd -------------------------------------------------------------------------------------
t0=$(now_ms)
# env -u: etcd reads every ETCD_* environment variable as a flag (and warns about unknown ones)
env -u ETCD_BIN "$ETCD_BIN" --name default --data-dir "$D/etcd" \
  --listen-client-urls "http://127.0.0.1:$EP" --advertise-client-urls "http://127.0.0.1:$EP" \
  --listen-peer-urls "http://127.0.0.1:$PP" --initial-advertise-peer-urls "http://127.0.0.1:$PP" \
  --initial-cluster "default=http://127.0.0.1:$PP" \
  --unsafe-no-fsync=true --log-level=warn \
  ${ETCD_EXTRA_FLAGS---heartbeat-interval=10 --election-timeout=100} >"$D/etcd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$EP/health" 2>/dev/null | grep -q '"health":"true"' && break
  kill -0 "${PIDS[0]}" 2>/dev/null || { cat "$D/etcd.log" >&2; exit 1; }
  sleep 0.05
done
t_etcd=$(( $(now_ms) - t0 ))
log "etcd healthy after ${t_etcd} ms (client port $EP)"

# ---- kube-apiserver ---------------------------------------------------------------------------
t0=$(now_ms)
"$KUBE_APISERVER_BIN" \
  --etcd-servers="http://127.0.0.1:$EP" \
  --bind-address=127.0.0.1 --secure-port="$AP" \
  --advertise-address=127.0.0.1 --endpoint-reconciler-type=none \
  --tls-cert-file="$D/apiserver.crt" --tls-private-key-file="$D/apiserver.key" \
  --client-ca-file="$D/ca.crt" \
  --service-account-issuer="https://127.0.0.1:$AP/" \
  --service-account-key-file="$D/sa.pub" --service-account-signing-key-file="$D/sa.key" \
  --service-cluster-ip-range=10.96.0.0/16 \
  --authorization-mode=Node,RBAC \
  --disable-admission-plugins=ServiceAccount \
  --allow-privileged=true \
  --audit-policy-file="$D/audit-policy.yaml" --audit-log-path="$D/audit.log" \
  ${APISERVER_EXTRA_FLAGS:-} \
  >"$D/apiserver.log" 2>&1 &
PIDS+=($!)
code=000
for _ in $(seq 1 1200); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --cacert ca.crt --cert admin.crt --key admin.key \
    "https://127.0.0.1:$AP/readyz" || true)
  [ "$code" = 200 ] && break
  kill -0 "${PIDS[1]}" 2>/dev/null || { tail -50 "$D/apiserver.log" >&2; exit 1; }
  sleep 0.1
done
t_api=$(( $(now_ms) - t0 ))
[ "$code" = 200 ] || { tail -50 "$D/apiserver.log" >&2; log "readyz never 200"; exit 1; }
log "kube-apiserver /readyz=200 after ${t_api} ms (port $AP)"

# ---- optional kube-controller-manager (only the controllers a kubelet-less cluster can use) ----
if [ -n "${KUBE_CONTROLLER_MANAGER_BIN:-}" ]; then
  t0=$(now_ms)
  "$KUBE_CONTROLLER_MANAGER_BIN" \
    --kubeconfig="$D/kcm.kubeconfig" \
    --authentication-kubeconfig="$D/kcm.kubeconfig" --authorization-kubeconfig="$D/kcm.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=0 \
    --leader-elect=false \
    --controllers=clusterrole-aggregation-controller,namespace-controller \
    >"$D/kcm.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 300); do
    [ "$("$KUBECTL" --kubeconfig "$D/admin.kubeconfig" get clusterrole view -o jsonpath='{.rules[0].verbs}' 2>/dev/null)" != "" ] && break
    kill -0 "${PIDS[2]}" 2>/dev/null || { tail -30 "$D/kcm.log" >&2; exit 1; }
    sleep 0.1
  done
  log "kube-controller-manager aggregated ClusterRole/view after $(( $(now_ms) - t0 )) ms"
fi

# ---- checks -----------------------------------------------------------------------------------
K() { "$KUBECTL" --kubeconfig "$D/admin.kubeconfig" "$@"; }
V() { "$KUBECTL" --kubeconfig "$D/viewer.kubeconfig" "$@"; }
curl -fsS --cacert ca.crt --cert admin.crt --key admin.key "https://127.0.0.1:$AP/version" | grep gitVersion >&2
K get ns >&2
K create namespace smoke >&2
K -n smoke create configmap c1 --from-literal=a=b >&2
# without kube-controller-manager ClusterRole/view has no rules (aggregation is done by KCM)
VIEW_ROLE=system:aggregate-to-view
[ -n "${KUBE_CONTROLLER_MANAGER_BIN:-}" ] && VIEW_ROLE=view
K create clusterrolebinding test-viewer --clusterrole=$VIEW_ROLE --user=test-viewer >&2
# RBAC propagates through an informer; give it a moment
for _ in $(seq 1 50); do V -n smoke get configmaps >/dev/null 2>&1 && break; sleep 0.1; done
V -n smoke get configmaps >&2
if V -n smoke create configmap c2 --from-literal=x=y 2>"$D/viewer-create.err"; then
  log "FAIL: viewer could create"; exit 1
fi
grep -qi forbidden "$D/viewer-create.err" && log "viewer create -> Forbidden (ok): $(cat "$D/viewer-create.err")"
V auth can-i list pods -n smoke >&2 || true

for f in "$@"; do
  log "kubectl apply ${APPLY_ARGS---server-side} -f $f"
  K apply ${APPLY_ARGS---server-side} -f "$f" >"$D/apply.out" 2>&1 || { cat "$D/apply.out" >&2; exit 1; }
  log "  $(grep -cE "(serverside-applied|created|configured)$" "$D/apply.out") objects applied"
done
if [ -n "${KUBE_CONTROLLER_MANAGER_BIN:-}" ]; then
  K delete namespace smoke --wait=true --timeout=60s >&2
  log "namespace smoke deleted (namespace-controller finalized it)"
fi
if [ $# -gt 0 ]; then
  K wait --for=condition=Established crd --all --timeout=60s >/dev/null
  log "CRDs established: $(K get crd -o name | wc -l)"
fi

sleep 1   # audit backend is blocking, but let the last events land
log "audit events by test-viewer: $(grep -c '"username":"test-viewer"' "$D/audit.log" || true)," \
    "mutating ones: $(grep '"username":"test-viewer"' "$D/audit.log" | grep -cE '"verb":"(create|update|patch|delete|deletecollection)"' || true)"
log "SMOKE OK etcd_ms=$t_etcd apiserver_readyz_ms=$t_api"
