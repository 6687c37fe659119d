// Compiling and evaluating CRD validation rules (see crd_validation_rules.h). Reconstructed
// from the apiserver's source (apiextensions-apiserver/pkg/apiserver/schema/cel), not
// recorded.
#include "crd_validation_rules.h"

#include "cel.h"
#include "object_json.h"

namespace vaultsync::kubeemu {
namespace {

std::string GoQuote(const std::string& s) { return json::Quote(s); }

const json::Value* ObjectMember(const json::Value& v, const char* key) {
  const json::Value* m = json::Find(v, key);
  return m != nullptr && m->IsObject() ? m : nullptr;
}

void CheckNode(const json::Value& schema, const std::string& path, std::vector<StatusCause>* out) {
  if (const json::Value* rules = json::Find(schema, "x-kubernetes-validations");
      rules != nullptr && rules->IsArray()) {
    for (rapidjson::SizeType i = 0; i < rules->Size(); ++i) {
      const json::Value& r = (*rules)[i];
      std::string rule = StringAt(r, "rule");
      std::string field = path + ".x-kubernetes-validations[" + std::to_string(i) + "].rule";
      auto compiled = cel::Program::Compile(rule, &schema);
      if (!compiled.ok()) {
        out->push_back(InvalidCause(field,
                                    "apiextensions.ValidationRule{Rule:" + GoQuote(rule) +
                                        ", Message:" + GoQuote(StringAt(r, "message")) + "}",
                                    "compilation failed: " + compiled.status().message()));
      }
    }
  }
  if (const json::Value* props = ObjectMember(schema, "properties")) {
    for (const auto& p : props->GetObject()) {
      if (p.value.IsObject()) {
        CheckNode(p.value, path + ".properties[" + std::string(json::View(p.name)) + "]", out);
      }
    }
  }
  if (const json::Value* items = ObjectMember(schema, "items"))
    CheckNode(*items, path + ".items", out);
  if (const json::Value* ap = ObjectMember(schema, "additionalProperties")) {
    CheckNode(*ap, path + ".additionalProperties", out);
  }
}

std::string RuleErrorString(const json::Value& rule) {
  std::string message = StringAt(rule, "message");
  std::string text = message.empty() ? StringAt(rule, "rule") : message;
  size_t b = text.find_first_not_of(" \t\n\r");
  size_t e = text.find_last_not_of(" \t\n\r");
  return b == std::string::npos ? "" : text.substr(b, e - b + 1);
}

// The old list item that corresponds to `item` (same keys) in an associative list.
const json::Value* OldItem(const json::Value& schema, const json::Value& item,
                           const json::Value* old_list) {
  if (old_list == nullptr || !old_list->IsArray() || !item.IsObject()) return nullptr;
  if (StringAt(schema, "x-kubernetes-list-type") != "map") return nullptr;
  const json::Value* keys = json::Find(schema, "x-kubernetes-list-map-keys");
  if (keys == nullptr || !keys->IsArray()) return nullptr;
  for (const auto& o : old_list->GetArray()) {
    if (!o.IsObject()) continue;
    bool match = true;
    for (const auto& k : keys->GetArray()) {
      if (!k.IsString()) continue;
      const json::Value* a = json::Find(item, json::View(k));
      const json::Value* b = json::Find(o, json::View(k));
      if ((a == nullptr) != (b == nullptr) || (a != nullptr && !(*a == *b))) match = false;
    }
    if (match) return &o;
  }
  return nullptr;
}

void Evaluate(const json::Value& schema, const json::Value& value, const json::Value* old,
              const std::string& path, bool root, std::vector<StatusCause>* out) {
  if (value.IsNull()) return;
  std::string type = StringAt(schema, "type");
  std::string field = path.empty() ? "<nil>" : path;
  if (const json::Value* rules = json::Find(schema, "x-kubernetes-validations");
      rules != nullptr && rules->IsArray()) {
    for (const auto& r : rules->GetArray()) {
      auto program = cel::Program::Compile(StringAt(r, "rule"), &schema);
      if (!program.ok()) continue;  // refused when the CRD was written
      if (program->uses_old_self() && old == nullptr) continue;
      auto result = program->Evaluate(value, old);
      if (!result.ok()) {
        std::string err = result.status().message();
        std::string msg = err.rfind("no such overload", 0) == 0
                              ? "'" + err +
                                    "': call arguments did not match a supported operator, "
                                    "function or macro signature for rule: " +
                                    RuleErrorString(r)
                              : err + " evaluating rule: " + RuleErrorString(r);
        out->push_back(InvalidCause(field, json::Quote(type), msg));
      } else if (!*result) {
        std::string message = StringAt(r, "message");
        out->push_back(
            InvalidCause(field, json::Quote(type),
                         message.empty() ? "failed rule: " + RuleErrorString(r) : message));
      }
    }
  }
  if (value.IsObject()) {
    const json::Value* props = ObjectMember(schema, "properties");
    const json::Value* ap = ObjectMember(schema, "additionalProperties");
    for (const auto& m : value.GetObject()) {
      std::string key(json::View(m.name));
      if (root && (key == "apiVersion" || key == "kind" || key == "metadata")) continue;
      const json::Value* sub = props != nullptr ? ObjectMember(*props, key.c_str()) : nullptr;
      std::string child =
          sub != nullptr ? (path.empty() ? key : path + "." + key) : path + "[" + key + "]";
      if (sub == nullptr) sub = ap;
      if (sub == nullptr) continue;
      const json::Value* old_child =
          old != nullptr && old->IsObject() ? json::Find(*old, key) : nullptr;
      Evaluate(*sub, m.value, old_child, child, false, out);
    }
  } else if (value.IsArray()) {
    const json::Value* items = ObjectMember(schema, "items");
    if (items == nullptr) return;
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
      Evaluate(*items, value[i], OldItem(schema, value[i], old),
               path + "[" + std::to_string(i) + "]", false, out);
    }
  }
}

bool HasRules(const json::Value& schema) {
  if (!schema.IsObject()) return false;
  if (json::Find(schema, "x-kubernetes-validations") != nullptr) return true;
  if (const json::Value* props = ObjectMember(schema, "properties")) {
    for (const auto& p : props->GetObject()) {
      if (HasRules(p.value)) return true;
    }
  }
  for (const char* k : {"items", "additionalProperties"}) {
    if (const json::Value* sub = ObjectMember(schema, k); sub != nullptr && HasRules(*sub)) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<StatusCause> CheckValidationRules(const json::Value& crd) {
  std::vector<StatusCause> out;
  const json::Value* versions = At(crd, "spec.versions");
  if (versions == nullptr || !versions->IsArray()) return out;
  for (rapidjson::SizeType i = 0; i < versions->Size(); ++i) {
    const json::Value* schema = At((*versions)[i], "schema.openAPIV3Schema");
    if (schema == nullptr || !schema->IsObject()) continue;
    CheckNode(*schema, "spec.versions[" + std::to_string(i) + "].schema.openAPIV3Schema", &out);
  }
  return out;
}

std::vector<StatusCause> EvaluateValidationRules(const json::Value& schema, const json::Value& obj,
                                                 const json::Value* old,
                                                 const std::vector<StatusCause>& schema_causes) {
  std::vector<StatusCause> out;
  if (!HasRules(schema)) return out;  // no rules, no rule validator
  for (const auto& c : schema_causes) {
    if (c.reason == "FieldValueTypeInvalid" || c.reason == "FieldValueNotSupported") {
      out.push_back(InvalidCause("<nil>", "\"null\"",
                                 "some validation rules were not checked because the object was "
                                 "invalid; correct the existing errors to complete validation"));
      return out;
    }
  }
  Evaluate(schema, obj, old, "", true, &out);
  return out;
}

}  // namespace vaultsync::kubeemu
