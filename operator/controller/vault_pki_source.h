// CertificateSource over the Vault client (vault/pki.h), on the identities VaultSecretSource
// already keeps (one client and one token per identity for every kind).
#pragma once

#include "controller/ports.h"
#include "controller/vault_secret_source.h"

namespace vaultsync::controller {

// Thread-safe. `vault` must outlive it.
class VaultPkiSource final : public CertificateSource {
 public:
  explicit VaultPkiSource(VaultSecretSource& vault) : vault_(vault) {}

  Result<IssuedCertificateData> Issue(const VaultIdentity& identity,
                                      const CertificateIssueRequest& request) override;
  Status Revoke(const VaultIdentity& identity, const std::string& mount,
                const std::string& serial_number) override;

 private:
  VaultSecretSource& vault_;
};

}  // namespace vaultsync::controller
