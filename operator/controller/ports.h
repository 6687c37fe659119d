// The reconcilers' view of the outside world, as small interfaces: what they read from the
// informer caches (Lister), what they ask of the Kubernetes API (Cluster), where Kubernetes
// Events go (EventSink) and where Vault data comes from (SecretSource). Production wires
// these to operator/kube and operator/vault (adapters.h); unit tests use in-memory fakes,
// so every branch of a reconciler runs without a network.
#pragma once

#include <chrono>
#include <map>
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
  std::optional<std::string> Annotation(std::string_view key) const;
  // uid of the resource that manages it: annotation vaultsync.io/owner-uid, else the uid of
  // the ownerReference with controller=true. Empty when neither is there.
  std::string OwnerUid() const { return owner_uid.str(); }
  // The owner's kind (label vaultsync.io/owner-kind; VaultStaticSecret when absent) and key.
  std::string_view OwnerKind() const;
  std::optional<std::string> OwnerKey() const;
  // The owner uid, packed (util/uid.h); the owner-uid annotation is kept here rather than in
  // `metadata` (well_known_labels bit 4 says it was present), saving about 60 bytes a Secret.
  Uid owner_uid;
  uint64_t data_mac = 0;  // MacDigest(DataMac(key, data))
  // Two labels every managed Secret carries with one of a few values, kept as bits instead
  // of ~100 bytes in `metadata` (Label() answers for them): bit 0 managed-by=vaultsync,
  // bits 1-3 the owner kind (1 + its index in the known kinds; 0 = none or in `metadata`);
  // bit 4: the owner-uid annotation is present, with the value in owner_uid.
  uint8_t well_known_labels = 0;
  // The label sharding.vaultsync.io/key as an id (shard_label.h; 0 = absent), kept here rather
  // than in `metadata` (Label() answers for it); in the padding after well_known_labels.
  ShardLabelId shard = 0;
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
  // Patch of a workload: a strategic-merge patch of an apps/v1 Deployment, StatefulSet or
  // DaemonSet, a JSON merge patch of an argoproj.io/Rollout (a custom resource). kNotFound
  // both when the object is missing and when its type is not served (no Rollout CRD): tell
  // them apart with IsObjectNotFound.
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
  // The namespace it acts for (metrics only): a tenant identity's consuming namespace, else
  // the VaultAuth's own (the operator's for the flag defaults).
  std::string metrics_namespace;
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
  // A forced sync (vaultsync.io/force-sync): ask Vault now whatever the shared cache holds
  // (the answer still refreshes the cache for the others).
  bool force = false;
  // An optional source: a recent "not found" answer may be shared too (failures otherwise
  // never are), so that a missing optional secret costs one read per refresh, not one per
  // resource.
  bool accept_missing = false;
};

struct KvResult {
  std::vector<KvEntry> entries;  // sorted by key
  std::optional<int64_t> version;
  std::optional<std::chrono::seconds> ttl;  // kv-v1 `ttl` (lease_duration)
  TimePoint read_at;
};

// A KV LIST of one folder (spec.find walks folders with it).
struct KvListRequest {
  std::string mount;
  std::string path;  // the folder without a trailing '/'; "" = the mount's root
  KvType type = KvType::kV2;
  std::chrono::milliseconds max_age{0};  // as KvRequest
  bool force = false;                    // as KvRequest
};

struct KvListResult {
  std::vector<std::string> keys;  // as Vault lists them: sub-folders end in '/'
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
  // One folder's keys, shared and single-flight like Read. A folder Vault does not know (its
  // 404) lists as empty. Errors as Read.
  virtual Result<std::shared_ptr<const KvListResult>> List(const VaultIdentity& identity,
                                                           const KvListRequest& request) = 0;
  // Forget clients and tokens of identities whose key starts with `prefix` (a VaultAuth or
  // VaultConnection changed).
  virtual void Forget(const std::string& key_prefix) = 0;
};

// Where a Vault write goes.
struct KvTarget {
  std::string mount;
  std::string path;
  KvType type = KvType::kV2;
};

// What Vault holds at a KV path, read right before a write decision.
struct KvState {
  bool exists = false;  // a current version with data (kv-v2: not deleted or destroyed)
  // kv-v2: the metadata's current_version (also when that version is deleted or destroyed),
  // 0 when the path has no metadata. kv-v1: 0.
  int64_t current_version = 0;
  std::vector<KvEntry> entries;  // when exists; sorted by key
};

// Vault writes (VaultPushSecret), made with the same shared identities as the reads.
// Errors as SecretSource's, plus kConflict (a kv-v2 check-and-set that did not match) and
// kCancelled (this replica stopped doing work: it lost its lease, or is shutting down; no
// write starts after that). Thread-safe.
class KvWriter {
 public:
  virtual ~KvWriter() = default;
  // The current state, never shared or cached.
  virtual Result<KvState> ReadCurrent(const VaultIdentity& identity, const KvTarget& target) = 0;
  // Writes `data`, every value as a JSON string. kv-v2: with check-and-set `cas` when given
  // (0: only when no version exists); returns the version written. kv-v1: returns 0.
  virtual Result<int64_t> Write(const VaultIdentity& identity, const KvTarget& target,
                                const SecretData& data, std::optional<int64_t> cas) = 0;
  // kv-v2: the metadata and every version; kv-v1: the secret. OK when nothing was there
  // (Vault answers a delete of an empty path with 204).
  virtual Status Delete(const VaultIdentity& identity, const KvTarget& target) = 0;
};

// Credentials with a lease and the lease API (VaultDynamicSecret). Errors as SecretSource's,
// and: a lease Vault no longer knows (expired, revoked) is kNotFound; one that cannot be
// extended (not renewable, past its max TTL) is kFailedPrecondition. Thread-safe.
struct LeasedReadRequest {
  std::string mount;
  std::string path;
  bool post = false;  // POST with `params` instead of GET
  std::map<std::string, std::string> params;
};

struct LeasedCredentials {
  std::vector<KvEntry> entries;  // sorted by key; secret values
  std::string lease_id;          // "" when the answer has no lease
  std::chrono::seconds lease_duration{0};
  bool renewable = false;
};

struct LeaseLookupResult {
  std::chrono::seconds ttl{0};  // time left
  bool renewable = false;
};

struct LeaseRenewResult {
  std::chrono::seconds lease_duration{0};  // granted from now
  bool renewable = false;
};

class LeaseSource {
 public:
  virtual ~LeaseSource() = default;
  // Reads <mount>/<path>: every call mints new credentials (never shared or cached).
  virtual Result<LeasedCredentials> Read(const VaultIdentity& identity,
                                         const LeasedReadRequest& request) = 0;
  virtual Result<LeaseLookupResult> Lookup(const VaultIdentity& identity,
                                           const std::string& lease_id) = 0;
  virtual Result<LeaseRenewResult> Renew(const VaultIdentity& identity, const std::string& lease_id,
                                         std::chrono::seconds increment) = 0;
  // OK also for a lease Vault does not know any more.
  virtual Status Revoke(const VaultIdentity& identity, const std::string& lease_id) = 0;
};

// Certificates from Vault's PKI engine (VaultPKISecret). Errors as SecretSource's; a name
// the role refuses is kInvalidArgument with Vault's words. Thread-safe.
struct CertificateIssueRequest {
  std::string mount;
  std::string role;
  std::string common_name;
  std::vector<std::string> alt_names;
  std::vector<std::string> ip_sans;
  std::vector<std::string> uri_sans;
  std::optional<std::chrono::seconds> ttl;  // absent: the role's
  bool pkcs1 = false;                       // else PKCS #8
};

struct IssuedCertificateData {
  std::string certificate;            // PEM
  std::string issuing_ca;             // PEM
  std::vector<std::string> ca_chain;  // PEM; empty when Vault sends none
  std::string private_key;            // PEM; secret
  std::string serial_number;
};

class CertificateSource {
 public:
  virtual ~CertificateSource() = default;
  virtual Result<IssuedCertificateData> Issue(const VaultIdentity& identity,
                                              const CertificateIssueRequest& request) = 0;
  // OK also for a serial Vault does not know.
  virtual Status Revoke(const VaultIdentity& identity, const std::string& mount,
                        const std::string& serial_number) = 0;
};

}  // namespace vaultsync::controller
