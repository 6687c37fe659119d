// Work-queue retry delays.
#include "kube/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace vaultsync::kube {

std::chrono::nanoseconds ItemExponentialFailureRateLimiter::When(const std::string& key) {
  int exp;
  {
    std::lock_guard<std::mutex> lock(mu_);
    exp = failures_[key]++;
  }
  // Computed in floating point so that a long failure history saturates instead of
  // overflowing.
  double d = static_cast<double>(base_.count()) * std::pow(2.0, exp);
  if (d >= static_cast<double>(max_.count())) return max_;
  return std::chrono::nanoseconds(static_cast<int64_t>(d));
}

void ItemExponentialFailureRateLimiter::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.erase(key);
}

int ItemExponentialFailureRateLimiter::NumRequeues(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

std::chrono::nanoseconds MaxOfRateLimiter::When(const std::string& key) {
  std::chrono::nanoseconds longest{0};
  for (auto& l : limiters_) longest = std::max(longest, l->When(key));
  return longest;
}

void MaxOfRateLimiter::Forget(const std::string& key) {
  for (auto& l : limiters_) l->Forget(key);
}

int MaxOfRateLimiter::NumRequeues(const std::string& key) {
  int most = 0;
  for (auto& l : limiters_) most = std::max(most, l->NumRequeues(key));
  return most;
}

std::unique_ptr<RateLimiter> NewControllerRateLimiter(const Clock& clock,
                                                      ControllerRateLimiterOptions o) {
  std::vector<std::unique_ptr<RateLimiter>> ls;
  ls.push_back(std::make_unique<ItemExponentialFailureRateLimiter>(o.base_delay, o.max_delay));
  ls.push_back(std::make_unique<BucketRateLimiter>(o.qps, o.burst, clock));
  return std::make_unique<MaxOfRateLimiter>(std::move(ls));
}

}  // namespace vaultsync::kube
