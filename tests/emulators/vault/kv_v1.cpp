// KV v1 engine.
#include "kv_v1.h"

#include <set>

#include "go_json.h"

namespace vaultsync::vaultemu {
namespace {

// The ttl a secret asks for, if it has a usable one.
std::optional<Duration> SecretTtl(const json::Value& data) {
  for (const char* key : {"ttl", "lease"}) {
    const json::Value* v = json::Find(data, key);
    if (v == nullptr) continue;
    auto d = ParseVaultDuration(*v);
    if (d.ok()) return *d;
  }
  return std::nullopt;
}

}  // namespace

Reply KvV1Backend::Handle(Call& c) {
  const std::string& key = c.rel;
  switch (c.op) {
    case Op::kRead: {
      auto it = secrets_.find(key);
      if (it == secrets_.end() || key.empty()) return Error(404, {});
      Reply r = Data(it->second);
      r.envelope->lease_duration = Seconds(SecretTtl(it->second).value_or(default_lease_));
      return r;
    }
    case Op::kList: {
      std::set<std::string> keys;
      for (const auto& [k, v] : secrets_) {
        if (k.compare(0, key.size(), key) != 0 || k.size() == key.size()) continue;
        std::string rest = k.substr(key.size());
        size_t slash = rest.find('/');
        keys.insert(slash == std::string::npos ? rest : rest.substr(0, slash + 1));
      }
      if (keys.empty()) return Error(404, {});
      return DataJson("{\"keys\":" + GoStringList({keys.begin(), keys.end()}) + "}");
    }
    case Op::kCreate:
    case Op::kUpdate: {
      if (c.body == nullptr || c.body->MemberCount() == 0) {
        return Error(400, {"no data provided"});
      }
      for (const char* ttl_key : {"ttl", "lease"}) {
        if (const json::Value* v = json::Find(*c.body, ttl_key); v != nullptr) {
          if (!ParseVaultDuration(*v).ok()) {
            return Error(400, {"failed to parse ttl: invalid duration"});
          }
        }
      }
      json::Document d;
      d.CopyFrom(*c.body, d.GetAllocator());
      secrets_[key] = std::move(d);
      return NoContent();
    }
    case Op::kDelete:
      secrets_.erase(key);
      return NoContent();
  }
  return Unsupported();
}

}  // namespace vaultsync::vaultemu
