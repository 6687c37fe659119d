// Field sets of objects, their set algebra and comparison (see field_set.h).
#include "field_set.h"

#include <algorithm>
#include <set>

#include "object_json.h"

namespace vaultsync::kubeemu {
namespace {

// Built-in associative lists by field name, with their keys.
const std::map<std::string, std::vector<std::string>>& BuiltinListKeys() {
  static const std::map<std::string, std::vector<std::string>> m = {
      {"containers", {"name"}},
      {"initContainers", {"name"}},
      {"ephemeralContainers", {"name"}},
      {"env", {"name"}},
      {"volumes", {"name"}},
      {"imagePullSecrets", {"name"}},
      {"ownerReferences", {"uid"}},
      {"ports", {"containerPort", "protocol"}},
      {"volumeMounts", {"mountPath"}},
      {"volumeDevices", {"devicePath"}},
      {"conditions", {"type"}},
      {"hostAliases", {"ip"}},
      {"secrets", {"name"}},
      {"resourceClaims", {"name"}},
      {"schedulingGates", {"name"}},
  };
  return m;
}

// Free-form maps of built-in kinds, by field name.
bool IsBuiltinMap(const std::string& field) {
  static const std::set<std::string> m = {"labels",     "annotations",  "data",        "stringData",
                                          "binaryData", "nodeSelector", "matchLabels", "limits",
                                          "requests",   "overhead",     "extra"};
  return m.count(field) > 0;
}

// Structs set as a whole (+structType=atomic).
bool IsBuiltinAtomic(const std::string& dotted) {
  return dotted == "involvedObject" || dotted == "regarding" || dotted == "spec.selector" ||
         dotted == "related" || dotted == "metadata.ownerReferences[]";
}

// Structs every object of the kind has (non-pointer fields): no "." when they appear.
bool IsValueStruct(const std::string& dotted, bool custom) {
  static const std::set<std::string> kPaths = {"spec",
                                               "spec.template",
                                               "spec.template.metadata",
                                               "spec.template.spec",
                                               "spec.strategy",
                                               "spec.updateStrategy",
                                               "source",
                                               "spec.names",
                                               "status.acceptedNames",
                                               "status",
                                               "spec.selector"};
  if (dotted == "metadata") return true;
  if (custom) return false;
  return kPaths.count(dotted) > 0;
}

std::string LastField(const std::string& dotted) {
  std::string s = dotted;
  while (s.size() >= 2 && s.compare(s.size() - 2, 2, "[]") == 0) s.resize(s.size() - 2);
  size_t dot = s.rfind('.');
  return dot == std::string::npos ? s : s.substr(dot + 1);
}

bool Flag(const json::Value* s, const char* key) {
  const json::Value* v = s != nullptr ? json::Find(*s, key) : nullptr;
  return v != nullptr && v->IsBool() && v->GetBool();
}

std::string ListKeyJson(const std::vector<std::string>& keys, const json::Value& item) {
  json::Document d;
  d.SetObject();
  auto& a = d.GetAllocator();
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  for (const auto& k : sorted) {
    const json::Value* v = json::Find(item, k);
    if (v != nullptr) {
      d.AddMember(json::StringValue(k, a), json::Value(*v, a), a);
    } else if (k == "protocol") {
      d.AddMember("protocol", "TCP", a);  // the default the schema declares
    }
  }
  return Compact(d);
}

void Build(const json::Value& v, const ResourceType& t, const std::string& dotted,
           const json::Value* schema, SetMode mode, bool top, bool declared, FieldSet* out);

void BuildChildren(const json::Value& v, const ResourceType& t, const std::string& dotted,
                   const json::Value* schema, SetMode mode, const FieldShape& shape,
                   FieldSet* out) {
  for (const auto& m : v.GetObject()) {
    std::string name(json::View(m.name));
    if (m.value.IsNull() && mode == SetMode::kPresent) continue;  // unset: nobody owns it
    std::string child = dotted.empty() ? name : dotted + "." + name;
    const json::Value* sub = ChildSchema(schema, name);
    FieldSet& node = out->children["f:" + name];
    Build(m.value, t, child, sub, mode, false, shape.kind == FieldShape::kStruct, &node);
  }
}

void Build(const json::Value& v, const ResourceType& t, const std::string& dotted,
           const json::Value* schema, SetMode mode, bool top, bool declared, FieldSet* out) {
  FieldShape shape = ShapeOf(t, dotted, schema, v);
  switch (shape.kind) {
    case FieldShape::kScalar:
    case FieldShape::kAtomic:
    case FieldShape::kAtomicList:
      out->member = true;
      return;
    case FieldShape::kStruct:
    case FieldShape::kMap: {
      if (v.ObjectEmpty()) {
        out->member = true;
        return;
      }
      if (!top) {
        if (mode == SetMode::kPresent) {
          out->member = !shape.value_struct;
        } else {
          out->member = !declared;  // map entries and undeclared fields are members
        }
      }
      BuildChildren(v, t, dotted, schema, mode, shape, out);
      return;
    }
    case FieldShape::kAssociativeList:
    case FieldShape::kSetList: {
      if (mode == SetMode::kPresent) {
        // Lists every object has (containers) carry no "." when added; empty ones are leaves.
        out->member = v.Empty() || LastField(dotted) != "containers";
      } else {
        out->member = !declared && !v.Empty();
      }
      const json::Value* item_schema = ItemSchema(schema);
      for (const auto& item : v.GetArray()) {
        std::string element = ItemElement(shape, item);
        if (element.empty()) continue;
        FieldSet& node = out->children[element];
        node.member = true;
        if (shape.kind == FieldShape::kSetList || !item.IsObject()) continue;
        FieldShape item_shape = ShapeOf(t, dotted + "[]", item_schema, item);
        if (item_shape.kind == FieldShape::kAtomic) continue;
        BuildChildren(item, t, dotted + "[]", item_schema, mode, item_shape, &node);
      }
      return;
    }
  }
}

void CollectPaths(const FieldSet& s, std::vector<std::string>& prefix,
                  std::vector<std::vector<std::string>>* out) {
  if (s.member && !prefix.empty()) out->push_back(prefix);
  for (const auto& [k, child] : s.children) {
    prefix.push_back(k);
    CollectPaths(child, prefix, out);
    prefix.pop_back();
  }
}

void Compare(const json::Value* before, const json::Value* after, const FieldSet& u,
             std::vector<std::string>& path, SetComparison* out) {
  auto insert = [&](FieldSet& target) {
    FieldSet* node = &target;
    for (const auto& p : path) node = &node->children[p];
    node->member = true;
  };
  if (u.member && !path.empty()) {
    if (before == nullptr && after != nullptr) {
      insert(out->added);
    } else if (before != nullptr && after == nullptr) {
      insert(out->removed);
    } else if (before != nullptr && after != nullptr && u.children.empty() &&
               !(*before == *after)) {
      insert(out->modified);
    }
  }
  for (const auto& [k, child] : u.children) {
    path.push_back(k);
    const json::Value* b = before != nullptr ? ValueAt(*before, {k}) : nullptr;
    const json::Value* a = after != nullptr ? ValueAt(*after, {k}) : nullptr;
    Compare(b, a, child, path, out);
    path.pop_back();
  }
}

}  // namespace

bool FieldSet::Empty() const {
  if (member) return false;
  for (const auto& [k, c] : children) {
    if (!c.Empty()) return false;
  }
  return true;
}

FieldSet FieldSet::Union(const FieldSet& o) const {
  FieldSet r = *this;
  r.member = member || o.member;
  for (const auto& [k, c] : o.children) {
    auto it = r.children.find(k);
    r.children[k] = it == r.children.end() ? c : it->second.Union(c);
  }
  return r;
}

FieldSet FieldSet::Difference(const FieldSet& o) const {
  FieldSet r;
  r.member = member && !o.member;
  for (const auto& [k, c] : children) {
    auto it = o.children.find(k);
    FieldSet d = it == o.children.end() ? c : c.Difference(it->second);
    if (!d.Empty()) r.children[k] = std::move(d);
  }
  return r;
}

FieldSet FieldSet::Intersection(const FieldSet& o) const {
  FieldSet r;
  r.member = member && o.member;
  for (const auto& [k, c] : children) {
    auto it = o.children.find(k);
    if (it == o.children.end()) continue;
    FieldSet i = c.Intersection(it->second);
    if (!i.Empty()) r.children[k] = std::move(i);
  }
  return r;
}

std::vector<std::vector<std::string>> FieldSet::Paths() const {
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> prefix;
  CollectPaths(*this, prefix, &out);
  return out;
}

FieldSet FieldSet::FromFieldsV1(const json::Value& v) {
  FieldSet s;
  if (!v.IsObject()) return s;
  for (const auto& m : v.GetObject()) {
    std::string key(json::View(m.name));
    if (key == ".") {
      s.member = true;
      continue;
    }
    FieldSet child = FromFieldsV1(m.value);
    if (m.value.IsObject() && m.value.ObjectEmpty()) child.member = true;
    s.children[key] = std::move(child);
  }
  return s;
}

json::Value FieldSet::ToFieldsV1(json::Allocator& a) const {
  json::Value out(rapidjson::kObjectType);
  if (member && !children.empty()) {
    out.AddMember(json::StringValue(".", a), json::Value(rapidjson::kObjectType), a);
  }
  for (const auto& [k, c] : children) {
    if (c.Empty()) continue;
    out.AddMember(json::StringValue(k, a), c.ToFieldsV1(a), a);
  }
  return out;
}

const json::Value* ChildSchema(const json::Value* schema, const std::string& key) {
  if (schema == nullptr) return nullptr;
  if (const json::Value* props = json::Find(*schema, "properties");
      props != nullptr && props->IsObject()) {
    if (const json::Value* p = json::Find(*props, key)) return p;
  }
  const json::Value* ap = json::Find(*schema, "additionalProperties");
  return ap != nullptr && ap->IsObject() ? ap : nullptr;
}

const json::Value* ItemSchema(const json::Value* schema) {
  if (schema == nullptr) return nullptr;
  const json::Value* items = json::Find(*schema, "items");
  return items != nullptr && items->IsObject() ? items : nullptr;
}

FieldShape ShapeOf(const ResourceType& t, const std::string& dotted, const json::Value* schema,
                   const json::Value& value) {
  FieldShape shape{FieldShape::kScalar, {}, false};
  bool custom = t.custom && dotted.rfind("metadata", 0) != 0;
  if (value.IsArray()) {
    if (custom) {
      std::string list_type = schema != nullptr ? StringAt(*schema, "x-kubernetes-list-type") : "";
      if (list_type == "map") {
        shape.kind = FieldShape::kAssociativeList;
        const json::Value* keys = json::Find(*schema, "x-kubernetes-list-map-keys");
        if (keys != nullptr && keys->IsArray()) {
          for (const auto& k : keys->GetArray()) {
            if (k.IsString()) shape.keys.emplace_back(json::View(k));
          }
        }
      } else if (list_type == "set") {
        shape.kind = FieldShape::kSetList;
      } else {
        shape.kind = FieldShape::kAtomicList;
      }
      return shape;
    }
    std::string field = LastField(dotted);
    auto it = BuiltinListKeys().find(field);
    bool container_ports =
        field != "ports" || dotted.find("ontainers[].ports") != std::string::npos;
    if (it != BuiltinListKeys().end() && container_ports) {
      shape.kind = FieldShape::kAssociativeList;
      shape.keys = it->second;
    } else if (field == "finalizers") {
      shape.kind = FieldShape::kSetList;
    } else {
      shape.kind = FieldShape::kAtomicList;
    }
    return shape;
  }
  if (!value.IsObject()) return shape;
  if (custom) {
    if (schema != nullptr && StringAt(*schema, "x-kubernetes-map-type") == "atomic") {
      shape.kind = FieldShape::kAtomic;
      return shape;
    }
    const json::Value* props = schema != nullptr ? json::Find(*schema, "properties") : nullptr;
    bool is_struct = dotted.empty() || (props != nullptr && props->IsObject() &&
                                        !Flag(schema, "x-kubernetes-preserve-unknown-fields"));
    shape.kind = is_struct ? FieldShape::kStruct : FieldShape::kMap;
    shape.value_struct = IsValueStruct(dotted, true);
    return shape;
  }
  if (IsBuiltinAtomic(dotted)) {
    shape.kind = FieldShape::kAtomic;
    return shape;
  }
  shape.kind = IsBuiltinMap(LastField(dotted)) ? FieldShape::kMap : FieldShape::kStruct;
  shape.value_struct = IsValueStruct(dotted, t.custom);
  return shape;
}

std::string ItemElement(const FieldShape& shape, const json::Value& item) {
  if (shape.kind == FieldShape::kSetList) return "v:" + Compact(item);
  if (!item.IsObject()) return "";
  for (const auto& k : shape.keys) {
    if (json::Find(item, k) == nullptr && k != "protocol") return "";
  }
  return "k:" + ListKeyJson(shape.keys, item);
}

FieldSet FieldSetOf(const json::Value& obj, const ResourceType& t, const std::string& subresource,
                    SetMode mode) {
  FieldSet out;
  if (!obj.IsObject()) return out;
  const json::Value* schema = nullptr;
  if (t.custom && t.crd != nullptr) {
    const json::Value* versions = At(*t.crd, "spec.versions");
    if (versions != nullptr && versions->IsArray()) {
      for (const auto& v : versions->GetArray()) {
        if (StringAt(v, "name") == t.version) schema = At(v, "schema.openAPIV3Schema");
      }
    }
  }
  for (const auto& m : obj.GetObject()) {
    std::string name(json::View(m.name));
    if (name == "apiVersion" || name == "kind") continue;
    if (subresource == "status") {
      if (name != "status") continue;
    } else if (name == "status" && (t.has_status || t.custom)) {
      continue;
    }
    if (m.value.IsNull() && mode == SetMode::kPresent) continue;
    if (name == "metadata") {
      FieldSet md;
      for (const char* keep : {"labels", "annotations", "ownerReferences", "finalizers"}) {
        const json::Value* v = json::Find(m.value, keep);
        if (v == nullptr || (v->IsNull() && mode == SetMode::kPresent)) continue;
        Build(*v, t, std::string("metadata.") + keep, nullptr, mode, false, true,
              &md.children[std::string("f:") + keep]);
      }
      if (!md.Empty()) out.children["f:metadata"] = std::move(md);
      continue;
    }
    Build(m.value, t, name, ChildSchema(schema, name), mode, false, true,
          &out.children["f:" + name]);
  }
  return out;
}

const json::Value* ValueAt(const json::Value& obj, const std::vector<std::string>& path) {
  const json::Value* cur = &obj;
  for (const auto& el : path) {
    if (el.rfind("f:", 0) == 0) {
      if (!cur->IsObject()) return nullptr;
      cur = json::Find(*cur, el.substr(2));
      if (cur == nullptr || cur->IsNull()) return nullptr;
    } else if (el.rfind("k:", 0) == 0) {
      if (!cur->IsArray()) return nullptr;
      auto key = json::Parse(el.substr(2));
      if (!key.ok() || !key->IsObject()) return nullptr;
      const json::Value* found = nullptr;
      for (const auto& item : cur->GetArray()) {
        if (!item.IsObject()) continue;
        bool match = true;
        for (const auto& k : key->GetObject()) {
          const json::Value* iv = json::Find(item, json::View(k.name));
          bool defaulted = iv == nullptr && json::View(k.name) == "protocol" &&
                           k.value.IsString() && json::View(k.value) == "TCP";
          if (!defaulted && (iv == nullptr || !(*iv == k.value))) match = false;
        }
        if (match) {
          found = &item;
          break;
        }
      }
      cur = found;
      if (cur == nullptr) return nullptr;
    } else if (el.rfind("v:", 0) == 0) {
      if (!cur->IsArray()) return nullptr;
      auto want = json::Parse(el.substr(2));
      if (!want.ok()) return nullptr;
      const json::Value* found = nullptr;
      for (const auto& item : cur->GetArray()) {
        if (item == *want) found = &item;
      }
      cur = found;
      if (cur == nullptr) return nullptr;
    } else if (el.rfind("i:", 0) == 0) {
      if (!cur->IsArray()) return nullptr;
      auto idx = ParseInt(el.substr(2));
      if (!idx || *idx < 0 || *idx >= static_cast<int64_t>(cur->Size())) return nullptr;
      cur = &(*cur)[static_cast<rapidjson::SizeType>(*idx)];
    } else {
      return nullptr;
    }
  }
  return cur;
}

SetComparison CompareWithin(const json::Value& before, const json::Value& after,
                            const FieldSet& universe) {
  SetComparison out;
  std::vector<std::string> path;
  Compare(&before, &after, universe, path, &out);
  return out;
}

std::string PathString(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& el : path) {
    if (el.rfind("f:", 0) == 0) {
      out += "." + el.substr(2);
    } else if (el.rfind("k:", 0) == 0) {
      auto key = json::Parse(el.substr(2));
      std::string inner;
      if (key.ok() && key->IsObject()) {
        for (const auto& k : key->GetObject()) {
          inner +=
              (inner.empty() ? "" : ",") + std::string(json::View(k.name)) + "=" + Compact(k.value);
        }
      }
      out += "[" + inner + "]";
    } else if (el.rfind("v:", 0) == 0) {
      out += "[=" + el.substr(2) + "]";
    } else if (el.rfind("i:", 0) == 0) {
      out += "[" + el.substr(2) + "]";
    }
  }
  return out;
}

}  // namespace vaultsync::kubeemu
