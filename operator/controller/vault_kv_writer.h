// KvWriter (ports.h) over the Vault client: VaultPushSecret's reads of the current state,
// writes and deletes, made through VaultSecretSource::SessionFor so that they share each
// identity's client and token with every other Vault call of the operator (one login per
// identity). Nothing here is cached: a push decides on what Vault says now.
//
// Leadership: no write or delete starts once `stop` has fired (the manager's abort flag,
// raised when the lease is lost or shutdown runs out of time); the same flag, given to every
// Vault client, also cancels requests in flight.
#pragma once

#include "controller/ports.h"
#include "controller/vault_secret_source.h"
#include "http/transport.h"

namespace vaultsync::controller {

// Thread-safe (VaultSecretSource is).
class VaultKvWriter final : public KvWriter {
 public:
  // `source` and `stop` must outlive this object; `stop` may be null.
  VaultKvWriter(VaultSecretSource& source, const http::CancelFlag* stop)
      : source_(source), stop_(stop) {}

  Result<KvState> ReadCurrent(const VaultIdentity& identity, const KvTarget& target) override;
  Result<int64_t> Write(const VaultIdentity& identity, const KvTarget& target,
                        const SecretData& data, std::optional<int64_t> cas) override;
  Status Delete(const VaultIdentity& identity, const KvTarget& target) override;

 private:
  // Runs `call` with the identity's session; once more when it failed on TLS and the CA
  // Secret had changed (the client was rebuilt). kCancelled without calling when stopped.
  template <typename T>
  Result<T> WithSession(const VaultIdentity& identity, bool writes,
                        const std::function<Result<T>(const vault::Session&)>& call);

  VaultSecretSource& source_;
  const http::CancelFlag* stop_;
};

}  // namespace vaultsync::controller
