#!/usr/bin/env bash
# Unpacks Debian's kubernetes-client package (kubectl 1.20, what install-deps.sh installs on
# a machine without kubectl) into DEST without installing it, so the kubectl client tests can
# run against both it and the kubectl on PATH. Best effort: when apt cannot fetch the package
# the old-kubectl tests are skipped (they say so), the build goes on.
set -u
dest="$1"
[ -x "$dest/usr/bin/kubectl" ] && exit 0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if (cd "$tmp" && apt-get download kubernetes-client >/dev/null 2>&1) &&
    dpkg-deb -x "$tmp"/kubernetes-client_*.deb "$tmp/root" &&
    [ -x "$tmp/root/usr/bin/kubectl" ]; then
  mkdir -p "$dest/usr/bin"
  cp "$tmp/root/usr/bin/kubectl" "$dest/usr/bin/kubectl"
else
  echo "fetch_debian_kubectl: could not fetch Debian's kubernetes-client; the kubectl 1.20 tests will be skipped" >&2
fi
exit 0
