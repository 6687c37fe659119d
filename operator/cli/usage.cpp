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
  return std::string(
             R"(vaultsyncctl: check what vaultsync's identity can do in Vault, and set Vault up for it.

Usage: vaultsyncctl [global flags] COMMAND [flags] [ARGS]

Checking (as the operator would):
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

Setting Vault up (as an administrator; usually with a root or admin token):
  secrets enable [--path P] [--version 1|2] TYPE
                                   enable a secrets engine (kv, kv-v2)
  auth enable [--path P] TYPE      enable an auth method (kubernetes, approle)
  auth list                        enabled auth methods
  write-kubernetes-config [--path P] --host URL [--ca-cert-file F]
          [--token-reviewer-jwt-file F] [--issuer I]
                                   how the kubernetes auth method reaches the API server
  role write [--auth-path P] NAME KEY=VALUE...
                                   create or update a kubernetes or approle role
  role read [--auth-path P] NAME   a role's parameters
  policy write NAME FILE|-         create or replace an ACL policy (- reads stdin)
  approle role-id [--auth-path P] NAME
                                   an AppRole's role_id
  approle secret-id [--auth-path P] --show-secret-id NAME
                                   make a new secret_id and print it

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
       vaultsyncctl [global flags] policy read NAME
       vaultsyncctl [global flags] policy write NAME FILE|-

policy NAME and policy read NAME print the rules of the ACL policy NAME.
policy write creates or replaces the ACL policy NAME with the rules (HCL) in FILE, or on
standard input when FILE is -. Needs create/update on sys/policies/acl/NAME.
)";
      break;
    case Verb::kAuth:
      text = R"(Usage: vaultsyncctl [global flags] auth enable [--path P] [--description D] TYPE
       vaultsyncctl [global flags] auth list

auth enable enables the auth method TYPE (kubernetes, approle, ...) at auth/P (default: at
auth/TYPE). auth list prints the enabled auth methods (needs sudo on sys/auth).

  --path P              where to mount it (default TYPE)
  --description D       a description shown by auth list
)";
      break;
    case Verb::kSecrets:
      text = R"(Usage: vaultsyncctl [global flags] secrets enable [--path P] [--version 1|2] TYPE

Enables the secrets engine TYPE at P (default: at TYPE). TYPE kv with --version 2, or
kv-v2, is a versioned KV store, what VaultStaticSecret's type kv-v2 reads.

  --path P              where to mount it (default TYPE)
  --version 1|2         the kv engine's version (kv-v2 means kv with version 2)
  --description D       a description
)";
      break;
    case Verb::kWriteKubernetesConfig:
      text = R"(Usage: vaultsyncctl [global flags] write-kubernetes-config [--path P] --host URL
           [--ca-cert-file F] [--token-reviewer-jwt-file F] [--issuer I]

Writes auth/P/config of a kubernetes auth method: where Vault finds the API server to
review the ServiceAccount tokens it is given (TokenReview), the CA that signed the API
server's certificate, the token Vault reviews with (it needs system:auth-delegator; without
one Vault reviews each token with itself), and the issuer of the cluster's service-account
tokens (Vault 1.8 checks it). The JWT is never printed.

  --path P                      the auth method's mount (default kubernetes)
  --host URL                    the API server, e.g. https://10.0.0.1:443 (required)
  --ca-cert-file F              PEM file of the API server's CA
  --token-reviewer-jwt-file F   file holding the reviewer's JWT
  --issuer I                    service-account token issuer, e.g.
                                https://kubernetes.default.svc.cluster.local
)";
      break;
    case Verb::kRole:
      text = R"(Usage: vaultsyncctl [global flags] role write [--auth-path P] NAME KEY=VALUE...
       vaultsyncctl [global flags] role read [--auth-path P] NAME

role write creates or updates the role NAME of the auth method mounted at auth/P (default
kubernetes); each KEY=VALUE is sent as Vault's CLI sends it (lists as a,b; durations as
1h). role read prints the role's parameters.

kubernetes roles: bound_service_account_names=NAMES bound_service_account_namespaces=NSS
  audience=AUD token_policies=POLICIES token_ttl=TTL token_max_ttl=TTL
approle roles: token_policies=POLICIES token_ttl=TTL secret_id_ttl=TTL
  secret_id_num_uses=N bind_secret_id=true|false

  --auth-path P         the auth method's mount (default kubernetes)
)";
      break;
    case Verb::kAppRole:
      text =
          R"(Usage: vaultsyncctl [global flags] approle role-id [--auth-path P] NAME
       vaultsyncctl [global flags] approle secret-id [--auth-path P] --show-secret-id NAME

role-id prints the role_id of the AppRole NAME. secret-id makes a new secret_id for it and
prints it with its accessor and TTL: because the secret_id is a credential, it is printed
only with --show-secret-id or -o json (Vault's answer), and never logged.

  --auth-path P         the approle mount (default approle)
  --show-secret-id      print the new secret_id (required in text output)
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
