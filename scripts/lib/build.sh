# Sourced by demo.sh and test.sh so that both build the same way: one build/ configuration
# (Release, through ccache), a one-line estimate before a first build, and ninja's output in
# a log file behind a short progress line (the log's tail is printed when the build fails).
# A second configuration (the sanitizer build) passes its own directory and extra flags.

# The cmake flags every build/ configuration shares. VAULTSYNC_TEST_DIRS is reset to its
# default so that a developer's narrowed list never hides tests from ./scripts/test.sh.
vaultsync_cmake_flags=(-G Ninja -DCMAKE_BUILD_TYPE=Release -UVAULTSYNC_TEST_DIRS)

# ccache makes a rebuild of an unchanged tree (another clone, CI after a local run, the
# demo's objects reused by the tests) cheap. BASEDIR/NOHASHDIR let clones in different
# folders share the cache.
vaultsync_launcher=()
vaultsync_use_ccache() {
  if command -v ccache >/dev/null 2>&1; then
    export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=true CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
    vaultsync_launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
}

# Minutes a build from nothing takes here, scaled from what was measured on the 2-core
# development machine (no ccache hits): every target, or the demo's four programs.
vaultsync_estimate_minutes() {  # "all" | "demo"
  local two_core_minutes=7
  [ "$1" = demo ] && two_core_minutes=5
  local cores
  cores=$(nproc)
  echo $(((two_core_minutes * 2 + cores - 1) / cores))
}

# vaultsync_configure DIR SCOPE [extra cmake flags]: SCOPE (all|demo) only picks the estimate.
vaultsync_configure() {
  local dir=$1 scope=$2
  shift 2
  if [ ! -f "$dir/build.ninja" ]; then
    echo "   first build takes about $(vaultsync_estimate_minutes "$scope") minutes on $(nproc) cores;" \
      "later ones are incremental"
  fi
  mkdir -p "$dir"
  if ! cmake -S . -B "$dir" "${vaultsync_cmake_flags[@]}" "${vaultsync_launcher[@]}" "$@" \
    >"$dir/configure.log" 2>&1; then
    echo "cmake configure failed; the end of $dir/configure.log:" >&2
    tail -n 30 "$dir/configure.log" >&2
    return 1
  fi
}

# vaultsync_build DIR [targets...]: ninja's output goes to DIR/build.log; a progress line
# ("[412/630] 65%") is printed in place on a terminal, and otherwise (CI logs) at most every
# 15 s when it changed, every minute when it did not (one long compile).
vaultsync_build() {
  local dir=$1
  shift
  local log=$dir/build.log targets=()
  for t in "$@"; do targets+=(--target "$t"); done
  NINJA_STATUS='[%f/%t] ' cmake --build "$dir" -j "$(nproc)" "${targets[@]}" >"$log" 2>&1 &
  local pid=$! tty=0 last_print=$SECONDS progress="" printed=""
  [ -t 1 ] && tty=1
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    progress=$(grep -o '^\[[0-9]*/[0-9]*\]' "$log" 2>/dev/null | tail -n 1 || true)
    [ -n "$progress" ] || continue
    local done_n=${progress#\[} total
    done_n=${done_n%%/*}
    total=${progress#*/}
    total=${total%]}
    local line="   building $progress $((done_n * 100 / (total > 0 ? total : 1)))%"
    if [ $tty = 1 ]; then
      printf '\r%s' "$line"
    elif { [ "$progress" != "$printed" ] && [ $((SECONDS - last_print)) -ge 15 ]; } ||
      [ $((SECONDS - last_print)) -ge 60 ]; then
      echo "$line"
      last_print=$SECONDS
      printed=$progress
    fi
  done
  [ $tty = 1 ] && [ -n "$progress" ] && printf '\n'
  if ! wait "$pid"; then
    echo "build failed ($dir); the end of $log:" >&2
    tail -n 40 "$log" >&2
    return 1
  fi
  echo "   built in $dir (log: $log)"
}
