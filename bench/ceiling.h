// The request ceiling (issue "scale", benchmark part): how fast the same emulators serve the
// minimal request sequence of one new secret — a Vault KV read, a Secret create, a status
// write — from a plain load loop with the operator's concurrency. The operator's cold-sync
// rate is then reported as a fraction of it, so a slow sync can be told apart from slow
// emulators on a small machine.
#pragma once

#include "bench_harness.h"
#include "bench_options.h"

namespace vaultsync::bench {

struct Ceiling {
  int sequences = 0;  // completed (all three requests answered as expected)
  int failures = 0;
  double seconds = 0;
  double per_second = 0;
};

// Runs `sequences` sequences on `workers` threads: sequence i reads resource i's Vault path,
// creates the Secret "ceiling-<i>" in its namespace and writes resource i's status (a merge
// patch, as the operator does). Run with the operator stopped: it writes what it would.
Ceiling MeasureCeiling(Api& kube, Api& vault, const Options& o, int sequences, int workers);

}  // namespace vaultsync::bench
