// VaultDynamicSecret as the controller sees it: credentials read from a Vault path that
// answers with a lease (database/creds/<role>), written into a Secret and kept alive by
// renewing the lease. The decoded spec (with the checks the CRD schema cannot express) and
// the status fields the reconciler reads back — above all status.lease, which is how a
// restarted operator or a new leader finds the lease it must keep using instead of minting
// new credentials.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "controller/resources.h"
#include "controller/spec_fields.h"
#include "util/clock.h"

namespace vaultsync::controller {

inline constexpr const char* kKindVaultDynamicSecret = "VaultDynamicSecret";
// Held while the resource's lease still has to be revoked in Vault.
inline constexpr const char* kLeaseRevokeFinalizer = "vaultsync.io/lease-revoke";

struct VaultDynamicSecretSpec {
  AuthRef auth_ref;
  std::string mount;
  std::string path;
  bool post = false;  // method POST (with params) instead of GET
  std::map<std::string, std::string> params;
  int renewal_percent = 67;
  std::chrono::milliseconds rotate_before{60000};
  std::chrono::milliseconds revoke_after_rotation{300000};
  bool revoke = true;
  DestinationSpec destination;
  // Fingerprint of what the credentials depend on (mount, path, method, params, the
  // destination and its transformation): a change means new credentials at once.
  std::string RequestHash() const;
};

// status.lease.
struct LeaseStatus {
  std::string id;  // "" for an answer without a lease (re-read on schedule)
  // The lease's duration when issued (the Secret's _ttl), which every renewal asks for.
  int64_t duration_seconds = 0;
  bool renewable = false;
  std::optional<TimePoint> issued;
  std::optional<TimePoint> expire;
};

// A replaced lease waiting for its revocation (status.pendingRevocations[]).
struct PendingRevocation {
  std::string lease_id;
  TimePoint revoke_at;
  bool operator==(const PendingRevocation&) const = default;
};

struct VaultDynamicSecretStatus {
  std::optional<LeaseStatus> lease;
  std::optional<TimePoint> last_renewal;
  int64_t rotations = 0;
  uint64_t secret_mac = 0;  // MacDigest of status.secretMAC; 0 when absent
  std::string request_hash;
  std::vector<PendingRevocation> pending_revocations;
  // ShortDigest of status.rolloutRestartMAC: set while the targets are owed a restart for
  // new credentials (owed_restarts.h); 0 when absent.
  uint32_t rollout_restart_mac = 0;
  // ShortDigest of status.forceSync, the force-sync value the credentials in the Secret
  // already answer (0 when absent): a restarted operator does not mint again for it.
  uint32_t force_sync = 0;
  int64_t observed_generation = 0;
  ReadyCondition ready;
};

struct VaultDynamicSecret {
  ObjectMeta meta;  // meta.force_sync: ShortDigest of force_sync_value
  VaultDynamicSecretSpec spec;
  CompactStatus spec_error;
  VaultDynamicSecretStatus status;
  // The annotation vaultsync.io/force-sync ("" when absent), which status.forceSync records
  // once new credentials answer it.
  std::string force_sync_value;
};

// Fails only when the object has no metadata.name; spec problems go to spec_error.
Result<VaultDynamicSecret> DecodeVaultDynamicSecret(const json::Value& obj);

}  // namespace vaultsync::controller
