// Token attachment and the 403 re-check.
#include "vault/session.h"

namespace vaultsync::vault {

Session::Session(std::shared_ptr<TokenManager> tokens) : tokens_(std::move(tokens)) {}

Result<http::Response> Session::Send(Call call) const {
  VS_ASSIGN_OR_RETURN(call.token, tokens_->Token());
  auto resp = client().Send(call);
  if (resp.ok() || resp.status().http_status() != 403) return resp;
  auto retry = tokens_->OnForbidden(call.token);
  if (!retry.ok()) return retry.status();
  if (!*retry) return resp;
  VS_ASSIGN_OR_RETURN(call.token, tokens_->Token());
  return client().Send(call);
}

}  // namespace vaultsync::vault
