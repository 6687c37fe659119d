#!/usr/bin/env bash
# Runs every test: installs dependencies, builds, runs the suite normally and then under
# AddressSanitizer + UndefinedBehaviorSanitizer. Fails on any failure. This is the README's
# test command and exactly what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs=$(nproc)
# shellcheck source=scripts/lib/build.sh
. scripts/lib/build.sh
vaultsync_use_ccache

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
  vaultsync_configure "$dir" all "$@"
  vaultsync_build "$dir"
  echo "== test ($dir)"
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 300)
}

# build/ is the demo's configuration too (scripts/lib/build.sh), so a demo run before this
# leaves objects that are reused here.
run_suite build
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite build-asan -DVAULTSYNC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
echo "all tests passed"
