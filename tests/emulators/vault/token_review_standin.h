// A stand-in for the one kube-apiserver call the Vault emulator makes: TokenReview. It
// verifies RS256 ServiceAccount JWTs with its key and answers like kube-apiserver v1.26
// (tests/fixtures/kube-apiserver-1.26 065-068: 201 with status.authenticated and user, or
// status.error for an expired token or a token not issued for the requested audiences). It
// records the bearer token and audiences of each review so tests can check what the
// emulator sent. Test-only; served over HTTP on 127.0.0.1 with a port of its own.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http_server.h"
#include "jwt.h"

namespace vaultsync::vaultemu::testing {

class TokenReviewStandIn {
 public:
  struct Seen {
    std::string bearer;
    std::vector<std::string> audiences;
  };

  // Serves until destroyed. Fails when it cannot listen.
  static Result<std::unique_ptr<TokenReviewStandIn>> Start(const emu::jwt::RsaKey& key,
                                                           const emu::ServerOptions& options = {});

  const std::string& url() const { return server_->url(); }
  std::vector<Seen> seen() const;

 private:
  TokenReviewStandIn(const emu::jwt::RsaKey& key) : key_(key) {}
  emu::ServerResponse Review(const emu::ServerRequest& req);

  emu::jwt::RsaKey key_;
  mutable std::mutex mu_;
  std::vector<Seen> seen_;
  std::unique_ptr<emu::HttpServer> server_;
};

}  // namespace vaultsync::vaultemu::testing
