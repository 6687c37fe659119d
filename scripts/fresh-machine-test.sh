#!/usr/bin/env bash
# Proves the README's fresh-machine claim: in a clean Debian 12 root filesystem made with
# debootstrap, from a fresh clone of this repository, as root, it runs exactly the README's
# two commands — `./scripts/demo.sh` (until its "Press Ctrl-C" prompt, then Ctrl-C, i.e.
# SIGINT to its process group) and `./scripts/test.sh` — and fails if either fails. Whatever
# kubectl scripts/install-deps.sh installs there (Debian's kubernetes-client) is the one used.
#
#   sudo ./scripts/fresh-machine-test.sh            # tests the committed HEAD
#
# Environment (all optional):
#   FRESH_REF=<commit>        what to clone (default HEAD)
#   FRESH_CACHE_DIR=DIR       where the pristine root filesystem tarball is kept, one per day
#                             (default /var/cache/vaultsync-fresh-machine)
#   FRESH_CCACHE_DIR=DIR|none ccache directory shared into the chroot as /root/.cache/ccache
#                             (default: the host's own cache dir; none: a cold build)
#   FRESH_MIRROR=URL          Debian mirror (default http://deb.debian.org/debian)
#   FRESH_KEEP=1              keep the root filesystem afterwards (its path is printed)
#
# Needs root (chroot, mount) and the debootstrap package (installed when missing). Prints
# how long each phase took. Runs on the host's network (no namespaces); the demo binds its
# default ports 18080/18081, so nothing else may hold them.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
[ "$(id -u)" = 0 ] || { echo "run as root (chroot and mount need it)" >&2; exit 2; }

ref=$(git rev-parse "${FRESH_REF:-HEAD}")
cache=${FRESH_CACHE_DIR:-/var/cache/vaultsync-fresh-machine}
mirror=${FRESH_MIRROR:-http://deb.debian.org/debian}
ccache_dir=${FRESH_CCACHE_DIR:-}
if [ -z "$ccache_dir" ] && command -v ccache >/dev/null 2>&1; then
  ccache_dir=$(ccache -k cache_dir 2>/dev/null || true)
fi
[ "$ccache_dir" = none ] && ccache_dir=""

work=$(mktemp -d /var/tmp/vaultsync-fresh-XXXXXX)
root=$work/root
mounted=()
demo_pid=""

# Every process whose root directory is the chroot (the demo, the tests and whatever they
# left): by pid, found through /proc, so nothing outside the chroot is touched.
kill_chroot_processes() {
  local sig=$1 p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill "-$sig" "${p#/proc/}" 2>/dev/null
  done
  return 0
}

cleanup() {
  set +e
  [ -n "$demo_pid" ] && kill -TERM -- "-$demo_pid" 2>/dev/null
  kill_chroot_processes TERM
  sleep 1
  kill_chroot_processes KILL
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}"
  done
  # Never delete through a mount that is still there (it could be the host's /dev or cache).
  if grep -q " $root" /proc/mounts; then
    echo "some mounts under $root are still there; not deleting it" >&2
  elif [ -n "${FRESH_KEEP:-}" ]; then
    echo "kept: $root"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

mount_in() {  # mount args..., target last
  local target=${!#}
  mkdir -p "$target"
  mount "$@"
  mounted+=("$target")
}

phase_start=$SECONDS
phase() {  # name: prints the time the previous phase took
  local now=$SECONDS
  [ -n "${phase_name:-}" ] && timings+=("$phase_name: $((now - phase_start)) s")
  phase_name=$1
  phase_start=$now
  echo "== $1"
}
timings=()
total_start=$SECONDS

phase "root filesystem (Debian 12, debootstrap)"
command -v debootstrap >/dev/null 2>&1 || {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}
mkdir -p "$cache"
tarball=$cache/bookworm-$(date -u +%Y%m%d).tar.gz
if [ ! -f "$tarball" ]; then
  echo "   no tarball for today: debootstrap bookworm from $mirror"
  fresh=$work/debootstrap
  debootstrap bookworm "$fresh" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2
    exit 1
  }
  tar -C "$fresh" -czf "$tarball.part" . && mv "$tarball.part" "$tarball"
  rm -rf "$fresh"
  find "$cache" -name 'bookworm-*.tar.gz' ! -name "$(basename "$tarball")" -delete
fi
mkdir -p "$root"
tar -C "$root" -xzf "$tarball"
cp /etc/resolv.conf "$root/etc/resolv.conf"

mount_in -t proc proc "$root/proc"
mount_in -t sysfs sysfs "$root/sys"
mount_in --bind /dev "$root/dev"
mount_in --bind /dev/pts "$root/dev/pts"
mount_in -t tmpfs tmpfs "$root/dev/shm"
if [ -n "$ccache_dir" ]; then
  mkdir -p "$ccache_dir"
  mount_in --bind "$ccache_dir" "$root/root/.cache/ccache"
  echo "   ccache shared from $ccache_dir"
fi

# A clone of the commit, as a user would have (and as CI has: committed files only).
git clone -q --no-local "$repo" "$root/root/vaultsync"
git -C "$root/root/vaultsync" checkout -q "$ref"
echo "   cloned $ref into /root/vaultsync"

# A command line run by bash in the clone, with a clean login-like environment.
in_chroot=(chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -c)

phase "./scripts/demo.sh (until its Ctrl-C prompt)"
# Job control on: the demo gets a process group of its own, and SIGINT is not ignored in it
# (without job control bash starts background commands with SIGINT ignored, and a script
# cannot trap a signal ignored on entry), so the signal reaches it as Ctrl-C would.
set -m
"${in_chroot[@]}" 'cd /root/vaultsync && exec ./scripts/demo.sh' >"$work/demo.log" 2>&1 </dev/null &
demo_pid=$!
set +m
prompt=0
for _ in $(seq 3600); do  # at most an hour: installing packages and the first build
  if grep -q 'Press Ctrl-C' "$work/demo.log"; then prompt=1; break; fi
  kill -0 "$demo_pid" 2>/dev/null || break
  sleep 1
done
demo_rc=1
if [ $prompt = 1 ]; then
  kill -INT -- "-$demo_pid"
  demo_rc=0
  for _ in $(seq 30); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$demo_pid" 2>/dev/null; then
    echo "the demo did not stop within 30 s of Ctrl-C" >&2
    demo_rc=1
  else
    wait "$demo_pid" || demo_rc=$?
  fi
else
  wait "$demo_pid" 2>/dev/null || true
fi
demo_pid=""
grep -E '^(==|   )' "$work/demo.log" | sed 's/^/   demo| /' | tail -n 40
if [ $demo_rc != 0 ]; then
  echo "DEMO FAILED (exit $demo_rc); the end of its output:" >&2
  tail -n 40 "$work/demo.log" >&2
fi
kill_chroot_processes TERM

phase "./scripts/test.sh"
test_rc=0
"${in_chroot[@]}" 'cd /root/vaultsync && exec ./scripts/test.sh' >"$work/test.log" 2>&1 \
  </dev/null || test_rc=$?
grep -E '^(==|   |all tests passed|[0-9]+% tests passed|The following tests FAILED)|\(Failed\)|\(Timeout\)|\*\*\*' \
  "$work/test.log" | sed 's/^/   test| /' | tail -n 60
if [ $test_rc != 0 ]; then
  echo "TEST FAILED (exit $test_rc); the end of its output:" >&2
  tail -n 60 "$work/test.log" >&2
fi
kubectl_version=$(chroot "$root" kubectl version --client 2>/dev/null | head -n 1 || true)

phase "done"
echo "== timings"
for t in "${timings[@]}"; do echo "   $t"; done
echo "   total: $((SECONDS - total_start)) s"
echo "   kubectl in the chroot: ${kubectl_version:-none}"
cp "$work/demo.log" "$cache/last-demo.log"
cp "$work/test.log" "$cache/last-test.log"
echo "   full logs: $cache/last-demo.log $cache/last-test.log"
if [ $demo_rc != 0 ] || [ $test_rc != 0 ]; then
  echo "fresh machine: FAILED (demo exit $demo_rc, test exit $test_rc)"
  exit 1
fi
echo "fresh machine: both README commands passed"
