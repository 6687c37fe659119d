// Shared spec and status field decoding of the round-2 kinds.
#include "controller/spec_fields.h"

#include <openssl/sha.h>

#include <regex>

#include "controller/bounded_regex.h"
#include "controller/template.h"
#include "util/duration.h"
#include "util/time_format.h"

namespace vaultsync::controller {

const VaultStaticSecretExtras& DestinationSpec::More() const {
  static const VaultStaticSecretExtras kNone;
  return extras != nullptr ? *extras : kNone;
}

Status DecodeAuthRefField(const json::Value& spec, const std::string& own_namespace, AuthRef& out) {
  VS_ASSIGN_OR_RETURN(auto ref, json::OptionalString(spec, "vaultAuthRef", "spec"));
  if (!ref || ref->empty()) return Status::Ok();
  size_t slash = ref->find('/');
  if (slash == std::string_view::npos) {
    out.namespace_ = own_namespace;
    out.name = std::string(*ref);
    return Status::Ok();
  }
  out.namespace_ = std::string(ref->substr(0, slash));
  out.name = std::string(ref->substr(slash + 1));
  if (out.namespace_.empty() || out.name.empty() || out.name.find('/') != std::string::npos) {
    return InvalidArgument("field \"spec.vaultAuthRef\": want name or namespace/name, got \"" +
                           std::string(*ref) + "\"");
  }
  return Status::Ok();
}

Result<std::chrono::milliseconds> CrdDurationField(std::string_view text, std::string_view field,
                                                   bool allow_zero) {
  static const std::regex kForm(R"(^\d+(\.\d+)?(s|m|h)$)");
  if (!std::regex_match(text.begin(), text.end(), kForm)) {
    return InvalidArgument("field \"" + std::string(field) + "\": \"" + std::string(text) +
                           "\" is not a duration like 30s, 5m or 1.5h");
  }
  VS_ASSIGN_OR_RETURN(Duration d, ParseDuration(text));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d);
  if (ms.count() < 0 || (ms.count() == 0 && !allow_zero)) {
    return InvalidArgument("field \"" + std::string(field) + "\" must be positive");
  }
  return ms;
}

Result<std::vector<std::string>> StringListField(const json::Value& obj, std::string_view key,
                                                 std::string_view where) {
  std::vector<std::string> out;
  VS_ASSIGN_OR_RETURN(const json::Value* a, json::OptionalArray(obj, key, where));
  if (a == nullptr) return out;
  for (const auto& v : a->GetArray()) {
    if (!v.IsString()) {
      return InvalidArgument("field \"" + std::string(where) + "." + std::string(key) +
                             "\": expected strings");
    }
    out.emplace_back(json::View(v));
  }
  return out;
}

Result<std::map<std::string, std::string>> StringMapField(const json::Value& obj,
                                                          std::string_view key,
                                                          std::string_view where) {
  std::map<std::string, std::string> out;
  VS_ASSIGN_OR_RETURN(const json::Value* m, json::OptionalObject(obj, key, where));
  if (m == nullptr) return out;
  for (auto it = m->MemberBegin(); it != m->MemberEnd(); ++it) {
    if (!it->value.IsString()) {
      return InvalidArgument("field \"" + std::string(where) + "." + std::string(key) + "." +
                             std::string(json::View(it->name)) + "\": expected string");
    }
    out.emplace(std::string(json::View(it->name)), std::string(json::View(it->value)));
  }
  return out;
}

bool ValidVaultPath(std::string_view p) {
  if (p.empty() || p.front() == '/' || p.back() == '/') return false;
  size_t start = 0;
  while (start <= p.size()) {
    size_t slash = p.find('/', start);
    std::string_view seg =
        p.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

Status DecodeDestinationSpec(const json::Value& spec, std::string_view default_type,
                             DestinationSpec& out) {
  const std::string dw = "spec.destination";
  VS_ASSIGN_OR_RETURN(const json::Value* dest, json::Object(spec, "destination", "spec"));
  VS_ASSIGN_OR_RETURN(auto name, json::String(*dest, "name", dw));
  out.name = std::string(name);
  if (out.name.empty()) return InvalidArgument("field \"spec.destination.name\" is empty");
  VS_ASSIGN_OR_RETURN(auto create, json::OptionalBool(*dest, "create", dw));
  VS_ASSIGN_OR_RETURN(auto overwrite, json::OptionalBool(*dest, "overwrite", dw));
  VS_ASSIGN_OR_RETURN(auto type, json::OptionalString(*dest, "type", dw));
  out.create = create.value_or(true);
  out.overwrite = overwrite.value_or(false);
  out.type = (type && !type->empty()) ? std::string(*type) : std::string(default_type);
  VaultStaticSecretExtras x;
  VS_ASSIGN_OR_RETURN(x.dest_labels, StringMapField(*dest, "labels", dw));
  VS_ASSIGN_OR_RETURN(x.dest_annotations, StringMapField(*dest, "annotations", dw));
  for (const char* reserved : {kManagedByLabel, kOwnerLabel, kOwnerKindLabel}) {
    if (x.dest_labels.count(reserved)) {
      return InvalidArgument(std::string("field \"spec.destination.labels\": label ") + reserved +
                             " is set by the operator and cannot be overridden");
    }
  }
  VS_ASSIGN_OR_RETURN(const json::Value* tr, json::OptionalObject(*dest, "transformation", dw));
  if (tr != nullptr) {
    const std::string tw = dw + ".transformation";
    VS_ASSIGN_OR_RETURN(const json::Value* templates, json::OptionalObject(*tr, "templates", tw));
    if (templates != nullptr) {
      for (auto it = templates->MemberBegin(); it != templates->MemberEnd(); ++it) {
        std::string key(json::View(it->name));
        std::string where = tw + ".templates." + key;
        VS_ASSIGN_OR_RETURN(auto text, json::String(it->value, "text", where));
        auto parsed = Template::Parse(text);
        if (!parsed.ok())
          return InvalidArgument("field \"" + where + ".text\": " + parsed.status().message());
        x.templates.emplace(key, std::string(text));
      }
    }
    VS_ASSIGN_OR_RETURN(x.includes, StringListField(*tr, "includes", tw));
    VS_ASSIGN_OR_RETURN(x.excludes, StringListField(*tr, "excludes", tw));
    for (const auto* list : {&x.includes, &x.excludes}) {
      for (const std::string& re : *list) {
        // Bounded, as for VaultStaticSecret (bounded_regex.h: found by fuzzing).
        if (auto compiled = CompileBoundedRegex(re); !compiled.ok()) {
          return InvalidArgument("field \"" + tw +
                                 (list == &x.includes ? ".includes" : ".excludes") + "\": \"" +
                                 re.substr(0, 256) + "\" is not a valid regular expression (" +
                                 compiled.status().message() + ")");
        }
      }
    }
  }
  VS_ASSIGN_OR_RETURN(const json::Value* targets,
                      json::OptionalArray(spec, "rolloutRestartTargets", "spec"));
  if (targets != nullptr) {
    const std::string rw = "spec.rolloutRestartTargets[]";
    for (const auto& t : targets->GetArray()) {
      VS_ASSIGN_OR_RETURN(auto kind, json::String(t, "kind", rw));
      VS_ASSIGN_OR_RETURN(auto target, json::String(t, "name", rw));
      if (kind != "Deployment" && kind != "StatefulSet" && kind != "DaemonSet" &&
          kind != kKindArgoRollout) {
        return InvalidArgument(
            "field \"spec.rolloutRestartTargets[].kind\": must be Deployment, StatefulSet, "
            "DaemonSet or argoproj.io/Rollout, got \"" +
            std::string(kind) + "\"");
      }
      x.rollout_targets.push_back(RolloutTarget{std::string(kind), std::string(target)});
    }
  }
  if (!x.Empty()) out.extras = std::make_shared<const VaultStaticSecretExtras>(std::move(x));
  return Status::Ok();
}

SecretTarget TargetOfDestination(const DestinationSpec& d) {
  SecretTarget t;
  t.name = d.name;
  t.create = d.create;
  t.overwrite = d.overwrite;
  t.type = d.type;
  if (d.extras != nullptr) {
    t.labels = &d.extras->dest_labels;
    t.annotations = &d.extras->dest_annotations;
  }
  return t;
}

std::optional<TimePoint> StatusTime(const json::Value& obj, std::string_view key) {
  auto v = json::OptionalString(obj, key);
  if (!v.ok() || !v->has_value() || (*v)->empty()) return std::nullopt;
  auto t = ParseRfc3339(**v);
  if (!t.ok()) return std::nullopt;
  return *t;
}

std::string StatusTimeJson(TimePoint t) { return json::Quote(FormatRfc3339(t)); }

std::string ShortHash(std::string_view canonical) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size(), digest);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

void AppendCanonical(std::string& out, std::string_view s) {
  out += std::to_string(s.size());
  out += ':';
  out += s;
}

void AppendDestinationCanonical(std::string& out, const DestinationSpec& d) {
  AppendCanonical(out, d.name);
  AppendCanonical(out, d.create ? "1" : "0");
  AppendCanonical(out, d.overwrite ? "1" : "0");
  AppendCanonical(out, d.type);
  const VaultStaticSecretExtras& x = d.More();
  for (const auto* m : {&x.dest_labels, &x.dest_annotations, &x.templates}) {
    AppendCanonical(out, std::to_string(m->size()));
    for (const auto& [k, v] : *m) {
      AppendCanonical(out, k);
      AppendCanonical(out, v);
    }
  }
  for (const auto* l : {&x.includes, &x.excludes}) {
    AppendCanonical(out, std::to_string(l->size()));
    for (const auto& s : *l) AppendCanonical(out, s);
  }
}

}  // namespace vaultsync::controller
