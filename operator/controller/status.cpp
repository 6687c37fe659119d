// Status patch construction.
#include "controller/status.h"

#include "util/json.h"
#include "util/time_format.h"

namespace vaultsync::controller {

bool ReadyUpToDate(const ReadyCondition& current, const ReadyState& want, int64_t generation) {
  const auto state = want.ready ? ReadyCondition::State::kTrue : ReadyCondition::State::kFalse;
  return current.state == state && current.reason == want.reason &&
         current.message_digest == MessageDigest(want.message) &&
         current.observed_generation == generation;
}

std::string StatusPatch(const ReadyCondition& current, const ReadyState& want, int64_t generation,
                        TimePoint now,
                        const std::vector<std::pair<std::string, std::string>>& extra) {
  std::string status = want.ready ? "True" : "False";
  const auto state = want.ready ? ReadyCondition::State::kTrue : ReadyCondition::State::kFalse;
  std::string transition =
      (current.state == state && current.last_transition_seconds != 0)
          ? FormatRfc3339(TimePoint(std::chrono::seconds(current.last_transition_seconds)))
          : FormatRfc3339(now);
  std::string reason = want.reason.empty() ? "Unknown" : want.reason;
  std::string out = "{\"status\":{\"observedGeneration\":" + std::to_string(generation) +
                    ",\"conditions\":[{\"type\":\"Ready\",\"status\":\"" + status +
                    "\",\"observedGeneration\":" + std::to_string(generation) +
                    ",\"lastTransitionTime\":" + json::Quote(transition) +
                    ",\"reason\":" + json::Quote(reason) +
                    ",\"message\":" + json::Quote(want.message) + "}]";
  for (const auto& [field, raw] : extra) out += "," + json::Quote(field) + ":" + raw;
  out += "}}";
  return out;
}

}  // namespace vaultsync::controller
