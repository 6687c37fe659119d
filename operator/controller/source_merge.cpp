// Reading every source of a VaultStaticSecret and merging their keys.
#include "controller/source_merge.h"

#include <map>

#include "util/json.h"

namespace vaultsync::controller {
namespace {

bool Missing(const Status& s) {
  return s.code() == StatusCode::kNotFound || s.code() == StatusCode::kFailedPrecondition;
}

std::string ShareKey(const VaultIdentity& id, const std::string& mount, const std::string& path,
                     const std::optional<int64_t>& version) {
  return id.key + "#" + mount + "/" + path + "#" + (version ? std::to_string(*version) : "latest");
}

// A found secret's relative path as the start of Secret keys: '/' is not allowed in them.
std::string KeyOfPath(std::string rel) {
  for (char& c : rel) {
    if (c == '/') c = '_';
  }
  return rel;
}

// A secret's data as one compact JSON object (ESO's dataFrom.find value): strings quoted,
// other values as the JSON Vault gave them. Entries are sorted by key, so equal data gives
// equal text.
std::string DataAsJson(const std::vector<KvEntry>& entries) {
  std::string out = "{";
  for (const KvEntry& e : entries) {
    if (out.size() > 1) out += ',';
    out += json::Quote(e.key);
    out += ':';
    out += e.is_string ? json::Quote(e.text) : e.text;
  }
  out += '}';
  return out;
}

// The merged keys, each remembering which source gave it (for KeyConflict messages).
class Merger {
 public:
  explicit Merger(KeyConflictPolicy policy) : policy_(policy) {}

  // kInvalidArgument naming the key and both sources when the key is taken and the policy
  // is Error; with LastWins the later source's value replaces the earlier one.
  Status Add(std::string key, bool is_string, std::string text, const std::string& origin) {
    auto it = keys_.find(key);
    if (it != keys_.end()) {
      if (policy_ == KeyConflictPolicy::kError) {
        return InvalidArgument("key \"" + key + "\" is given by both " + it->second.origin +
                               " and " + origin +
                               "; set spec.onKeyConflict: LastWins to keep the later one, or "
                               "give a source a keyPrefix");
      }
      it->second = Value{is_string, std::move(text), origin};
      return Status::Ok();
    }
    keys_.emplace(std::move(key), Value{is_string, std::move(text), origin});
    return Status::Ok();
  }

  std::vector<KvEntry> Take() {
    std::vector<KvEntry> out;
    out.reserve(keys_.size());
    for (auto& [k, v] : keys_) out.push_back(KvEntry{k, v.is_string, std::move(v.text)});
    return out;
  }

 private:
  struct Value {
    bool is_string = true;
    std::string text;
    std::string origin;
  };
  KeyConflictPolicy policy_;
  std::map<std::string, Value> keys_;
};

}  // namespace

std::string DescribeSources(const VaultStaticSecretSpec& spec,
                            std::optional<int64_t> path_version) {
  const auto& more = spec.More();
  const size_t others = more.sources.size() + more.finds.size();
  std::string plural = others == 1 ? " more source" : " more sources";
  if (!spec.path.empty()) {
    std::string d = spec.mount + "/" + spec.path;
    if (path_version) d += " (version " + std::to_string(*path_version) + ")";
    if (others > 0) d += " and " + std::to_string(others) + plural;
    return d;
  }
  if (others == 1) {
    if (!more.sources.empty()) return more.sources[0].mount + "/" + more.sources[0].path;
    return "the secrets under " + FindFolder(more.finds[0]);
  }
  return std::to_string(others) + " sources";
}

Result<GatheredData> GatherSecretData(SecretSource& vault, const VaultIdentity& identity,
                                      const VaultStaticSecretSpec& spec, const CompiledFinds& finds,
                                      const ReadPolicy& policy, GatherFailure* failure) {
  GatheredData out;
  const auto& more = spec.More();
  Merger merged(more.on_key_conflict);
  auto fail = [&](const char* reason, Status st) -> Status {
    *failure = GatherFailure{reason, st};
    return st;
  };
  auto read = [&](const std::string& mount, const std::string& path, KvType type,
                  std::optional<int64_t> version, bool accept_missing) {
    KvRequest r{mount, path, type, version, policy.max_age};
    r.follow_ttl = policy.follow_ttl_v1 && type == KvType::kV1;
    r.force = policy.force;
    r.accept_missing = accept_missing;
    auto got = vault.Read(identity, r);
    if (got.ok()) {
      std::optional<std::chrono::seconds> ttl;
      if (type == KvType::kV1 && (*got)->ttl && (*got)->ttl->count() > 0) ttl = (*got)->ttl;
      out.stamps.push_back(
          ReadStamp{(*got)->read_at, ShareKey(identity, mount, path, version), ttl});
    }
    return got;
  };
  auto add_all = [&](const KvResult& kv, const std::string& prefix,
                     const std::string& origin) -> Status {
    for (const KvEntry& e : kv.entries) {
      Status st = merged.Add(prefix + e.key, e.is_string, e.text, origin);
      if (!st.ok()) return fail(kReasonKeyConflict, st);
    }
    return Status::Ok();
  };

  if (!spec.path.empty()) {
    const std::string name = spec.mount + "/" + spec.path;
    auto kv = read(spec.mount, spec.path, spec.type, spec.version, false);
    if (!kv.ok()) return fail("", kv.status().WithPrefix("reading " + name + " from Vault: "));
    out.path_version = (*kv)->version;
    VS_RETURN_IF_ERROR(add_all(**kv, "", "spec.path (" + name + ")"));
  }
  for (size_t i = 0; i < more.sources.size(); ++i) {
    const KvSourceSpec& src = more.sources[i];
    const std::string label = "sources[" + std::to_string(i) + "]";
    const std::string name = src.mount + "/" + src.path;
    auto kv = read(src.mount, src.path, src.type, src.version, src.optional);
    if (!kv.ok()) {
      if (src.optional && Missing(kv.status())) continue;  // contributes nothing
      return fail("", kv.status().WithPrefix("reading " + label + " " + name + " from Vault: "));
    }
    VS_RETURN_IF_ERROR(add_all(**kv, src.key_prefix, label + " (" + name + ")"));
  }
  for (size_t i = 0; i < more.finds.size(); ++i) {
    const KvFindSpec& find = more.finds[i];
    const std::string label = "find[" + std::to_string(i) + "]";
    KvListRequest base;
    base.max_age = policy.max_age;
    base.force = policy.force;
    bool too_many = false;
    const std::optional<std::regex> kNoRegex;
    const auto& re = i < finds.name_regexes.size() ? finds.name_regexes[i] : kNoRegex;
    auto found = Discover(vault, identity, find, re, base, &too_many);
    if (!found.ok()) {
      if (too_many) return fail(kReasonTooManySecrets, found.status().WithPrefix(label + ": "));
      return fail("", found.status().WithPrefix("listing " + label + " " + FindFolder(find) +
                                                " in Vault: "));
    }
    for (size_t j = 0; j < found->lists.size(); ++j) {
      out.stamps.push_back(
          ReadStamp{found->lists[j]->read_at, identity.key + "#list:" + found->list_keys[j], {}});
    }
    for (const std::string& rel : found->paths) {
      const std::string path = find.path.empty() ? rel : find.path + "/" + rel;
      const std::string name = find.mount + "/" + path;
      auto kv = read(find.mount, path, find.type, std::nullopt, true);
      if (!kv.ok()) {
        // Listed but gone (deleted since, or kv-v2 metadata whose versions are all deleted).
        if (Missing(kv.status())) continue;
        return fail(
            "", kv.status().WithPrefix("reading " + label + " match " + name + " from Vault: "));
      }
      const std::string origin = label + " (" + name + ")";
      if (find.key_format == FindKeyFormat::kJson) {
        Status st = merged.Add(KeyOfPath(rel), false, DataAsJson((*kv)->entries), origin);
        if (!st.ok()) return fail(kReasonKeyConflict, st);
      } else {
        VS_RETURN_IF_ERROR(add_all(**kv, KeyOfPath(rel) + "_", origin));
      }
    }
  }
  out.entries = merged.Take();
  return out;
}

}  // namespace vaultsync::controller
