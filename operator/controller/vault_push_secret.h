// VaultPushSecret (`vps`): a Kubernetes Secret written into Vault KV — the compact struct the
// informer caches, its decoder and validation, and what the filtered Secret cache keeps of
// the Secrets such resources name (PushSource: a MAC of the data, never the data).
//
// The source Secrets are watched without caching every Secret of the cluster (how VSO and ESO
// ran out of memory): an informer over Secrets whose decoder declines every Secret that no
// VaultPushSecret names (found through the kIndexPushSourceSecret index) and keeps only a
// MAC of the others (PushSourceDecoder).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controller/resources.h"
#include "util/json.h"
#include "util/status.h"

namespace vaultsync::controller {

inline constexpr const char* kKindVaultPushSecret = "VaultPushSecret";
// Held while a resource with deletionPolicy Delete may have something to delete in Vault.
inline constexpr const char* kPushCleanupFinalizer = "vaultsync.io/push-cleanup";

// Field indexes of the VaultPushSecret cache.
// The source Secret, "namespace/secretName".
inline constexpr const char* kIndexPushSourceSecret = "spec.secretName";
// Where in Vault it writes, "mount/path" (resources with a valid spec only).
inline constexpr const char* kIndexPushVaultPath = "spec.vaultPath";

// Condition reasons of this kind (besides Synced, InvalidSpec, PermissionDenied, AuthFailed,
// VaultUnavailable, VaultError, NamespaceNotAllowed, AuthNotFound, ConnectionNotFound).
inline constexpr const char* kReasonVaultChanged = "VaultChanged";
inline constexpr const char* kReasonPathConflict = "PathConflict";
inline constexpr const char* kReasonAlreadyExists = "AlreadyExists";
inline constexpr const char* kReasonSourceNotFound = "SourceNotFound";
inline constexpr const char* kReasonSourceReadFailed = "SourceReadFailed";
inline constexpr const char* kReasonDeleteFailed = "DeleteFailed";

enum class UpdatePolicy : uint8_t { kReplace, kIfNotExists };
enum class DeletionPolicy : uint8_t { kRetain, kDelete };

struct VaultPushSecretSpec {
  AuthRef auth_ref;  // spec.vaultAuthRef
  std::string secret_name;
  std::vector<std::string> keys;  // empty: every key of the Secret
  std::string mount;
  std::string path;
  KvType type = KvType::kV2;
  UpdatePolicy update_policy = UpdatePolicy::kReplace;
  DeletionPolicy deletion_policy = DeletionPolicy::kRetain;
  std::chrono::milliseconds refresh_after{std::chrono::hours(1)};
  // "mount/path", as status.vaultPath and the kIndexPushVaultPath index spell it.
  std::string VaultPath() const { return mount + "/" + path; }
};

struct VaultPushSecretStatus {
  ReadyCondition ready;
  int64_t observed_generation = 0;
  uint64_t secret_mac = 0;  // MacDigest of status.secretMAC; 0 when absent
  // kv-v2: the version this resource last wrote, or found already holding its data.
  std::optional<int64_t> destination_version;
  // "mount/path" where that happened (status.vaultPath); "" when never.
  std::string vault_path;
  bool pushed_before = false;  // status.lastPushTime is set
};

struct VaultPushSecret {
  ObjectMeta meta;
  int64_t created_seconds = 0;  // metadata.creationTimestamp, Unix seconds (0 when absent)
  VaultPushSecretSpec spec;
  CompactStatus spec_error;  // non-OK when the spec is invalid (the object is still cached)
  VaultPushSecretStatus status;
};

// Fails only when the object has no metadata.name; spec problems are kept in spec_error.
Result<VaultPushSecret> DecodeVaultPushSecret(const json::Value& obj);

// True when `a` is older than `b`: created earlier, then by name, then by namespace (the
// younger of two resources on one Vault path is the one that gives way).
bool OlderThan(const VaultPushSecret& a, const VaultPushSecret& b);

std::vector<std::string> PushSourceIndexValues(const VaultPushSecret& vps);
std::vector<std::string> PushVaultPathIndexValues(const VaultPushSecret& vps);

// What the filtered Secret cache keeps of a Secret that VaultPushSecrets name: for each
// distinct key selection among them, the digest of what would be pushed (PushDigest; 0 when
// nothing could be). One entry in the usual case of one resource per Secret.
struct PushSource {
  std::string key;  // "namespace/name" of the Secret, for mapping its changes to resources
  struct Mac {
    uint64_t selection = 0;  // SelectionFingerprint(spec.keys)
    uint64_t digest = 0;
    bool operator==(const Mac&) const = default;
  };
  std::vector<Mac> macs;
  // The digest for `selection`, or nullopt when this entry was decoded without it (a
  // resource that named the Secret, or changed its keys, after the Secret last changed).
  std::optional<uint64_t> DigestFor(uint64_t selection) const;
};

// The VaultPushSecrets naming Secret "namespace/name" (an index lookup).
using PushSourceNamers =
    std::function<std::vector<std::shared_ptr<const VaultPushSecret>>(const std::string& key)>;

// The filtered cache's decoder: std::nullopt (declined, nothing kept) for a Secret no
// VaultPushSecret names; else its PushSource, keyed with `hmac_key` (which must outlive it).
std::function<Result<std::optional<PushSource>>(const json::Value&)> PushSourceDecoder(
    const std::string* hmac_key, PushSourceNamers namers);

}  // namespace vaultsync::controller
