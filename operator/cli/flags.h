// vaultsyncctl's command line, parsed into a plain struct: global flags (which may appear
// before or after the verb), the verb, its own flags and its positional arguments. Nothing
// here talks to Vault or reads the environment, so every usage error is found up front and
// tested without a server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace vaultsync::cli {

enum class Verb {
  kLoginCheck,
  kList,
  kGet,
  kPut,
  kDelete,
  kPolicies,
  kPolicy,  // policy NAME | policy read NAME | policy write NAME FILE|-
  kHealth,
  // Vault setup (admin verbs); the first argument of each group verb is its subcommand.
  kAuth,                   // auth enable TYPE | auth list
  kSecrets,                // secrets enable TYPE
  kWriteKubernetesConfig,  // write-kubernetes-config --host URL ...
  kRole,                   // role write NAME KEY=VALUE... | role read NAME
  kAppRole,                // approle role-id NAME | approle secret-id NAME
};
enum class OutputFormat { kText, kJson };

// "login-check", "list", ... ; and back (nullopt for an unknown verb).
std::string_view VerbName(Verb verb);
std::optional<Verb> ParseVerb(std::string_view name);

// Unset optionals fall back to the environment (VAULT_*) or the library defaults.
struct GlobalFlags {
  std::optional<std::string> address;         // --address
  std::optional<std::string> token;           // --token
  std::optional<std::string> ca_cert;         // --ca-cert (a PEM file)
  std::optional<std::string> namespace_;      // --namespace
  std::optional<bool> skip_verify;            // --skip-verify[=true|false]
  std::optional<std::string> method;          // --method kubernetes|appRole|token
  std::optional<std::string> auth_mount;      // --auth-mount
  std::optional<std::string> role;            // --role
  std::optional<std::string> jwt_file;        // --jwt-file
  std::optional<std::string> role_id;         // --role-id
  std::optional<std::string> secret_id_file;  // --secret-id-file
  OutputFormat output = OutputFormat::kText;  // -o text|json
};

struct Invocation {
  GlobalFlags global;
  std::optional<Verb> verb;        // unset only with help (global usage)
  bool help = false;               // --help / -h / `help [VERB]`
  std::string mount = "secret";    // --mount (list, get, put, delete)
  std::optional<int> kv_version;   // --kv-version 1|2
  std::optional<int64_t> version;  // get --version N (N >= 1)
  std::optional<int64_t> cas;      // put --cas N (N >= 0)
  std::vector<std::string> args;   // positional arguments after the verb (subcommand first)

  // Admin verbs.
  std::optional<std::string> path;               // --path: where auth/secrets enable mounts,
                                                 // or write-kubernetes-config's auth mount
  std::optional<std::string> description;        // --description (auth/secrets enable)
  std::optional<std::string> engine_version;     // secrets enable --version 1|2
  std::optional<std::string> host;               // --host (write-kubernetes-config)
  std::optional<std::string> ca_cert_file;       // --ca-cert-file (write-kubernetes-config)
  std::optional<std::string> reviewer_jwt_file;  // --token-reviewer-jwt-file
  std::optional<std::string> issuer;             // --issuer
  std::optional<std::string> auth_path;          // --auth-path (role, approle)
  bool show_secret_id = false;                   // approle secret-id --show-secret-id
  // The subcommand of a group verb ("enable", "write", ...; "read" for `policy NAME`).
  std::string Subcommand() const;
};

// Parses argv without the program name. Accepts "--flag value" and "--flag=value"; "--"
// ends flags. kInvalidArgument (a usage error) naming the problem for: an unknown verb,
// subcommand or flag, a flag the verb does not take, a missing or malformed value, a wrong
// number of positional arguments, a KEY=VALUE argument without '=' or key, and
// write-kubernetes-config without --host. With help set, positional arguments are not
// checked.
Result<Invocation> ParseArgs(const std::vector<std::string>& argv);

}  // namespace vaultsync::cli
