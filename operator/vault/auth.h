// Who we are in Vault: the auth methods (kubernetes, appRole, token) and the one login call
// each makes. Token lifetime (renewal, re-login, sharing) is TokenManager's job; this file
// only knows how to obtain a fresh token once.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"
#include "vault/client.h"

namespace vaultsync::vault {

// Where the operator pod's own projected ServiceAccount token lives.
inline constexpr std::string_view kDefaultJwtFile =
    "/var/run/secrets/kubernetes.io/serviceaccount/token";

struct AuthConfig {
  enum Method { kKubernetes, kAppRole, kToken };
  Method method = kKubernetes;
  std::string mount;  // auth mount path; empty = the method's default (kubernetes|approle|token)

  // kubernetes: POST auth/<mount>/login {role, jwt}. The JWT is obtained anew at EVERY login
  // (projected tokens rotate): from jwt_source when set (e.g. a TokenRequest), else read
  // from jwt_file (empty = kDefaultJwtFile).
  std::string role;
  std::function<Result<std::string>()> jwt_source;
  std::string jwt_file;

  // appRole: POST auth/<mount>/login {role_id, secret_id}; secret_id may be empty when the
  // role does not bind one. secret_id_source, when set, is asked anew at EVERY login instead
  // (the secret ID lives in a Secret that may be rotated between logins).
  std::string role_id;
  std::string secret_id;
  std::function<Result<std::string>()> secret_id_source;

  // token: used as given; else read from token_file (re-read when the token is found dead);
  // else, only when token_from_env, the VAULT_TOKEN environment variable. Never renewed or
  // revoked by us. The environment is opt-in so that a tenant's VaultAuth whose token
  // Secret is empty can never fall back to the operator's own token.
  std::string token;
  std::string token_file;
  bool token_from_env = false;
  // When set, asked instead of all of the above whenever a token is needed (first use, and
  // again when the token is found dead): a token kept in a Secret that may be replaced.
  std::function<Result<std::string>()> token_source;

  // Labels of vaultsync_vault_token_ttl_seconds{vaultauth,namespace}: the VaultAuth
  // ("namespace/name" or "default"; empty = do not report the TTL) and the namespace the
  // identity acts for (a tenant identity's consuming namespace, else the VaultAuth's own).
  std::string metrics_label;
  std::string metrics_namespace;
};

// "kubernetes", "appRole", "token" (the VaultAuth spelling, also the metrics label).
std::string_view MethodName(AuthConfig::Method method);
// Accepts "kubernetes", "appRole", "approle", "token".
std::optional<AuthConfig::Method> ParseMethod(std::string_view name);
// The configured mount, or the method's default, without surrounding '/'.
std::string EffectiveMount(const AuthConfig& config);
// kInvalidArgument when a field the method needs is missing (kubernetes: role; appRole:
// role_id) or the mount is unusable.
Status ValidateAuth(const AuthConfig& config);

// What a login or renewal returned (Vault's `auth` block). `token` is secret: never log it.
struct AuthResult {
  std::string token;
  std::vector<std::string> policies;
  std::chrono::seconds ttl{0};  // lease_duration; 0 = does not expire
  bool renewable = false;
  std::string entity_id;
};

// Parses the `auth` block of a login or renew-self answer. kInternal naming the bad field.
Result<AuthResult> ParseAuthBlock(std::string_view body);

// Performs one login for kubernetes or appRole (kInvalidArgument for kToken), retried like
// any request except on HTTP 500, which Vault uses for refusals here. On failure:
// kUnavailable / kDeadlineExceeded / kRateLimited stay as they are (worth retrying later);
// every other refusal (bad role, JWT rejected, wrong secret ID — Vault answers these with
// 400, 403 or even 500) becomes kUnauthenticated. Messages name method, mount and role
// and carry Vault's words, never the JWT or secret ID.
Result<AuthResult> Login(const Client& client, const AuthConfig& config);

// The token of the `token` method: token, else token_file (trimmed), else VAULT_TOKEN when
// token_from_env. kUnauthenticated when none is available or the file cannot be read.
Result<std::string> ResolveStaticToken(const AuthConfig& config);

}  // namespace vaultsync::vault
