// vaultsync_pushes_total{result}: the counter family behind PushMetrics, registered in the
// operator's registry (OperatorMetrics::registry()) by the VaultPushSecret controller, with
// every result at 0 from the start so that rate() and alerts have a baseline.
#pragma once

#include <array>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "metrics/push_metrics.h"

namespace vaultsync::metrics {

// Thread-safe. Keep it alive as long as the registry serves it.
class PushCounters final : public PushMetrics {
 public:
  explicit PushCounters(prometheus::Registry& registry);
  void ObservePush(PushResult result) override;

 private:
  std::array<prometheus::Counter*, 5> counters_{};  // indexed by PushResult
};

}  // namespace vaultsync::metrics
