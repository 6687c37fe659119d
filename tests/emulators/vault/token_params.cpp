// Role token parameters.
#include "token_params.h"

namespace vaultsync::vaultemu {

Status ParseTokenParams(const Call& c, TokenParams& p) {
  auto pick = [&](const char* modern, const char* legacy, bool& used_legacy) -> const char* {
    if (BodyHas(c, modern)) return modern;
    if (BodyHas(c, legacy)) {
      used_legacy = true;
      return legacy;
    }
    return nullptr;
  };
  if (const char* k = pick("token_policies", "policies", p.legacy_policies)) {
    VS_RETURN_IF_ERROR(BodyStringList(c, k, p.policies));
  }
  if (const char* k = pick("token_ttl", "ttl", p.legacy_ttl)) {
    VS_RETURN_IF_ERROR(BodyDuration(c, k, p.ttl));
  }
  if (const char* k = pick("token_max_ttl", "max_ttl", p.legacy_max_ttl)) {
    VS_RETURN_IF_ERROR(BodyDuration(c, k, p.max_ttl));
  }
  if (const char* k = pick("token_period", "period", p.legacy_period)) {
    VS_RETURN_IF_ERROR(BodyDuration(c, k, p.period));
  }
  if (const char* k = pick("token_num_uses", "num_uses", p.legacy_num_uses)) {
    VS_RETURN_IF_ERROR(BodyInt(c, k, p.num_uses));
  }
  if (const char* k = pick("token_bound_cidrs", "bound_cidrs", p.legacy_bound_cidrs)) {
    VS_RETURN_IF_ERROR(BodyStringList(c, k, p.bound_cidrs));
  }
  VS_RETURN_IF_ERROR(BodyDuration(c, "token_explicit_max_ttl", p.explicit_max_ttl));
  VS_RETURN_IF_ERROR(BodyBool(c, "token_no_default_policy", p.no_default_policy));
  VS_RETURN_IF_ERROR(BodyString(c, "token_type", p.type));
  if (p.type != "default" && p.type != "service" && p.type != "default-service") {
    return InvalidArgument("the emulator only issues service tokens (token_type " + p.type + ")");
  }
  if (p.max_ttl.count() > 0 && p.ttl > p.max_ttl) {
    return InvalidArgument("\"token_ttl\" cannot be greater than \"token_max_ttl\"");
  }
  return Status::Ok();
}

void AddTokenParams(const TokenParams& p, json::Document& d) {
  auto& a = d.GetAllocator();
  auto list = [&](const std::vector<std::string>& items) {
    json::Value v(rapidjson::kArrayType);
    for (const auto& i : items) v.PushBack(json::StringValue(i, a), a);
    return v;
  };
  auto secs = [](Duration x) { return json::Value(static_cast<int64_t>(Seconds(x))); };
  d.AddMember("token_bound_cidrs", list(p.bound_cidrs), a);
  d.AddMember("token_explicit_max_ttl", secs(p.explicit_max_ttl), a);
  d.AddMember("token_max_ttl", secs(p.max_ttl), a);
  d.AddMember("token_no_default_policy", json::Value(p.no_default_policy), a);
  d.AddMember("token_num_uses", json::Value(static_cast<int64_t>(p.num_uses)), a);
  d.AddMember("token_period", secs(p.period), a);
  d.AddMember("token_policies", list(p.policies), a);
  d.AddMember("token_ttl", secs(p.ttl), a);
  d.AddMember("token_type", json::StringValue(p.type, a), a);
  if (p.legacy_policies) d.AddMember("policies", list(p.policies), a);
  if (p.legacy_ttl) d.AddMember("ttl", secs(p.ttl), a);
  if (p.legacy_max_ttl) d.AddMember("max_ttl", secs(p.max_ttl), a);
  if (p.legacy_period) d.AddMember("period", secs(p.period), a);
  if (p.legacy_num_uses) d.AddMember("num_uses", json::Value(static_cast<int64_t>(p.num_uses)), a);
  if (p.legacy_bound_cidrs) d.AddMember("bound_cidrs", list(p.bound_cidrs), a);
}

TokenSpec TokenSpecFor(const TokenParams& p) {
  TokenSpec s;
  s.policies = p.policies;
  s.no_default_policy = p.no_default_policy;
  s.ttl = p.ttl;
  s.max_ttl = p.max_ttl;
  s.explicit_max_ttl = p.explicit_max_ttl;
  s.period = p.period;
  s.num_uses = p.num_uses;
  s.renewable = true;
  s.orphan = true;
  return s;
}

}  // namespace vaultsync::vaultemu
