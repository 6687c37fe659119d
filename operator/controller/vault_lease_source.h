// LeaseSource over the Vault client (vault/leases.h), on the identities VaultSecretSource
// already keeps: the same client and token per identity as every read, so a VaultDynamicSecret
// logs in no more than a VaultStaticSecret with the same identity. Credentials are never
// shared between resources or cached: each Read mints a set.
#pragma once

#include "controller/ports.h"
#include "controller/vault_secret_source.h"

namespace vaultsync::controller {

// Thread-safe. `vault` must outlive it.
class VaultLeaseSource final : public LeaseSource {
 public:
  explicit VaultLeaseSource(VaultSecretSource& vault) : vault_(vault) {}

  Result<LeasedCredentials> Read(const VaultIdentity& identity,
                                 const LeasedReadRequest& request) override;
  Result<LeaseLookupResult> Lookup(const VaultIdentity& identity,
                                   const std::string& lease_id) override;
  Result<LeaseRenewResult> Renew(const VaultIdentity& identity, const std::string& lease_id,
                                 std::chrono::seconds increment) override;
  Status Revoke(const VaultIdentity& identity, const std::string& lease_id) override;

 private:
  VaultSecretSource& vault_;
};

}  // namespace vaultsync::controller
