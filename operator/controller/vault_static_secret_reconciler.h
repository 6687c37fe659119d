// The VaultStaticSecret reconciler: reads the resource, logs in as its identity, reads
// Vault (spec.path, sources[] and what find[] discovers, merged: source_merge.h), builds the
// Secret data, and makes the destination Secret agree — writing only when the data or our
// metadata differ, never touching the Secret when anything before the write failed. A data
// change owes the rollout restart targets a restart, recorded in status before the Secret is
// written and carried out by the shared RolloutRestarter. Level-based: it acts on the state
// it reads, not on the event that queued it, so it is safe to run any number of times.
#pragma once

#include <random>
#include <string>

#include "controller/destination_writer.h"
#include "controller/force_sync.h"
#include "controller/generation_cache.h"
#include "controller/identity.h"
#include "controller/kv_discovery.h"
#include "controller/ports.h"
#include "controller/rollout_restarter.h"
#include "controller/source_merge.h"
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
  // The managed-Secret cache: what the destination holds now (a data change without
  // status.secretMAC to compare with, when hmacSecretData is false).
  const Lister<ManagedSecret>* managed = nullptr;
  Cluster* cluster = nullptr;
  DestinationWriter* writer = nullptr;  // shared by every kind that writes a Secret
  EventSink* events = nullptr;
  SecretSource* vault = nullptr;
  RolloutRestarter* restarter = nullptr;  // shared by every kind; null: no restarts
  const Clock* clock = nullptr;
  metrics::ReconcilerMetrics* metrics = nullptr;  // optional
  log::Logger* logger = nullptr;                  // optional (defaults to log::Default())
};

struct VaultStaticSecretReconcilerOptions {
  OperatorDefaults defaults;
  std::string hmac_key;  // keys status.secretMAC and the cache's data MACs
  std::chrono::milliseconds default_refresh{60000};
  double jitter = 0.1;  // retries after a failure are spread over +-10 %
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

  // Reports `f` (condition, Event, log, metric); with `clear_owed`, also removes
  // status.rolloutRestartMAC (the owed restart was done meanwhile).
  ReconcileResult Fail(const VaultStaticSecret& vss, const Failure& f, bool clear_owed = false);
  // A restart owed (status.rolloutRestartMAC) for the data the Secret holds now is handed to
  // the restarter whatever becomes of this sync: it needs no new Vault read. True when it is
  // done, so the mark can go.
  bool OwedRestartDone(const VaultStaticSecret& vss);
  // The effective refresh interval: refreshAfter; else the shortest wanted by what was read
  // (a kv-v1 secret's ttl, or the default for anything else); the default when nothing was.
  std::chrono::milliseconds RefreshInterval(const VaultStaticSecret& vss,
                                            const GatheredData& data) const;
  std::chrono::milliseconds Jittered(std::chrono::milliseconds d);
  // When to look again: for each Vault answer used, when its read is due at its slot in the
  // refresh period (refresh_schedule.h: from its share key, identity + what was read), and
  // the earliest of those; so every resource sharing one Vault read also shares its schedule
  // (and so keeps sharing it), while different paths spread evenly over the period.
  std::chrono::milliseconds NextRefresh(const GatheredData& data,
                                        std::chrono::milliseconds interval) const;
  // True when `mac` is data the workloads have not seen yet: it differs from the data of the
  // last sync (status.secretMAC, else the Secret this resource wrote, as cached or live).
  // Never on a first sync (no Secret of this resource yet).
  bool DataChangedSinceLastSync(const VaultStaticSecret& vss, const std::string& mac) const;

  VaultStaticSecretReconcilerDeps deps_;
  VaultStaticSecretReconcilerOptions options_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
  TransformationCache transformations_;
  GenerationCache<CompiledFinds> finds_;
  ForceSyncTracker forced_;
};

// Maps a Vault read error to a condition reason (VaultUnavailable, PermissionDenied, ...).
const char* VaultErrorReason(const Status& s);

}  // namespace vaultsync::controller
