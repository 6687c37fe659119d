// When to try a Vault request again. Bounded in attempts and in total time, exponential with
// jitter so that many reconcilers failing together do not retry in lock-step.
#pragma once

#include <chrono>

namespace vaultsync::vault {

struct RetryPolicy {
  int max_attempts = 4;                            // first try included; 1 disables retries
  std::chrono::milliseconds initial_backoff{250};  // before the second attempt, before jitter
  std::chrono::milliseconds max_backoff{4000};     // ceiling of one wait
  // No new attempt starts once this much time has passed since the first one started
  // (waits included), so a caller is never held much longer than this plus one timeout.
  std::chrono::milliseconds max_total{20000};
};

// The wait after `attempts_made` failed attempts (>= 1): initial * 2^(attempts_made-1),
// capped at max_backoff, then scaled into [50%, 100%] by `jitter01` in [0, 1) ("equal
// jitter": never zero, never above the cap).
std::chrono::milliseconds Backoff(const RetryPolicy& policy, int attempts_made, double jitter01);

}  // namespace vaultsync::vault
