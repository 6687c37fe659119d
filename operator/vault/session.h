// A Client used as one identity: every authenticated request (KV, policies, mount detection)
// goes through Session::Send, which adds the identity's token and handles a 403 the one
// correct way — ask the TokenManager whether the token died, and if so retry once with a new
// one — so that no KV or sys function repeats that dance.
#pragma once

#include <memory>

#include "util/status.h"
#include "vault/client.h"
#include "vault/token_manager.h"

namespace vaultsync::vault {

// Cheap to copy; thread-safe (both parts are).
class Session {
 public:
  // `tokens` must have been built over the same client.
  explicit Session(std::shared_ptr<TokenManager> tokens);

  // Sends `call` with the identity's token (call.token is overwritten). Errors as
  // Client::Send, plus TokenManager::Token's when no token can be had. After a 403 the
  // request is retried at most once, and only when the token was found dead and replaced;
  // otherwise the 403 stands (kPermissionDenied).
  Result<http::Response> Send(Call call) const;

  const Client& client() const { return tokens_->client(); }
  TokenManager& tokens() const { return *tokens_; }

 private:
  std::shared_ptr<TokenManager> tokens_;
};

}  // namespace vaultsync::vault
