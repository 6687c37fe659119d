// The status every vaultsync resource reports: observedGeneration and a Ready condition in
// metav1.Condition shape, plus kind-specific fields. Status is written as a JSON merge patch
// of the status subresource, and only when it would change (a steady state writes nothing).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "controller/resources.h"
#include "util/clock.h"

namespace vaultsync::controller {

inline constexpr const char* kReasonSynced = "Synced";
inline constexpr const char* kReasonValid = "Valid";

struct ReadyState {
  bool ready = false;
  std::string reason;
  std::string message;  // never a secret value
};

// True when `current` (as read) already says `want` for `generation`.
bool ReadyUpToDate(const ReadyCondition& current, const ReadyState& want, int64_t generation);

// A merge patch {"status":{"observedGeneration":G,"conditions":[Ready],...extra}}. The
// condition's lastTransitionTime is kept from `current` when its status does not change.
// `extra` are (field, raw JSON value) pairs added to status, e.g. {"secretMAC","\"...\""};
// a raw value "null" removes the field.
std::string StatusPatch(const ReadyCondition& current, const ReadyState& want, int64_t generation,
                        TimePoint now,
                        const std::vector<std::pair<std::string, std::string>>& extra = {});

}  // namespace vaultsync::controller
