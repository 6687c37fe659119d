// Summing the emulators' request counters (see request_totals.h).
#include "request_totals.h"

#include <algorithm>

namespace vaultsync::bench {

WindowRate PerSecond(const std::vector<TimePoint>& times, TimePoint start, int windows) {
  WindowRate r;
  if (windows <= 0) return r;
  std::vector<int64_t> counts(size_t(windows), 0);
  int64_t total = 0;
  for (TimePoint t : times) {
    if (t < start) continue;
    auto w = std::chrono::duration_cast<std::chrono::seconds>(t - start).count();
    if (w >= windows) continue;
    ++counts[size_t(w)];
    ++total;
  }
  for (int64_t c : counts) r.max = std::max(r.max, c);
  r.mean = double(total) / windows;
  return r;
}

bool IsWriteVerb(const std::string& key) {
  for (const char* v : {"CREATE ", "UPDATE ", "PATCH ", "DELETE ", "DELETECOLLECTION "}) {
    if (key.rfind(v, 0) == 0) return true;
  }
  return false;
}

KubeTotals SumKube(const std::map<std::string, int64_t>& c) {
  KubeTotals t;
  for (const auto& [k, v] : c) {
    t.total += v;
    if (IsWriteVerb(k)) {
      t.writes += v;
    } else if (k.rfind("WATCH ", 0) == 0) {
      t.watches += v;
    } else if (k.rfind("GET ", 0) == 0 || k.rfind("LIST ", 0) == 0) {
      t.reads += v;
    }
  }
  return t;
}

VaultTotals SumVault(const std::map<std::string, int64_t>& c) {
  VaultTotals t;
  for (const auto& [k, v] : c) {
    t.total += v;
    if (k.rfind("GET /v1/secret/data/", 0) == 0) {
      t.kv_reads += v;
    } else if (k.find("/v1/auth/") != std::string::npos && k.find("/login") != std::string::npos) {
      t.logins += v;
    } else {
      t.other += v;
    }
  }
  return t;
}

std::string Dump(const std::map<std::string, int64_t>& c) {
  std::string s;
  for (const auto& [k, v] : c) s += "    " + k + ": " + std::to_string(v) + "\n";
  return s.empty() ? "    (none)\n" : s;
}

}  // namespace vaultsync::bench
