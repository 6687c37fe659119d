#!/usr/bin/env bash
# Runs every test: installs dependencies, builds, runs the suite normally and then under
# AddressSanitizer + UndefinedBehaviorSanitizer. Fails on any failure. This is the README's
# test command and exactly what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs=$(nproc)
# ccache makes a rebuild of an unchanged tree (another clone, CI after a local run) cheap.
# BASEDIR/NOHASHDIR let clones in different folders share the cache.
launcher=()
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=true CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

echo "== format check"
if command -v clang-format >/dev/null 2>&1; then
  files=$(git ls-files '*.cpp' '*.h' 2>/dev/null || find operator tests bench -name '*.cpp' -o -name '*.h')
  if [ -n "$files" ] && ! clang-format --dry-run --Werror $files; then
    echo "unformatted code: run clang-format -i on the files above" >&2
    exit 1
  fi
fi

run_suite() {  # $1 build dir, $2.. extra cmake args
  local dir=$1; shift
  echo "== build ($dir)"
  cmake -S . -B "$dir" -G Ninja "${launcher[@]}" "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  echo "== test ($dir)"
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 300)
}

run_suite build -DCMAKE_BUILD_TYPE=Release
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite build-asan -DVAULTSYNC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
echo "all tests passed"
