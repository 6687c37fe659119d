// What one reconcile asks of its controller: done (wait for the next event), come back
// after a delay (scheduled refresh), retry with backoff (a transient error), or stop
// retrying until the object changes (a terminal error, such as an invalid spec).
#pragma once

#include <chrono>
#include <optional>

#include "util/status.h"

namespace vaultsync::controller {

struct ReconcileResult {
  std::optional<std::chrono::milliseconds> requeue_after;
  Status error;           // non-OK: the reconcile failed (counted as an error)
  bool terminal = false;  // with error: do not retry until the object changes

  static ReconcileResult Done() { return {}; }
  static ReconcileResult After(std::chrono::milliseconds d) { return {d, Status::Ok(), false}; }
  static ReconcileResult Retry(Status s) { return {std::nullopt, std::move(s), false}; }
  static ReconcileResult Terminal(Status s) { return {std::nullopt, std::move(s), true}; }
};

// The controller-runtime label for controller_runtime_reconcile_total{result}.
inline const char* ResultLabel(const ReconcileResult& r) {
  if (!r.error.ok()) return "error";
  return r.requeue_after ? "requeue_after" : "success";
}

}  // namespace vaultsync::controller
