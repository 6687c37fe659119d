// Time that tests can move. The emulator reads all time (token expiry, KV timestamps,
// quota windows) from an OffsetClock: the wall clock plus an offset that
// POST /__emulator/time {"advance_seconds":N} grows, so a test can expire a token without
// sleeping. {"freeze":true} stops the clock (quota windows become deterministic);
// {"freeze":false} lets it run again from where it stood.
#pragma once

#include <mutex>
#include <optional>

#include "http_server.h"
#include "util/clock.h"

namespace vaultsync::vaultemu {

// Thread-safe.
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(const Clock& base) : base_(base) {}
  TimePoint Now() const override;
  void Advance(std::chrono::nanoseconds d);
  void Freeze(bool frozen);

 private:
  const Clock& base_;
  mutable std::mutex mu_;
  std::chrono::nanoseconds offset_{0};
  std::optional<TimePoint> frozen_at_;
};

// Answers /__emulator/time: GET reports {"now":"<RFC 3339>","unix":N}; POST applies
// {"advance_seconds":N,"freeze":b} (both optional) and reports the same.
emu::ServerResponse HandleTimeControl(OffsetClock& clock, const emu::ServerRequest& req);

}  // namespace vaultsync::vaultemu
