// The scale bench's report: the human-readable table (each figure beside its target, with
// PASS/MISS) followed by every figure as a key=value line for scripts and the smoke test.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "figures.h"
#include "request_totals.h"

namespace vaultsync::bench {

struct ReportDetail {
  std::map<std::string, int64_t> sync_kube, steady_kube;  // Kubernetes requests by verb
  VaultTotals steady_vault;
  std::vector<std::string> failures;  // functional failures (empty: the run is ok)
  std::string log_tail;               // the operators' last log lines, on a failure
};

void PrintReport(const Figures& f, const ReportDetail& d);

}  // namespace vaultsync::bench
