#!/usr/bin/env bash
# The local demo: installs what is needed, builds, starts the kube-apiserver and Vault
# emulators, applies the CRDs and a sample with kubectl, writes secrets to Vault, runs the
# operator, shows the synced Secret and one fed by two Vault secrets, then changes the Vault
# value and shows both Secrets following it. Ctrl-C stops everything it started.
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
kctl apply -f crds/  # every kind (not recursive: the samples stay out)
kctl create namespace demo

echo "== writing secret/app/db and secret/app/config to Vault"
"$bin/vaultsyncctl" put app/db username=admin password=s3cr3t
"$bin/vaultsyncctl" put app/config log_level=info region=eu-west-1

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

show() {  # secret name
  kctl get secret "$1" -n demo \
    -o go-template='{{range $k, $v := .data}}   {{$k}} = {{$v | base64decode}}{{"\n"}}{{end}}'
  kctl get vaultstaticsecret "$1" -n demo
}
if ! wait_for 30 kctl get secret db-creds -n demo; then
  echo "the Secret did not appear; operator log:" >&2; tail -20 "$work/operator.log" >&2; exit 1
fi
echo "== the Secret demo/db-creds, decoded"
show db-creds

echo "== applying a VaultStaticSecret with two sources: app/db, and app/config with keys prefixed CONFIG_"
cat >"$work/bundle.yaml" <<'YAML'
apiVersion: vaultsync.io/v1alpha1
kind: VaultStaticSecret
metadata:
  name: app-bundle
  namespace: demo
spec:
  mount: secret
  path: app/db
  sources:
    - path: app/config
      keyPrefix: CONFIG_
  refreshAfter: 5s
  destination:
    name: app-bundle
YAML
kctl apply -f "$work/bundle.yaml"
if ! wait_for 30 kctl get secret app-bundle -n demo; then
  echo "the Secret app-bundle did not appear; operator log:" >&2; tail -20 "$work/operator.log" >&2; exit 1
fi
echo "== the Secret demo/app-bundle (two Vault secrets merged), decoded"
show app-bundle

echo "== changing the password in Vault"
"$bin/vaultsyncctl" put app/db username=admin password=rotated-42
for s in db-creds app-bundle; do
  if ! wait_for 15 sh -c "kubectl --cache-dir '$work/kube-cache' get secret $s -n demo -o jsonpath='{.data.password}' | base64 -d | grep -qx rotated-42"; then
    echo "the Secret $s did not follow Vault; operator log:" >&2; tail -20 "$work/operator.log" >&2; exit 1
  fi
done
echo "== the Secret followed Vault"
show db-creds
echo "== and so did the one with two sources"
show app-bundle

echo "== the other direction: a Kubernetes Secret pushed into Vault (VaultPushSecret)"
kctl create secret generic app-settings -n demo --from-literal=api-key=demo-key-1
cat >"$work/vps.yaml" <<'YAML'
apiVersion: vaultsync.io/v1alpha1
kind: VaultPushSecret
metadata:
  name: app-settings
  namespace: demo
spec:
  secretName: app-settings
  mount: secret
  path: pushed/app-settings
YAML
kctl apply -f "$work/vps.yaml"
if ! wait_for 30 "$bin/vaultsyncctl" get pushed/app-settings; then
  echo "the Secret was not pushed; operator log:" >&2; tail -20 "$work/operator.log" >&2; exit 1
fi
"$bin/vaultsyncctl" get pushed/app-settings
echo "== changing the Secret: the operator pushes it at once (watch)"
kctl patch secret app-settings -n demo --type=merge -p "{\"data\":{\"api-key\":\"$(printf demo-key-2 | base64)\"}}"
if ! wait_for 15 sh -c "'$bin/vaultsyncctl' get pushed/app-settings | grep -q demo-key-2"; then
  echo "Vault did not follow the Secret; operator log:" >&2; tail -20 "$work/operator.log" >&2; exit 1
fi
echo "== Vault followed the Secret"
"$bin/vaultsyncctl" get pushed/app-settings
kctl get vaultpushsecret app-settings -n demo
echo
echo "metrics:  curl -s http://127.0.0.1:$metrics_port/metrics | grep vaultsync_"
echo "kubectl:  KUBECONFIG=$work/kubeconfig kubectl get vss,vps -A"
echo "vault:    VAULT_ADDR=$vault_url VAULT_TOKEN=root $bin/vaultsyncctl get app/db"
if [ -n "${DEMO_ONCE:-}" ]; then
  echo "demo finished"
  exit 0
fi
echo "Press Ctrl-C to stop (everything started here is stopped)."
while true; do sleep 3600 & wait $!; done
