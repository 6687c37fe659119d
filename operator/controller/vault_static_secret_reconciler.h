// The VaultStaticSecret reconciler: reads the resource, logs in as its identity, reads
// Vault, builds the Secret data, and makes the destination Secret agree — writing only
// when the data or our metadata differ, never touching the Secret when anything before the
// write failed. Level-based: it acts on the state it reads, not on the event that queued it,
// so it is safe to run any number of times.
#pragma once

#include <random>
#include <string>

#include "controller/destination_writer.h"
#include "controller/identity.h"
#include "controller/ports.h"
#include "controller/status.h"
#include "controller/transformation.h"
#include "metrics/reconciler_metrics.h"
#include "runtime/reconcile_result.h"
#include "util/log.h"

namespace vaultsync::controller {

using runtime::ReconcileResult;

struct VaultStaticSecretReconcilerDeps {
  const Lister<VaultStaticSecret>* secrets = nullptr;
  const Lister<VaultAuth>* auths = nullptr;
  const Lister<VaultConnection>* connections = nullptr;
  Cluster* cluster = nullptr;
  DestinationWriter* writer = nullptr;  // shared by every kind that writes a Secret
  EventSink* events = nullptr;
  SecretSource* vault = nullptr;
  const Clock* clock = nullptr;
  metrics::ReconcilerMetrics* metrics = nullptr;  // optional
  log::Logger* logger = nullptr;                  // optional (defaults to log::Default())
};

struct VaultStaticSecretReconcilerOptions {
  OperatorDefaults defaults;
  std::string hmac_key;  // keys status.secretMAC and the cache's data MACs
  std::chrono::milliseconds default_refresh{60000};
  double jitter = 0.1;  // refreshes are spread over +-10 %
};

// Thread-safe: the controller runs Reconcile on several workers, never for the same key
// at once (the work queue guarantees it).
class VaultStaticSecretReconciler {
 public:
  VaultStaticSecretReconciler(VaultStaticSecretReconcilerDeps deps,
                              VaultStaticSecretReconcilerOptions options);

  ReconcileResult Reconcile(const std::string& key);

 private:
  struct Failure {
    std::string reason;
    Status status;
    bool terminal = false;
    std::optional<std::chrono::milliseconds> requeue_after;  // instead of backoff
  };

  ReconcileResult Fail(const VaultStaticSecret& vss, const Failure& f);
  // Restarts `targets` of `vss`. Those that failed for a reason that may pass (the API
  // server unavailable, throttling, a conflict; not a missing workload) are remembered and
  // tried again at the resource's next reconcile, even when the data did not change then.
  void RestartTargets(const VaultStaticSecret& vss, const std::vector<RolloutTarget>& targets);
  std::vector<RolloutTarget> TakeOwedRestarts(const std::string& key);
  std::chrono::milliseconds RefreshInterval(const VaultStaticSecret& vss, const KvResult& kv) const;
  std::chrono::milliseconds Jittered(std::chrono::milliseconds d);
  // When to look again: the shared read's time plus the interval, jittered by a fraction
  // derived from `share_key` (identity + mount + path), so that every resource sharing one
  // Vault read also shares its schedule (and so keeps sharing it), while different paths
  // spread out.
  std::chrono::milliseconds NextRefresh(const KvResult& kv, std::chrono::milliseconds interval,
                                        const std::string& share_key) const;

  VaultStaticSecretReconcilerDeps deps_;
  VaultStaticSecretReconcilerOptions options_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
  std::mutex owed_mu_;
  std::map<std::string, std::vector<RolloutTarget>> owed_restarts_;  // key -> targets
  TransformationCache transformations_;
};

// Maps a Vault read error to a condition reason (VaultUnavailable, PermissionDenied, ...).
const char* VaultErrorReason(const Status& s);

}  // namespace vaultsync::controller
