// Resource constants and URL spelling for the Kubernetes REST API.
#include "kube/resource.h"

namespace vaultsync::kube {

std::string ResourceType::ApiVersion() const {
  return group.empty() ? version : group + "/" + version;
}

std::string ResourceType::QualifiedName() const {
  return group.empty() ? resource : resource + "." + group;
}

namespace resources {
// Function-local statics: built once, immutable afterwards (no global mutable state).
const ResourceType& Namespace() {
  static const ResourceType rt{"", "v1", "namespaces", "Namespace", false};
  return rt;
}
const ResourceType& Secret() {
  static const ResourceType rt{"", "v1", "secrets", "Secret", true};
  return rt;
}
const ResourceType& ConfigMap() {
  static const ResourceType rt{"", "v1", "configmaps", "ConfigMap", true};
  return rt;
}
const ResourceType& ServiceAccount() {
  static const ResourceType rt{"", "v1", "serviceaccounts", "ServiceAccount", true};
  return rt;
}
const ResourceType& Event() {
  static const ResourceType rt{"", "v1", "events", "Event", true};
  return rt;
}
const ResourceType& Lease() {
  static const ResourceType rt{"coordination.k8s.io", "v1", "leases", "Lease", true};
  return rt;
}
const ResourceType& Deployment() {
  static const ResourceType rt{"apps", "v1", "deployments", "Deployment", true};
  return rt;
}
const ResourceType& StatefulSet() {
  static const ResourceType rt{"apps", "v1", "statefulsets", "StatefulSet", true};
  return rt;
}
const ResourceType& DaemonSet() {
  static const ResourceType rt{"apps", "v1", "daemonsets", "DaemonSet", true};
  return rt;
}
const ResourceType& CustomResourceDefinition() {
  static const ResourceType rt{"apiextensions.k8s.io", "v1", "customresourcedefinitions",
                               "CustomResourceDefinition", false};
  return rt;
}
const ResourceType& VaultStaticSecret() {
  static const ResourceType rt = CustomResource(std::string(kGroup), std::string(kVersion),
                                                "vaultstaticsecrets", "VaultStaticSecret");
  return rt;
}
const ResourceType& VaultAuth() {
  static const ResourceType rt =
      CustomResource(std::string(kGroup), std::string(kVersion), "vaultauths", "VaultAuth");
  return rt;
}
const ResourceType& VaultConnection() {
  static const ResourceType rt = CustomResource(std::string(kGroup), std::string(kVersion),
                                                "vaultconnections", "VaultConnection");
  return rt;
}
const ResourceType& VaultPushSecret() {
  static const ResourceType rt = CustomResource(std::string(kGroup), std::string(kVersion),
                                                "vaultpushsecrets", "VaultPushSecret");
  return rt;
}
const ResourceType& VaultDynamicSecret() {
  static const ResourceType rt = CustomResource(std::string(kGroup), std::string(kVersion),
                                                "vaultdynamicsecrets", "VaultDynamicSecret");
  return rt;
}
const ResourceType& VaultPKISecret() {
  static const ResourceType rt = CustomResource(std::string(kGroup), std::string(kVersion),
                                                "vaultpkisecrets", "VaultPKISecret");
  return rt;
}
}  // namespace resources

ResourceType CustomResource(std::string group, std::string version, std::string plural,
                            std::string kind, bool namespaced) {
  return ResourceType{std::move(group), std::move(version), std::move(plural), std::move(kind),
                      namespaced};
}

std::string GroupVersionPath(const ResourceType& rt) {
  return rt.group.empty() ? "/api/" + rt.version : "/apis/" + rt.group + "/" + rt.version;
}

namespace {

bool Unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string Escape(std::string_view s, bool path_segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    // Object names are DNS labels in practice; ':' and '@' occur in some (RBAC) names and
    // are legal in a path segment.
    if (Unreserved(c) || (path_segment && (c == ':' || c == '@'))) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

std::string ResourcePath(const ResourceType& rt, std::string_view ns, std::string_view name,
                         std::string_view subresource) {
  std::string p = GroupVersionPath(rt);
  if (rt.namespaced && !ns.empty()) p += "/namespaces/" + Escape(ns, true);
  p += "/" + rt.resource;
  if (!name.empty()) {
    p += "/" + Escape(name, true);
    if (!subresource.empty()) p += "/" + Escape(subresource, true);
  }
  return p;
}

std::string QueryEscape(std::string_view s) { return Escape(s, false); }

void AppendQuery(std::string& target, std::string_view key, std::string_view value) {
  target += target.find('?') == std::string::npos ? '?' : '&';
  target += key;
  target += '=';
  target += QueryEscape(value);
}

std::string ObjectKey(std::string_view ns, std::string_view name) {
  if (ns.empty()) return std::string(name);
  std::string k;
  k.reserve(ns.size() + 1 + name.size());
  k.append(ns).append("/").append(name);
  return k;
}

void SplitObjectKey(std::string_view key, std::string& ns, std::string& name) {
  auto slash = key.find('/');
  if (slash == std::string_view::npos) {
    ns.clear();
    name = std::string(key);
  } else {
    ns = std::string(key.substr(0, slash));
    name = std::string(key.substr(slash + 1));
  }
}

}  // namespace vaultsync::kube
