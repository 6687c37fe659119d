// What the VaultPushSecret reconciler reports, as an interface in the style of
// reconciler_metrics.h (no prometheus-cpp here): tests count calls with a fake, the operator
// hands it PushCounters (push_counters.h).
#pragma once

#include <string_view>

namespace vaultsync::metrics {

// The `result` label of vaultsync_pushes_total: what one reconcile of a VaultPushSecret did
// to Vault.
enum class PushResult {
  kCreated,    // wrote a secret where Vault had none
  kUpdated,    // wrote a new version over an existing secret
  kUnchanged,  // checked: Vault already holds the data (or IfNotExists keeps what is there)
  kConflict,   // wrote nothing because of someone else: VaultChanged reported, PathConflict,
               // or a check-and-set lost a race
  kError,      // wrote nothing because something failed (Vault, auth, source, spec)
};

inline std::string_view PushResultLabel(PushResult r) {
  switch (r) {
    case PushResult::kCreated:
      return "created";
    case PushResult::kUpdated:
      return "updated";
    case PushResult::kUnchanged:
      return "unchanged";
    case PushResult::kConflict:
      return "conflict";
    case PushResult::kError:
      return "error";
  }
  return "error";
}

// Thread-safe implementations.
class PushMetrics {
 public:
  virtual ~PushMetrics() = default;
  // vaultsync_pushes_total{result} += 1.
  virtual void ObservePush(PushResult result) = 0;
};

}  // namespace vaultsync::metrics
