// RFC 3339 timestamps as Kubernetes and Vault write them: Kubernetes `Time` has whole
// seconds ("2026-11-23T09:46:21Z"), `MicroTime` exactly 6 fractional digits, Vault
// nanoseconds ("2026-11-23T09:48:12.384635017Z").
#pragma once

#include <string>
#include <string_view>

#include "util/clock.h"
#include "util/status.h"

namespace vaultsync {

// UTC, with `fraction_digits` (0, 3, 6 or 9) fractional second digits; 0 prints none.
std::string FormatRfc3339(TimePoint t, int fraction_digits = 0);
// Like Go's time.RFC3339Nano: up to 9 digits with trailing zeros trimmed.
std::string FormatRfc3339Nano(TimePoint t);

// Accepts "Z" or "+hh:mm"/"-hh:mm" offsets and any number of fractional digits.
Result<TimePoint> ParseRfc3339(std::string_view text);

// Number of fractional-second digits in an RFC 3339 string (0 when none), for servers that
// insist on a precise form (Lease MicroTime).
int Rfc3339FractionDigits(std::string_view text);

}  // namespace vaultsync
