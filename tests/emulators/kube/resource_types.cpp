// The type registry: built-in types parsed from recorded discovery, custom types from CRDs.
#include "resource_types.h"

#include <algorithm>

#include "builtin_discovery.h"

namespace vaultsync::kubeemu {
namespace {

// /apis order of a real v1.26 server, for the groups the emulator serves.
const std::vector<std::string> kGroupOrder = {"",
                                              "apps",
                                              "events.k8s.io",
                                              "authentication.k8s.io",
                                              "authorization.k8s.io",
                                              "networking.k8s.io",
                                              "policy",
                                              "rbac.authorization.k8s.io",
                                              "apiextensions.k8s.io",
                                              "coordination.k8s.io"};

std::vector<std::string> Strings(const json::Value& obj, const char* key) {
  std::vector<std::string> out;
  const json::Value* arr = json::Find(obj, key);
  if (arr == nullptr || !arr->IsArray()) return out;
  for (const auto& v : arr->GetArray()) {
    if (v.IsString()) out.emplace_back(json::View(v));
  }
  return out;
}

std::string Str(const json::Value& obj, const char* key) {
  const json::Value* v = json::Find(obj, key);
  return v != nullptr && v->IsString() ? std::string(json::View(*v)) : std::string();
}

}  // namespace

bool ResourceType::HasSubresource(const std::string& s) const {
  return std::find(subresources.begin(), subresources.end(), s) != subresources.end();
}

TypeRegistry::TypeRegistry() {
  for (std::string_view doc : BuiltinResourceLists()) AddBuiltinList(std::string(doc));
}

void TypeRegistry::AddBuiltinList(const std::string& resource_list_json) {
  auto doc = json::Parse(resource_list_json);
  if (!doc.ok()) return;
  std::string gv = Str(*doc, "groupVersion");
  std::string group, version = gv;
  if (size_t slash = gv.find('/'); slash != std::string::npos) {
    group = gv.substr(0, slash);
    version = gv.substr(slash + 1);
  }
  const json::Value* resources = json::Find(*doc, "resources");
  if (resources == nullptr || !resources->IsArray()) return;
  std::vector<ResourceType> types;
  for (const auto& r : resources->GetArray()) {
    std::string name = Str(r, "name");
    if (size_t slash = name.find('/'); slash != std::string::npos) {
      std::string parent = name.substr(0, slash), sub = name.substr(slash + 1);
      for (auto& t : types) {
        if (t.resource == parent) {
          t.subresources.push_back(sub);
          if (sub == "status") t.has_status = true;
        }
      }
      continue;
    }
    ResourceType t;
    t.group = group;
    t.version = version;
    t.resource = name;
    t.kind = Str(r, "kind");
    t.list_kind = t.kind + "List";
    t.singular = Str(r, "singularName");
    if (t.singular.empty()) {
      std::string lower = t.kind;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      t.singular = lower;
    }
    const json::Value* ns = json::Find(r, "namespaced");
    t.namespaced = ns != nullptr && ns->IsBool() && ns->GetBool();
    t.verbs = Strings(r, "verbs");
    t.short_names = Strings(r, "shortNames");
    t.categories = Strings(r, "categories");
    t.storage_version_hash = Str(r, "storageVersionHash");
    // Types whose registry strategy sets metadata.generation (and bumps it on spec changes).
    t.has_generation = group == "apps" || group == "apiextensions.k8s.io" || group == "policy" ||
                       group == "networking.k8s.io";
    types.push_back(std::move(t));
  }
  for (auto& t : types) builtin_.push_back(std::make_shared<const ResourceType>(std::move(t)));
}

std::shared_ptr<const ResourceType> TypeRegistry::Find(const std::string& group,
                                                       const std::string& version,
                                                       const std::string& resource) const {
  for (const auto& t : AllTypes()) {
    if (t->group == group && t->version == version && t->resource == resource) return t;
  }
  return nullptr;
}

std::shared_ptr<const ResourceType> TypeRegistry::FindAnyVersion(
    const std::string& group, const std::string& resource) const {
  for (const auto& t : AllTypes()) {
    if (t->group == group && t->resource == resource) return t;
  }
  return nullptr;
}

std::shared_ptr<const ResourceType> TypeRegistry::FindKind(const std::string& group_version,
                                                           const std::string& kind) const {
  for (const auto& t : AllTypes()) {
    if (t->GroupVersion() == group_version && t->kind == kind) return t;
  }
  return nullptr;
}

void TypeRegistry::SetCustomTypes(const std::string& crd_name,
                                  std::vector<std::shared_ptr<const ResourceType>> types) {
  if (types.empty()) {
    custom_.erase(crd_name);
  } else {
    custom_[crd_name] = std::move(types);
  }
}

std::vector<std::shared_ptr<const ResourceType>> TypeRegistry::AllTypes() const {
  std::vector<std::shared_ptr<const ResourceType>> all = builtin_;
  for (const auto& [name, types] : custom_) all.insert(all.end(), types.begin(), types.end());
  return all;
}

std::vector<std::string> TypeRegistry::Groups() const {
  std::vector<std::string> out;
  for (const auto& g : kGroupOrder) {
    if (g.empty()) continue;
    out.push_back(g);
  }
  for (const auto& t : AllTypes()) {
    if (t->group.empty()) continue;
    if (std::find(out.begin(), out.end(), t->group) == out.end()) out.push_back(t->group);
  }
  return out;
}

std::vector<std::string> TypeRegistry::Versions(const std::string& group) const {
  std::vector<std::string> out;
  for (const auto& t : AllTypes()) {
    if (t->group != group) continue;
    if (std::find(out.begin(), out.end(), t->version) == out.end()) out.push_back(t->version);
  }
  return out;
}

std::vector<std::shared_ptr<const ResourceType>> TypeRegistry::TypesOf(
    const std::string& group, const std::string& version) const {
  std::vector<std::shared_ptr<const ResourceType>> out;
  for (const auto& t : AllTypes()) {
    if (t->group == group && t->version == version) out.push_back(t);
  }
  return out;
}

}  // namespace vaultsync::kubeemu
