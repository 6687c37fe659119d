// The PKI secrets engine calls the operator's VaultPKISecret makes: issue a certificate for a
// role (Vault generates the key) and revoke one by serial number. Every call goes through a
// Session; the mount and role are given as users write them ("pki", "web").
//
// Errors are those of Session::Send, with Vault's own words: a name the role does not allow
// is kInvalidArgument ("common name foo.other not allowed by this role"), an unknown role
// too ("unknown role: web"); kPermissionDenied, kUnavailable, ... as for every call.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"
#include "vault/session.h"

namespace vaultsync::vault {

struct CertificateRequest {
  std::string common_name;
  std::vector<std::string> alt_names;  // DNS names and email addresses
  std::vector<std::string> ip_sans;
  std::vector<std::string> uri_sans;
  std::optional<std::chrono::seconds> ttl;  // absent: the role's
  // Vault's private_key_format: "der" (Vault's default; with format pem the key is PEM of
  // its PKCS #1 or SEC 1 DER) or "pkcs8".
  std::string private_key_format = "der";
};

struct IssuedCertificate {
  std::string certificate;  // PEM
  std::string issuing_ca;   // PEM
  // PEM blocks of the chain above the certificate; empty when Vault sends none (1.8 sends no
  // ca_chain for a certificate issued straight from a root CA).
  std::vector<std::string> ca_chain;
  std::string private_key;  // PEM; secret
  std::string private_key_type;
  std::string serial_number;  // "39:dd:2e:..."
  int64_t expiration = 0;     // notAfter, Unix seconds
};

// POST <mount>/issue/<role> with format "pem". The list parameters are sent as
// comma-separated strings, the form every Vault version accepts for them.
Result<IssuedCertificate> IssueCertificate(const Session& s, std::string_view mount,
                                           std::string_view role, const CertificateRequest& req);

// POST <mount>/revoke {"serial_number"}. kNotFound for a serial Vault does not know (its 400
// "certificate with serial ... not found").
Status RevokeCertificate(const Session& s, std::string_view mount, std::string_view serial);

}  // namespace vaultsync::vault
