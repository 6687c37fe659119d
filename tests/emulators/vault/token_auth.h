// The auth/token/ endpoints: create (and create-orphan), lookup-self / lookup /
// lookup-accessor, renew-self / renew, revoke-self / revoke / revoke-accessor.
#pragma once

#include <string_view>

#include "backend.h"
#include "state.h"

namespace vaultsync::vaultemu {

// `sub` is the path below "auth/token/".
Reply HandleTokenAuth(State& s, Call& c, std::string_view sub);

// The answer of a successful login or token creation: the auth block of `t`.
Reply AuthReply(const Token& t, int64_t lease_duration_seconds,
                std::vector<std::string> warnings = {});

}  // namespace vaultsync::vaultemu
