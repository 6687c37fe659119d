// The reconcilers' view of the outside world, as small interfaces: what they read from the
// informer caches (Lister), what they ask of the Kubernetes API (Cluster), where Kubernetes
// Events go (EventSink) and where Vault data comes from (SecretSource). Production wires
// these to operator/kube and operator/vault (adapters.h); unit tests use in-memory fakes,
// so every branch of a reconciler runs without a network.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controller/resources.h"
#include "controller/secret_data.h"
#include "util/clock.h"
#include "util/flat_string_map.h"
#include "util/json.h"
#include "util/status.h"

namespace vaultsync::controller {

// A read-only cache of decoded objects keyed "namespace/name". Thread-safe.
template <typename T>
class Lister {
 public:
  virtual ~Lister() = default;
  // nullptr when absent.
  virtual std::shared_ptr<const T> Get(const std::string& key) const = 0;
  virtual std::vector<std::shared_ptr<const T>> List() const = 0;
  // The objects filed under `value` in the field index `index` (identity_dependents.h
  // names the indexes and what each holds); none for an index this cache does not have.
  virtual std::vector<std::shared_ptr<const T>> ByIndex(std::string_view index,
                                                        std::string_view value) const = 0;
};

// A Secret the operator manages, as the label-selected Secret cache keeps it: metadata the
// reconciler compares plus an HMAC of the data (computed with the operator's key when the
// object enters the cache), never the data itself. Only what the reconciler reads: the cache
// holds one per managed Secret (the informer keeps name and resourceVersion in its key).
// Secret labels and annotations the operator sets on every Secret it manages.
inline constexpr const char* kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr const char* kManagedByValue = "vaultsync";
inline constexpr const char* kOwnerLabel = "vaultsync.io/owner";
// The owner's kind; a managed Secret without it was written by a VaultStaticSecret.
inline constexpr const char* kOwnerKindLabel = "vaultsync.io/owner-kind";
inline constexpr const char* kOwnerUidAnnotation = "vaultsync.io/owner-uid";

struct ManagedSecret {
  std::string namespace_;
  // Labels and annotations in one block, keyed "l:<label>" and "a:<annotation>"; read them
  // with Label() and Annotation().
  FlatStringMap metadata;
  std::optional<std::string_view> Label(std::string_view key) const;
  std::optional<std::string_view> Annotation(std::string_view key) const;
  // uid of the VaultStaticSecret that manages it: annotation vaultsync.io/owner-uid, else
  // the uid of the ownerReference with controller=true (kept only in that second case, so
  // the uid is not stored twice).
  std::string OwnerUid() const;
  // The owner's kind (label vaultsync.io/owner-kind; VaultStaticSecret when absent) and key.
  std::string_view OwnerKind() const;
  std::optional<std::string> OwnerKey() const;
  std::string owner_ref_uid;
  uint64_t data_mac = 0;  // MacDigest(DataMac(key, data))
};

// Kubernetes calls made by the reconcilers. Errors are Status values from the kube client
// (kNotFound, kConflict, kAlreadyExists, kInvalidArgument, kUnavailable, ...). Thread-safe.
class Cluster {
 public:
  virtual ~Cluster() = default;
  // A live (uncached) read of a Secret; std::nullopt when it does not exist.
  virtual Result<std::optional<json::Document>> GetSecret(const std::string& ns,
                                                          const std::string& name) = 0;
  virtual Status CreateSecret(const std::string& ns, const json::Value& secret) = 0;
  // PUT with the resourceVersion inside `secret` (kConflict when stale).
  virtual Status UpdateSecret(const std::string& ns, const std::string& name,
                              const json::Value& secret) = 0;
  // JSON merge patch of the status subresource of a vaultsync.io resource of `kind`
  // ("VaultStaticSecret", "VaultAuth", "VaultConnection").
  virtual Status PatchStatus(const std::string& kind, const std::string& ns,
                             const std::string& name, const std::string& merge_patch) = 0;
  // JSON merge patch of a vaultsync.io resource itself (its metadata: finalizers). A
  // metadata.resourceVersion in the patch makes it conditional (kConflict when stale).
  virtual Status PatchObject(const std::string& kind, const std::string& ns,
                             const std::string& name, const std::string& merge_patch) = 0;
  // Strategic-merge patch of an apps/v1 workload (kind Deployment, StatefulSet, DaemonSet).
  virtual Status PatchWorkload(const std::string& kind, const std::string& ns,
                               const std::string& name, const std::string& patch) = 0;
  // TokenRequest for ServiceAccount ns/sa; returns the JWT.
  virtual Result<std::string> CreateServiceAccountToken(const std::string& ns,
                                                        const std::string& sa,
                                                        const std::vector<std::string>& audiences,
                                                        int64_t expiration_seconds) = 0;
};

// Kubernetes Events about our resources (aggregated by the implementation). Never blocks.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void Emit(const std::string& kind, const ObjectMeta& object, bool warning,
                    const std::string& reason, const std::string& message) = 0;
};

// Everything needed to log in to Vault as one identity, resolved from VaultAuth,
// VaultConnection and the operator's defaults. `key` names the identity: equal keys share
// one Vault client and one token.
struct VaultIdentity {
  std::string key;
  std::string metrics_label;  // "namespace/name" of the VaultAuth, or "default"
  // Connection.
  std::string address;
  std::string ca_pem;               // operator default CA (VAULT_CACERT), or...
  std::string ca_secret_namespace;  // ...a Secret with key ca.crt, read when the client is built
  std::string ca_secret_name;
  std::string tls_server_name;
  bool skip_tls_verify = false;
  std::string vault_namespace;
  std::map<std::string, std::string> headers;
  std::chrono::milliseconds timeout{30000};
  // Auth.
  AuthMethod method = AuthMethod::kKubernetes;
  std::string mount;
  std::string role;
  // kubernetes: mint a token for token_sa_namespace/token_sa_name, or (both empty) use
  // the operator's own projected token from jwt_file.
  std::string token_sa_namespace;
  std::string token_sa_name;
  std::vector<std::string> audiences;
  int64_t token_expiration_seconds = 600;
  std::string jwt_file;
  // appRole / token: where the secret material is (a Secret in auth_secret_namespace), or
  // a literal token given to the operator (default auth via VAULT_TOKEN).
  std::string role_id;
  std::string auth_secret_namespace;
  std::string auth_secret_name;
  std::string auth_secret_key;
  std::string literal_token;
};

struct KvRequest {
  std::string mount;
  std::string path;
  KvType type = KvType::kV2;
  std::optional<int64_t> version;
  // A result read no longer ago than this may be shared instead of asking Vault again.
  std::chrono::milliseconds max_age{0};
  // kv-v1 without refreshAfter: the secret's own ttl sets the refresh interval, so a shared
  // result is also too old after half of that ttl.
  bool follow_ttl = false;
};

struct KvResult {
  std::vector<KvEntry> entries;  // sorted by key
  std::optional<int64_t> version;
  std::optional<std::chrono::seconds> ttl;  // kv-v1 `ttl` (lease_duration)
  TimePoint read_at;
};

// Vault reads. Errors: kUnavailable (down, sealed), kDeadlineExceeded, kRateLimited,
// kPermissionDenied, kUnauthenticated (login refused), kNotFound, kFailedPrecondition
// (version deleted/destroyed), kInvalidArgument, kInternal (bad answer). Thread-safe.
class SecretSource {
 public:
  virtual ~SecretSource() = default;
  virtual Result<std::shared_ptr<const KvResult>> Read(const VaultIdentity& identity,
                                                       const KvRequest& request) = 0;
  // Forget clients and tokens of identities whose key starts with `prefix` (a VaultAuth or
  // VaultConnection changed).
  virtual void Forget(const std::string& key_prefix) = 0;
};

}  // namespace vaultsync::controller
