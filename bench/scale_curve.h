// The scale curve (issue "scale", benchmark part): the bench run once per size — e.g. 0,
// 1,000, 10,000 and 50,000 resources in one process, and 200,000 over 4 shards — each in
// its own emulators and operators, then one table: cold-sync time and rate, peak memory per
// operator (anonymous and file-backed apart), marginal bytes per resource, CPU per 1,000
// reconciles and per steady Vault read.
#pragma once

#include <string>
#include <vector>

#include "bench_options.h"

namespace vaultsync::bench {

// `args` are the bench's own arguments; every one but --scale-curve, --resources and --shards
// is passed to each run. Returns 0 when every run was functionally ok, else 1.
int RunScaleCurve(const std::vector<std::string>& args, const Options& o);

}  // namespace vaultsync::bench
