// The token's own endpoints (auth/token/lookup-self, renew-self, revoke-self), each one
// plain request with a given token. TokenManager builds the lifecycle on these; the CLI's
// login-check prints what lookup-self says.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"
#include "vault/auth.h"
#include "vault/client.h"

namespace vaultsync::vault {

// What lookup-self says about a token — everything except the token itself.
struct LoginInfo {
  std::string display_name;
  std::vector<std::string> policies;
  std::chrono::seconds ttl{0};  // remaining; 0 = does not expire
  bool renewable = false;
  std::chrono::seconds creation_ttl{0};
  std::chrono::seconds explicit_max_ttl{0};  // 0 = none set on the token itself
  std::string expire_time;                   // RFC 3339, empty when it does not expire
  std::string issue_time;
  std::string entity_id;
  std::string path;  // auth path that created it, e.g. "auth/kubernetes/login"
  std::string type;  // "service" or "batch"
};

// GET auth/token/lookup-self. Errors as Client::Send (a dead or unknown token is
// kPermissionDenied with http_status 403). When `raw_body` is set it receives Vault's answer
// with the token itself (data.id) removed, for `-o json` output.
Result<LoginInfo> LookupSelf(const Client& client, const std::string& token,
                             std::string* raw_body = nullptr);

// POST auth/token/renew-self {"increment": "<N>s"}. Returns the new lease (ttl may be less
// than asked when the token's max TTL caps it).
Result<AuthResult> RenewSelf(const Client& client, const std::string& token,
                             std::chrono::seconds increment);

// POST auth/token/revoke-self (204).
Status RevokeSelf(const Client& client, const std::string& token);

}  // namespace vaultsync::vault
