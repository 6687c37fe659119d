// Who a resource logs in to Vault as. Resolves its vaultAuthRef (same namespace or
// namespace/name, subject to allowedNamespaces), that VaultAuth's VaultConnection, and the
// operator's defaults into one VaultIdentity, and enforces the identity-safety rules: a
// resource in namespace A never gets a token for a ServiceAccount outside A, never uses a
// VaultAuth that does not allow A, and uses the operator's own identity only when allowed.
// Every kind that reads or writes Vault resolves its identity here.
//
// Precedence, as VSO users expect it:
//   VaultAuth: spec.vaultAuthRef, else the VaultAuth named "default" in the operator's
//   namespace when it exists, else the operator's flags (--default-auth-*).
//   VaultConnection (for a VaultAuth without vaultConnectionRef, and for the flags' default
//   auth): the VaultConnection named "default" in the operator's namespace when it exists,
//   else the operator's flags (--default-vault-address, VAULT_CACERT, ...).
// The default VaultAuth obeys its allowedNamespaces like any other (unset: only the
// operator's namespace), so a cluster admin decides which namespaces may use it.
#pragma once

#include <string>

#include "controller/ports.h"

namespace vaultsync::controller {

// The operator's defaults (flags and VAULT_* environment).
struct OperatorDefaults {
  // Where the "default" VaultAuth and VaultConnection are looked for.
  std::string operator_namespace;
  std::string vault_address;    // --default-vault-address / VAULT_ADDR
  std::string ca_pem;           // contents of VAULT_CACERT
  bool skip_verify = false;     // VAULT_SKIP_VERIFY
  std::string vault_namespace;  // VAULT_NAMESPACE
  std::chrono::milliseconds timeout{30000};
  AuthMethod auth_method = AuthMethod::kKubernetes;  // --default-auth-method
  std::string auth_mount;                            // --default-auth-mount (default: method's)
  std::string auth_role;                             // --default-auth-role
  std::string vault_token;                           // VAULT_TOKEN, for method token
  std::string jwt_file;                 // the operator's projected service-account token
  bool allow_operator_identity = true;  // --allow-operator-identity
};

// Why resolution failed, as a condition reason.
inline constexpr const char* kReasonInvalidSpec = "InvalidSpec";
inline constexpr const char* kReasonNamespaceNotAllowed = "NamespaceNotAllowed";
inline constexpr const char* kReasonAuthNotFound = "AuthNotFound";
inline constexpr const char* kReasonConnectionNotFound = "ConnectionNotFound";

struct IdentityError {
  std::string reason;
  Status status;
  bool terminal;  // retrying cannot help until an object changes
};

// The name of the implicit VaultAuth / VaultConnection in the operator's namespace.
inline constexpr const char* kDefaultObjectName = "default";

// The identity of a resource in namespace `consumer_ns` whose vaultAuthRef is `ref`. On
// success returns it; on failure fills *error and returns its status.
Result<VaultIdentity> ResolveIdentity(const std::string& consumer_ns, const AuthRef& ref,
                                      const Lister<VaultAuth>& auths,
                                      const Lister<VaultConnection>& connections,
                                      const OperatorDefaults& defaults, IdentityError* error);

}  // namespace vaultsync::controller
