// The bench's measurements of requests: the emulators' per-key counters summed into Kubernetes
// writes, reads and watches and Vault KV reads, logins and the rest.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "util/clock.h"

namespace vaultsync::bench {

// True for kube-emulator counter keys "VERB resource[/sub]" whose verb writes.
bool IsWriteVerb(const std::string& key);

struct KubeTotals {
  int64_t writes = 0, reads = 0, watches = 0, total = 0;
};
KubeTotals SumKube(const std::map<std::string, int64_t>& c);

struct VaultTotals {
  int64_t kv_reads = 0, logins = 0, other = 0, total = 0;
};
VaultTotals SumVault(const std::map<std::string, int64_t>& c);

// Requests per 1-second window, over `windows` windows from `start` (times outside them are
// not counted): the most in one window and the mean.
struct WindowRate {
  int64_t max = 0;
  double mean = 0;
};
WindowRate PerSecond(const std::vector<TimePoint>& times, TimePoint start, int windows);

// The counters one per line, indented, for a failure report.
std::string Dump(const std::map<std::string, int64_t>& c);

}  // namespace vaultsync::bench
