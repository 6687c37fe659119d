#!/usr/bin/env bash
# Installs everything vaultsync needs to build, test and run its local demo on Debian 12.
# Idempotent: packages already present are left alone. Needs root (or sudo).
set -euo pipefail
packages=(
  g++ cmake ninja-build ccache git ca-certificates openssl clang-format
  libcpprest-dev rapidjson-dev prometheus-cpp-dev libyaml-cpp-dev libssl-dev zlib1g-dev
  libgtest-dev libgmock-dev
  clang libclang-rt-14-dev  # libFuzzer for the fuzz targets (scripts/fuzz.sh)
  python3-hvac  # the real Vault client the emulator is checked with
  golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev
  golang-github-xeipuuv-gojsonschema-dev
  python3-kubernetes  # the kube emulator's python-client test (tests/emulators/kube)
)
# Tests and the demo drive the emulated API server with the real kubectl; Debian ships it
# as kubernetes-client. A kubectl already on PATH (any packaging) is used as it is.
command -v kubectl >/dev/null 2>&1 || packages+=(kubernetes-client)
missing=()
for p in "${packages[@]}"; do
  [ -n "$p" ] || continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${missing[@]}"
else
  echo "all build dependencies present"
fi
