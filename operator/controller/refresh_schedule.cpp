// The refresh slots of shared Vault reads (see refresh_schedule.h).
#include "controller/refresh_schedule.h"

#include <functional>
#include <string>

namespace vaultsync::controller {

namespace {

// FNV-1a: stable across processes and builds (std::hash is not promised to be), so every
// replica and every restart gives a secret the same slot.
uint64_t StableHash(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

std::chrono::milliseconds RefreshSlot(std::string_view share_key,
                                      std::chrono::milliseconds interval) {
  if (interval.count() <= 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(int64_t(StableHash(share_key) % uint64_t(interval.count())));
}

TimePoint NextRefreshAt(TimePoint read_at, std::string_view share_key,
                        std::chrono::milliseconds interval) {
  if (interval.count() <= 1) return read_at + interval;
  const int64_t period = interval.count();
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(read_at.time_since_epoch()).count();
  // How far past its slot the read was made, in [0, period).
  int64_t past = (now_ms - RefreshSlot(share_key, interval).count()) % period;
  if (past < 0) past += period;
  const int64_t gap = past <= period / 2 ? period - past : period / 2;
  return read_at + std::chrono::milliseconds(gap);
}

}  // namespace vaultsync::controller
