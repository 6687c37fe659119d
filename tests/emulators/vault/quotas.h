// Rate-limit quotas (sys/quotas/rate-limit/<name>, sys/quotas/config) and their
// enforcement. Vault 1.8 answers a request over its quota with 429 and
// {"errors":["request path \"P\": rate limit quota exceeded"]}; X-Ratelimit-* headers (and
// Retry-After on the 429) are only sent when the config enables response headers.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "backend.h"
#include "util/clock.h"

namespace vaultsync::vaultemu {

class Quotas {
 public:
  // Handles sys/quotas/... (`sub` is the part after "sys/quotas/").
  Reply Handle(const Call& c, std::string_view sub);

  // Applies the quotas to a request for `logical_path` at `now`. Returns the 429 reply when
  // it is over quota; otherwise adds the rate-limit headers (when enabled) to `headers`.
  std::optional<Reply> Apply(std::string_view logical_path, TimePoint now, emu::Headers& headers);

 private:
  struct RateLimit {
    std::string name;
    std::string path;
    double rate = 0;
    Duration interval = std::chrono::seconds(1);
    Duration block_interval{0};
    // Fixed window: `used` requests since `window_start`; blocked until `blocked_until`.
    std::optional<TimePoint> window_start;
    int64_t used = 0;
    std::optional<TimePoint> blocked_until;
  };

  Reply Config(const Call& c);
  Reply RateLimitPath(const Call& c, const std::string& name);

  std::map<std::string, RateLimit> limits_;
  bool response_headers_ = false;
  bool audit_logging_ = false;
};

}  // namespace vaultsync::vaultemu
