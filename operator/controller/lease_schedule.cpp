// Lease renewal and rotation times.
#include "controller/lease_schedule.h"

#include <algorithm>

namespace vaultsync::controller {
namespace {

std::chrono::milliseconds Share(std::chrono::seconds d, double fraction) {
  return std::chrono::milliseconds(static_cast<int64_t>(double(d.count()) * 1000.0 * fraction));
}

}  // namespace

LeasePlan PlanLease(const LeaseState& lease, const LeasePolicy& policy) {
  const double pct = std::clamp(policy.renewal_percent, 1, 90) / 100.0;
  if (!lease.id.empty() && lease.renewable && !lease.final) {
    return LeasePlan{LeaseAction::kRenew, lease.grant_start + Share(lease.granted, pct)};
  }
  TimePoint earliest = lease.grant_start + Share(lease.granted, pct);
  TimePoint latest = lease.expire - Share(lease.granted, 0.10);
  TimePoint at = lease.expire - policy.rotate_before;
  at = std::min(std::max(at, earliest), latest);
  return LeasePlan{LeaseAction::kRotate, at};
}

bool RenewalCapped(std::chrono::seconds requested, std::chrono::seconds granted) {
  return granted < requested;
}

}  // namespace vaultsync::controller
