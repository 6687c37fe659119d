// The VaultDynamicSecret reconciler: reads credentials that come with a lease, writes them
// (plus `_ttl`) into the destination Secret, renews the lease at renewalPercent of each grant,
// replaces the credentials rotateBefore the end once renewal cannot move it any more, revokes
// replaced leases revokeAfterRotation later, restarts the rollout targets through the shared
// RolloutRestarter on every new set of credentials but the first (never on a renewal; the
// owed restart is recorded in status.rolloutRestartMAC before the Secret changes, so it
// survives a restart of the operator: owed_restarts.h), and revokes the lease when the
// resource is deleted (finalizer vaultsync.io/lease-revoke).
//
// Credentials are never kept in memory: the Secret holds them, and the reconciler keeps only
// the lease and an HMAC of the data it wrote. A reconciler without that memory (a restarted
// operator, a new leader) finds the lease in status.lease, checks that the Secret still holds
// the data status.secretMAC describes and asks Vault (sys/leases/lookup) whether the lease is
// alive: if so it keeps it, so a restart never mints credentials. When Vault cannot be
// reached, the Secret keeps the last credentials and the Ready condition says LeaseExpiring
// (a renewal or rotation is overdue) and then LeaseExpired; new credentials come at the first
// reconcile Vault answers. Waiting is always a ReconcileResult against the Clock.
//
// A new value of the annotation vaultsync.io/force-sync gets new credentials at once, by the
// path of a rotation (restart targets, the old lease revoked revokeAfterRotation later). The
// value answered is kept in status.forceSync, so a restarted operator, which sees the
// annotation for the first time, does not mint again for it (the memory-only tracker of
// force_sync.h, enough for a read, would).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "controller/destination_writer.h"
#include "controller/finalizers.h"
#include "controller/force_sync.h"
#include "controller/identity.h"
#include "controller/lease_schedule.h"
#include "controller/owed_restarts.h"
#include "controller/ports.h"
#include "controller/rollout_restarter.h"
#include "controller/status.h"
#include "controller/transformation.h"
#include "controller/vault_dynamic_secret.h"
#include "metrics/expiry_metrics.h"
#include "metrics/reconciler_metrics.h"
#include "runtime/reconcile_result.h"
#include "util/log.h"

namespace vaultsync::controller {

inline constexpr const char* kReasonLeaseExpiring = "LeaseExpiring";
inline constexpr const char* kReasonLeaseExpired = "LeaseExpired";

struct VaultDynamicSecretReconcilerDeps {
  const Lister<VaultDynamicSecret>* secrets = nullptr;
  const Lister<VaultAuth>* auths = nullptr;
  const Lister<VaultConnection>* connections = nullptr;
  const Lister<ManagedSecret>* managed = nullptr;  // is the Secret still what we wrote?
  Cluster* cluster = nullptr;
  DestinationWriter* writer = nullptr;
  EventSink* events = nullptr;
  LeaseSource* leases = nullptr;
  RolloutRestarter* restarter = nullptr;  // optional: without it, no rollout restarts
  const Clock* clock = nullptr;
  metrics::ExpiryMetrics* expiry = nullptr;       // optional
  metrics::ReconcilerMetrics* metrics = nullptr;  // optional
  log::Logger* logger = nullptr;                  // optional (defaults to log::Default())
};

struct VaultDynamicSecretReconcilerOptions {
  OperatorDefaults defaults;
  std::string hmac_key;  // status.secretMAC and the Secret cache's MACs
  // Retries after a Vault failure start at 1 s and double up to this (never past the
  // lease's end, so LeaseExpired is reported when it happens).
  std::chrono::milliseconds max_retry{30000};
};

// Thread-safe: workers run Reconcile concurrently, never for the same key at once.
class VaultDynamicSecretReconciler {
 public:
  VaultDynamicSecretReconciler(VaultDynamicSecretReconcilerDeps deps,
                               VaultDynamicSecretReconcilerOptions options);

  runtime::ReconcileResult Reconcile(const std::string& key);

 private:
  // What this reconciler knows about a resource's credentials (never the credentials). A
  // lease with expire == TimePoint{} means none.
  struct Held {
    std::string uid;
    std::string request_hash;
    LeaseState lease;
    std::optional<TimePoint> issued;
    std::optional<TimePoint> last_renewal;
    uint64_t mac_digest = 0;
    std::string mac;  // the full MAC, until status.secretMAC carries it
    int64_t rotations = 0;
    std::vector<PendingRevocation> pending;
    // ShortDigest of the MAC whose restart the targets are owed (status.rolloutRestartMAC),
    // and the MAC itself when this process recorded it.
    uint32_t owed_restart = 0;
    std::string owed_mac;
    // The force-sync value the credentials answer (status.forceSync).
    ForceSyncAnswer force_sync;
  };
  enum class Intact { kYes, kNo, kUnknown };

  runtime::ReconcileResult Finalize(const VaultDynamicSecret& v);
  runtime::ReconcileResult FailVault(const VaultDynamicSecret& v, const LeaseState* lease,
                                     const Status& st, const std::string& doing);
  runtime::ReconcileResult Fail(const VaultDynamicSecret& v, const std::string& reason,
                                const Status& st, bool terminal,
                                std::optional<std::chrono::milliseconds> requeue);
  // Issues new credentials, writes them and makes `held` describe them (the lease replaced
  // is revoked later when `old_lease_alive`). On failure returns the result to give back.
  std::optional<runtime::ReconcileResult> Issue(const VaultDynamicSecret& v,
                                                const VaultIdentity& identity, Held& held,
                                                bool had_previous, bool old_lease_alive,
                                                const std::string& why);
  // Whether the Secret still holds the data whose MAC is `mac_digest` (the cache first, then
  // a live read). A live Secret found intact but without this resource's sharding label
  // gets it (DestinationWriter::FollowShard), so this shard watches it from then on.
  Intact SecretIntact(const VaultDynamicSecret& v, uint64_t mac_digest);
  // Hands a restart owed for data the Secret holds to the restarter, and clears the mark in
  // status (and in `held`) once done or stale. Returns true when it cleared the mark; an
  // error when the clearing patch failed.
  Result<bool> AdvanceRestart(const VaultDynamicSecret& v, Held& held, bool known);
  std::chrono::milliseconds NextRetry(const std::string& key);
  void Forget(const std::string& key);

  VaultDynamicSecretReconcilerDeps deps_;
  VaultDynamicSecretReconcilerOptions options_;
  Finalizer finalizer_;
  TransformationCache transformations_;
  std::mutex mu_;
  std::map<std::string, Held> held_;                 // by key
  std::map<std::string, int> failures_;              // consecutive Vault failures by key
  std::map<std::string, VaultIdentity> identities_;  // last identity that worked, by key
};

}  // namespace vaultsync::controller
