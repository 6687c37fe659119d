// The three custom resources as the controllers see them: compact structs decoded from the
// API objects, holding only the fields the operator uses (the informer caches keep these,
// not whole JSON documents — 10,000 resources must fit in a few MiB), plus the validation
// that the CRD schema cannot express. A decode error is always an InvalidSpec the user must
// fix; its message names the field.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/kv_sources.h"
#include "controller/shard_label.h"
#include "util/compact_status.h"
#include "util/json.h"
#include "util/status.h"
#include "util/uid.h"

namespace vaultsync::controller {

// The kinds of the vaultsync.io API group, as they appear in Secrets' owner labels,
// ownerReferences and Events.
inline constexpr const char* kApiVersion = "vaultsync.io/v1alpha1";
inline constexpr const char* kKindVaultStaticSecret = "VaultStaticSecret";
inline constexpr const char* kKindVaultAuth = "VaultAuth";
inline constexpr const char* kKindVaultConnection = "VaultConnection";

// Any new value of this annotation on a resource asks for a sync now: past the refresh
// schedule, the backoff and the shared read cache, without a spec change (predicates.h,
// force_sync.h).
inline constexpr const char* kForceSyncAnnotation = "vaultsync.io/force-sync";

// Identity and bookkeeping common to every object.
struct ObjectMeta {
  std::string namespace_;
  std::string name;
  Uid uid;  // 24 bytes for the API server's UUIDs instead of 80 (util/uid.h)
  std::string resource_version;
  int64_t generation = 0;
  bool deleting = false;  // metadata.deletionTimestamp is set
  // The label sharding.vaultsync.io/key (shard_label.h; 0 = absent), copied onto the Secret
  // this resource writes. In the padding after `deleting`, so it costs no memory.
  ShardLabelId shard = 0;
  // ShortDigest of the annotation vaultsync.io/force-sync; 0 when absent. Only compared, to
  // notice a new value, so a digest in the padding after `deleting` costs no memory.
  uint32_t force_sync = 0;
  // metadata.finalizers; empty for nearly every object, so it costs one empty vector.
  std::vector<std::string> finalizers;
  std::string Key() const { return namespace_ + "/" + name; }
  bool HasFinalizer(std::string_view f) const;
};

// A reference to a VaultAuth (spec.vaultAuthRef, "name" or "namespace/name"). Empty name:
// none given — the operator's default identity applies.
struct AuthRef {
  std::string namespace_;
  std::string name;
  bool empty() const { return name.empty(); }
  std::string Key() const { return namespace_ + "/" + name; }
};

// The Ready condition as last written, so a reconcile can tell whether status must change.
// Kept compact (every cached resource has one): the message only as a digest, since it is
// compared and never shown, and the transition time as Unix seconds (metav1.Time's precision).
struct ReadyCondition {
  enum class State : uint8_t { kAbsent, kTrue, kFalse, kUnknown };
  State state = State::kAbsent;
  std::string reason;                   // short UpperCamelCase: held inline, no heap block
  uint64_t message_digest = 0;          // MessageDigest(message); 0 when absent
  int64_t last_transition_seconds = 0;  // Unix seconds; 0 when absent or unreadable
  int64_t observed_generation = 0;
};

// The digest ReadyCondition keeps of a condition message.
uint64_t MessageDigest(std::string_view message);
// A 32-bit digest, never 0, for values a cached struct keeps in what would be padding (the
// force-sync annotation, the owed rollout restart): they are only compared for a change, and
// 10,000 cached resources make every 8 bytes count.
uint32_t ShortDigest(std::string_view value);
// The ShortDigest of a MAC from its MacDigest (secret_data.h): FoldDigest(MacDigest(m)) ==
// ShortDigest(m), so a MAC kept as either can be compared with the other.
uint32_t FoldDigest(uint64_t mac_digest);

struct VaultConnectionSpec {
  std::string address;
  std::string ca_cert_secret_ref;
  std::string tls_server_name;
  bool skip_tls_verify = false;
  std::string vault_namespace;
  std::map<std::string, std::string> headers;
  std::chrono::milliseconds timeout{30000};
};

struct VaultConnection {
  ObjectMeta meta;
  VaultConnectionSpec spec;
  CompactStatus spec_error;  // non-OK when the spec is invalid (the object is still cached)
  ReadyCondition ready;
};

enum class AuthMethod { kKubernetes, kAppRole, kToken };
std::string_view AuthMethodName(AuthMethod m);  // "kubernetes", "appRole", "token"

struct VaultAuthSpec {
  // spec.vaultConnectionRef, "name" (this namespace) or "namespace/name"; empty name: none
  // given (the operator's default connection).
  std::string connection_ref_namespace;
  std::string connection_ref_name;
  AuthMethod method = AuthMethod::kKubernetes;
  std::string mount;  // defaulted to the method's mount name
  std::vector<std::string> allowed_namespaces;
  // kubernetes
  std::string role;
  std::string service_account;
  std::vector<std::string> audiences;
  int64_t token_expiration_seconds = 600;
  // appRole
  std::string role_id;
  std::string approle_secret_ref;
  // token
  std::string token_secret_ref;
  // The Secret (in the VaultAuth's namespace) holding this method's credential: the AppRole
  // secret ID or the token; empty for kubernetes.
  const std::string& CredentialSecret() const;
};

struct VaultAuth {
  ObjectMeta meta;
  VaultAuthSpec spec;
  CompactStatus spec_error;
  ReadyCondition ready;
  // True when a VaultStaticSecret in `ns` may use this VaultAuth.
  bool AllowsNamespace(const std::string& ns) const;
};

// The kind of an Argo Rollout as rolloutRestartTargets[].kind names it.
inline constexpr const char* kKindArgoRollout = "argoproj.io/Rollout";

struct RolloutTarget {
  std::string kind;  // Deployment, StatefulSet, DaemonSet or argoproj.io/Rollout
  std::string name;
  bool operator==(const RolloutTarget& o) const { return kind == o.kind && name == o.name; }
  bool operator<(const RolloutTarget& o) const {
    return kind != o.kind ? kind < o.kind : name < o.name;
  }
};

// The parts of a VaultStaticSecret spec most resources leave empty. They sit behind one
// shared pointer, so a cached resource without them pays 16 bytes instead of six empty
// containers (about 200 bytes, 2 MB at 10,000 resources).
struct VaultStaticSecretExtras {
  std::map<std::string, std::string> dest_labels;
  std::map<std::string, std::string> dest_annotations;
  std::map<std::string, std::string> templates;  // secret key -> template text
  std::vector<std::string> includes;
  std::vector<std::string> excludes;
  std::vector<RolloutTarget> rollout_targets;
  std::vector<KvSourceSpec> sources;  // spec.sources, merged after spec.path
  std::vector<KvFindSpec> finds;      // spec.find, merged last
  KeyConflictPolicy on_key_conflict = KeyConflictPolicy::kError;
  std::string dest_type;  // spec.destination.type when it is not Opaque
  bool Empty() const;
};

struct VaultStaticSecretSpec {
  AuthRef auth_ref;  // spec.vaultAuthRef
  std::string mount;
  std::string path;  // "" when the data comes from sources/find only
  std::string dest_name;
  std::optional<int64_t> version;                          // of `path`
  std::optional<std::chrono::milliseconds> refresh_after;  // absent: 60s, or kv-v1 ttl
  std::shared_ptr<const VaultStaticSecretExtras> extras;   // null when all of them are empty
  // The small fields together, in one 8-byte word.
  KvType type = KvType::kV2;
  bool hmac_secret_data = true;
  bool dest_create = true;
  bool dest_overwrite = false;
  // The extras, or an empty set.
  const VaultStaticSecretExtras& More() const;
  // spec.destination.type: "Opaque" unless the extras name another.
  std::string_view DestType() const;
};

struct VaultStaticSecretStatus {
  uint64_t secret_mac = 0;     // MacDigest of status.secretMAC; 0 when absent
  bool synced_before = false;  // status.lastSyncTime is set: a first sync happened
  // ShortDigest of status.rolloutRestartMAC, set while a rollout restart is owed
  // (rollout_restarter.h); 0 when none is. In the padding after synced_before.
  uint32_t rollout_restart_mac = 0;
  std::optional<int64_t> source_version;
  int64_t observed_generation = 0;
  ReadyCondition ready;
};

struct VaultStaticSecret {
  ObjectMeta meta;
  VaultStaticSecretSpec spec;
  CompactStatus spec_error;
  VaultStaticSecretStatus status;
};

// Decoders for informer caches: fail only when the object is not even a well-formed
// API object (no metadata.name); spec problems are kept in spec_error.
Result<VaultConnection> DecodeVaultConnection(const json::Value& obj);
Result<VaultAuth> DecodeVaultAuth(const json::Value& obj);
Result<VaultStaticSecret> DecodeVaultStaticSecret(const json::Value& obj);

// Metadata shared by all decoders. `intern_shard_label`: keep the sharding label (adding its
// value to the process-wide table, shard_label.h); false for Secrets, whose labels anyone
// who may label a Secret writes, so they must not grow that table.
Result<ObjectMeta> DecodeMeta(const json::Value& obj, bool intern_shard_label = true);
// The value of the annotation vaultsync.io/force-sync on `obj`; "" when absent. For the kinds
// that record in status the value they acted on (a forced sync that mints credentials must
// not mint again for the same value after a restart of the operator).
std::string ForceSyncValue(const json::Value& obj);
ReadyCondition DecodeReady(const json::Value& obj);

// Field rules every kind's decoder applies the same way (each kind in its own file).
// A KV mount or secret path: relative, no empty, "." or ".." segment.
bool IsValidKvPath(std::string_view path);
// A duration in the CRDs' form (30s, 5m, 1.5h), positive; the error names `field`.
Result<std::chrono::milliseconds> DecodeCrdDuration(std::string_view text, std::string_view field);
// spec.<field> as "name" (in `own_namespace`) or "namespace/name"; absent or empty leaves
// both outputs unchanged.
Status DecodeObjectRef(const json::Value& spec, const char* field, const std::string& own_namespace,
                       std::string& ns, std::string& name);

}  // namespace vaultsync::controller
