// What the emulator serves: one ResourceType per (group, version, resource), built from the
// discovery documents of a real v1.26 apiserver for built-in types and from
// CustomResourceDefinitions at run time. Routing, discovery, messages and storage all look
// types up here so a CRD's resources behave like built-ins the moment it is created.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api_errors.h"
#include "util/json.h"

namespace vaultsync::kubeemu {

struct ResourceType {
  std::string group;  // "" for the core group
  std::string version;
  std::string resource;  // plural, e.g. "secrets"
  std::string singular;
  std::string kind;
  std::string list_kind;
  bool namespaced = true;
  std::vector<std::string> verbs, short_names, categories;
  std::string storage_version_hash;
  std::vector<std::string> subresources;      // "status", "token", "scale", ...
  bool has_status = false;                    // has a status subresource (spec/status separation)
  bool has_generation = false;                // metadata.generation is tracked
  bool custom = false;                        // defined by a CRD (unstructured encoding)
  std::string crd_name;                       // for custom types
  std::shared_ptr<const json::Document> crd;  // the CRD object, for custom types

  std::string GroupVersion() const { return group.empty() ? version : group + "/" + version; }
  // The storage key shared by all versions of the resource: "secrets",
  // "leases.coordination.k8s.io".
  std::string StorageKey() const {
    if (group.empty() || group == "events.k8s.io") return resource;  // events share core storage
    return resource + "." + group;
  }
  ResourceRef Ref() const { return {resource, group}; }
  bool HasSubresource(const std::string& s) const;
};

// One group/version of the discovery tree, with the raw APIResourceList when it is a
// recorded built-in document.
struct GroupVersionInfo {
  std::string group, version;
  std::vector<std::shared_ptr<const ResourceType>> types;
};

// Not thread-safe: the emulator guards it with its own lock.
class TypeRegistry {
 public:
  // Loads the built-in types.
  TypeRegistry();

  std::shared_ptr<const ResourceType> Find(const std::string& group, const std::string& version,
                                           const std::string& resource) const;
  // Any version of group/resource (storage is shared across versions).
  std::shared_ptr<const ResourceType> FindAnyVersion(const std::string& group,
                                                     const std::string& resource) const;
  // By kind within a group/version (ownerReferences, involvedObject).
  std::shared_ptr<const ResourceType> FindKind(const std::string& group_version,
                                               const std::string& kind) const;

  // Replaces the custom types of CRD `crd_name` with `types` (empty = remove).
  void SetCustomTypes(const std::string& crd_name,
                      std::vector<std::shared_ptr<const ResourceType>> types);

  // Groups in discovery order: built-ins first (recorded order), then custom groups.
  std::vector<std::string> Groups() const;
  // Versions of a group, preferred first.
  std::vector<std::string> Versions(const std::string& group) const;
  // Types of one group/version in discovery order.
  std::vector<std::shared_ptr<const ResourceType>> TypesOf(const std::string& group,
                                                           const std::string& version) const;
  std::vector<std::shared_ptr<const ResourceType>> AllTypes() const;

 private:
  void AddBuiltinList(const std::string& resource_list_json);
  std::vector<std::shared_ptr<const ResourceType>> builtin_;
  std::map<std::string, std::vector<std::shared_ptr<const ResourceType>>> custom_;  // by CRD name
};

}  // namespace vaultsync::kubeemu
