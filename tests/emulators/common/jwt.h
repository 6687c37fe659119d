// JSON Web Tokens as Kubernetes issues them (RS256, JWS compact form). The kube emulator
// signs ServiceAccount tokens with it and reviews them; the Vault emulator parses login JWTs
// and, when configured with pem_keys, checks their signatures. Test-side code only: the
// operator never verifies JWTs, it just passes them on.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

namespace vaultsync::emu::jwt {

// An RSA key pair (or public key only). Cheap to copy (shared, immutable). Thread-safe.
class RsaKey {
 public:
  // A new 2048-bit key pair.
  static Result<RsaKey> Generate(int bits = 2048);
  static Result<RsaKey> FromPrivatePem(std::string_view pem);
  static Result<RsaKey> FromPublicPem(std::string_view pem);

  std::string PublicPem() const;
  std::string PrivatePem() const;  // empty for a public-only key
  // base64url(SHA-256(DER SubjectPublicKeyInfo)), the `kid` Kubernetes puts in its tokens.
  std::string KeyId() const;

  // RSASSA-PKCS1-v1_5 SHA-256 signature of `data` (raw bytes).
  Result<std::string> Sign(std::string_view data) const;
  bool Verify(std::string_view data, std::string_view signature) const;

  struct Pkey;

 private:
  std::shared_ptr<Pkey> key_;
  bool has_private_ = false;
};

// header_json and claims_json are JSON objects; returns
// "b64url(header).b64url(claims).b64url(sig)".
Result<std::string> SignRs256(const RsaKey& key, std::string_view header_json,
                              std::string_view claims_json);

// The decoded parts of a compact JWS, signature not checked.
struct Parsed {
  std::string header_json;
  std::string claims_json;
  std::string signing_input;  // "b64url(header).b64url(claims)"
  std::string signature;      // raw bytes
};

// Fails (kInvalidArgument) unless `token` has three dot-separated base64url parts; the
// header and claims must be base64url but are not parsed as JSON here (callers that need
// a specific error text for bad JSON parse them themselves).
Result<Parsed> ParseUnverified(std::string_view token);

// True when `token` is an RS256 JWS whose signature verifies with `key`.
bool VerifyRs256(std::string_view token, const RsaKey& key);

}  // namespace vaultsync::emu::jwt
