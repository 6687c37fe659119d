// How the kubernetes auth method asks a Kubernetes API server whether a ServiceAccount JWT
// is valid: a TokenReview (POST /apis/authentication.k8s.io/v1/tokenreviews). An interface
// so unit tests of the login logic can answer reviews without a network.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "util/status.h"

namespace vaultsync::vaultemu {

struct TokenReviewRequest {
  std::string host;    // kubernetes_host, e.g. "https://127.0.0.1:6443"
  std::string ca_pem;  // kubernetes_ca_cert (empty = system roots)
  std::string bearer;  // token_reviewer_jwt, or the login JWT itself when none is set
  std::string jwt;     // the token under review
  std::vector<std::string> audiences;  // the role's audience, if any
};

struct TokenReviewResult {
  bool authenticated = false;
  std::string error;     // status.error
  std::string username;  // "system:serviceaccount:NS:NAME"
  std::string uid;
};

class TokenReviewer {
 public:
  virtual ~TokenReviewer() = default;
  // The review's status; an error when the API could not be asked or refused (401/403),
  // which the login turns into 403 permission denied as Vault does.
  virtual Result<TokenReviewResult> Review(const TokenReviewRequest& req) = 0;
};

// Reviews over HTTP(S) with operator/http's transport. Thread-safe.
std::unique_ptr<TokenReviewer> NewHttpTokenReviewer();

}  // namespace vaultsync::vaultemu
