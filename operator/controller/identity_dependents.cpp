// Index values of the identity objects and the VaultConnection -> VaultAuth step.
#include "controller/identity_dependents.h"

namespace vaultsync::controller {

std::vector<std::string> AuthRefIndexValues(const AuthRef& ref) {
  if (ref.empty()) return {};
  return {ref.Key()};
}

std::vector<std::string> ConnectionRefIndexValues(const VaultAuth& auth) {
  if (auth.spec.connection_ref_name.empty()) return {};
  return {auth.spec.connection_ref_namespace + "/" + auth.spec.connection_ref_name};
}

std::vector<std::string> CredentialSecretIndexValues(const VaultAuth& auth) {
  const std::string& secret = auth.spec.CredentialSecret();
  if (secret.empty()) return {};
  return {auth.meta.namespace_ + "/" + secret};
}

std::vector<std::string> CaCertSecretIndexValues(const VaultConnection& conn) {
  if (conn.spec.ca_cert_secret_ref.empty()) return {};
  return {conn.meta.namespace_ + "/" + conn.spec.ca_cert_secret_ref};
}

std::vector<std::string> AuthsUsingConnection(const Lister<VaultAuth>& auths,
                                              const std::string& conn_key,
                                              const std::string& operator_namespace) {
  std::set<std::string> out;
  for (const auto& a : auths.ByIndex(kIndexVaultConnectionRef, conn_key)) out.insert(a->meta.Key());
  if (conn_key == operator_namespace + "/" + kDefaultObjectName) {
    // VaultAuths naming no connection use the default one (there are few VaultAuths).
    for (const auto& a : auths.List()) {
      if (a->spec.connection_ref_name.empty()) out.insert(a->meta.Key());
    }
  }
  return {out.begin(), out.end()};
}

}  // namespace vaultsync::controller
