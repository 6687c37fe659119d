// Change propagation and drift restoration (issue "scale", benchmark part): how long a new
// value in Vault takes to reach the Secrets that read it, and how long a hand edit of a
// managed Secret stays before the operator undoes it. Both are read from the kube emulator's
// request log: the moment of the operator's successful write of each Secret.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "bench_harness.h"
#include "bench_options.h"

namespace vaultsync::bench {

// Delays in seconds, one per Secret that followed; `missing` Secrets never did in time.
struct Delays {
  std::vector<double> seconds;
  int missing = 0;
};

// Nearest-rank percentile (p in (0, 1]) of `v`; -1 when empty.
double Percentile(std::vector<double> v, double p);

// Writes new values to `changes` Vault paths spread over the workload's paths, then waits up
// to `wait` for the operator to rewrite every Secret that reads one of them. Each delay runs
// from the answer to the Vault write to the answer to the operator's Secret write.
Delays MeasurePropagation(Api& kube, Api& vault, const Options& o, int changes,
                          std::chrono::seconds wait);

// Edits `edits` managed Secrets by hand (a merge patch of one key, all at once), then waits up
// to `wait` for the operator to write each back. Each delay runs from the answer to the edit
// to the answer to the operator's write, both as the kube emulator logged them.
Delays MeasureDrift(Api& kube, const Options& o, int edits, std::chrono::seconds wait);

}  // namespace vaultsync::bench
