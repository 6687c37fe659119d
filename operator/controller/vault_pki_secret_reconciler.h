// The VaultPKISecret reconciler: issues a certificate from Vault's PKI engine
// (<mount>/issue/<role>), writes it into a kubernetes.io/tls Secret (tls.crt = certificate
// followed by its chain, tls.key, ca.crt), issues the next one renewBefore notAfter, revokes
// the replaced one (spec.revoke), restarts the rollout targets through the shared
// RolloutRestarter on every new certificate but the first (recorded in
// status.rolloutRestartMAC before the Secret changes, so an owed restart survives a restart of
// the operator: owed_restarts.h), and issues a new one at once when the request changes (a
// new altName).
//
// A reconciler with no memory of the resource (a restarted operator, a new leader) reads the
// certificate back from the Secret — its notAfter and serial, parsed with OpenSSL — when the
// Secret still holds what status.secretMAC describes for the request status.requestHash
// names, and keeps it: a restart never issues a certificate. Its notAfter is exported before
// anything is asked of Vault, so the expiry alerts can fire while Vault cannot be reached.
// Waiting is a ReconcileResult against the Clock.
//
// A new value of the annotation vaultsync.io/force-sync issues a new certificate at once, by
// the path of a renewal (restart targets, the replaced certificate revoked when spec.revoke
// says so). The value answered is kept in status.forceSync, so a restarted operator, which
// sees the annotation for the first time, does not issue again for it.
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
#include "controller/owed_restarts.h"
#include "controller/ports.h"
#include "controller/rollout_restarter.h"
#include "controller/status.h"
#include "controller/transformation.h"
#include "controller/vault_pki_secret.h"
#include "metrics/expiry_metrics.h"
#include "metrics/reconciler_metrics.h"
#include "runtime/reconcile_result.h"
#include "util/log.h"

namespace vaultsync::controller {

inline constexpr const char* kReasonCertificateExpired = "CertificateExpired";

struct VaultPkiSecretReconcilerDeps {
  const Lister<VaultPkiSecret>* secrets = nullptr;
  const Lister<VaultAuth>* auths = nullptr;
  const Lister<VaultConnection>* connections = nullptr;
  const Lister<ManagedSecret>* managed = nullptr;
  Cluster* cluster = nullptr;
  DestinationWriter* writer = nullptr;
  EventSink* events = nullptr;
  CertificateSource* pki = nullptr;
  RolloutRestarter* restarter = nullptr;  // optional: without it, no rollout restarts
  const Clock* clock = nullptr;
  metrics::ExpiryMetrics* expiry = nullptr;       // optional
  metrics::ReconcilerMetrics* metrics = nullptr;  // optional
  log::Logger* logger = nullptr;                  // optional (defaults to log::Default())
};

struct VaultPkiSecretReconcilerOptions {
  OperatorDefaults defaults;
  std::string hmac_key;
  // Retries after a Vault failure start at 1 s and double up to this.
  std::chrono::milliseconds max_retry{30000};
};

// Thread-safe: workers run Reconcile concurrently, never for the same key at once.
class VaultPkiSecretReconciler {
 public:
  VaultPkiSecretReconciler(VaultPkiSecretReconcilerDeps deps,
                           VaultPkiSecretReconcilerOptions options);

  runtime::ReconcileResult Reconcile(const std::string& key);

 private:
  // What this reconciler knows about a resource's certificate (never the key).
  struct Held {
    std::string uid;
    std::string request_hash;
    std::string serial;
    TimePoint not_after;
    TimePoint renew_at;
    uint64_t mac_digest = 0;
    std::string mac;                     // the full MAC, for status.secretMAC
    std::vector<std::string> unrevoked;  // replaced serials whose revocation failed
    // ShortDigest of the MAC whose restart the targets are owed (status.rolloutRestartMAC),
    // and the MAC itself when this process recorded it.
    uint32_t owed_restart = 0;
    std::string owed_mac;
    // The force-sync value the certificate answers (status.forceSync).
    ForceSyncAnswer force_sync;
  };

  runtime::ReconcileResult Finalize(const VaultPkiSecret& v);
  runtime::ReconcileResult Fail(const VaultPkiSecret& v, const std::string& reason,
                                const Status& st, bool terminal,
                                std::optional<std::chrono::milliseconds> requeue);
  // The certificate the Secret holds, when it is still the one status describes (for the
  // request status.requestHash names, which the caller compares with the spec's).
  std::optional<Held> Adopt(const VaultPkiSecret& v);
  // Whether the Secret still holds the data whose MAC is `mac_digest` (the cache first, then
  // a live read). A live Secret found intact but without this resource's sharding label
  // gets it (DestinationWriter::FollowShard), so this shard watches it from then on.
  bool SecretIntact(const VaultPkiSecret& v, uint64_t mac_digest);
  // Hands a restart owed for the certificate the Secret holds to the restarter, and clears
  // the mark in status (and in `held`) once done or stale. Returns true when it cleared the
  // mark; an error when the clearing patch failed.
  Result<bool> AdvanceRestart(const VaultPkiSecret& v, Held& held, bool known);
  std::optional<runtime::ReconcileResult> Issue(const VaultPkiSecret& v,
                                                const VaultIdentity& identity, Held& held,
                                                bool had_previous, const std::string& why);
  std::chrono::milliseconds NextRetry(const std::string& key);
  void Forget(const std::string& key);

  VaultPkiSecretReconcilerDeps deps_;
  VaultPkiSecretReconcilerOptions options_;
  Finalizer finalizer_;
  TransformationCache transformations_;
  std::mutex mu_;
  std::map<std::string, Held> held_;
  std::map<std::string, int> failures_;
  std::map<std::string, VaultIdentity> identities_;
};

}  // namespace vaultsync::controller
