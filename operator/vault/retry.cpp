// Exponential backoff with equal jitter.
#include "vault/retry.h"

#include <algorithm>

namespace vaultsync::vault {

std::chrono::milliseconds Backoff(const RetryPolicy& policy, int attempts_made, double jitter01) {
  double base = static_cast<double>(policy.initial_backoff.count());
  double cap = static_cast<double>(policy.max_backoff.count());
  for (int i = 1; i < attempts_made && base < cap; ++i) base *= 2;
  base = std::min(base, cap);
  jitter01 = std::clamp(jitter01, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(base / 2 + base / 2 * jitter01));
}

}  // namespace vaultsync::vault
