// KV v2 engine.
#include "kv_v2.h"

#include <set>

#include "go_json.h"
#include "util/time_format.h"

namespace vaultsync::vaultemu {
namespace {

constexpr int64_t kDefaultMaxVersions = 10;

// Splits "data/app/db" into ("data", "app/db").
std::pair<std::string, std::string> SplitPrefix(std::string_view rel) {
  size_t slash = rel.find('/');
  if (slash == std::string_view::npos) return {std::string(rel), ""};
  return {std::string(rel.substr(0, slash)), std::string(rel.substr(slash + 1))};
}

Reply InvalidPath() {
  Reply r;
  r.status = 404;
  r.trailing_newline = false;
  r.envelope.emplace();
  r.envelope->warnings.push_back(
      "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate "
      "API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation.");
  return r;
}

std::string Time(std::optional<TimePoint> t) { return t ? FormatRfc3339Nano(*t) : ""; }

}  // namespace

bool KvV2Backend::IsDeleted(const Version& v) const {
  return v.deletion && *v.deletion <= clock_.Now();
}

std::string KvV2Backend::VersionMetadata(const Version& v, int64_t number,
                                         bool with_version) const {
  std::string out = "{\"created_time\":" + GoQuote(Time(v.created));
  out += ",\"deletion_time\":" + GoQuote(Time(v.deletion));
  out += std::string(",\"destroyed\":") + (v.destroyed ? "true" : "false");
  if (with_version) out += ",\"version\":" + std::to_string(number);
  out += "}";
  return out;
}

bool KvV2Backend::Exists(std::string_view rel) const {
  auto [prefix, key] = SplitPrefix(rel);
  if (prefix == "data" || prefix == "metadata") return secrets_.count(key) > 0;
  return true;
}

Reply KvV2Backend::Handle(Call& c) {
  auto [prefix, key] = SplitPrefix(c.rel);
  if (prefix == "config" && key.empty()) return Config(c);
  if (prefix == "data") {
    switch (c.op) {
      case Op::kRead:
        return ReadData(c, key);
      case Op::kCreate:
      case Op::kUpdate:
        return WriteData(c, key);
      case Op::kDelete:
        return DeleteLatest(key);
      case Op::kList:
        return Unsupported();
    }
  }
  if (prefix == "metadata") {
    switch (c.op) {
      case Op::kRead:
        return ReadMetadata(key);
      case Op::kList:
        return List(key);
      case Op::kCreate:
      case Op::kUpdate:
        return WriteMetadata(c, key);
      case Op::kDelete:
        secrets_.erase(key);
        return NoContent();
    }
  }
  if (prefix == "delete" || prefix == "undelete" || prefix == "destroy") {
    if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
    return ChangeVersions(c, key, prefix);
  }
  return InvalidPath();
}

Reply KvV2Backend::ReadData(const Call& c, const std::string& key) {
  auto it = secrets_.find(key);
  if (it == secrets_.end()) return Error(404, {});
  Secret& s = it->second;
  int64_t number = s.current;
  bool present = false;
  std::string wanted = c.http->Query("version", &present);
  if (present && !wanted.empty()) {
    try {
      size_t used = 0;
      number = std::stoll(wanted, &used);
      if (used != wanted.size()) throw std::invalid_argument("version");
    } catch (...) {
      return Error(400, {"error converting input " + wanted +
                         " for field \"version\": cannot parse as int"});
    }
    if (number == 0) number = s.current;
  }
  auto v = s.versions.find(number);
  if (v == s.versions.end()) return Error(404, {});
  std::string meta = VersionMetadata(v->second, number, true);
  if (v->second.destroyed || IsDeleted(v->second)) {
    Reply r = DataJson("{\"data\":null,\"metadata\":" + meta + "}", 404);
    r.trailing_newline = false;
    return r;
  }
  return DataJson("{\"data\":" + GoJson(v->second.data) + ",\"metadata\":" + meta + "}");
}

void KvV2Backend::Prune(Secret& s) {
  int64_t max = s.max_versions > 0 ? s.max_versions
                                   : (max_versions_ > 0 ? max_versions_ : kDefaultMaxVersions);
  if (max_versions_ > 0 && s.max_versions > 0) max = std::min(max, max_versions_);
  while (static_cast<int64_t>(s.versions.size()) > max) {
    s.versions.erase(s.versions.begin());
    s.oldest = s.versions.begin()->first;
  }
}

Reply KvV2Backend::WriteData(const Call& c, const std::string& key) {
  const json::Value* data = c.body ? json::Find(*c.body, "data") : nullptr;
  if (data == nullptr || data->IsNull()) return Error(400, {"no data provided"});
  if (!data->IsObject()) {
    return Error(400, {"error converting input for field \"data\": expected a map"});
  }
  // options.cas is decoded as mapstructure.WeakDecode does: numbers, numeric strings and
  // booleans are accepted; anything else (or an unparsable string) is Vault's 400.
  std::optional<int64_t> cas;
  if (const json::Value* options = json::Find(*c.body, "options");
      options != nullptr && options->IsObject()) {
    if (const json::Value* v = json::Find(*options, "cas"); v != nullptr && !v->IsNull()) {
      if (v->IsNumber()) {
        cas = static_cast<int64_t>(v->GetDouble());
      } else if (v->IsBool()) {
        cas = v->GetBool() ? 1 : 0;
      } else if (v->IsString()) {
        std::string text(json::View(*v));
        try {
          size_t used = 0;
          cas = text.empty() ? 0 : std::stoll(text, &used, 0);
          if (!text.empty() && used != text.size()) throw std::invalid_argument("cas");
        } catch (...) {
          return Error(400, {"error parsing check-and-set parameter"});
        }
      } else {
        return Error(400, {"error parsing check-and-set parameter"});
      }
    }
  }
  auto it = secrets_.find(key);
  int64_t current = it == secrets_.end() ? 0 : it->second.current;
  bool required = cas_required_ || (it != secrets_.end() && it->second.cas_required);
  if (required && !cas) {
    return Error(400, {"check-and-set parameter required for this call"});
  }
  if (cas && *cas != current) {
    return Error(400, {"check-and-set parameter did not match the current version"});
  }
  TimePoint now = clock_.Now();
  Secret& s = secrets_[key];
  if (s.versions.empty() && s.current == 0) s.created = now;
  Version v;
  v.data.CopyFrom(*data, v.data.GetAllocator());
  NumbersToFloat64(v.data);
  v.created = now;
  Duration after =
      s.delete_version_after.count() > 0 ? s.delete_version_after : delete_version_after_;
  if (after.count() > 0) v.deletion = now + after;
  int64_t number = s.current + 1;
  s.current = number;
  s.updated = now;
  std::string meta = VersionMetadata(v, number, true);
  s.versions.emplace(number, std::move(v));
  Prune(s);
  return DataJson(meta);
}

Reply KvV2Backend::DeleteLatest(const std::string& key) {
  auto it = secrets_.find(key);
  if (it == secrets_.end()) return NoContent();
  auto v = it->second.versions.find(it->second.current);
  if (v != it->second.versions.end() && !v->second.destroyed && !IsDeleted(v->second)) {
    v->second.deletion = clock_.Now();
  }
  return NoContent();
}

Reply KvV2Backend::ReadMetadata(const std::string& key) {
  auto it = secrets_.find(key);
  if (it == secrets_.end() || key.empty()) return Error(404, {});
  const Secret& s = it->second;
  std::string out = "{\"cas_required\":";
  out += s.cas_required ? "true" : "false";
  out += ",\"created_time\":" + GoQuote(FormatRfc3339Nano(s.created));
  out += ",\"current_version\":" + std::to_string(s.current);
  out += ",\"delete_version_after\":" + GoQuote(FormatDuration(s.delete_version_after));
  out += ",\"max_versions\":" + std::to_string(s.max_versions);
  out += ",\"oldest_version\":" + std::to_string(s.oldest);
  out += ",\"updated_time\":" + GoQuote(FormatRfc3339Nano(s.updated));
  out += ",\"versions\":{";
  // Go sorts map keys as strings: "10" before "2".
  std::map<std::string, const Version*> by_name;
  for (const auto& [n, v] : s.versions) by_name[std::to_string(n)] = &v;
  bool first = true;
  for (const auto& [name, v] : by_name) {
    if (!first) out += ",";
    first = false;
    out += GoQuote(name) + ":" + VersionMetadata(*v, 0, false);
  }
  out += "}}";
  return DataJson(out);
}

Reply KvV2Backend::WriteMetadata(const Call& c, const std::string& key) {
  if (key.empty()) return Error(400, {"missing path"});
  int64_t max_versions = -1;
  bool cas_required = false;
  Duration after{-1};
  if (Status st = BodyInt(c, "max_versions", max_versions); !st.ok()) {
    return Error(400, {st.message()});
  }
  bool has_cas = BodyHas(c, "cas_required");
  if (Status st = BodyBool(c, "cas_required", cas_required); !st.ok()) {
    return Error(400, {st.message()});
  }
  if (Status st = BodyDuration(c, "delete_version_after", after); !st.ok()) {
    return Error(400, {st.message()});
  }
  TimePoint now = clock_.Now();
  auto [it, inserted] = secrets_.try_emplace(key);
  Secret& s = it->second;
  if (inserted) {
    s.created = now;
    s.updated = now;
  }
  if (max_versions >= 0) s.max_versions = max_versions;
  if (has_cas) s.cas_required = cas_required;
  if (after.count() >= 0) s.delete_version_after = after;
  Prune(s);
  return NoContent();
}

Reply KvV2Backend::List(const std::string& prefix) {
  std::set<std::string> keys;
  for (const auto& [key, s] : secrets_) {
    if (key.compare(0, prefix.size(), prefix) != 0 || key.size() == prefix.size()) continue;
    std::string rest = key.substr(prefix.size());
    size_t slash = rest.find('/');
    keys.insert(slash == std::string::npos ? rest : rest.substr(0, slash + 1));
  }
  if (keys.empty()) return Error(404, {});
  return DataJson("{\"keys\":" + GoStringList({keys.begin(), keys.end()}) + "}");
}

Reply KvV2Backend::ChangeVersions(const Call& c, const std::string& key,
                                  const std::string& action) {
  const json::Value* versions = c.body ? json::Find(*c.body, "versions") : nullptr;
  std::vector<int64_t> numbers;
  if (versions != nullptr && versions->IsArray()) {
    for (const auto& v : versions->GetArray()) {
      if (v.IsNumber()) {
        numbers.push_back(static_cast<int64_t>(v.GetDouble()));
      } else if (v.IsString()) {
        try {
          numbers.push_back(std::stoll(std::string(json::View(v))));
        } catch (...) {
          return Error(400, {"error converting input for field \"versions\""});
        }
      }
    }
  } else if (versions != nullptr && versions->IsNumber()) {
    numbers.push_back(static_cast<int64_t>(versions->GetDouble()));
  }
  if (numbers.empty()) return Error(400, {"no version number provided"});
  auto it = secrets_.find(key);
  if (it == secrets_.end()) return NoContent();
  TimePoint now = clock_.Now();
  for (int64_t n : numbers) {
    auto v = it->second.versions.find(n);
    if (v == it->second.versions.end()) continue;
    if (action == "delete") {
      if (!v->second.destroyed && !IsDeleted(v->second)) v->second.deletion = now;
    } else if (action == "undelete") {
      if (!v->second.destroyed) v->second.deletion.reset();
    } else {
      v->second.destroyed = true;
      v->second.data.SetObject();
    }
  }
  return NoContent();
}

Reply KvV2Backend::Config(const Call& c) {
  if (c.op == Op::kRead) {
    std::string out = "{\"cas_required\":";
    out += cas_required_ ? "true" : "false";
    out += ",\"delete_version_after\":" + GoQuote(FormatDuration(delete_version_after_));
    out += ",\"max_versions\":" + std::to_string(max_versions_) + "}";
    return DataJson(out);
  }
  if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
  int64_t max_versions = max_versions_;
  bool cas_required = cas_required_;
  Duration after = delete_version_after_;
  for (Status st :
       {BodyInt(c, "max_versions", max_versions), BodyBool(c, "cas_required", cas_required),
        BodyDuration(c, "delete_version_after", after)}) {
    if (!st.ok()) return Error(400, {st.message()});
  }
  max_versions_ = max_versions;
  cas_required_ = cas_required;
  delete_version_after_ = after;
  return NoContent();
}

}  // namespace vaultsync::vaultemu
