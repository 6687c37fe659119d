// PKI calls on the shared Vault sessions.
#include "controller/vault_pki_source.h"

#include "controller/with_vault_session.h"
#include "vault/pki.h"

namespace vaultsync::controller {

Result<IssuedCertificateData> VaultPkiSource::Issue(const VaultIdentity& identity,
                                                    const CertificateIssueRequest& request) {
  vault::CertificateRequest req;
  req.common_name = request.common_name;
  req.alt_names = request.alt_names;
  req.ip_sans = request.ip_sans;
  req.uri_sans = request.uri_sans;
  req.ttl = request.ttl;
  req.private_key_format = request.pkcs1 ? "der" : "pkcs8";
  auto issued = WithVaultSession(vault_, identity, [&](const vault::Session& s) {
    return vault::IssueCertificate(s, request.mount, request.role, req);
  });
  if (!issued.ok()) return issued.status();
  IssuedCertificateData out;
  out.certificate = std::move(issued->certificate);
  out.issuing_ca = std::move(issued->issuing_ca);
  out.ca_chain = std::move(issued->ca_chain);
  out.private_key = std::move(issued->private_key);
  out.serial_number = std::move(issued->serial_number);
  return out;
}

Status VaultPkiSource::Revoke(const VaultIdentity& identity, const std::string& mount,
                              const std::string& serial_number) {
  auto revoked = WithVaultSession(vault_, identity, [&](const vault::Session& s) -> Result<bool> {
    Status st = vault::RevokeCertificate(s, mount, serial_number);
    // A certificate Vault does not know (tidied away) is as good as revoked.
    if (!st.ok() && st.code() != StatusCode::kNotFound) return st;
    return true;
  });
  return revoked.status();
}

}  // namespace vaultsync::controller
