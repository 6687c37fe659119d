// Structural schema pruning, defaulting and validation for custom resources.
#include "crd_schema.h"

#include <cmath>
#include <regex>

#include "object_json.h"
#include "util/time_format.h"

namespace vaultsync::kubeemu {
namespace {

bool Flag(const json::Value& schema, const char* key) {
  const json::Value* v = json::Find(schema, key);
  return v != nullptr && v->IsBool() && v->GetBool();
}

std::string TypeName(const json::Value& v) {
  if (v.IsString()) return "string";
  if (v.IsBool()) return "boolean";
  if (v.IsInt64() || v.IsUint64()) return "integer";
  if (v.IsDouble()) {
    double d = v.GetDouble();
    return std::floor(d) == d ? "integer" : "number";
  }
  if (v.IsObject()) return "object";
  if (v.IsArray()) return "array";
  return "null";
}

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string NumberText(const json::Value& v) {
  if (v.IsDouble() && std::floor(v.GetDouble()) == v.GetDouble()) {
    return std::to_string(static_cast<int64_t>(v.GetDouble()));
  }
  return Compact(v);
}

struct Collector {
  std::vector<StatusCause> values, types, required;
};

void Validate(const json::Value& schema, const json::Value& v, const std::string& path,
              Collector* c) {
  std::string type = StringAt(schema, "type");
  std::string actual = TypeName(v);
  bool int_or_string = Flag(schema, "x-kubernetes-int-or-string");
  if (v.IsNull()) {
    if (!Flag(schema, "nullable") && !type.empty()) {
      c->types.push_back(TypeInvalidCause(
          path, "\"null\"", path + " in body must be of type " + type + ": \"null\""));
    }
    return;
  }
  if (int_or_string) {
    if (actual != "integer" && actual != "string") {
      c->types.push_back(TypeInvalidCause(
          path, json::Quote(actual),
          path + " in body must be of type integer,string: " + json::Quote(actual)));
      return;
    }
  } else if (!type.empty()) {
    bool ok = type == actual || (type == "number" && actual == "integer");
    if (!ok) {
      c->types.push_back(
          TypeInvalidCause(path, json::Quote(actual),
                           path + " in body must be of type " + type + ": " + json::Quote(actual)));
      return;
    }
  }
  // Value constraints.
  if (const json::Value* en = json::Find(schema, "enum"); en != nullptr && en->IsArray()) {
    bool found = false;
    std::vector<std::string> allowed;
    for (const auto& e : en->GetArray()) {
      found = found || e == v;
      allowed.push_back(GoValueString(e));
    }
    if (!found) c->values.push_back(NotSupportedCause(path, GoValueString(v), allowed));
  }
  if (v.IsString()) {
    std::string s(json::View(v));
    std::string pattern = StringAt(schema, "pattern");
    if (!pattern.empty()) {
      bool match = true;
      try {
        match = std::regex_search(s, std::regex(pattern, std::regex::ECMAScript));
      } catch (const std::regex_error&) {
        match = true;  // a pattern we cannot compile is not enforced
      }
      if (!match) {
        c->values.push_back(
            InvalidCause(path, json::Quote(s), path + " in body should match '" + pattern + "'"));
      }
    }
    if (auto min = IntAt(schema, "minLength"); min && static_cast<int64_t>(s.size()) < *min) {
      c->values.push_back(InvalidCause(
          path, json::Quote(s),
          path + " in body should be at least " + std::to_string(*min) + " chars long"));
    }
    if (auto max = IntAt(schema, "maxLength"); max && static_cast<int64_t>(s.size()) > *max) {
      c->values.push_back(
          {"FieldValueTooLong", "Too long: may not be longer than " + std::to_string(*max), path});
    }
    if (StringAt(schema, "format") == "date-time" && !ParseRfc3339(s).ok()) {
      c->values.push_back(InvalidCause(
          path, json::Quote(s), path + " in body must be of type date-time: " + json::Quote(s)));
    }
  }
  if (v.IsNumber()) {
    double d = v.GetDouble();
    const json::Value* min = json::Find(schema, "minimum");
    if (min != nullptr && min->IsNumber()) {
      bool excl = Flag(schema, "exclusiveMinimum");
      if (excl ? d <= min->GetDouble() : d < min->GetDouble()) {
        c->values.push_back(InvalidCause(path, NumberText(v),
                                         path + " in body should be greater than " +
                                             (excl ? "" : "or equal to ") + NumberText(*min)));
      }
    }
    const json::Value* max = json::Find(schema, "maximum");
    if (max != nullptr && max->IsNumber()) {
      bool excl = Flag(schema, "exclusiveMaximum");
      if (excl ? d >= max->GetDouble() : d > max->GetDouble()) {
        c->values.push_back(InvalidCause(path, NumberText(v),
                                         path + " in body should be less than " +
                                             (excl ? "" : "or equal to ") + NumberText(*max)));
      }
    }
  }
  if (v.IsArray()) {
    if (auto min = IntAt(schema, "minItems"); min && static_cast<int64_t>(v.Size()) < *min) {
      c->values.push_back(
          InvalidCause(path, std::to_string(v.Size()),
                       path + " in body should have at least " + std::to_string(*min) + " items"));
    }
    if (auto max = IntAt(schema, "maxItems"); max && static_cast<int64_t>(v.Size()) > *max) {
      c->values.push_back({"FieldValueTooMany",
                           "Too many: " + std::to_string(v.Size()) + ": must have at most " +
                               std::to_string(*max) + " items",
                           path});
    }
    const json::Value* items = json::Find(schema, "items");
    if (items != nullptr && items->IsObject()) {
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        Validate(*items, v[i], path + "[" + std::to_string(i) + "]", c);
      }
    }
  }
  if (v.IsObject()) {
    const json::Value* props = json::Find(schema, "properties");
    const json::Value* additional = json::Find(schema, "additionalProperties");
    for (const auto& m : v.GetObject()) {
      std::string key(json::View(m.name));
      const json::Value* sub =
          props != nullptr && props->IsObject() ? json::Find(*props, key) : nullptr;
      if (sub == nullptr && additional != nullptr && additional->IsObject()) sub = additional;
      if (sub != nullptr) Validate(*sub, m.value, Join(path, key), c);
    }
    const json::Value* req = json::Find(schema, "required");
    if (req != nullptr && req->IsArray()) {
      for (const auto& r : req->GetArray()) {
        if (!r.IsString()) continue;
        if (json::Find(v, json::View(r)) == nullptr) {
          c->required.push_back(RequiredCause(Join(path, std::string(json::View(r)))));
        }
      }
    }
  }
}

void Prune(const json::Value& schema, json::Value& v, const std::string& path, json::Allocator& a,
           std::vector<std::string>* unknown) {
  if (v.IsArray()) {
    const json::Value* items = json::Find(schema, "items");
    if (items == nullptr || !items->IsObject()) return;
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      Prune(*items, v[i], path + "[" + std::to_string(i) + "]", a, unknown);
    }
    return;
  }
  if (!v.IsObject()) return;
  bool preserve = Flag(schema, "x-kubernetes-preserve-unknown-fields");
  const json::Value* props = json::Find(schema, "properties");
  const json::Value* additional = json::Find(schema, "additionalProperties");
  bool any_additional = additional != nullptr && additional->IsObject();
  for (auto it = v.MemberBegin(); it != v.MemberEnd();) {
    std::string key(json::View(it->name));
    const json::Value* sub =
        props != nullptr && props->IsObject() ? json::Find(*props, key) : nullptr;
    if (sub == nullptr && any_additional) sub = additional;
    if (sub == nullptr) {
      if (preserve) {
        ++it;
        continue;
      }
      unknown->push_back(Join(path, key));
      it = v.EraseMember(it);
      continue;
    }
    if (it->value.IsNull() && !Flag(*sub, "nullable") && json::Find(*sub, "default") == nullptr) {
      it = v.EraseMember(it);
      continue;
    }
    Prune(*sub, it->value, Join(path, key), a, unknown);
    ++it;
  }
  // Defaults for absent properties.
  if (props != nullptr && props->IsObject()) {
    for (const auto& p : props->GetObject()) {
      const json::Value* def = json::Find(p.value, "default");
      if (def == nullptr || json::Find(v, json::View(p.name)) != nullptr) continue;
      v.AddMember(json::Value(p.name, a), json::Value(*def, a), a);
    }
  }
}

}  // namespace

const json::Value* SchemaOf(const ResourceType& t) {
  if (t.crd == nullptr) return nullptr;
  const json::Value* versions = At(*t.crd, "spec.versions");
  if (versions == nullptr || !versions->IsArray()) return nullptr;
  for (const auto& v : versions->GetArray()) {
    if (StringAt(v, "name") != t.version) continue;
    const json::Value* s = At(v, "schema.openAPIV3Schema");
    return s != nullptr && s->IsObject() ? s : nullptr;
  }
  return nullptr;
}

void PruneAndDefault(const json::Value& schema, json::Value& obj, json::Allocator& a,
                     std::vector<std::string>* unknown) {
  if (!obj.IsObject()) return;
  const json::Value* props = json::Find(schema, "properties");
  bool preserve = Flag(schema, "x-kubernetes-preserve-unknown-fields");
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd();) {
    std::string key(json::View(it->name));
    if (key == "apiVersion" || key == "kind" || key == "metadata") {
      ++it;
      continue;
    }
    const json::Value* sub =
        props != nullptr && props->IsObject() ? json::Find(*props, key) : nullptr;
    if (sub == nullptr) {
      if (preserve) {
        ++it;
        continue;
      }
      unknown->push_back(key);
      it = obj.EraseMember(it);
      continue;
    }
    if (it->value.IsNull() && !Flag(*sub, "nullable")) {
      it = obj.EraseMember(it);
      continue;
    }
    Prune(*sub, it->value, key, a, unknown);
    ++it;
  }
  if (props != nullptr && props->IsObject()) {
    for (const auto& p : props->GetObject()) {
      std::string key(json::View(p.name));
      if (key == "apiVersion" || key == "kind" || key == "metadata") continue;
      const json::Value* def = json::Find(p.value, "default");
      if (def == nullptr || json::Find(obj, key) != nullptr) continue;
      obj.AddMember(json::Value(p.name, a), json::Value(*def, a), a);
    }
  }
}

std::vector<StatusCause> ValidateAgainstSchema(const json::Value& schema, const json::Value& obj) {
  Collector c;
  const json::Value* props = json::Find(schema, "properties");
  if (obj.IsObject() && props != nullptr && props->IsObject()) {
    for (const auto& m : obj.GetObject()) {
      std::string key(json::View(m.name));
      if (key == "apiVersion" || key == "kind" || key == "metadata") continue;
      const json::Value* sub = json::Find(*props, key);
      if (sub != nullptr) Validate(*sub, m.value, key, &c);
    }
    const json::Value* req = json::Find(schema, "required");
    if (req != nullptr && req->IsArray()) {
      for (const auto& r : req->GetArray()) {
        if (r.IsString() && json::Find(obj, json::View(r)) == nullptr) {
          c.required.push_back(RequiredCause(std::string(json::View(r))));
        }
      }
    }
  }
  std::vector<StatusCause> out = c.values;
  out.insert(out.end(), c.types.begin(), c.types.end());
  out.insert(out.end(), c.required.begin(), c.required.end());
  return out;
}

}  // namespace vaultsync::kubeemu
