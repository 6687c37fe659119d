// How Vault 1.8's kubernetes auth method reads a login JWT before asking the API server:
// the compact JWS is split and decoded by the jose library, whose error texts reach the
// client verbatim ("not a compact JWS", Go's JSON decoding errors), and the ServiceAccount
// is taken from the claims (projected tokens' "kubernetes.io" object or the legacy
// "kubernetes.io/serviceaccount/..." claims). Signatures are checked here only against
// configured pem_keys (via emu::jwt); otherwise the TokenReview is the check.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "jwt.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/status.h"

namespace vaultsync::vaultemu {

struct ServiceAccountClaims {
  json::Document claims;  // all claims
  std::string iss;
  std::vector<std::string> aud;  // "aud" as a list (a string becomes one element)
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string secret_name;
  std::optional<int64_t> exp;
  std::optional<int64_t> nbf;
};

// Parses a login JWT without checking its signature. The error message is what Vault
// answers (with status 500) for the same input.
Result<ServiceAccountClaims> ParseLoginJwt(std::string_view jwt);

// Go's encoding/json error text for `text` that failed to parse
// ("invalid character '\u009e' looking for beginning of value", "unexpected end of JSON
// input").
std::string GoJsonError(std::string_view text);

// Public keys from pem_keys entries (PUBLIC KEY or CERTIFICATE blocks). Fails with Vault's
// "data does not contain any valid RSA or ECDSA public keys".
Result<std::vector<emu::jwt::RsaKey>> ParsePemKeys(const std::vector<std::string>& pems);

// Checks the signature against each key (and exp/nbf against `now`, as the jose library
// does once it verifies). Returns the error text Vault answers with on failure.
Status VerifyWithPemKeys(std::string_view jwt, const ServiceAccountClaims& claims,
                         const std::vector<emu::jwt::RsaKey>& keys, TimePoint now);

}  // namespace vaultsync::vaultemu
