// Identity resolution for every kind that talks to Vault.
#include "controller/identity.h"

namespace vaultsync::controller {
namespace {

Status Fail(IdentityError* e, const char* reason, Status st, bool terminal) {
  if (e != nullptr) *e = IdentityError{reason, st, terminal};
  return st;
}

std::string DefaultMount(AuthMethod m) {
  switch (m) {
    case AuthMethod::kKubernetes:
      return "kubernetes";
    case AuthMethod::kAppRole:
      return "approle";
    case AuthMethod::kToken:
      return "token";
  }
  return "kubernetes";
}

std::string DefaultKey(const OperatorDefaults& d) {
  return d.operator_namespace + "/" + kDefaultObjectName;
}

// Fills the connection part of `id` from `conn`, or (conn == nullptr) from the flags.
// Returns a fingerprint of where it came from for the identity key.
Result<std::string> ApplyConnection(const std::shared_ptr<const VaultConnection>& conn,
                                    const OperatorDefaults& d, const std::string& needed_by,
                                    VaultIdentity& id, IdentityError* error) {
  if (conn == nullptr) {
    if (d.vault_address.empty()) {
      return Fail(
          error, kReasonInvalidSpec,
          InvalidArgument(needed_by + " names no VaultConnection, there is no VaultConnection \"" +
                          kDefaultObjectName + "\" in the operator's namespace " +
                          d.operator_namespace +
                          ", and the operator has no default Vault address "
                          "(--default-vault-address / VAULT_ADDR)"),
          true);
    }
    id.address = d.vault_address;
    id.ca_pem = d.ca_pem;
    id.skip_tls_verify = d.skip_verify;
    id.vault_namespace = d.vault_namespace;
    id.timeout = d.timeout;
    return std::string("flags");
  }
  const std::string ck = conn->meta.Key();
  if (!conn->spec_error.ok()) {
    return Fail(
        error, kReasonInvalidSpec,
        InvalidArgument("VaultConnection " + ck + " is invalid: " + conn->spec_error.message()),
        true);
  }
  const VaultConnectionSpec& c = conn->spec;
  id.address = c.address;
  if (!c.ca_cert_secret_ref.empty()) {
    id.ca_secret_namespace = conn->meta.namespace_;
    id.ca_secret_name = c.ca_cert_secret_ref;
  }
  id.tls_server_name = c.tls_server_name;
  id.skip_tls_verify = c.skip_tls_verify;
  id.vault_namespace = c.vault_namespace;
  id.headers = c.headers;
  id.timeout = c.timeout;
  return ck + "@" + conn->meta.uid.str() + ":" + std::to_string(conn->meta.generation);
}

// The operator's own identity from its flags (no VaultAuth anywhere applies).
Result<VaultIdentity> FlagsIdentity(const Lister<VaultConnection>& connections,
                                    const OperatorDefaults& d, IdentityError* error) {
  if (!d.allow_operator_identity) {
    // Whatever the default method, the default auth is the operator's own identity.
    return Fail(error, kReasonInvalidSpec,
                InvalidArgument("spec.vaultAuthRef is empty, there is no VaultAuth \"" +
                                std::string(kDefaultObjectName) +
                                "\" in the operator's namespace, and the operator's own "
                                "identity is disabled (--allow-operator-identity=false); name "
                                "a VaultAuth"),
                true);
  }
  VaultIdentity id;
  auto conn = d.operator_namespace.empty() ? nullptr : connections.Get(DefaultKey(d));
  VS_ASSIGN_OR_RETURN(std::string conn_fp,
                      ApplyConnection(conn, d,
                                      "spec.vaultAuthRef is empty (so the operator's "
                                      "default auth applies), which",
                                      id, error));
  id.method = d.auth_method;
  id.mount = d.auth_mount.empty() ? DefaultMount(id.method) : d.auth_mount;
  id.role = d.auth_role;
  id.metrics_label = "default";
  id.metrics_namespace = d.operator_namespace;
  switch (id.method) {
    case AuthMethod::kKubernetes:
      if (id.role.empty()) {
        return Fail(error, kReasonInvalidSpec,
                    InvalidArgument("spec.vaultAuthRef is empty and the operator has no default "
                                    "role (--default-auth-role) and no VaultAuth \"" +
                                    std::string(kDefaultObjectName) + "\" in its namespace"),
                    true);
      }
      id.jwt_file = d.jwt_file;
      break;
    case AuthMethod::kToken:
      id.literal_token = d.vault_token;
      if (id.literal_token.empty()) {
        return Fail(error, kReasonInvalidSpec,
                    InvalidArgument(
                        "the operator's default auth method is token but VAULT_TOKEN is not set"),
                    true);
      }
      break;
    case AuthMethod::kAppRole:
      return Fail(error, kReasonInvalidSpec,
                  InvalidArgument("the operator's default auth method appRole needs a VaultAuth; "
                                  "name one in spec.vaultAuthRef"),
                  true);
  }
  id.key = "default|conn=" + conn_fp + "|" + std::string(AuthMethodName(id.method)) + "|" +
           id.mount + "|" + id.role;
  return id;
}

}  // namespace

Result<VaultIdentity> ResolveIdentity(const std::string& ns, const AuthRef& ref,
                                      const Lister<VaultAuth>& auths,
                                      const Lister<VaultConnection>& connections,
                                      const OperatorDefaults& defaults, IdentityError* error) {
  std::shared_ptr<const VaultAuth> auth;
  std::string auth_key;
  if (!ref.empty()) {
    auth_key = ref.Key();
    auth = auths.Get(auth_key);
    if (auth == nullptr) {
      // Not terminal: it may be created later (its creation also re-queues us).
      return Fail(error, kReasonAuthNotFound, NotFound("VaultAuth " + auth_key + " not found"),
                  false);
    }
  } else if (!defaults.operator_namespace.empty()) {
    auth_key = DefaultKey(defaults);
    auth = auths.Get(auth_key);
  }
  if (auth == nullptr) return FlagsIdentity(connections, defaults, error);

  if (!auth->AllowsNamespace(ns)) {
    std::string why = ref.empty() ? "the default VaultAuth " + auth_key : "VaultAuth " + auth_key;
    return Fail(error, kReasonNamespaceNotAllowed,
                Status(StatusCode::kPermissionDenied,
                       why + " does not allow namespace " + ns + " (spec.allowedNamespaces)"),
                true);
  }
  if (!auth->spec_error.ok()) {
    return Fail(
        error, kReasonInvalidSpec,
        InvalidArgument("VaultAuth " + auth_key + " is invalid: " + auth->spec_error.message()),
        true);
  }
  const VaultAuthSpec& a = auth->spec;
  VaultIdentity id;
  std::shared_ptr<const VaultConnection> conn;
  if (!a.connection_ref_name.empty()) {
    std::string ck = a.connection_ref_namespace + "/" + a.connection_ref_name;
    conn = connections.Get(ck);
    if (conn == nullptr) {
      return Fail(error, kReasonConnectionNotFound,
                  NotFound("VaultConnection " + ck + " not found"), false);
    }
  } else if (!defaults.operator_namespace.empty()) {
    conn = connections.Get(DefaultKey(defaults));
  }
  VS_ASSIGN_OR_RETURN(std::string conn_fp,
                      ApplyConnection(conn, defaults, "VaultAuth " + auth_key, id, error));
  id.method = a.method;
  id.mount = a.mount;
  id.role = a.role;
  id.metrics_label = auth_key;
  id.metrics_namespace = auth->meta.namespace_;
  std::string who;
  switch (a.method) {
    case AuthMethod::kKubernetes:
      id.audiences = a.audiences;
      id.token_expiration_seconds = a.token_expiration_seconds;
      if (!a.service_account.empty()) {
        // Tenant identity: always a ServiceAccount of the consuming resource's namespace.
        id.token_sa_namespace = ns;
        id.token_sa_name = a.service_account;
        id.metrics_namespace = ns;
        who = "sa=" + ns + "/" + a.service_account;
      } else {
        if (!defaults.allow_operator_identity) {
          return Fail(error, kReasonInvalidSpec,
                      InvalidArgument(
                          "VaultAuth " + auth_key +
                          " has no kubernetes.serviceAccount and the operator's own identity is "
                          "disabled (--allow-operator-identity=false)"),
                      true);
        }
        id.jwt_file = defaults.jwt_file;
        who = "operator";
      }
      break;
    case AuthMethod::kAppRole:
      id.role_id = a.role_id;
      id.auth_secret_namespace = auth->meta.namespace_;
      id.auth_secret_name = a.approle_secret_ref;
      id.auth_secret_key = "id";
      who = "approle";
      break;
    case AuthMethod::kToken:
      id.auth_secret_namespace = auth->meta.namespace_;
      id.auth_secret_name = a.token_secret_ref;
      id.auth_secret_key = "token";
      who = "token";
      break;
  }
  id.key = "auth=" + auth_key + "@" + auth->meta.uid.str() + ":" +
           std::to_string(auth->meta.generation) + "|conn=" + conn_fp + "|" + who;
  return id;
}

}  // namespace vaultsync::controller
