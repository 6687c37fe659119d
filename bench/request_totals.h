// The bench's measurements of requests: the emulators' per-key counters summed into Kubernetes
// writes, reads and watches and Vault KV reads, logins and the rest.
#pragma once

#include <cstdint>
#include <map>
#include <string>

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

// The counters one per line, indented, for a failure report.
std::string Dump(const std::map<std::string, int64_t>& c);

}  // namespace vaultsync::bench
