// The movable clock behind /__emulator/time.
#include "time_control.h"

#include "util/json.h"
#include "util/time_format.h"

namespace vaultsync::vaultemu {

TimePoint OffsetClock::Now() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (frozen_at_) return *frozen_at_;
  return base_.Now() + std::chrono::duration_cast<TimePoint::duration>(offset_);
}

void OffsetClock::Advance(std::chrono::nanoseconds d) {
  std::lock_guard<std::mutex> lock(mu_);
  if (frozen_at_) *frozen_at_ += std::chrono::duration_cast<TimePoint::duration>(d);
  offset_ += d;
}

void OffsetClock::Freeze(bool frozen) {
  TimePoint now = Now();
  std::lock_guard<std::mutex> lock(mu_);
  if (frozen && !frozen_at_) {
    frozen_at_ = now;
  } else if (!frozen && frozen_at_) {
    offset_ = std::chrono::duration_cast<std::chrono::nanoseconds>(*frozen_at_ - base_.Now());
    frozen_at_.reset();
  }
}

emu::ServerResponse HandleTimeControl(OffsetClock& clock, const emu::ServerRequest& req) {
  emu::ServerResponse r;
  r.headers.emplace_back("Content-Type", "application/json");
  if (req.method == "POST" || req.method == "PUT") {
    auto doc = json::Parse(req.body.empty() ? std::string_view("{}") : req.body);
    if (!doc.ok() || !doc->IsObject()) {
      r.status = 400;
      r.body = "{\"error\":\"body must be a JSON object\"}";
      return r;
    }
    const json::Value* advance = json::Find(*doc, "advance_seconds");
    if (advance != nullptr && !advance->IsNumber()) {
      r.status = 400;
      r.body = "{\"error\":\"advance_seconds must be a number\"}";
      return r;
    }
    auto freeze = json::OptionalBool(*doc, "freeze");
    if (!freeze.ok()) {
      r.status = 400;
      r.body = "{\"error\":" + json::Quote(freeze.status().message()) + "}";
      return r;
    }
    if (*freeze) clock.Freeze(**freeze);
    if (advance != nullptr) {
      clock.Advance(std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::duration<double>(advance->GetDouble())));
    }
  }
  TimePoint now = clock.Now();
  r.body = "{\"now\":" + json::Quote(FormatRfc3339Nano(now)) + ",\"unix\":" +
           std::to_string(
               std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()) +
           "}";
  return r;
}

}  // namespace vaultsync::vaultemu
