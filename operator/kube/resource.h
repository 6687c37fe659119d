// Which Kubernetes resource a call is about, and how its URL is spelled. A ResourceType is
// the (group, version, plural) triple the REST paths are built from, plus the kind and
// scope callers need to build objects and keys. Plain values: copy them freely.
#pragma once

#include <string>
#include <string_view>

namespace vaultsync::kube {

struct ResourceType {
  std::string group;     // "" for the core group
  std::string version;   // "v1", "v1alpha1"
  std::string resource;  // lower-case plural as in the URL: "secrets"
  std::string kind;      // "Secret"
  bool namespaced = true;

  // "v1" or "apps/v1": the apiVersion objects of this type carry.
  std::string ApiVersion() const;
  // "secrets" or "leases.coordination.k8s.io": the name the apiserver uses in messages.
  std::string QualifiedName() const;
  bool operator==(const ResourceType& o) const {
    return group == o.group && version == o.version && resource == o.resource;
  }
};

// Built-in types the operator touches.
namespace resources {
const ResourceType& Namespace();
const ResourceType& Secret();
const ResourceType& ConfigMap();
const ResourceType& ServiceAccount();
const ResourceType& Event();
const ResourceType& Lease();
const ResourceType& Deployment();
const ResourceType& StatefulSet();
const ResourceType& DaemonSet();
const ResourceType& CustomResourceDefinition();

// vaultsync.io/v1alpha1 custom resources (crds/ holds their definitions).
inline constexpr std::string_view kGroup = "vaultsync.io";
inline constexpr std::string_view kVersion = "v1alpha1";
const ResourceType& VaultStaticSecret();
const ResourceType& VaultAuth();
const ResourceType& VaultConnection();
const ResourceType& VaultPushSecret();
const ResourceType& VaultDynamicSecret();
const ResourceType& VaultPKISecret();
}  // namespace resources

// Declares any other custom resource type (namespaced unless said otherwise).
ResourceType CustomResource(std::string group, std::string version, std::string plural,
                            std::string kind, bool namespaced = true);

// "/api/v1" or "/apis/<group>/<version>".
std::string GroupVersionPath(const ResourceType& rt);

// The collection or object path: ns may be empty (cluster scope, or "all namespaces" for a
// list/watch of a namespaced type); name and subresource may be empty. Segments are
// path-escaped. No query.
std::string ResourcePath(const ResourceType& rt, std::string_view ns, std::string_view name = "",
                         std::string_view subresource = "");

// Percent-encodes a query parameter value (RFC 3986 unreserved characters stay as-is), as
// Go's url.QueryEscape does except that spaces become %20.
std::string QueryEscape(std::string_view s);

// Appends "&k=v" (or "?k=v" when target has no query yet), escaping v.
void AppendQuery(std::string& target, std::string_view key, std::string_view value);

// Cache and work-queue key of an object: "namespace/name", or "name" without a namespace
// (client-go's MetaNamespaceKeyFunc).
std::string ObjectKey(std::string_view ns, std::string_view name);
// Splits a key made by ObjectKey; namespace is empty for a bare name.
void SplitObjectKey(std::string_view key, std::string& ns, std::string& name);

}  // namespace vaultsync::kube
