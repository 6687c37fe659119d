// Noticing a new force-sync value.
#include "controller/force_sync.h"

namespace vaultsync::controller {

bool ForceSyncTracker::Take(const ObjectMeta& meta) {
  if (meta.force_sync == 0) return false;
  std::lock_guard<std::mutex> lock(mu_);
  uint32_t& seen = seen_[meta.Key()];
  if (seen == meta.force_sync) return false;
  seen = meta.force_sync;
  return true;
}

void ForceSyncTracker::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  seen_.erase(key);
}

}  // namespace vaultsync::controller
