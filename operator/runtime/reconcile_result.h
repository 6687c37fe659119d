// What one reconcile asks of its controller: done (wait for the next event), come back
// after a delay (scheduled refresh), retry with backoff (a transient error; a Retry-After
// the server sent is honoured as a floor), or stop retrying until the object changes (a
// terminal error, such as an invalid spec). Waiting is always a result, never a sleep: the
// worker returns at once and the work queue brings the key back when it is due.
#pragma once

#include <chrono>
#include <optional>

#include "util/status.h"

namespace vaultsync::runtime {

struct ReconcileResult {
  // Without error: look again after this long. With error: instead of the backoff.
  std::optional<std::chrono::milliseconds> requeue_after;
  Status error;           // non-OK: the reconcile failed (counted as an error)
  bool terminal = false;  // with error: do not retry until the object changes

  static ReconcileResult Done() { return {}; }
  static ReconcileResult After(std::chrono::milliseconds d) { return {d, Status::Ok(), false}; }
  // Retried with per-key exponential backoff, but never sooner than the Retry-After the
  // status carries (a throttled API server or Vault).
  static ReconcileResult Retry(Status s) { return {std::nullopt, std::move(s), false}; }
  static ReconcileResult Terminal(Status s) { return {std::nullopt, std::move(s), true}; }
};

// The controller-runtime label for controller_runtime_reconcile_total{result}.
inline const char* ResultLabel(const ReconcileResult& r) {
  if (!r.error.ok()) return "error";
  return r.requeue_after ? "requeue_after" : "success";
}

}  // namespace vaultsync::runtime
