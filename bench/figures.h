// The bench's report: every figure as a key=value line, in a fixed order and a fixed set so
// that a reader (and the smoke test) can rely on it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace vaultsync::bench {

struct Figures {
  std::vector<std::pair<std::string, std::string>> kv;  // in print order
  void Set(const std::string& key, const std::string& value) {
    for (auto& [k, v] : kv) {
      if (k == key) {
        v = value;
        return;
      }
    }
    kv.emplace_back(key, value);
  }
  void Set(const std::string& key, int64_t v) { Set(key, std::to_string(v)); }
  void SetSeconds(const std::string& key, double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", s);
    Set(key, std::string(buf));
  }
  std::string Get(const std::string& key) const {
    for (const auto& [k, v] : kv) {
      if (k == key) return v;
    }
    return "n/a";
  }
};

// Every machine-readable key, printed (as "n/a" when not measured) on every run.
extern const std::vector<std::string> kFigureKeys;

}  // namespace vaultsync::bench
