// Registration of vaultsync_pushes_total.
#include "metrics/push_counters.h"

#include <string>

namespace vaultsync::metrics {

PushCounters::PushCounters(prometheus::Registry& registry) {
  auto& family = prometheus::BuildCounter()
                     .Name("vaultsync_pushes_total")
                     .Help("VaultPushSecret reconciles by what they did to Vault")
                     .Register(registry);
  for (PushResult r : {PushResult::kCreated, PushResult::kUpdated, PushResult::kUnchanged,
                       PushResult::kConflict, PushResult::kError}) {
    counters_[static_cast<size_t>(r)] = &family.Add({{"result", std::string(PushResultLabel(r))}});
  }
}

void PushCounters::ObservePush(PushResult result) {
  counters_[static_cast<size_t>(result)]->Increment();
}

}  // namespace vaultsync::metrics
