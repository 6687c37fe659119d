// The label values of the reconciler-facing enums.
#include "metrics/reconciler_metrics.h"

namespace vaultsync::metrics {

std::string_view ReconcileResultLabel(ReconcileResult r) {
  switch (r) {
    case ReconcileResult::kSuccess:
      return "success";
    case ReconcileResult::kError:
      return "error";
    case ReconcileResult::kRequeue:
      return "requeue";
    case ReconcileResult::kRequeueAfter:
      return "requeue_after";
  }
  return "error";
}

std::string_view SyncResultLabel(SyncResult r) {
  switch (r) {
    case SyncResult::kCreated:
      return "created";
    case SyncResult::kUpdated:
      return "updated";
    case SyncResult::kUnchanged:
      return "unchanged";
    case SyncResult::kError:
      return "error";
  }
  return "error";
}

}  // namespace vaultsync::metrics
