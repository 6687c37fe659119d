// The Kubernetes Secret the operator writes, as JSON: building a new one, bringing an
// existing one in line (data replaced; our labels, annotations and ownership added, other
// people's left alone), and reading back the compact ManagedSecret the cache keeps.
//
// Ownership: every Secret the operator manages carries the labels
// app.kubernetes.io/managed-by=vaultsync and vaultsync.io/owner=<VaultStaticSecret name>
// and the annotation vaultsync.io/owner-uid=<its uid>. A Secret the operator created also
// has a controller ownerReference, so Kubernetes deletes it with its VaultStaticSecret.
// A pre-existing Secret taken over with destination.overwrite gets no ownerReference: it
// was somebody's before, so deleting the VaultStaticSecret leaves it (with its last data).
#pragma once

#include <functional>
#include <string>

#include "controller/ports.h"

namespace vaultsync::controller {

inline constexpr const char* kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr const char* kManagedByValue = "vaultsync";
inline constexpr const char* kOwnerLabel = "vaultsync.io/owner";
inline constexpr const char* kOwnerUidAnnotation = "vaultsync.io/owner-uid";
inline constexpr const char* kRestartedAtAnnotation = "vaultsync.io/restartedAt";
// The label selector of the operator's Secret informer.
inline constexpr const char* kManagedSecretSelector = "app.kubernetes.io/managed-by=vaultsync";

// A new Secret for `vss` holding `data`, with a controller ownerReference.
json::Document NewSecret(const VaultStaticSecret& vss, const SecretData& data);

// Rewrites `live` (a Secret read from the API) in place: data replaced by `data`; our
// labels and annotations and the spec's destination labels/annotations set; when
// `add_owner_reference`, our controller ownerReference added if missing. resourceVersion is
// kept, so a PUT of the result fails with Conflict if someone wrote in between.
void UpdateSecret(json::Document& live, const VaultStaticSecret& vss, const SecretData& data,
                  bool add_owner_reference);

// The uid of the VaultStaticSecret managing `secret` (see header comment), or "".
std::string OwnerUid(const json::Value& secret);

// The cache decoder for managed Secrets: keeps metadata and the HMAC of the data under
// `hmac_key` (which must outlive the decoder).
std::function<Result<ManagedSecret>(const json::Value&)> ManagedSecretDecoder(
    const std::string* hmac_key);

// True when `existing` already carries every label and annotation `vss` wants.
bool MetadataInSync(const ManagedSecret& existing, const VaultStaticSecret& vss);

}  // namespace vaultsync::controller
