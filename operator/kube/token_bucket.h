// A token bucket (golang.org/x/time/rate's reservation model): `qps` tokens per second,
// at most `burst` saved up. Used for client-go's client-side request throttle (qps/burst)
// and the overall retry limit of the work queue. Time is passed in, so the bucket works
// with any Clock and tests need no sleeping.
#pragma once

#include <chrono>
#include <mutex>

#include "util/clock.h"

namespace vaultsync::kube {

// Thread-safe.
class TokenBucket {
 public:
  // qps <= 0 means unlimited. The bucket starts full.
  TokenBucket(double qps, int burst, TimePoint now);

  // Takes one token, borrowing from the future if none is left, and returns how long the
  // caller must wait before acting on it (zero when a token was available). Later callers
  // queue behind earlier reservations, so waits grow by 1/qps each.
  std::chrono::nanoseconds Reserve(TimePoint now);

  // Takes a token only if one is available now.
  bool TryAccept(TimePoint now);

 private:
  void Refill(TimePoint now);

  std::mutex mu_;
  const double qps_;
  const double burst_;
  double tokens_;
  TimePoint last_;
};

}  // namespace vaultsync::kube
