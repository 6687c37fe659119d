// Time as a dependency. Token lifetimes, refresh schedules, backoff and lease expiry all
// read the time through a Clock so tests can move it forward instead of sleeping.
#pragma once

#include <atomic>
#include <chrono>

namespace vaultsync {

using TimePoint = std::chrono::system_clock::time_point;

// Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

// The wall clock.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
  // A process-wide instance (stateless, so sharing it is not global mutable state).
  static const SystemClock& Instance() {
    static const SystemClock c;
    return c;
  }
};

// A clock tests set and advance by hand. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = TimePoint(std::chrono::seconds(1800000000)))
      : now_ns_(start.time_since_epoch().count()) {}
  TimePoint Now() const override { return TimePoint(TimePoint::duration(now_ns_.load())); }
  void Advance(std::chrono::nanoseconds d) {
    now_ns_ += std::chrono::duration_cast<TimePoint::duration>(d).count();
  }
  void Set(TimePoint t) { now_ns_ = t.time_since_epoch().count(); }

 private:
  std::atomic<TimePoint::duration::rep> now_ns_;
};

}  // namespace vaultsync
