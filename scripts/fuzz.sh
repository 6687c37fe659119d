#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan, in build-fuzz/) and runs each
# for FUZZ_SECONDS (default 30), FUZZ_JOBS at a time (default: the number of cores). Each target
# starts from its seeds (tests/fuzz/corpus/<target>) and past crashes
# (tests/fuzz/regressions/<target>) and keeps what it learns in build-fuzz/corpus/<target>, so
# later runs go on from there. Fails when a target crashes, hangs (over 10 s for one input) or
# breaks an invariant, and says where the input that did it was saved.
#
#   ./scripts/fuzz.sh                                   # every target, 30 s each
#   FUZZ_SECONDS=3600 ./scripts/fuzz.sh kube_watch      # one target for an hour
#   FUZZ_SECONDS=0 ./scripts/fuzz.sh                    # build only
#   FUZZ_SEED=1 ./scripts/fuzz.sh                       # the same mutations every run (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/build.sh
. scripts/lib/build.sh
vaultsync_use_ccache
seconds=${FUZZ_SECONDS:-30}
jobs=${FUZZ_JOBS:-$(nproc)}
seed=${FUZZ_SEED:-0}  # libFuzzer's 0 = a new random seed each run
dir=build-fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(sed -n '/^set(VAULTSYNC_FUZZ_TARGETS/,/)/p' tests/fuzz/CMakeLists.txt |
    tr ' ()' '\n\n\n' | grep -E '^[a-z0-9_]+$' | grep -v '^set$')
fi

echo "== build ($dir)"
vaultsync_configure "$dir" all -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  -DVAULTSYNC_FUZZ=ON -DVAULTSYNC_TEST_DIRS=fuzz
vaultsync_build "$dir" fuzzers
[ "$seconds" -gt 0 ] || exit 0

echo "== fuzz (${#targets[@]} targets, ${seconds}s each, $jobs at a time)"
mkdir -p "$dir/artifacts" "$dir/logs"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_one() {  # $1 target
  local t=$1 inputs=()
  mkdir -p "$dir/corpus/$t"
  inputs=("$dir/corpus/$t" "tests/fuzz/corpus/$t")
  [ -d "tests/fuzz/regressions/$t" ] && inputs+=("tests/fuzz/regressions/$t")
  # -timeout: one input taking longer is a hang; -rss_limit_mb: a leak or a blow-up.
  if "$dir/bin/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -seed="$seed" -print_final_stats=1 -artifact_prefix="$dir/artifacts/$t-" "${inputs[@]}" \
    >"$dir/logs/$t.log" 2>&1; then
    echo "   $t: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/logs/$t.log" |
      grep -o '[0-9]*$') inputs, no failure"
  else
    echo "FAILED: fuzz target $t; the end of $dir/logs/$t.log:" >&2
    tail -n 40 "$dir/logs/$t.log" >&2
    echo "The input is in $dir/artifacts/$t-*: copy it to tests/fuzz/regressions/$t/, fix the" \
      "code and add a unit test (tests/fuzz/regressions/README.md)." >&2
    return 1
  fi
}
failed=0
running=0
pids=()
for t in "${targets[@]}"; do
  [ -x "$dir/bin/fuzz_$t" ] || { echo "no fuzz target $t" >&2; exit 2; }
  run_one "$t" &
  pids+=($!)
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
    running=$((running - 1))
  fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done
[ $failed = 0 ] || exit 1
echo "   fuzzing found nothing"
