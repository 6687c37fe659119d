// Leased reads and lease calls on the shared Vault sessions.
#include "controller/vault_lease_source.h"

#include "controller/with_vault_session.h"
#include "vault/leases.h"

namespace vaultsync::controller {

Result<LeasedCredentials> VaultLeaseSource::Read(const VaultIdentity& identity,
                                                 const LeasedReadRequest& request) {
  auto read = WithVaultSession(vault_, identity, [&](const vault::Session& s) {
    return vault::ReadLeased(s, request.mount, request.path, request.post, request.params);
  });
  if (!read.ok()) return read.status();
  if (!read->lease_id.empty()) vault_.KeepTokenOf(identity);
  LeasedCredentials out;
  out.entries.reserve(read->data.size());
  for (auto& [k, v] : read->data) out.entries.push_back(KvEntry{k, v.is_string, std::move(v.text)});
  out.lease_id = std::move(read->lease_id);
  out.lease_duration = read->lease_duration;
  out.renewable = read->renewable;
  return out;
}

Result<LeaseLookupResult> VaultLeaseSource::Lookup(const VaultIdentity& identity,
                                                   const std::string& lease_id) {
  auto info = WithVaultSession(
      vault_, identity, [&](const vault::Session& s) { return vault::LookupLease(s, lease_id); });
  if (!info.ok()) return info.status();
  return LeaseLookupResult{info->ttl, info->renewable};
}

Result<LeaseRenewResult> VaultLeaseSource::Renew(const VaultIdentity& identity,
                                                 const std::string& lease_id,
                                                 std::chrono::seconds increment) {
  auto renewed = WithVaultSession(vault_, identity, [&](const vault::Session& s) {
    return vault::RenewLease(s, lease_id, increment);
  });
  if (!renewed.ok()) return renewed.status();
  return LeaseRenewResult{renewed->lease_duration, renewed->renewable};
}

Status VaultLeaseSource::Revoke(const VaultIdentity& identity, const std::string& lease_id) {
  auto revoked = WithVaultSession(vault_, identity, [&](const vault::Session& s) -> Result<bool> {
    VS_RETURN_IF_ERROR(vault::RevokeLease(s, lease_id));
    return true;
  });
  return revoked.status();
}

}  // namespace vaultsync::controller
