// Who a VaultStaticSecret logs in to Vault as. Resolves its VaultAuth (same namespace or
// namespace/name, subject to allowedNamespaces), that VaultAuth's VaultConnection, and the
// operator's defaults into one VaultIdentity, and enforces the identity-safety rules: a
// resource in namespace A never gets a token for a ServiceAccount outside A, never uses a
// VaultAuth that does not allow A, and uses the operator's own identity only when allowed.
#pragma once

#include <string>

#include "controller/ports.h"

namespace vaultsync::controller {

// The operator's defaults (flags and VAULT_* environment).
struct OperatorDefaults {
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

// On success returns the identity; on failure fills *error and returns its status.
Result<VaultIdentity> ResolveIdentity(const VaultStaticSecret& vss, const Lister<VaultAuth>& auths,
                                      const Lister<VaultConnection>& connections,
                                      const OperatorDefaults& defaults, IdentityError* error);

}  // namespace vaultsync::controller
