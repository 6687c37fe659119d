// What the rollout-restart service reports (vaultsync_rollout_restarts_total{kind,result}), as
// an interface in the style of reconciler_metrics.h: the controller layer depends on this
// header only; OperatorMetrics implements it.
#pragma once

#include <string_view>

namespace vaultsync::metrics {

// Implementations are thread-safe.
class RolloutRestartMetrics {
 public:
  virtual ~RolloutRestartMetrics() = default;
  // One workload patch: `kind` is the target's kind (Deployment, StatefulSet, DaemonSet,
  // argoproj.io/Rollout); `result` is success, retry (failed for a reason that may pass; it
  // will be tried again), error (failed for good: missing, forbidden, invalid) or skipped (an
  // Argo Rollout while the cluster serves no Rollouts).
  virtual void ObserveRolloutRestart(std::string_view kind, std::string_view result) = 0;
};

}  // namespace vaultsync::metrics
