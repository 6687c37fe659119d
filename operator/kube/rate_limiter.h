// How long a failed work-queue key waits before its retry (client-go's
// workqueue.RateLimiter). controller-runtime's default combines a per-key exponential
// backoff (5ms doubling to 1000s) with an overall token bucket (10 qps, burst 100), so one
// broken object backs off on its own while a mass failure cannot hammer the API server.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "kube/token_bucket.h"
#include "util/clock.h"

namespace vaultsync::kube {

// Implementations are thread-safe.
class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Records one more failure of `key` and returns how long to wait before retrying it.
  virtual std::chrono::nanoseconds When(const std::string& key) = 0;
  // Clears `key`'s history (it succeeded).
  virtual void Forget(const std::string& key) = 0;
  // Failures recorded for `key` since it was last forgotten.
  virtual int NumRequeues(const std::string& key) = 0;
};

// base * 2^failures, capped at max.
class ItemExponentialFailureRateLimiter final : public RateLimiter {
 public:
  ItemExponentialFailureRateLimiter(std::chrono::nanoseconds base, std::chrono::nanoseconds max)
      : base_(base), max_(max) {}
  std::chrono::nanoseconds When(const std::string& key) override;
  void Forget(const std::string& key) override;
  int NumRequeues(const std::string& key) override;

 private:
  const std::chrono::nanoseconds base_, max_;
  std::mutex mu_;
  std::unordered_map<std::string, int> failures_;
};

// One token per retry from a shared bucket, whatever the key: the wait is the time until
// the token this retry reserved is available. Keeps no per-key history.
class BucketRateLimiter final : public RateLimiter {
 public:
  BucketRateLimiter(double qps, int burst, const Clock& clock)
      : clock_(clock), bucket_(qps, burst, clock.Now()) {}
  std::chrono::nanoseconds When(const std::string&) override {
    return bucket_.Reserve(clock_.Now());
  }
  void Forget(const std::string&) override {}
  int NumRequeues(const std::string&) override { return 0; }

 private:
  const Clock& clock_;
  TokenBucket bucket_;
};

// The longest wait of several limiters; every limiter records every failure.
class MaxOfRateLimiter final : public RateLimiter {
 public:
  explicit MaxOfRateLimiter(std::vector<std::unique_ptr<RateLimiter>> limiters)
      : limiters_(std::move(limiters)) {}
  std::chrono::nanoseconds When(const std::string& key) override;
  void Forget(const std::string& key) override;
  int NumRequeues(const std::string& key) override;

 private:
  std::vector<std::unique_ptr<RateLimiter>> limiters_;
};

struct ControllerRateLimiterOptions {
  std::chrono::nanoseconds base_delay = std::chrono::milliseconds(5);
  std::chrono::nanoseconds max_delay = std::chrono::seconds(1000);
  double qps = 10;
  int burst = 100;
};

// controller-runtime's DefaultControllerRateLimiter (values configurable).
std::unique_ptr<RateLimiter> NewControllerRateLimiter(const Clock& clock,
                                                      ControllerRateLimiterOptions o = {});

}  // namespace vaultsync::kube
