// ConnectionConfig: environment defaults, validation, and the mapping onto the transport.
#include "vault/connection.h"

#include <strings.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace vaultsync::vault {

std::optional<bool> ParseGoBool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") {
    return false;
  }
  return std::nullopt;
}

Result<std::string> ReadFileContents(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument("cannot read " + std::string(what) + " file \"" + path + "\"");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    return InvalidArgument("error reading " + std::string(what) + " file \"" + path + "\"");
  }
  return ss.str();
}

Result<ConnectionConfig> ConnectionConfig::FromEnv() {
  return FromEnv([](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  });
}

Result<ConnectionConfig> ConnectionConfig::FromEnv(const EnvLookup& getenv) {
  ConnectionConfig c;
  auto nonempty = [&](std::string_view name) {
    auto v = getenv(name);
    return v.has_value() && !v->empty() ? v : std::nullopt;
  };
  c.address = nonempty("VAULT_ADDR").value_or("https://127.0.0.1:8200");
  if (auto ca = nonempty("VAULT_CACERT")) {
    VS_ASSIGN_OR_RETURN(c.ca_pem, ReadFileContents(*ca, "VAULT_CACERT"));
  }
  c.namespace_ = nonempty("VAULT_NAMESPACE").value_or("");
  c.tls_server_name = nonempty("VAULT_TLS_SERVER_NAME").value_or("");
  if (auto skip = nonempty("VAULT_SKIP_VERIFY")) {
    auto b = ParseGoBool(*skip);
    if (!b) return InvalidArgument("VAULT_SKIP_VERIFY=\"" + *skip + "\" is not a boolean");
    c.skip_verify = *b;
  }
  return c;
}

Status ConnectionConfig::Validate() const {
  std::string_view a = address;
  std::string_view rest;
  if (a.starts_with("https://")) {
    rest = a.substr(8);
  } else if (a.starts_with("http://")) {
    rest = a.substr(7);
  } else {
    return InvalidArgument("Vault address \"" + address + "\" must start with http:// or https://");
  }
  while (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty() || rest.find_first_of("/?#@ ") != std::string_view::npos) {
    return InvalidArgument("Vault address \"" + address +
                           "\" must be scheme://host[:port] without a path");
  }
  for (const auto& [name, value] : headers) {
    if (strcasecmp(name.c_str(), "X-Vault-Token") == 0) {
      return InvalidArgument(
          "header X-Vault-Token may not be set in the connection; the token comes from the "
          "auth method");
    }
    if (name.empty() || name.find_first_of("\r\n: ") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      return InvalidArgument("header \"" + name + "\" has an invalid name or value");
    }
  }
  if (timeout.count() <= 0) return InvalidArgument("timeout must be positive");
  return Status::Ok();
}

http::TransportConfig ConnectionConfig::ToTransportConfig() const {
  http::TransportConfig t;
  std::string_view a = address;
  while (a.ends_with('/')) a.remove_suffix(1);
  t.base_url = std::string(a);
  t.tls.ca_pem = ca_pem;
  t.tls.server_name = tls_server_name;
  t.tls.skip_verify = skip_verify;
  t.timeout = timeout;
  t.user_agent = "vaultsync";
  return t;
}

}  // namespace vaultsync::vault
