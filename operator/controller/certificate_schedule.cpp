// Certificate renewal time.
#include "controller/certificate_schedule.h"

#include <algorithm>

namespace vaultsync::controller {

TimePoint CertificateRenewalTime(TimePoint issued, TimePoint not_after,
                                 std::optional<std::chrono::milliseconds> renew_before) {
  const auto lifetime = std::max(not_after - issued, TimePoint::duration::zero());
  const auto third = lifetime / 3;
  const TimePoint at = renew_before ? not_after - *renew_before : not_after - third;
  return std::max(at, issued + third);
}

}  // namespace vaultsync::controller
