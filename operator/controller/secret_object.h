// The Kubernetes Secret the operator writes, as JSON: building a new one, bringing an
// existing one in line (data replaced; our labels, annotations and ownership added, other
// people's left alone), and reading back the compact ManagedSecret the cache keeps.
//
// Ownership: every Secret the operator manages carries the labels
// app.kubernetes.io/managed-by=vaultsync, vaultsync.io/owner=<resource name> and
// vaultsync.io/owner-kind=<its kind>, and the annotation vaultsync.io/owner-uid=<its uid>. A
// Secret the operator created also has a controller ownerReference, so Kubernetes deletes it
// with its resource. A pre-existing Secret taken over with destination.overwrite gets no
// ownerReference: it was somebody's before, so deleting the resource leaves it (with its
// last data). A resource's sharding label (sharding.vaultsync.io/key) is copied onto its
// Secret, and removed from it when the resource has none, so a shard can watch only the
// Secrets of its own resources. Shared by every kind that writes a Secret.
#pragma once

#include <functional>
#include <string>

#include "controller/ports.h"

namespace vaultsync::controller {

inline constexpr const char* kRestartedAtAnnotation = "vaultsync.io/restartedAt";
// The label selector of the operator's Secret informer.
inline constexpr const char* kManagedSecretSelector = "app.kubernetes.io/managed-by=vaultsync";

// The resource a Secret belongs to: its kind (from the controller's registration, so a
// VaultPKISecret "x" and a VaultStaticSecret "x" never take each other's Secret) and its
// metadata (name, namespace, uid). `meta` must outlive the SecretOwner.
struct SecretOwner {
  std::string kind;
  const ObjectMeta* meta = nullptr;
};

// The destination block of a resource's spec: where the Secret goes and what it carries
// besides the data. The maps may be null (none).
struct SecretTarget {
  std::string name;
  bool create = true;
  bool overwrite = false;
  std::string type = "Opaque";
  const std::map<std::string, std::string>* labels = nullptr;
  const std::map<std::string, std::string>* annotations = nullptr;
};

// A VaultStaticSecret's spec.destination.
SecretTarget TargetOf(const VaultStaticSecret& vss);

// A new Secret for `owner` holding `data`, with a controller ownerReference.
json::Document NewSecret(const SecretOwner& owner, const SecretTarget& target,
                         const SecretData& data);

// Rewrites `live` (a Secret read from the API) in place: data replaced by `data`; our
// labels and annotations and the target's labels/annotations set; when
// `add_owner_reference`, our controller ownerReference added if missing. resourceVersion is
// kept, so a PUT of the result fails with Conflict if someone wrote in between.
void UpdateSecret(json::Document& live, const SecretOwner& owner, const SecretTarget& target,
                  const SecretData& data, bool add_owner_reference);

// Whether `secret` carries the sharding label `owner` has (the same value, or none).
bool ShardLabelInSync(const json::Value& secret, const ObjectMeta& owner);
bool ShardLabelInSync(const ManagedSecret& secret, const ObjectMeta& owner);
// Sets on `secret` the sharding label `owner` has, or removes it when `owner` has none.
void SetShardLabel(json::Document& secret, const ObjectMeta& owner);

// The uid of the resource managing `secret` (see header comment), or "".
std::string OwnerUid(const json::Value& secret);
// The kind (vaultsync.io/owner-kind, VaultStaticSecret when absent) and name
// (vaultsync.io/owner) of the resource managing `secret`; name "" when unlabelled.
std::pair<std::string, std::string> OwnerOf(const json::Value& secret);

// The cache decoder for managed Secrets: keeps metadata and the HMAC of the data under
// `hmac_key` (which must outlive the decoder).
std::function<Result<ManagedSecret>(const json::Value&)> ManagedSecretDecoder(
    const std::string* hmac_key);

// True when `existing` already carries every label and annotation `owner` and `target` want.
bool MetadataInSync(const ManagedSecret& existing, const SecretOwner& owner,
                    const SecretTarget& target);

}  // namespace vaultsync::controller
