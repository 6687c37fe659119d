// The Vault-side setup that vaultsync needs, as library calls, so that an administrator can
// prepare Vault with vaultsyncctl alone (no curl, no vault CLI): enabling auth methods and
// secrets engines, configuring the kubernetes auth method, writing roles and ACL policies,
// and reading an AppRole's role_id or making a secret_id. Each call goes through a Session
// (the administrator's identity) and keeps secret material (reviewer JWTs, secret IDs) out
// of every message.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"
#include "vault/session.h"

namespace vaultsync::vault {

// One entry of sys/auth or sys/mounts.
struct MountEntry {
  std::string path;  // with its trailing '/', as Vault lists it ("kubernetes/")
  std::string type;
  std::string accessor;
  std::string description;
  std::string version;  // options.version ("2" for kv-v2); empty when none
};

// POST sys/auth/<path> {"type": type, "description": ...}. `path` empty = the type's name.
// Vault's refusals (path in use, unknown type) come back with Vault's words.
Status EnableAuth(const Session& s, std::string_view type, std::string_view path,
                  std::string_view description = "");

// GET sys/auth, sorted by path. `raw_body` gets Vault's answer.
Result<std::vector<MountEntry>> ListAuth(const Session& s, std::string* raw_body = nullptr);

// POST sys/mounts/<path> {"type": type, "options": {"version": version}}. `path` empty = the
// type's name; `version` empty = none sent (kv then means kv-v1).
Status EnableSecrets(const Session& s, std::string_view type, std::string_view path,
                     std::string_view version = "", std::string_view description = "");

// The kubernetes auth method's config (auth/<mount>/config). Empty fields are not sent.
struct KubernetesAuthConfig {
  std::string host;                // kubernetes_host, e.g. https://10.0.0.1:443
  std::string ca_cert;             // kubernetes_ca_cert (PEM)
  std::string token_reviewer_jwt;  // secret: never in a message
  std::string issuer;
  std::optional<bool> disable_iss_validation;
};

// POST auth/<mount>/config. kInvalidArgument when host is empty.
Status WriteKubernetesAuthConfig(const Session& s, std::string_view mount,
                                 const KubernetesAuthConfig& config);

// POST auth/<mount>/role/<name> with the given parameters, each sent as a JSON string as
// the vault CLI does (Vault converts "a,b" to lists, "1h" to durations, "true" to booleans).
Status WriteRole(const Session& s, std::string_view mount, std::string_view name,
                 const std::vector<std::pair<std::string, std::string>>& params);

// GET auth/<mount>/role/<name>: the role's parameters, each value as text (strings as they
// are, anything else as compact JSON), sorted by name. kNotFound when there is no role.
Result<std::map<std::string, std::string>> ReadRole(const Session& s, std::string_view mount,
                                                    std::string_view name,
                                                    std::string* raw_body = nullptr);

// PUT sys/policies/acl/<name> {"policy": rules}.
Status WritePolicy(const Session& s, std::string_view name, std::string_view rules);

// GET auth/<mount>/role/<name>/role-id.
Result<std::string> ReadAppRoleRoleId(const Session& s, std::string_view mount,
                                      std::string_view name, std::string* raw_body = nullptr);

// What POST auth/<mount>/role/<name>/secret-id returned. `secret_id` is secret.
struct SecretIdResult {
  std::string secret_id;
  std::string accessor;
  int64_t ttl_seconds = 0;  // 0 = does not expire
};

// POST auth/<mount>/role/<name>/secret-id: a new secret_id for the AppRole. `raw_body` gets
// Vault's answer (which holds the secret_id: print it only when the user asked).
Result<SecretIdResult> GenerateAppRoleSecretId(const Session& s, std::string_view mount,
                                               std::string_view name,
                                               std::string* raw_body = nullptr);

}  // namespace vaultsync::vault
