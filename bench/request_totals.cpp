// Summing the emulators' request counters (see request_totals.h).
#include "request_totals.h"

namespace vaultsync::bench {

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
