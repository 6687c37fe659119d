// When a VaultDynamicSecret acts on its lease: the pure arithmetic of renewal and rotation,
// apart from any I/O so it is unit-tested against a fake clock.
//
// A renewable lease is renewed when `renewalPercent` of its current grant has passed. A lease
// that can no longer be extended as asked (not renewable, or a renewal that came back capped
// by the max TTL: "final") is replaced by new credentials `rotateBefore` its end — but never
// before `renewalPercent` of the final grant has passed (a rotateBefore longer than the lease
// would otherwise rotate in a loop), and always with at least 10 % of the grant left (the
// lease-expiry alert fires below 10 %, and must fire only when something is wrong).
#pragma once

#include <chrono>
#include <string>

#include "util/clock.h"

namespace vaultsync::controller {

struct LeaseState {
  std::string id;  // "" for a secret without a lease: it is read again, like a final lease
  bool renewable = false;
  bool final = false;               // a renewal was capped: the end cannot move any more
  TimePoint grant_start;            // when the current grant began (issue or last renewal)
  std::chrono::seconds granted{0};  // the current grant's length
  TimePoint expire;                 // grant_start + granted, on the operator's clock
  // What every renewal asks for: the lease's duration when it was issued (asking for the
  // last grant instead would shrink each request by the capped part and never notice the
  // cap).
  std::chrono::seconds requested{0};
};

struct LeasePolicy {
  int renewal_percent = 67;  // 1..90
  std::chrono::milliseconds rotate_before{60000};
};

enum class LeaseAction { kRenew, kRotate };

struct LeasePlan {
  LeaseAction action = LeaseAction::kRenew;
  TimePoint at;  // due from this time on
};

LeasePlan PlanLease(const LeaseState& lease, const LeasePolicy& policy);

// True when a renewal asked for `requested` and Vault granted less: only the max TTL makes
// Vault grant less than the increment asked (sdk/framework CalculateTTL), so the lease's end
// is final.
bool RenewalCapped(std::chrono::seconds requested, std::chrono::seconds granted);

}  // namespace vaultsync::controller
