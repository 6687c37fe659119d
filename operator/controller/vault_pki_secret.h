// VaultPKISecret as the controller sees it: a TLS certificate issued by Vault's PKI engine
// for a role, written into a kubernetes.io/tls Secret and issued again before it expires.
// The decoded spec (with the checks the CRD schema cannot express), the fingerprint of the
// issue request (a change means a new certificate at once), and the status fields the
// reconciler reads back after a restart.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "controller/resources.h"
#include "controller/spec_fields.h"
#include "util/clock.h"

namespace vaultsync::controller {

inline constexpr const char* kKindVaultPKISecret = "VaultPKISecret";
// Held while a certificate of the resource has to be revoked in Vault (spec.revoke).
inline constexpr const char* kCertificateRevokeFinalizer = "vaultsync.io/certificate-revoke";

struct VaultPkiSecretSpec {
  AuthRef auth_ref;
  std::string mount = "pki";
  std::string role;
  std::string common_name;
  std::vector<std::string> alt_names;
  std::vector<std::string> ip_sans;
  std::vector<std::string> uri_sans;
  std::optional<std::chrono::seconds> ttl;                // absent: the role's
  bool pkcs1 = false;                                     // privateKeyFormat pkcs1 (default pkcs8)
  std::optional<std::chrono::milliseconds> renew_before;  // absent: a third of the lifetime
  bool revoke = false;
  DestinationSpec destination;
  // Fingerprint of the issue request and the destination (mount, role, names, ttl, key
  // format, destination): a certificate issued for another one is replaced at once.
  std::string RequestHash() const;
};

struct VaultPkiSecretStatus {
  std::string serial_number;
  std::optional<TimePoint> not_after;
  std::optional<TimePoint> next_renewal;
  uint64_t secret_mac = 0;  // MacDigest of status.secretMAC; 0 when absent
  std::string request_hash;
  // ShortDigest of status.rolloutRestartMAC: set while the targets are owed a restart for a
  // new certificate (owed_restarts.h); 0 when absent.
  uint32_t rollout_restart_mac = 0;
  // ShortDigest of status.forceSync, the force-sync value the certificate in the Secret
  // already answers (0 when absent): a restarted operator does not issue again for it.
  uint32_t force_sync = 0;
  int64_t observed_generation = 0;
  ReadyCondition ready;
};

struct VaultPkiSecret {
  ObjectMeta meta;  // meta.force_sync: ShortDigest of force_sync_value
  VaultPkiSecretSpec spec;
  CompactStatus spec_error;
  VaultPkiSecretStatus status;
  // The annotation vaultsync.io/force-sync ("" when absent), which status.forceSync records
  // once a new certificate answers it.
  std::string force_sync_value;
};

// Fails only when the object has no metadata.name; spec problems go to spec_error.
Result<VaultPkiSecret> DecodeVaultPkiSecret(const json::Value& obj);

}  // namespace vaultsync::controller
