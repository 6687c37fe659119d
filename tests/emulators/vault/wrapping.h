// Response wrapping as Vault 1.8 does it. A request with `X-Vault-Wrap-TTL` whose answer is
// a response envelope gets, instead of that answer, a single-use token (policy
// "response-wrapping", num_uses 1, TTL and explicit max TTL = the wrap TTL) and an envelope
// whose only non-null member is `wrap_info`; the original answer, as Go's json.Marshal wrote
// it (with its request id), waits in the token's cubbyhole. sys/wrapping/unwrap hands that
// exact text back once; sys/wrapping/lookup tells its creation path, time and TTL;
// sys/wrapping/wrap wraps the request body itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "backend.h"
#include "state.h"

namespace vaultsync::vaultemu {

// The X-Vault-Wrap-TTL header: nullopt when absent or zero (no wrapping). Fails with the
// text of Vault's 400 ("error parsing X-Vault-Wrap-TTL header: ...").
Result<std::optional<Duration>> ParseWrapTtl(const ServerRequest& req);

// Replaces a successful envelope answer by its wrapped form (see above); `request_id` is
// the id the original answer carries once unwrapped. Answers that are not envelopes are
// returned unchanged.
Reply WrapReply(State& s, const Call& c, Reply reply, const std::string& request_id, Duration ttl);

// Vault checks the wrapping token of sys/wrapping/{lookup,unwrap,rewrap} before anything
// else (seal aside): the token in the body ("token") or else X-Vault-Token must be a live
// response-wrapping token. nullopt when it is; otherwise the 400 (or 503) to answer.
std::optional<Reply> CheckWrappingToken(State& s, const Call& c, std::string_view header_token);

// Whether `path` is one of the paths CheckWrappingToken guards.
bool IsWrappingTokenPath(std::string_view path);

// sys/wrapping/<sub>: wrap, unwrap, lookup. `wrap_ttl` is the request's wrap TTL (wrap
// needs one).
Reply HandleSysWrapping(State& s, Call& c, std::string_view sub, std::optional<Duration> wrap_ttl);

// The built-in policy of wrapping tokens.
std::string_view ResponseWrappingPolicyText();

}  // namespace vaultsync::vaultemu
