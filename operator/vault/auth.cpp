// Login requests per auth method and parsing of Vault's `auth` block.
#include "vault/auth.h"

#include <cstdlib>

#include "util/json.h"
#include "vault/path.h"

namespace vaultsync::vault {
namespace {

std::string TrimSpace(std::string s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) {
    s.pop_back();
  }
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  return s.substr(i);
}

std::string Describe(const AuthConfig& c) {
  std::string s = std::string(MethodName(c.method)) + ", auth/" + EffectiveMount(c);
  if (c.method == AuthConfig::kKubernetes) s += ", role \"" + c.role + "\"";
  return s;
}

Result<std::string> ReadJwt(const AuthConfig& c) {
  std::string jwt;
  if (c.jwt_source) {
    auto r = c.jwt_source();
    if (!r.ok()) {
      return Status(r.status().code(), "cannot obtain a ServiceAccount token for Vault login (" +
                                           Describe(c) + "): " + r.status().message());
    }
    jwt = std::move(r).value();
  } else {
    std::string file = c.jwt_file.empty() ? std::string(kDefaultJwtFile) : c.jwt_file;
    auto r = ReadFileContents(file, "ServiceAccount token (JWT)");
    if (!r.ok()) return Status(StatusCode::kUnauthenticated, r.status().message());
    jwt = std::move(r).value();
  }
  jwt = TrimSpace(std::move(jwt));
  if (jwt.empty()) {
    return Status(StatusCode::kUnauthenticated,
                  "the ServiceAccount token for Vault login (" + Describe(c) + ") is empty");
  }
  return jwt;
}

}  // namespace

std::string_view MethodName(AuthConfig::Method method) {
  switch (method) {
    case AuthConfig::kKubernetes:
      return "kubernetes";
    case AuthConfig::kAppRole:
      return "appRole";
    case AuthConfig::kToken:
      return "token";
  }
  return "unknown";
}

std::optional<AuthConfig::Method> ParseMethod(std::string_view name) {
  if (name == "kubernetes") return AuthConfig::kKubernetes;
  if (name == "appRole" || name == "approle") return AuthConfig::kAppRole;
  if (name == "token") return AuthConfig::kToken;
  return std::nullopt;
}

std::string EffectiveMount(const AuthConfig& config) {
  std::string_view m = config.mount;
  while (m.starts_with('/')) m.remove_prefix(1);
  while (m.ends_with('/')) m.remove_suffix(1);
  if (!m.empty()) return std::string(m);
  switch (config.method) {
    case AuthConfig::kKubernetes:
      return "kubernetes";
    case AuthConfig::kAppRole:
      return "approle";
    case AuthConfig::kToken:
      return "token";
  }
  return "";
}

Status ValidateAuth(const AuthConfig& config) {
  VS_RETURN_IF_ERROR(CleanMount(EffectiveMount(config)).status());
  switch (config.method) {
    case AuthConfig::kKubernetes:
      if (config.role.empty()) return InvalidArgument("kubernetes auth needs a role");
      break;
    case AuthConfig::kAppRole:
      if (config.role_id.empty()) return InvalidArgument("appRole auth needs a role_id");
      break;
    case AuthConfig::kToken:
      break;
  }
  return Status::Ok();
}

Result<AuthResult> ParseAuthBlock(std::string_view body) {
  auto doc = json::Parse(body);
  if (!doc.ok()) return Internal("Vault auth answer: " + doc.status().message());
  auto bad = [](const Status& s) { return Internal("Vault auth answer: " + s.message()); };
  auto auth = json::Object(*doc, "auth");
  if (!auth.ok()) return bad(auth.status());
  const json::Value& a = **auth;
  AuthResult out;
  auto tok = json::String(a, "client_token", "auth");
  if (!tok.ok()) return bad(tok.status());
  out.token = std::string(*tok);
  auto ttl = json::Seconds(a, "lease_duration", "auth");
  if (!ttl.ok()) return bad(ttl.status());
  out.ttl = *ttl;
  auto renewable = json::OptionalBool(a, "renewable", "auth");
  if (!renewable.ok()) return bad(renewable.status());
  out.renewable = renewable->value_or(false);
  auto entity = json::OptionalString(a, "entity_id", "auth");
  if (!entity.ok()) return bad(entity.status());
  out.entity_id = std::string(entity->value_or(""));
  auto pols = json::OptionalArray(a, "policies", "auth");
  if (!pols.ok()) return bad(pols.status());
  if (*pols != nullptr) {
    for (const auto& p : (*pols)->GetArray()) {
      if (p.IsString()) out.policies.emplace_back(json::View(p));
    }
  }
  return out;
}

Result<AuthResult> Login(const Client& client, const AuthConfig& config) {
  VS_RETURN_IF_ERROR(ValidateAuth(config));
  Call call;
  call.op = Operation::kLogin;
  call.method = "POST";
  call.path = "auth/" + EscapePath(EffectiveMount(config)) + "/login";
  call.retry_internal_errors = false;
  switch (config.method) {
    case AuthConfig::kKubernetes: {
      VS_ASSIGN_OR_RETURN(std::string jwt, ReadJwt(config));
      call.body = "{\"role\":" + json::Quote(config.role) + ",\"jwt\":" + json::Quote(jwt) + "}";
      call.sensitive.push_back(std::move(jwt));
      break;
    }
    case AuthConfig::kAppRole: {
      std::string secret_id = config.secret_id;
      if (config.secret_id_source) {
        auto fresh = config.secret_id_source();
        if (!fresh.ok()) return fresh.status();
        secret_id = std::move(*fresh);
      }
      call.body = "{\"role_id\":" + json::Quote(config.role_id);
      if (!secret_id.empty()) call.body += ",\"secret_id\":" + json::Quote(secret_id);
      call.body += "}";
      call.sensitive.push_back(std::move(secret_id));
      call.sensitive.push_back(config.role_id);
      break;
    }
    case AuthConfig::kToken:
      return InvalidArgument("the token auth method has no login");
  }
  auto resp = client.Send(call);
  if (!resp.ok()) {
    const Status& st = resp.status();
    StatusCode code = st.code();
    if (code != StatusCode::kUnavailable && code != StatusCode::kDeadlineExceeded &&
        code != StatusCode::kRateLimited) {
      code = StatusCode::kUnauthenticated;
    }
    return Status(code, "Vault login (" + Describe(config) + ") failed: " + st.message(),
                  st.http_status());
  }
  auto auth = ParseAuthBlock(resp->body);
  if (!auth.ok()) return auth.status();
  if (auth->token.empty()) return Internal("Vault login answer has an empty client_token");
  return auth;
}

Result<std::string> ResolveStaticToken(const AuthConfig& config) {
  if (config.token_source) {
    auto t = config.token_source();
    if (!t.ok()) return t.status();
    std::string trimmed = TrimSpace(std::move(*t));
    if (trimmed.empty()) return Status(StatusCode::kUnauthenticated, "the Vault token is empty");
    return trimmed;
  }
  if (!config.token.empty()) return TrimSpace(config.token);
  if (!config.token_file.empty()) {
    auto r = ReadFileContents(config.token_file, "Vault token");
    if (!r.ok()) return Status(StatusCode::kUnauthenticated, r.status().message());
    std::string t = TrimSpace(std::move(r).value());
    if (t.empty()) {
      return Status(StatusCode::kUnauthenticated,
                    "Vault token file \"" + config.token_file + "\" is empty");
    }
    return t;
  }
  if (config.token_from_env) {
    const char* env = std::getenv("VAULT_TOKEN");
    if (env != nullptr && *env != '\0') return TrimSpace(env);
    return Status(StatusCode::kUnauthenticated,
                  "no Vault token: none given, no token file, and VAULT_TOKEN is not set");
  }
  return Status(StatusCode::kUnauthenticated, "no Vault token given for the token auth method");
}

}  // namespace vaultsync::vault
