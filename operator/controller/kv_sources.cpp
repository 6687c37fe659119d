// Decoding of spec.sources, spec.find and spec.onKeyConflict.
#include "controller/kv_sources.h"

#include "controller/bounded_regex.h"

namespace vaultsync::controller {
namespace {

std::string Field(std::string_view list, size_t i, std::string_view name) {
  return "spec." + std::string(list) + "[" + std::to_string(i) + "]." + std::string(name);
}

bool ValidKeyPrefix(std::string_view p) {
  for (char c : p) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// The mount of a source or find entry: its own, else the spec's.
Result<std::string> EntryMount(const json::Value& e, const std::string& where,
                               const std::string& spec_mount, const std::string& field) {
  VS_ASSIGN_OR_RETURN(auto mount, json::OptionalString(e, "mount", where));
  if (!mount || mount->empty()) return spec_mount;
  if (!ValidKvPath(*mount)) {
    return InvalidArgument("field \"" + field + "\": \"" + std::string(*mount) +
                           "\" is not a valid mount path");
  }
  return std::string(*mount);
}

}  // namespace

bool ValidKvPath(std::string_view p) {
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

Result<KvType> DecodeKvType(std::optional<std::string_view> text, KvType dflt,
                            std::string_view field) {
  if (!text) return dflt;
  if (*text == "kv-v2") return KvType::kV2;
  if (*text == "kv-v1") return KvType::kV1;
  return InvalidArgument("field \"" + std::string(field) + "\": must be kv-v1 or kv-v2, got \"" +
                         std::string(*text) + "\"");
}

Result<std::vector<KvSourceSpec>> DecodeSources(const json::Value& spec, const std::string& mount,
                                                KvType type) {
  std::vector<KvSourceSpec> out;
  VS_ASSIGN_OR_RETURN(const json::Value* list, json::OptionalArray(spec, "sources", "spec"));
  if (list == nullptr) return out;
  size_t i = 0;
  for (const auto& e : list->GetArray()) {
    const std::string where = "spec.sources[" + std::to_string(i) + "]";
    if (!e.IsObject()) return InvalidArgument("field \"" + where + "\": expected object");
    KvSourceSpec s;
    VS_ASSIGN_OR_RETURN(s.mount, EntryMount(e, where, mount, Field("sources", i, "mount")));
    VS_ASSIGN_OR_RETURN(auto path, json::String(e, "path", where));
    s.path = std::string(path);
    if (!ValidKvPath(s.path)) {
      return InvalidArgument("field \"" + Field("sources", i, "path") + "\": \"" + s.path +
                             "\" must be relative (no leading /) with no empty, . or .. segments");
    }
    VS_ASSIGN_OR_RETURN(auto t, json::OptionalString(e, "type", where));
    VS_ASSIGN_OR_RETURN(s.type, DecodeKvType(t, type, Field("sources", i, "type")));
    VS_ASSIGN_OR_RETURN(s.version, json::OptionalInt64(e, "version", where));
    if (s.version && *s.version < 1) {
      return InvalidArgument("field \"" + Field("sources", i, "version") +
                             "\": must be at least 1");
    }
    if (s.version && s.type == KvType::kV1) {
      return InvalidArgument("field \"" + Field("sources", i, "version") +
                             "\": versions exist only in kv-v2");
    }
    VS_ASSIGN_OR_RETURN(auto prefix, json::OptionalString(e, "keyPrefix", where));
    s.key_prefix = std::string(prefix.value_or(""));
    if (!ValidKeyPrefix(s.key_prefix)) {
      return InvalidArgument("field \"" + Field("sources", i, "keyPrefix") + "\": \"" +
                             s.key_prefix +
                             "\" may hold only letters, digits, '-', '_' and '.' (it starts "
                             "Secret keys)");
    }
    VS_ASSIGN_OR_RETURN(auto optional, json::OptionalBool(e, "optional", where));
    s.optional = optional.value_or(false);
    out.push_back(std::move(s));
    ++i;
  }
  return out;
}

Result<std::vector<KvFindSpec>> DecodeFinds(const json::Value& spec, const std::string& mount,
                                            KvType type) {
  std::vector<KvFindSpec> out;
  VS_ASSIGN_OR_RETURN(const json::Value* list, json::OptionalArray(spec, "find", "spec"));
  if (list == nullptr) return out;
  size_t i = 0;
  for (const auto& e : list->GetArray()) {
    const std::string where = "spec.find[" + std::to_string(i) + "]";
    if (!e.IsObject()) return InvalidArgument("field \"" + where + "\": expected object");
    KvFindSpec f;
    VS_ASSIGN_OR_RETURN(f.mount, EntryMount(e, where, mount, Field("find", i, "mount")));
    VS_ASSIGN_OR_RETURN(auto path, json::String(e, "path", where));
    f.path = std::string(path);
    // A folder may be written with or without its trailing '/'; "" is the mount's root.
    if (!f.path.empty() && f.path.back() == '/') f.path.pop_back();
    if (!f.path.empty() && !ValidKvPath(f.path)) {
      return InvalidArgument("field \"" + Field("find", i, "path") + "\": \"" + std::string(path) +
                             "\" must be a folder relative to the mount (e.g. team-a/, or \"\" "
                             "for the root) with no leading /, empty, . or .. segments");
    }
    VS_ASSIGN_OR_RETURN(auto t, json::OptionalString(e, "type", where));
    VS_ASSIGN_OR_RETURN(f.type, DecodeKvType(t, type, Field("find", i, "type")));
    VS_ASSIGN_OR_RETURN(auto re, json::OptionalString(e, "nameRegex", where));
    f.name_regex = std::string(re.value_or(""));
    if (!f.name_regex.empty()) {
      if (auto compiled = CompileBoundedRegex(f.name_regex); !compiled.ok()) {
        return InvalidArgument(
            "field \"" + Field("find", i, "nameRegex") + "\": \"" + f.name_regex.substr(0, 256) +
            "\" is not a valid regular expression (" + compiled.status().message() + ")");
      }
    }
    VS_ASSIGN_OR_RETURN(auto max, json::OptionalInt64(e, "maxSecrets", where));
    f.max_secrets = max.value_or(100);
    if (f.max_secrets < 1 || f.max_secrets > kMaxFindSecretsLimit) {
      return InvalidArgument("field \"" + Field("find", i, "maxSecrets") +
                             "\": must be between 1 and " + std::to_string(kMaxFindSecretsLimit));
    }
    VS_ASSIGN_OR_RETURN(auto format, json::OptionalString(e, "keyFormat", where));
    if (!format || *format == "json") {
      f.key_format = FindKeyFormat::kJson;
    } else if (*format == "flatten") {
      f.key_format = FindKeyFormat::kFlatten;
    } else {
      return InvalidArgument("field \"" + Field("find", i, "keyFormat") +
                             "\": must be json or flatten, got \"" + std::string(*format) + "\"");
    }
    out.push_back(std::move(f));
    ++i;
  }
  return out;
}

Result<KeyConflictPolicy> DecodeKeyConflictPolicy(const json::Value& spec) {
  VS_ASSIGN_OR_RETURN(auto v, json::OptionalString(spec, "onKeyConflict", "spec"));
  if (!v || *v == "Error") return KeyConflictPolicy::kError;
  if (*v == "LastWins") return KeyConflictPolicy::kLastWins;
  return InvalidArgument("field \"spec.onKeyConflict\": must be Error or LastWins, got \"" +
                         std::string(*v) + "\"");
}

}  // namespace vaultsync::controller
