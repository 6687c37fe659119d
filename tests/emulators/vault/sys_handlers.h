// Handlers of the sys/ paths, grouped by concern in sys_mounts.cpp (sys/mounts, sys/auth,
// sys/internal/ui/mounts), sys_policies.cpp (sys/policies/acl, sys/policy) and
// sys_seal.cpp (sys/health, sys/seal-status, sys/seal, sys/unseal). Each takes the path
// below its prefix (`sub`, without a leading '/').
#pragma once

#include <string_view>

#include "backend.h"
#include "state.h"

namespace vaultsync::vaultemu {

Reply HandleSysMounts(State& s, Call& c, std::string_view sub);
Reply HandleSysAuth(State& s, Call& c, std::string_view sub);
Reply HandleUiMounts(State& s, Call& c, std::string_view sub);
Reply HandleSysPolicies(State& s, Call& c, std::string_view sub);
Reply HandleCapabilitiesSelf(State& s, Call& c);
Reply HandleHealth(State& s, Call& c);
Reply HandleSealStatus(State& s, Call& c);
Reply HandleSeal(State& s, Call& c);
Reply HandleUnseal(State& s, Call& c);
Reply HandleInit(State& s, Call& c);
Reply HandleLeader(State& s, Call& c);

// The mounts, policies and seal key of a fresh `vault server -dev` (secret/ as KV v2,
// cubbyhole/, identity/, sys/, auth token/, the default policy).
void SetUpDevServer(State& s);

// Creates the engine behind a secrets mount of `type` ("kv" with `version` "1"/"2", "pki",
// "database") at `path` ("pki/").
Result<std::shared_ptr<Backend>> NewSecretsBackend(State& s, std::string_view type,
                                                   std::string_view version, Duration default_lease,
                                                   std::string_view path);
// Creates the auth method behind auth/<path> (kubernetes, approle).
Result<std::shared_ptr<Backend>> NewAuthBackend(State& s, std::string_view type,
                                                std::string_view path);

}  // namespace vaultsync::vaultemu
