// Durations as users write them: the CRD form `^\d+(\.\d+)?(s|m|h)$` ("30s", "1.5h") and
// Go's time.Duration strings ("1h30m", "500ms") that Vault and Kubernetes use.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "util/status.h"

namespace vaultsync {

using Duration = std::chrono::nanoseconds;

// Parses a Go-style duration: a sequence of <decimal><unit> with units ns, us, ms, s, m, h
// (e.g. "1h30m", "1.5s", "0"). Negative durations are rejected.
Result<Duration> ParseDuration(std::string_view text);

// Formats like Go's Duration.String(): "1h30m0s", "1.5s", "0s".
std::string FormatDuration(Duration d);

// Whole seconds, rounding down.
inline int64_t Seconds(Duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

}  // namespace vaultsync
