// Flags + environment -> ConnectionConfig and AuthConfig.
#include "cli/settings.h"

namespace vaultsync::cli {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

}  // namespace

Result<vault::ConnectionConfig> ConnectionFromFlags(const GlobalFlags& flags,
                                                    const EnvLookup& env) {
  // Flags replace variables before they are read, so a bad VAULT_CACERT does not matter
  // when --ca-cert is given.
  auto lookup = [&](std::string_view name) -> std::optional<std::string> {
    if (name == "VAULT_CACERT" && flags.ca_cert) return std::nullopt;
    if (name == "VAULT_SKIP_VERIFY" && flags.skip_verify) return std::nullopt;
    return env(name);
  };
  VS_ASSIGN_OR_RETURN(vault::ConnectionConfig c, vault::ConnectionConfig::FromEnv(lookup));
  if (flags.address) c.address = *flags.address;
  if (flags.ca_cert) {
    VS_ASSIGN_OR_RETURN(c.ca_pem, vault::ReadFileContents(*flags.ca_cert, "CA"));
  }
  if (flags.namespace_) c.namespace_ = *flags.namespace_;
  if (flags.skip_verify) c.skip_verify = *flags.skip_verify;
  VS_RETURN_IF_ERROR(c.Validate());
  return c;
}

Result<vault::AuthConfig> AuthFromFlags(const GlobalFlags& flags, const EnvLookup& env) {
  vault::AuthConfig a;
  if (flags.method) {
    auto m = vault::ParseMethod(*flags.method);
    if (!m) {
      return InvalidArgument("--method takes kubernetes, appRole or token, got \"" + *flags.method +
                             "\"");
    }
    a.method = *m;
  } else if (flags.role_id) {
    a.method = vault::AuthConfig::kAppRole;
  } else if (flags.role || flags.jwt_file) {
    a.method = vault::AuthConfig::kKubernetes;
  } else {
    a.method = vault::AuthConfig::kToken;
  }
  if (flags.auth_mount) a.mount = *flags.auth_mount;
  switch (a.method) {
    case vault::AuthConfig::kKubernetes:
      if (!flags.role) return InvalidArgument("--method kubernetes needs --role");
      a.role = *flags.role;
      a.jwt_file = flags.jwt_file.value_or("");
      break;
    case vault::AuthConfig::kAppRole:
      if (!flags.role_id) return InvalidArgument("--method appRole needs --role-id");
      a.role_id = *flags.role_id;
      if (flags.secret_id_file) {
        VS_ASSIGN_OR_RETURN(std::string sid,
                            vault::ReadFileContents(*flags.secret_id_file, "secret ID"));
        a.secret_id = Trim(std::move(sid));
      }
      break;
    case vault::AuthConfig::kToken: {
      std::string token = flags.token.value_or("");
      if (token.empty()) token = env("VAULT_TOKEN").value_or("");
      token = Trim(std::move(token));
      if (token.empty()) {
        return InvalidArgument("no Vault token: pass --token or set VAULT_TOKEN (or choose " +
                               std::string("another --method)"));
      }
      a.token = std::move(token);
      break;
    }
  }
  VS_RETURN_IF_ERROR(vault::ValidateAuth(a));
  return a;
}

}  // namespace vaultsync::cli
