// The VaultPushSecret reconciler: makes Vault hold the data of a Kubernetes Secret. It checks
// Vault only when something may differ — the Secret's data (a MAC from the filtered Secret
// cache, never the data), the spec, a failure to recover from, or the refreshAfter re-check —
// and writes only when Vault's data differs from the Secret's. A kv-v2 write uses
// check-and-set on the version this resource last wrote or found; a version written by
// someone else since is reported (VaultChanged, Warning Event) before any push replaces it.
// The younger of two resources on one Vault path writes nothing (PathConflict). A new value
// of the annotation vaultsync.io/force-sync makes the next reconcile check Vault whatever the
// schedule says, by the same rules (force_sync.h). With
// deletionPolicy Delete, the finalizer vaultsync.io/push-cleanup deletes what it pushed
// before the resource goes. Level-based and safe to run any number of times.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "controller/finalizers.h"
#include "controller/force_sync.h"
#include "controller/identity.h"
#include "controller/ports.h"
#include "controller/status.h"
#include "controller/vault_push_secret.h"
#include "metrics/push_metrics.h"
#include "runtime/reconcile_result.h"
#include "util/log.h"

namespace vaultsync::controller {

struct VaultPushSecretReconcilerDeps {
  const Lister<VaultPushSecret>* pushes = nullptr;
  // The filtered Secret cache (PushSourceDecoder), by "namespace/name".
  const Lister<PushSource>* sources = nullptr;
  // Hands a Secret read live to that cache (Informer::Admit), so that the next reconcile
  // needs no live read. Optional.
  std::function<void(const json::Value& secret)> admit_source;
  const Lister<VaultAuth>* auths = nullptr;
  const Lister<VaultConnection>* connections = nullptr;
  Cluster* cluster = nullptr;  // live Secret reads, status and finalizer patches
  EventSink* events = nullptr;
  KvWriter* vault = nullptr;
  const Clock* clock = nullptr;
  metrics::PushMetrics* metrics = nullptr;  // optional
  log::Logger* logger = nullptr;            // optional (defaults to log::Default())
};

struct VaultPushSecretReconcilerOptions {
  OperatorDefaults defaults;
  std::string hmac_key;  // keys status.secretMAC and the cache's digests
  double jitter = 0.1;   // re-checks are spread over +-10 % of refreshAfter
  // After VaultChanged is reported (Replace), the push that replaces the foreign version
  // comes this much later, as the next reconcile.
  std::chrono::milliseconds replace_after_report{1000};
};

// Thread-safe: the controller runs Reconcile on several workers, never for the same key at
// once (the work queue guarantees it).
class VaultPushSecretReconciler {
 public:
  using ReconcileResult = runtime::ReconcileResult;

  VaultPushSecretReconciler(VaultPushSecretReconcilerDeps deps,
                            VaultPushSecretReconcilerOptions options);

  ReconcileResult Reconcile(const std::string& key);

 private:
  struct Failure {
    std::string reason;
    Status status;
    bool terminal = false;
    std::optional<std::chrono::milliseconds> requeue_after;  // instead of backoff
    metrics::PushResult result = metrics::PushResult::kError;
    bool count = true;  // a push attempt (not a deletion)
  };
  // Where and what this resource last synced Vault to: status.vaultPath, destinationVersion
  // and secretMAC as last written by this process, which the informer's copy of status may
  // not show yet (a second reconcile right after a push must not take the version it just
  // wrote for someone else's). Status is the fallback after a restart.
  struct Synced {
    std::string path;
    std::optional<int64_t> version;
    uint64_t mac = 0;
    uint64_t reported = 0;  // MessageDigest of the VaultChanged report in status, or 0
  };
  // The source Secret, read live: its selected data and their MAC.
  struct LiveSource {
    SecretData data;
    std::string mac;
    uint64_t digest = 0;
  };

  ReconcileResult Fail(const VaultPushSecret& vps, const Failure& f);
  ReconcileResult Finalize(const VaultPushSecret& vps);
  Status Cleanup(const VaultPushSecret& vps);
  // The older resource writing to the same path of the same Vault, if any.
  std::shared_ptr<const VaultPushSecret> OlderOnPath(const VaultPushSecret& vps,
                                                     const VaultIdentity& identity) const;
  std::optional<LiveSource> LoadSource(const VaultPushSecret& vps, Failure* failure);
  ReconcileResult Check(const VaultPushSecret& vps, const VaultIdentity& identity,
                        std::optional<uint64_t> cached_digest);
  // Ready=True with `reason`/`message`, plus status fields, patched only when they change.
  ReconcileResult Settle(const VaultPushSecret& vps, const std::string& reason,
                         const std::string& message,
                         std::vector<std::pair<std::string, std::string>> extra,
                         bool fields_current, metrics::PushResult result);
  ReconcileResult ReportChanged(const VaultPushSecret& vps, const std::string& message);
  // Remembers when `vps` is next due for a Vault re-check and returns the wait until then.
  std::chrono::milliseconds Schedule(const VaultPushSecret& vps);
  bool Due(const std::string& key) const;
  Synced LastSynced(const VaultPushSecret& vps) const;
  void Remember(const std::string& key, Synced synced);
  void Forget(const std::string& key);
  void Observe(metrics::PushResult r) const;

  VaultPushSecretReconcilerDeps deps_;
  VaultPushSecretReconcilerOptions options_;
  Finalizer finalizer_;
  ForceSyncTracker forced_;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  std::map<std::string, TimePoint> next_check_;  // key -> when Vault is checked again
  std::map<std::string, Synced> synced_;         // key -> what this process last synced
};

// Maps a Vault error of a push to a condition reason (PermissionDenied, AuthFailed,
// VaultError, VaultUnavailable).
const char* PushErrorReason(const Status& s);

}  // namespace vaultsync::controller
