// A per-resource cache of something derived from its spec (compiled regular expressions,
// parsed templates), built again only when the resource's uid or generation changes: building
// std::regex costs far more than a sync, and a spec changes far less often than it is synced.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "controller/resources.h"
#include "util/status.h"

namespace vaultsync::controller {

// Thread-safe.
template <typename T>
class GenerationCache {
 public:
  // The value kept for `meta`'s uid and generation, or `build()` (a Result<T>) when there is
  // none yet; a failed build is returned and not kept.
  template <typename Build>
  Result<std::shared_ptr<const T>> Get(const ObjectMeta& meta, Build&& build) {
    const std::string key = meta.Key();
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = entries_.find(key);
      if (it != entries_.end() && it->second.uid == meta.uid &&
          it->second.generation == meta.generation) {
        return it->second.value;
      }
    }
    Result<T> built = build();
    if (!built.ok()) return built.status();
    auto value = std::make_shared<const T>(std::move(built).value());
    std::lock_guard<std::mutex> lock(mu_);
    entries_[key] = Entry{meta.uid, meta.generation, value};
    return value;
  }
  // Drops a deleted resource's entry.
  void Forget(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    entries_.erase(key);
  }
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.size();
  }

 private:
  struct Entry {
    std::string uid;
    int64_t generation = 0;
    std::shared_ptr<const T> value;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace vaultsync::controller
