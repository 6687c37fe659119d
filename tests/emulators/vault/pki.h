// The PKI secrets engine (mount type `pki`) with a real CA: root/generate/{internal,exported}
// (RSA or EC, common_name, ttl), DELETE root, roles/<name> (the 1.8 role fields; the name
// checks of allowed_domains, allow_subdomains, allow_bare_domains, allow_glob_domains,
// allow_any_name, allow_localhost, enforce_hostnames, allow_ip_sans, allowed_uri_sans),
// issue/<role> (certificates that `openssl verify -CAfile` accepts, TTL capped by the role's
// and the mount's max TTL, format pem/der/pem_bundle, private_key_format der/pem/pkcs8),
// revoke, ca and ca/pem (raw), cert/<serial>, LIST certs. Answers, nulls and error texts
// follow Vault 1.8's builtin/logical/pki, reconstructed from source and the API docs, not
// recorded. TTLs and validity periods use the emulator's clock.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "backend.h"
#include "state.h"
#include "x509.h"

namespace vaultsync::vaultemu {

class PkiBackend final : public Backend {
 public:
  PkiBackend(State& s, std::string mount_path) : s_(s), mount_(std::move(mount_path)) {}
  Reply Handle(Call& call) override;
  bool Exists(std::string_view rel) const override;
  // ca, ca/pem, ca_chain, crl, crl/pem and cert/* answer without a token, as in Vault.
  bool Unauthenticated(std::string_view rel) const override;

  struct Role {
    Duration ttl{0};
    Duration max_ttl{0};
    bool allow_localhost = true;
    std::vector<std::string> allowed_domains;
    bool allowed_domains_template = false;
    bool allow_bare_domains = false;
    bool allow_subdomains = false;
    bool allow_glob_domains = false;
    bool allow_any_name = false;
    bool enforce_hostnames = true;
    bool allow_ip_sans = true;
    std::vector<std::string> allowed_uri_sans;
    std::vector<std::string> allowed_other_sans;
    std::vector<std::string> allowed_serial_numbers;
    bool server_flag = true;
    bool client_flag = true;
    bool code_signing_flag = false;
    bool email_protection_flag = false;
    std::string key_type = "rsa";
    int64_t key_bits = 2048;
    std::vector<std::string> key_usage = {"DigitalSignature", "KeyAgreement", "KeyEncipherment"};
    std::vector<std::string> ext_key_usage;
    std::vector<std::string> ext_key_usage_oids;
    bool use_csr_common_name = true;
    bool use_csr_sans = true;
    std::vector<std::string> ou, organization, country, locality, province, street_address,
        postal_code, policy_identifiers;
    bool generate_lease = false;
    bool no_store = false;
    bool require_cn = true;
    bool basic_constraints_valid_for_non_ca = false;
    Duration not_before_duration{std::chrono::seconds(30)};
  };

 private:
  struct Issued {
    x509::Cert cert;
    int64_t revocation_time = 0;  // unix seconds; 0 = not revoked
    std::optional<TimePoint> revoked_at;
  };

  Reply GenerateRoot(Call& c, bool exported);
  Reply RoleOp(Call& c, const std::string& name);
  Reply Issue(Call& c, const std::string& role_name);
  Reply Revoke(Call& c);
  Reply Fetch(Call& c, const std::string& what);
  std::string NewSerial();
  Duration MountDefault() const;
  Duration MountMax() const;

  State& s_;
  std::string mount_;  // "pki/"
  x509::Key ca_key_;
  x509::Cert ca_cert_;
  std::string ca_serial_;
  std::map<std::string, Role> roles_;
  std::map<std::string, Issued> certs_;  // by serial "aa:bb:..."
};

}  // namespace vaultsync::vaultemu
