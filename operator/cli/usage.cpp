// Help texts. Kept next to each other so the global list and the per-verb pages agree.
#include "cli/usage.h"

namespace vaultsync::cli {
namespace {

constexpr const char* kGlobalFlags = R"(Global flags (before or after the command):
  --address URL         Vault address (env VAULT_ADDR; default https://127.0.0.1:8200)
  --token TOKEN         token for --method token (env VAULT_TOKEN)
  --ca-cert FILE        PEM file of CA certificates to trust (env VAULT_CACERT)
  --namespace NS        Vault Enterprise namespace (env VAULT_NAMESPACE)
  --skip-verify         do not verify the server certificate (env VAULT_SKIP_VERIFY)
  --method M            kubernetes|appRole|token (default: appRole with --role-id,
                        kubernetes with --role or --jwt-file, else token)
  --auth-mount M        auth mount path (default: kubernetes, approle or token)
  --role R              kubernetes role
  --jwt-file F          ServiceAccount token for kubernetes login
                        (default /var/run/secrets/kubernetes.io/serviceaccount/token)
  --role-id ID          appRole role_id
  --secret-id-file F    file holding the appRole secret_id
  -o text|json          output: human text (default) or Vault's JSON answer
)";

constexpr const char* kExitCodes =
    R"(Exit codes: 0 ok, 1 Vault refused or failed (stderr says why), 2 usage error.
)";

}  // namespace

std::string GlobalUsage() {
  return std::string(R"(vaultsyncctl: check what vaultsync's identity can do in Vault.

Usage: vaultsyncctl [global flags] COMMAND [flags] [ARGS]

Commands:
  login-check                      log in; print display name, policies, TTL, renewable
  list   [--mount M] [PATH]        keys under PATH (folders end in /)
  get    [--mount M] [--version N] PATH
                                   a secret's keys and values, with version metadata
  put    [--mount M] [--cas N] PATH KEY=VALUE...
                                   write a secret (values are strings)
  delete [--mount M] PATH          kv-v2: metadata and all versions; kv-v1: the secret
  policies                         ACL policy names
  policy NAME                      one policy's rules
  health                           sys/health, interpreted

Run 'vaultsyncctl COMMAND --help' for a command's flags.

)") + kGlobalFlags +
         "\n" + kExitCodes;
}

std::string VerbUsage(Verb verb) {
  std::string text;
  constexpr const char* kKvFlags = R"(  --mount M             KV mount (default secret)
  --kv-version 1|2      skip detection of the mount's KV version
)";
  switch (verb) {
    case Verb::kLoginCheck:
      text = R"(Usage: vaultsyncctl [global flags] login-check

Logs in with the configured auth method (or checks the given token) and prints the
token's display name, policies, remaining TTL and whether it is renewable. Never prints
the token. A token obtained by logging in is revoked again before exiting.
)";
      break;
    case Verb::kList:
      text = std::string(R"(Usage: vaultsyncctl [global flags] list [--mount M] [PATH]

Lists the keys under PATH (the mount root when omitted); folders end in '/'.

)") + kKvFlags;
      break;
    case Verb::kGet:
      text = std::string(R"(Usage: vaultsyncctl [global flags] get [--mount M] [--version N] PATH

Reads a secret and prints its keys and values, then (kv-v2) its version and creation
time, or (kv-v1) the lease from its ttl key. Non-string values print as compact JSON.

)") + kKvFlags +
             "  --version N           read version N (kv-v2 only; default latest)\n";
      break;
    case Verb::kPut:
      text = std::string(
                 R"(Usage: vaultsyncctl [global flags] put [--mount M] [--cas N] PATH KEY=VALUE...

Writes the secret at PATH with the given keys (replacing all of its data). Values are
written as strings. On kv-v2 this creates a new version.

)") + kKvFlags +
             "  --cas N               kv-v2 check-and-set: write only if the current version is N\n"
             "                        (0 = only if the secret does not exist)\n";
      break;
    case Verb::kDelete:
      text = std::string(R"(Usage: vaultsyncctl [global flags] delete [--mount M] PATH

kv-v2: deletes the metadata and every version of the secret (not recoverable).
kv-v1: deletes the secret.

)") + kKvFlags;
      break;
    case Verb::kPolicies:
      text = R"(Usage: vaultsyncctl [global flags] policies

Lists the names of the ACL policies (needs list on sys/policies/acl).
)";
      break;
    case Verb::kPolicy:
      text = R"(Usage: vaultsyncctl [global flags] policy NAME

Prints the rules of the ACL policy NAME.
)";
      break;
    case Verb::kHealth:
      text = R"(Usage: vaultsyncctl [global flags] health

Calls sys/health (no token needed) and prints the node's state: active, standby,
performance standby, dr secondary, sealed or not initialized. Exits 1 when the node is
sealed or not initialized.
)";
      break;
  }
  return text + "\n" + kGlobalFlags + "\n" + kExitCodes;
}

}  // namespace vaultsync::cli
