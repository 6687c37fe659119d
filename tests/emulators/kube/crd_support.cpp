// CustomResourceDefinition validation, ordering and the types a CRD defines.
#include "crd_support.h"

#include <algorithm>
#include <regex>

#include "crd_validation_rules.h"
#include "discovery.h"
#include "object_json.h"

namespace vaultsync::kubeemu {
namespace {

struct VersionKey {
  int major = 0;
  int stage = 0;  // 3 GA, 2 beta, 1 alpha, 0 not kube-like
  int minor = 0;
};

VersionKey KeyOf(const std::string& v) {
  static const std::regex re("v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?");
  std::smatch m;
  VersionKey k;
  if (!std::regex_match(v, m, re)) return k;
  k.major = static_cast<int>(ParseInt(m[1].str()).value_or(0));
  if (m[2].matched) {
    k.stage = m[2] == "beta" ? 2 : 1;
    k.minor = static_cast<int>(ParseInt(m[3].str()).value_or(0));
  } else {
    k.stage = 3;
  }
  return k;
}

void OrderSchema(json::Value& s, json::Allocator& a) {
  if (!s.IsObject()) return;
  OrderKeys(s,
            {"id",
             "$schema",
             "$ref",
             "description",
             "type",
             "format",
             "title",
             "default",
             "maximum",
             "exclusiveMaximum",
             "minimum",
             "exclusiveMinimum",
             "maxLength",
             "minLength",
             "pattern",
             "maxItems",
             "minItems",
             "uniqueItems",
             "multipleOf",
             "enum",
             "maxProperties",
             "minProperties",
             "required",
             "items",
             "allOf",
             "oneOf",
             "anyOf",
             "not",
             "properties",
             "additionalProperties",
             "patternProperties",
             "dependencies",
             "additionalItems",
             "definitions",
             "externalDocs",
             "example",
             "nullable",
             "x-kubernetes-preserve-unknown-fields",
             "x-kubernetes-embedded-resource",
             "x-kubernetes-int-or-string",
             "x-kubernetes-list-map-keys",
             "x-kubernetes-list-type",
             "x-kubernetes-map-type",
             "x-kubernetes-validations"},
            a);
  if (json::Value* p = MutableMember(s, "properties"); p && p->IsObject()) {
    std::sort(p->MemberBegin(), p->MemberEnd(),
              [](const auto& l, const auto& r) { return json::View(l.name) < json::View(r.name); });
    for (auto& m : p->GetObject()) OrderSchema(m.value, a);
  }
  for (const char* k : {"items", "additionalProperties", "not"}) {
    if (json::Value* v = MutableMember(s, k); v) OrderSchema(*v, a);
  }
  for (const char* k : {"allOf", "oneOf", "anyOf"}) {
    json::Value* v = MutableMember(s, k);
    if (v && v->IsArray()) {
      for (auto& e : v->GetArray()) OrderSchema(e, a);
    }
  }
}

void OrderNames(json::Value& n, json::Allocator& a) {
  OrderKeys(n, {"plural", "singular", "shortNames", "kind", "listKind", "categories"}, a);
}

}  // namespace

bool VersionLess(const std::string& a, const std::string& b) {
  VersionKey x = KeyOf(a), y = KeyOf(b);
  if (x.stage == 0 || y.stage == 0) {
    if (x.stage != y.stage) return x.stage == 0;  // kube-like versions sort higher
    return a > b;
  }
  if (x.stage != y.stage) return x.stage < y.stage;
  if (x.major != y.major) return x.major < y.major;
  return x.minor < y.minor;
}

std::vector<StatusCause> ValidateCrd(const json::Value& crd) {
  std::vector<StatusCause> causes;
  std::string name = StringAt(crd, "metadata.name");
  std::string group = StringAt(crd, "spec.group");
  std::string plural = StringAt(crd, "spec.names.plural");
  if (name != plural + "." + group) {
    causes.push_back(InvalidCause("metadata.name", json::Quote(name),
                                  "must be spec.names.plural+\".\"+spec.group"));
  }
  if (group.empty()) causes.push_back(RequiredCause("spec.group"));
  if (plural.empty()) causes.push_back(RequiredCause("spec.names.plural"));
  if (StringAt(crd, "spec.names.kind").empty()) causes.push_back(RequiredCause("spec.names.kind"));
  std::string scope = StringAt(crd, "spec.scope");
  if (scope != "Namespaced" && scope != "Cluster") {
    causes.push_back(
        NotSupportedCause("spec.scope", json::Quote(scope), {"\"Cluster\"", "\"Namespaced\""}));
  }
  const json::Value* versions = At(crd, "spec.versions");
  if (versions == nullptr || !versions->IsArray() || versions->Empty()) {
    causes.push_back(InvalidCause("spec.versions", "null",
                                  "must have exactly one version marked as storage version"));
    return causes;
  }
  int storage = 0;
  for (rapidjson::SizeType i = 0; i < versions->Size(); ++i) {
    const json::Value& v = (*versions)[i];
    const json::Value* st = json::Find(v, "storage");
    if (st != nullptr && st->IsBool() && st->GetBool()) ++storage;
    if (At(v, "schema.openAPIV3Schema") == nullptr) {
      causes.push_back(
          RequiredCause("spec.versions[" + std::to_string(i) + "].schema.openAPIV3Schema",
                        "schemas are required"));
    }
  }
  if (storage != 1) {
    causes.push_back(InvalidCause("spec.versions", Compact(*versions),
                                  "must have exactly one version marked as storage version"));
  }
  std::vector<StatusCause> rules = CheckValidationRules(crd);
  causes.insert(causes.end(), rules.begin(), rules.end());
  return causes;
}

void CanonicalizeCrd(json::Document& crd) {
  auto& a = crd.GetAllocator();
  json::Value& spec = EnsureObject(crd, "spec", a);
  if (json::Find(spec, "conversion") == nullptr) {
    json::Value conv(rapidjson::kObjectType);
    conv.AddMember("strategy", "None", a);
    SetMember(spec, "conversion", std::move(conv), a);
  }
  if (json::Value* n = MutableMember(spec, "names"); n) OrderNames(*n, a);
  if (json::Value* vs = MutableMember(spec, "versions"); vs && vs->IsArray()) {
    for (auto& v : vs->GetArray()) {
      OrderKeys(v,
                {"name", "served", "storage", "deprecated", "deprecationWarning", "schema",
                 "subresources", "additionalPrinterColumns"},
                a);
      if (json::Value* s = MutableAt(v, "schema.openAPIV3Schema"); s) OrderSchema(*s, a);
      json::Value* cols = MutableMember(v, "additionalPrinterColumns");
      if (cols && cols->IsArray()) {
        for (auto& c : cols->GetArray()) {
          OrderKeys(c, {"name", "type", "format", "description", "priority", "jsonPath"}, a);
        }
      }
    }
  }
  OrderKeys(spec, {"group", "names", "scope", "versions", "conversion", "preserveUnknownFields"},
            a);
  json::Value& status = EnsureObject(crd, "status", a);
  if (json::Find(status, "conditions") == nullptr)
    SetMember(status, "conditions", json::Value(), a);
  if (json::Find(status, "acceptedNames") == nullptr) {
    json::Value names(rapidjson::kObjectType);
    names.AddMember("plural", "", a);
    names.AddMember("kind", "", a);
    SetMember(status, "acceptedNames", std::move(names), a);
  }
  if (json::Find(status, "storedVersions") == nullptr) {
    json::Value stored(rapidjson::kArrayType);
    const json::Value* vs = json::Find(spec, "versions");
    if (vs != nullptr && vs->IsArray()) {
      for (const auto& v : vs->GetArray()) {
        const json::Value* st = json::Find(v, "storage");
        if (st != nullptr && st->IsBool() && st->GetBool()) {
          stored.PushBack(json::StringValue(StringAt(v, "name"), a), a);
        }
      }
    }
    SetMember(status, "storedVersions", std::move(stored), a);
  }
  if (json::Value* n = MutableMember(status, "acceptedNames"); n) OrderNames(*n, a);
  OrderKeys(status, {"conditions", "acceptedNames", "storedVersions"}, a);
}

std::vector<std::shared_ptr<const ResourceType>> TypesFromCrd(const ObjectPtr& crd) {
  std::vector<ResourceType> types;
  const json::Value* versions = At(*crd, "spec.versions");
  if (versions == nullptr || !versions->IsArray()) return {};
  auto strings = [](const json::Value* arr) {
    std::vector<std::string> out;
    if (arr != nullptr && arr->IsArray()) {
      for (const auto& v : arr->GetArray()) {
        if (v.IsString()) out.emplace_back(json::View(v));
      }
    }
    return out;
  };
  for (const auto& v : versions->GetArray()) {
    const json::Value* served = json::Find(v, "served");
    if (served == nullptr || !served->IsBool() || !served->GetBool()) continue;
    ResourceType t;
    t.group = StringAt(*crd, "spec.group");
    t.version = StringAt(v, "name");
    t.resource = StringAt(*crd, "spec.names.plural");
    t.kind = StringAt(*crd, "spec.names.kind");
    t.singular = StringAt(*crd, "spec.names.singular");
    if (t.singular.empty()) {
      t.singular = t.kind;
      std::transform(t.singular.begin(), t.singular.end(), t.singular.begin(), ::tolower);
    }
    t.list_kind = StringAt(*crd, "spec.names.listKind");
    if (t.list_kind.empty()) t.list_kind = t.kind + "List";
    t.namespaced = StringAt(*crd, "spec.scope") != "Cluster";
    t.verbs = {"delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"};
    t.short_names = strings(At(*crd, "spec.names.shortNames"));
    t.categories = strings(At(*crd, "spec.names.categories"));
    t.storage_version_hash = StorageVersionHash(t.group, t.version, t.kind);
    if (At(v, "subresources.status") != nullptr) {
      t.subresources.push_back("status");
      t.has_status = true;
    }
    if (At(v, "subresources.scale") != nullptr) t.subresources.push_back("scale");
    t.has_generation = true;
    t.custom = true;
    t.crd_name = StringAt(*crd, "metadata.name");
    t.crd = crd;
    types.push_back(std::move(t));
  }
  std::sort(types.begin(), types.end(), [](const ResourceType& x, const ResourceType& y) {
    return VersionLess(y.version, x.version);
  });
  std::vector<std::shared_ptr<const ResourceType>> out;
  for (auto& t : types) out.push_back(std::make_shared<const ResourceType>(std::move(t)));
  return out;
}

}  // namespace vaultsync::kubeemu
