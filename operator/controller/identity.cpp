// Identity resolution for VaultStaticSecrets.
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

void ApplyDefaultConnection(const OperatorDefaults& d, VaultIdentity& id) {
  id.address = d.vault_address;
  id.ca_pem = d.ca_pem;
  id.skip_tls_verify = d.skip_verify;
  id.vault_namespace = d.vault_namespace;
  id.timeout = d.timeout;
}

}  // namespace

Result<VaultIdentity> ResolveIdentity(const VaultStaticSecret& vss, const Lister<VaultAuth>& auths,
                                      const Lister<VaultConnection>& connections,
                                      const OperatorDefaults& defaults, IdentityError* error) {
  const std::string& ns = vss.meta.namespace_;
  VaultIdentity id;
  if (vss.spec.auth_ref_name.empty()) {
    // The operator's default auth: always the operator's own identity.
    if (defaults.vault_address.empty()) {
      return Fail(error, kReasonInvalidSpec,
                  InvalidArgument(
                      "spec.vaultAuthRef is empty and the operator has no default Vault address "
                      "(--default-vault-address / VAULT_ADDR)"),
                  true);
    }
    if (!defaults.allow_operator_identity) {
      // Whatever the default method, the default auth is the operator's own identity.
      return Fail(
          error, kReasonInvalidSpec,
          InvalidArgument("spec.vaultAuthRef is empty and the operator's own identity is disabled "
                          "(--allow-operator-identity=false); name a VaultAuth"),
          true);
    }
    ApplyDefaultConnection(defaults, id);
    id.method = defaults.auth_method;
    id.mount = defaults.auth_mount.empty() ? DefaultMount(id.method) : defaults.auth_mount;
    id.role = defaults.auth_role;
    id.metrics_label = "default";
    switch (id.method) {
      case AuthMethod::kKubernetes:
        if (id.role.empty()) {
          return Fail(
              error, kReasonInvalidSpec,
              InvalidArgument("spec.vaultAuthRef is empty and the operator has no default role "
                              "(--default-auth-role)"),
              true);
        }
        id.jwt_file = defaults.jwt_file;
        break;
      case AuthMethod::kToken:
        id.literal_token = defaults.vault_token;
        if (id.literal_token.empty()) {
          return Fail(error, kReasonInvalidSpec,
                      InvalidArgument(
                          "the operator's default auth method is token but VAULT_TOKEN is not set"),
                      true);
        }
        break;
      case AuthMethod::kAppRole:
        return Fail(error, kReasonInvalidSpec,
                    InvalidArgument(
                        "the operator's default auth method appRole needs a VaultAuth; name one in "
                        "spec.vaultAuthRef"),
                    true);
    }
    id.key = "default|" + id.address + "|" + std::string(AuthMethodName(id.method)) + "|" +
             id.mount + "|" + id.role;
    return id;
  }

  const std::string auth_key = vss.spec.auth_ref_namespace + "/" + vss.spec.auth_ref_name;
  auto auth = auths.Get(auth_key);
  if (auth == nullptr) {
    // Not terminal: it may be created later (its creation also re-queues us).
    return Fail(error, kReasonAuthNotFound, NotFound("VaultAuth " + auth_key + " not found"),
                false);
  }
  if (!auth->AllowsNamespace(ns)) {
    return Fail(error, kReasonNamespaceNotAllowed,
                Status(StatusCode::kPermissionDenied, "VaultAuth " + auth_key +
                                                          " does not allow namespace " + ns +
                                                          " (spec.allowedNamespaces)"),
                true);
  }
  if (!auth->spec_error.ok()) {
    return Fail(
        error, kReasonInvalidSpec,
        InvalidArgument("VaultAuth " + auth_key + " is invalid: " + auth->spec_error.message()),
        true);
  }
  const VaultAuthSpec& a = auth->spec;
  std::string conn_key = "default";
  if (a.vault_connection_ref.empty()) {
    if (defaults.vault_address.empty()) {
      return Fail(error, kReasonInvalidSpec,
                  InvalidArgument(
                      "VaultAuth " + auth_key +
                      " names no VaultConnection and the operator has no default Vault address"),
                  true);
    }
    ApplyDefaultConnection(defaults, id);
  } else {
    // A VaultConnection lives in the VaultAuth's namespace.
    std::string ck = auth->meta.namespace_ + "/" + a.vault_connection_ref;
    auto conn = connections.Get(ck);
    if (conn == nullptr) {
      return Fail(error, kReasonConnectionNotFound,
                  NotFound("VaultConnection " + ck + " not found"), false);
    }
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
    conn_key = ck + "@" + conn->meta.uid + ":" + std::to_string(conn->meta.generation);
  }
  id.method = a.method;
  id.mount = a.mount;
  id.role = a.role;
  id.metrics_label = auth_key;
  std::string who;
  switch (a.method) {
    case AuthMethod::kKubernetes:
      id.audiences = a.audiences;
      id.token_expiration_seconds = a.token_expiration_seconds;
      if (!a.service_account.empty()) {
        // Tenant identity: always a ServiceAccount of the consuming resource's namespace.
        id.token_sa_namespace = ns;
        id.token_sa_name = a.service_account;
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
  id.key = "auth=" + auth_key + "@" + auth->meta.uid + ":" + std::to_string(auth->meta.generation) +
           "|conn=" + conn_key + "|" + who;
  return id;
}

}  // namespace vaultsync::controller
