// lookup-self / renew-self / revoke-self requests and their answers.
#include "vault/token_api.h"

#include "util/json.h"

namespace vaultsync::vault {
namespace {

Status Bad(const Status& s) { return Internal("Vault token lookup answer: " + s.message()); }

}  // namespace

Result<LoginInfo> LookupSelf(const Client& client, const std::string& token,
                             std::string* raw_body) {
  Call call{.op = Operation::kTokenLookup, .method = "GET", .path = "auth/token/lookup-self"};
  call.token = token;
  VS_ASSIGN_OR_RETURN(http::Response resp, client.Send(call));
  auto parsed = json::Parse(resp.body);
  if (!parsed.ok()) return Bad(parsed.status());
  json::Document& doc = *parsed;
  auto data_r = json::Object(doc, "data");
  if (!data_r.ok()) return Bad(data_r.status());
  const json::Value& d = **data_r;
  LoginInfo info;
  auto str = [&](std::string_view key, std::string& out) -> Status {
    auto v = json::OptionalString(d, key, "data");
    if (!v.ok()) return Bad(v.status());
    out = std::string(v->value_or(""));
    return Status::Ok();
  };
  auto secs = [&](std::string_view key, std::chrono::seconds& out) -> Status {
    auto v = json::OptionalSeconds(d, key, "data");
    if (!v.ok()) return Bad(v.status());
    out = v->value_or(std::chrono::seconds(0));
    return Status::Ok();
  };
  VS_RETURN_IF_ERROR(str("display_name", info.display_name));
  VS_RETURN_IF_ERROR(str("expire_time", info.expire_time));
  VS_RETURN_IF_ERROR(str("issue_time", info.issue_time));
  VS_RETURN_IF_ERROR(str("entity_id", info.entity_id));
  VS_RETURN_IF_ERROR(str("path", info.path));
  VS_RETURN_IF_ERROR(str("type", info.type));
  VS_RETURN_IF_ERROR(secs("ttl", info.ttl));
  VS_RETURN_IF_ERROR(secs("creation_ttl", info.creation_ttl));
  VS_RETURN_IF_ERROR(secs("explicit_max_ttl", info.explicit_max_ttl));
  auto renewable = json::OptionalBool(d, "renewable", "data");
  if (!renewable.ok()) return Bad(renewable.status());
  info.renewable = renewable->value_or(false);
  auto pols = json::OptionalArray(d, "policies", "data");
  if (!pols.ok()) return Bad(pols.status());
  if (*pols != nullptr) {
    for (const auto& p : (*pols)->GetArray()) {
      if (p.IsString()) info.policies.emplace_back(json::View(p));
    }
  }
  if (raw_body != nullptr) {
    // The answer names the token itself in data.id: drop it before anyone can print it.
    json::Value* data = nullptr;
    auto it = doc.FindMember("data");
    if (it != doc.MemberEnd() && it->value.IsObject()) data = &it->value;
    // Every copy: a body with a repeated member must not keep one.
    while (data != nullptr && data->RemoveMember("id")) {
    }
    *raw_body = json::Serialize(doc);
  }
  return info;
}

Result<AuthResult> RenewSelf(const Client& client, const std::string& token,
                             std::chrono::seconds increment) {
  Call call{.op = Operation::kTokenRenew, .method = "POST", .path = "auth/token/renew-self"};
  call.token = token;
  call.body = "{\"increment\":\"" + std::to_string(increment.count()) + "s\"}";
  VS_ASSIGN_OR_RETURN(http::Response resp, client.Send(call));
  return ParseAuthBlock(resp.body);
}

Status RevokeSelf(const Client& client, const std::string& token) {
  Call call{.op = Operation::kTokenRevoke, .method = "POST", .path = "auth/token/revoke-self"};
  call.token = token;
  return client.Send(call).status();
}

}  // namespace vaultsync::vault
