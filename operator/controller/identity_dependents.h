// Who depends on an identity object. A resource that talks to Vault depends on its
// VaultAuth (named, or the "default" one in the operator's namespace), that VaultAuth's
// VaultConnection, and the Secrets those name (CA, AppRole secret ID, token). When any of
// these changes, exactly the resources using it must be reconciled again — found through
// field indexes of the informer caches (controller-runtime's IndexField), so the cost is
// proportional to the objects affected, never a scan of 10,000 resources. (Only a change
// to a "default" object reaches the resources that name no VaultAuth, which is all of them
// that fall back to it.)
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "controller/identity.h"
#include "controller/ports.h"

namespace vaultsync::controller {

// The field indexes, by the field they index. Values are "namespace/name" keys.
// On every kind that names a VaultAuth: the VaultAuth named (nothing when none is).
inline constexpr const char* kIndexVaultAuthRef = "spec.vaultAuthRef";
// On VaultAuth: the VaultConnection named (nothing when none is).
inline constexpr const char* kIndexVaultConnectionRef = "spec.vaultConnectionRef";
// On VaultAuth: the Secret holding its AppRole secret ID or token.
inline constexpr const char* kIndexCredentialSecret = "spec.credentialSecretRef";
// On VaultConnection: the Secret holding its CA certificate.
inline constexpr const char* kIndexCaCertSecret = "spec.caCertSecretRef";

std::vector<std::string> AuthRefIndexValues(const AuthRef& ref);
std::vector<std::string> ConnectionRefIndexValues(const VaultAuth& auth);
std::vector<std::string> CredentialSecretIndexValues(const VaultAuth& auth);
std::vector<std::string> CaCertSecretIndexValues(const VaultConnection& conn);

// The VaultAuths whose identity uses VaultConnection `conn_key` (by name, or as the default
// one when `conn_key` is the operator namespace's "default").
std::vector<std::string> AuthsUsingConnection(const Lister<VaultAuth>& auths,
                                              const std::string& conn_key,
                                              const std::string& operator_namespace);

// The keys of one consuming kind (T has `meta` and an AuthRef at `auth_ref(t)`) affected by
// a change to a VaultAuth, a VaultConnection or a referenced Secret. Thread-safe.
template <typename T>
class IdentityDependents {
 public:
  using AuthRefOf = std::function<const AuthRef&(const T&)>;

  IdentityDependents(const Lister<T>& consumers, const Lister<VaultAuth>& auths,
                     const Lister<VaultConnection>& connections, std::string operator_namespace,
                     AuthRefOf auth_ref)
      : consumers_(consumers),
        auths_(auths),
        connections_(connections),
        default_key_(operator_namespace + "/" + kDefaultObjectName),
        operator_namespace_(std::move(operator_namespace)),
        auth_ref_(std::move(auth_ref)) {}

  std::vector<std::string> OfAuth(const std::string& auth_key) const {
    std::set<std::string> out;
    AddUsersOfAuth(auth_key, out);
    return {out.begin(), out.end()};
  }
  std::vector<std::string> OfConnection(const std::string& conn_key) const {
    std::set<std::string> out;
    AddUsersOfConnection(conn_key, out);
    return {out.begin(), out.end()};
  }
  // `secret_key`: a Secret named by a VaultConnection (CA) or a VaultAuth (credential).
  std::vector<std::string> OfSecret(const std::string& secret_key) const {
    std::set<std::string> out;
    for (const auto& c : connections_.ByIndex(kIndexCaCertSecret, secret_key))
      AddUsersOfConnection(c->meta.Key(), out);
    for (const auto& a : auths_.ByIndex(kIndexCredentialSecret, secret_key))
      AddUsersOfAuth(a->meta.Key(), out);
    return {out.begin(), out.end()};
  }

 private:
  // Resources naming no VaultAuth: they use the default one, or the operator's flags with
  // the default VaultConnection. A scan, but only for a change to a "default" object.
  void AddRefless(std::set<std::string>& out) const {
    for (const auto& c : consumers_.List()) {
      if (auth_ref_(*c).empty()) out.insert(c->meta.Key());
    }
  }
  void AddUsersOfAuth(const std::string& auth_key, std::set<std::string>& out) const {
    for (const auto& c : consumers_.ByIndex(kIndexVaultAuthRef, auth_key))
      out.insert(c->meta.Key());
    if (auth_key == default_key_) AddRefless(out);
  }
  void AddUsersOfConnection(const std::string& conn_key, std::set<std::string>& out) const {
    for (const auto& a : AuthsUsingConnection(auths_, conn_key, operator_namespace_))
      AddUsersOfAuth(a, out);
    if (conn_key == default_key_) AddRefless(out);
  }

  const Lister<T>& consumers_;
  const Lister<VaultAuth>& auths_;
  const Lister<VaultConnection>& connections_;
  const std::string default_key_;
  const std::string operator_namespace_;
  AuthRefOf auth_ref_;
};

}  // namespace vaultsync::controller
