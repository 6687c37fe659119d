// How to reach one Vault server: the VaultConnection resource and the VAULT_* environment
// in one struct, validated once, then turned into the HTTP transport's configuration.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "http/transport.h"
#include "util/status.h"

namespace vaultsync::vault {

struct ConnectionConfig {
  std::string address;          // "https://vault.vault.svc:8200"; http allowed
  std::string ca_pem;           // extra trusted CA certificates (PEM); empty = system roots
  std::string tls_server_name;  // SNI / name to verify; empty = the address's host
  bool skip_verify = false;
  std::string namespace_;                      // Vault Enterprise namespace (X-Vault-Namespace)
  std::map<std::string, std::string> headers;  // extra headers on every request
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};  // per request (per attempt)

  // Reads VAULT_ADDR (default https://127.0.0.1:8200, as the vault CLI), VAULT_CACERT (a PEM
  // file, read now), VAULT_NAMESPACE, VAULT_SKIP_VERIFY (Go ParseBool syntax) and
  // VAULT_TLS_SERVER_NAME. Fails with kInvalidArgument when the CA file cannot be read or
  // VAULT_SKIP_VERIFY is not a boolean. The result is not yet validated.
  static Result<ConnectionConfig> FromEnv();
  // Same, looking variables up through `getenv` (tests avoid touching the process env).
  using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
  static Result<ConnectionConfig> FromEnv(const EnvLookup& getenv);

  // kInvalidArgument when the address is not http(s)://host[:port] (a trailing '/' is
  // tolerated), a header is named X-Vault-Token (tokens come from auth, never from config),
  // a header name or value contains CR/LF, or the timeout is not positive.
  Status Validate() const;

  // The transport configuration for this connection (call Validate first).
  http::TransportConfig ToTransportConfig() const;
};

// Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False.
std::optional<bool> ParseGoBool(std::string_view s);

// Reads a whole file; kInvalidArgument naming `what` and the path when it cannot.
Result<std::string> ReadFileContents(const std::string& path, std::string_view what);

}  // namespace vaultsync::vault
