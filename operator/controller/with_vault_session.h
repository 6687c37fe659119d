// One Vault call made as an identity on the sessions VaultSecretSource keeps, retried once
// when it failed on TLS because the CA Secret had been rotated (the client is rebuilt), as
// VaultSecretSource::Read does for KV reads. Shared by the lease and PKI sources.
#pragma once

#include <utility>

#include "controller/vault_secret_source.h"

namespace vaultsync::controller {

// `call(const vault::Session&)` returns a Result<T>.
template <typename Fn>
auto WithVaultSession(VaultSecretSource& vault, const VaultIdentity& identity, Fn call)
    -> decltype(call(std::declval<const vault::Session&>())) {
  auto session = vault.SessionFor(identity);
  if (!session.ok()) return session.status();
  auto result = call(*session);
  if (!result.ok() && vault.RebuiltAfterFailure(identity, result.status())) {
    session = vault.SessionFor(identity);
    if (!session.ok()) return session.status();
    result = call(*session);
  }
  return result;
}

}  // namespace vaultsync::controller
