// ServiceAccount tokens: the emulator's signing key, TokenRequest issuance (RS256 JWTs with
// the claims a v1.26 apiserver puts in them) and their verification for TokenReview and for
// authenticating API requests, with the apiserver's error texts.
//
// Thread-safe (immutable after construction).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "jwt.h"
#include "util/clock.h"
#include "util/status.h"

namespace vaultsync::kubeemu {

// The identity a valid token carries.
struct TokenIdentity {
  std::string ns;
  std::string sa_name;
  std::string sa_uid;
  std::vector<std::string> audiences;  // the token's own audiences
};

class TokenAuthority {
 public:
  // Generates a fresh RSA key.
  static Result<std::unique_ptr<TokenAuthority>> Create();

  // The issuer and default API audience of this "cluster".
  static constexpr const char* kIssuer = "https://kubernetes.default.svc.cluster.local";

  // A signed token for ServiceAccount ns/name (uid) valid from now for `seconds`.
  Result<std::string> Issue(const std::string& ns, const std::string& name, const std::string& uid,
                            const std::vector<std::string>& audiences, TimePoint now,
                            int64_t seconds) const;

  // Checks signature, issuer and time validity. On failure returns kUnauthenticated whose
  // message is the apiserver's TokenReview `status.error` text.
  Result<TokenIdentity> Verify(const std::string& token, TimePoint now) const;

  // The TokenReview error for a token whose audiences do not meet `wanted`, or "" if they do.
  static std::string AudienceError(const std::vector<std::string>& token_audiences,
                                   const std::vector<std::string>& wanted);

  const emu::jwt::RsaKey& key() const { return key_; }

 private:
  explicit TokenAuthority(emu::jwt::RsaKey key) : key_(std::move(key)) {}
  emu::jwt::RsaKey key_;
};

}  // namespace vaultsync::kubeemu
