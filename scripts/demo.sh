#!/usr/bin/env bash
# The local demo: installs what is needed, builds, starts the kube-apiserver and Vault
# emulators, applies the CRDs and a sample with kubectl, writes a secret to Vault, runs the
# operator, shows the synced Secret, then changes the Vault value and shows the Secret
# following it. Ctrl-C stops everything it started.
#
#   ./scripts/demo.sh             interactive: keeps running until Ctrl-C
#   DEMO_ONCE=1 ./scripts/demo.sh  stops by itself after the change is shown (used by tests)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${DEMO_BUILD_DIR:-$root/build}
metrics_port=${DEMO_METRICS_PORT:-18080}
probe_port=${DEMO_PROBE_PORT:-18081}

if [ -z "${DEMO_SKIP_BUILD:-}" ]; then
  ./scripts/install-deps.sh
  # The same build/ configuration as ./scripts/test.sh (Release, ccache): running one after
  # the other rebuilds nothing.
  # shellcheck source=scripts/lib/build.sh
  . scripts/lib/build.sh
  vaultsync_use_ccache
  echo "== building the operator, vaultsyncctl and the two emulators"
  vaultsync_configure "$build" demo
  vaultsync_build "$build" vaultsync-operator vaultsyncctl kube-emulator vault-emulator
fi
bin=$build/bin
work=$(mktemp -d /tmp/vaultsync-demo-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo; echo "stopping..."; exit 0' INT TERM

# Starts a program in the background (in this shell, so its pid is recorded for cleanup)
# and waits at most 20 s for its "listening on" line.
start() {  # name, args...
  local name=$1; shift
  "$@" >"$work/$name.out" 2>"$work/$name.log" &
  pids+=($!)
  for _ in $(seq 200); do
    grep -q '^listening on ' "$work/$name.out" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$name did not start; its log:" >&2
  cat "$work/$name.log" >&2
  exit 1
}
url_of() { sed -n 's/^listening on //p' "$work/$1.out" | head -1; }

# Waits at most $1 seconds for the command that follows to succeed.
wait_for() {
  local secs=$1; shift
  for _ in $(seq $((secs * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}

echo "== starting the emulated Kubernetes API server and Vault"
start kube "$bin/kube-emulator" --listen 127.0.0.1:0 --tls-self-signed --write-kubeconfig "$work/kubeconfig"
start vault "$bin/vault-emulator" --listen 127.0.0.1:0 --dev-root-token root
kube_url=$(url_of kube)
vault_url=$(url_of vault)
echo "   kube-apiserver emulator: $kube_url"
echo "   Vault emulator:          $vault_url (root token: root)"
export KUBECONFIG=$work/kubeconfig
export VAULT_ADDR=$vault_url VAULT_TOKEN=root
kctl() { kubectl --cache-dir "$work/kube-cache" "$@"; }

echo "== applying the CRDs and a namespace with kubectl"
kctl apply -f crds/vaultconnection.yaml -f crds/vaultauth.yaml -f crds/vaultstaticsecret.yaml
kctl create namespace demo

echo "== writing secret/app/db to Vault"
"$bin/vaultsyncctl" put app/db username=admin password=s3cr3t

echo "== starting the operator (metrics on http://127.0.0.1:$metrics_port/metrics)"
VAULTSYNC_SERVICEACCOUNT_DIR=$work/sa "$bin/vaultsync-operator" --kubeconfig "$work/kubeconfig" \
  --default-vault-address "$vault_url" --default-auth-method token --operator-namespace default \
  --metrics-bind-address "127.0.0.1:$metrics_port" --health-probe-bind-address "127.0.0.1:$probe_port" \
  --log-format text >"$work/operator.out" 2>"$work/operator.log" &
pids+=($!)

echo "== applying a VaultStaticSecret"
cat >"$work/vss.yaml" <<'YAML'
apiVersion: vaultsync.io/v1alpha1
kind: VaultStaticSecret
metadata:
  name: db-creds
  namespace: demo
spec:
  mount: secret
  path: app/db
  refreshAfter: 5s
  destination:
    name: db-creds
    transformation:
      templates:
        url:
          text: "postgresql://{{ .username }}:{{ .password }}@db.demo.svc:5432/app"
YAML
kctl apply -f "$work/vss.yaml"

show() {
  kctl get secret db-creds -n demo \
    -o go-template='{{range $k, $v := .data}}   {{$k}} = {{$v | base64decode}}{{"\n"}}{{end}}'
  kctl get vaultstaticsecret db-creds -n demo
}
if ! wait_for 30 kctl get secret db-creds -n demo; then
  echo "the Secret did not appear; operator log:" >&2; tail -20 "$work/operator.log" >&2; exit 1
fi
echo "== the Secret demo/db-creds, decoded"
show

echo "== changing the password in Vault"
"$bin/vaultsyncctl" put app/db username=admin password=rotated-42
if ! wait_for 15 sh -c "kubectl --cache-dir '$work/kube-cache' get secret db-creds -n demo -o jsonpath='{.data.password}' | base64 -d | grep -qx rotated-42"; then
  echo "the Secret did not follow Vault; operator log:" >&2; tail -20 "$work/operator.log" >&2; exit 1
fi
echo "== the Secret followed Vault"
show
echo
echo "metrics:  curl -s http://127.0.0.1:$metrics_port/metrics | grep vaultsync_"
echo "kubectl:  KUBECONFIG=$work/kubeconfig kubectl get vss -A"
echo "vault:    VAULT_ADDR=$vault_url VAULT_TOKEN=root $bin/vaultsyncctl get app/db"
if [ -n "${DEMO_ONCE:-}" ]; then
  echo "demo finished"
  exit 0
fi
echo "Press Ctrl-C to stop (everything started here is stopped)."
while true; do sleep 3600 & wait $!; done
