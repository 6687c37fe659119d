// Token lifetimes and the JSON shapes Vault uses to describe tokens.
#include "token_store.h"

#include <algorithm>

#include "go_json.h"
#include "util/time_format.h"

namespace vaultsync::vaultemu {
namespace {

bool HasRoot(const std::vector<std::string>& policies) {
  return std::find(policies.begin(), policies.end(), "root") != policies.end();
}

int64_t UnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Duration TruncateToSeconds(Duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d);
}

}  // namespace

std::string HumanDuration(Duration d) {
  std::string s = FormatDuration(d);
  if (s.size() > 3 && s.compare(s.size() - 3, 3, "m0s") == 0) s.resize(s.size() - 2);
  if (s.size() > 3 && s.compare(s.size() - 3, 3, "h0m") == 0) s.resize(s.size() - 2);
  return s;
}

Token TokenStore::Create(const TokenSpec& spec) {
  Token t;
  t.id = spec.id.empty() ? ids_.Token() : spec.id;
  t.accessor = ids_.Accessor();
  t.display_name = spec.display_name;
  t.path = spec.path;
  t.policies = spec.policies;
  bool root = HasRoot(t.policies);
  if (!spec.no_default_policy && !root &&
      std::find(t.policies.begin(), t.policies.end(), "default") == t.policies.end()) {
    t.policies.push_back("default");
  }
  std::sort(t.policies.begin(), t.policies.end());
  t.policies.erase(std::unique(t.policies.begin(), t.policies.end()), t.policies.end());
  t.meta = spec.meta;
  t.entity_id = spec.entity_id;
  t.parent = spec.orphan ? "" : spec.parent;
  t.orphan = spec.orphan || spec.parent.empty();
  t.renewable = spec.renewable;
  t.num_uses = spec.num_uses;
  t.issue_time = clock_.Now();
  t.explicit_max_ttl = spec.explicit_max_ttl;

  Duration max_ttl =
      spec.max_ttl.count() > 0 ? std::min(spec.max_ttl, kSystemMaxTtl) : kSystemMaxTtl;
  if (spec.explicit_max_ttl.count() > 0) max_ttl = std::min(max_ttl, spec.explicit_max_ttl);
  Duration ttl = spec.period.count() > 0 ? spec.period : spec.ttl;
  bool never_expires = root && ttl.count() == 0 && spec.explicit_max_ttl.count() == 0;
  if (never_expires) {
    t.renewable = false;
  } else {
    if (ttl.count() == 0) ttl = kSystemMaxTtl;
    if (spec.period.count() == 0) {
      ttl = std::min(ttl, max_ttl);
      t.max_expire_time = t.issue_time + max_ttl;
    } else if (spec.explicit_max_ttl.count() > 0) {
      ttl = std::min(ttl, spec.explicit_max_ttl);
      t.max_expire_time = t.issue_time + spec.explicit_max_ttl;
    }
    t.creation_ttl = ttl;
    t.ttl = ttl;
    t.renew_ttl = ttl;
    t.expire_time = t.issue_time + ttl;
  }
  tokens_[t.id] = t;
  return t;
}

Token* TokenStore::Lookup(std::string_view id) {
  auto it = tokens_.find(id);
  if (it == tokens_.end()) return nullptr;
  if (it->second.expire_time && clock_.Now() >= *it->second.expire_time) {
    std::string dead = it->second.id;
    Revoke(dead);
    return nullptr;
  }
  return &it->second;
}

Token* TokenStore::LookupAccessor(std::string_view accessor) {
  for (auto& [id, t] : tokens_) {
    if (t.accessor == accessor) return Lookup(id);
  }
  return nullptr;
}

std::vector<std::string> TokenStore::Accessors() {
  std::vector<std::string> ids;
  for (const auto& [id, t] : tokens_) ids.push_back(id);
  std::vector<std::string> out;
  for (const auto& id : ids) {
    if (Token* t = Lookup(id); t != nullptr) out.push_back(t->accessor);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<RenewResult> TokenStore::Renew(std::string_view id, Duration increment) {
  Token* t = Lookup(id);
  if (t == nullptr) return Status(StatusCode::kPermissionDenied, "permission denied");
  if (!t->renewable || !t->expire_time) {
    return Status(StatusCode::kInvalidArgument, "lease is not renewable");
  }
  TimePoint now = clock_.Now();
  RenewResult r;
  Duration want = increment.count() > 0 ? increment : t->renew_ttl;
  Duration granted = want;
  if (t->max_expire_time) {
    Duration left = TruncateToSeconds(*t->max_expire_time - now);
    if (left.count() < 0) left = Duration(0);
    if (granted > left) {
      r.warnings.push_back("TTL of \"" + HumanDuration(want) +
                           "\" exceeded the effective max_ttl of \"" + HumanDuration(left) +
                           "\"; TTL value is capped accordingly");
      granted = left;
    }
  }
  t->ttl = granted;
  t->expire_time = now + granted;
  t->last_renewal = now;
  r.granted = granted;
  return r;
}

void TokenStore::Revoke(std::string_view id) {
  auto it = tokens_.find(id);
  if (it == tokens_.end()) return;
  std::string parent = it->second.id;
  tokens_.erase(it);
  std::vector<std::string> children;
  for (const auto& [child_id, t] : tokens_) {
    if (t.parent == parent) children.push_back(child_id);
  }
  for (const auto& c : children) Revoke(c);
}

void TokenStore::Use(std::string_view id) {
  auto it = tokens_.find(id);
  if (it == tokens_.end() || it->second.num_uses <= 0) return;
  if (--it->second.num_uses == 0) Revoke(std::string(id));
}

int64_t TokenStore::RemainingSeconds(const Token& t) const {
  if (!t.expire_time) return 0;
  auto left = std::chrono::duration_cast<std::chrono::seconds>(*t.expire_time - clock_.Now());
  return std::max<int64_t>(0, left.count());
}

std::string RenderAuth(const Token& t, int64_t lease_duration_seconds) {
  std::string out = "{\"client_token\":" + GoQuote(t.id);
  out += ",\"accessor\":" + GoQuote(t.accessor);
  out += ",\"policies\":" + GoStringList(t.policies, true);
  out += ",\"token_policies\":" + GoStringList(t.policies, true);
  out += ",\"metadata\":";
  if (t.meta) {
    out += "{";
    bool first = true;
    for (const auto& [k, v] : *t.meta) {  // std::map: already sorted like Go's map output
      if (!first) out += ",";
      first = false;
      out += GoQuote(k) + ":" + GoQuote(v);
    }
    out += "}";
  } else {
    out += "null";
  }
  out += ",\"lease_duration\":" + std::to_string(lease_duration_seconds);
  out += std::string(",\"renewable\":") + (t.renewable ? "true" : "false");
  out += ",\"entity_id\":" + GoQuote(t.entity_id);
  out += ",\"token_type\":\"service\"";
  out += std::string(",\"orphan\":") + (t.orphan ? "true" : "false");
  out += "}";
  return out;
}

std::string RenderLookup(const Token& t, TimePoint now, bool hide_id) {
  json::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  auto str = [&](const char* k, std::string_view v) {
    d.AddMember(rapidjson::StringRef(k), json::StringValue(v, a), a);
  };
  auto num = [&](const char* k, int64_t v) {
    d.AddMember(rapidjson::StringRef(k), json::Value(static_cast<int64_t>(v)), a);
  };
  str("accessor", t.accessor);
  num("creation_time", UnixSeconds(t.issue_time));
  num("creation_ttl", Seconds(t.creation_ttl));
  str("display_name", t.display_name);
  str("entity_id", t.entity_id);
  if (t.expire_time) {
    str("expire_time", FormatRfc3339Nano(*t.expire_time));
  } else {
    d.AddMember("expire_time", json::Value(), a);
  }
  num("explicit_max_ttl", Seconds(t.explicit_max_ttl));
  str("id", hide_id ? std::string_view("") : std::string_view(t.id));
  if (t.expire_time) str("issue_time", FormatRfc3339Nano(t.issue_time));
  if (t.last_renewal) {
    str("last_renewal", FormatRfc3339Nano(*t.last_renewal));
    num("last_renewal_time", UnixSeconds(*t.last_renewal));
  }
  if (t.meta) {
    json::Value meta(rapidjson::kObjectType);
    for (const auto& [k, v] : *t.meta) {
      meta.AddMember(json::StringValue(k, a), json::StringValue(v, a), a);
    }
    d.AddMember("meta", meta, a);
  } else {
    d.AddMember("meta", json::Value(), a);
  }
  num("num_uses", t.num_uses);
  d.AddMember("orphan", json::Value(t.orphan), a);
  str("path", t.path);
  json::Value policies(rapidjson::kArrayType);
  for (const auto& p : t.policies) policies.PushBack(json::StringValue(p, a), a);
  d.AddMember("policies", policies, a);
  d.AddMember("renewable", json::Value(t.renewable), a);
  int64_t ttl = 0;
  if (t.expire_time) {
    ttl = std::max<int64_t>(
        0, std::chrono::duration_cast<std::chrono::seconds>(*t.expire_time - now).count());
  }
  num("ttl", ttl);
  str("type", "service");
  return GoJson(d);
}

}  // namespace vaultsync::vaultemu
