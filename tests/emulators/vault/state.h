// Everything one emulated Vault server holds, in one place, so that the router and the
// handlers of each concern (sys, auth methods, engines) share it explicitly. Access is
// serialized by the VaultEmulator's mutex; nothing here locks by itself.
#pragma once

#include <map>
#include <string>

#include "acl.h"
#include "ids.h"
#include "leases.h"
#include "mounts.h"
#include "quotas.h"
#include "token_store.h"
#include "util/clock.h"

namespace vaultsync::vaultemu {

class TokenReviewer;

// What sys/health reports besides the seal; set through the /__emulator/server-state
// control path so clients can be tested against standby or uninitialized servers.
struct ServerFlags {
  bool initialized = true;
  bool standby = false;
  bool performance_standby = false;
  bool dr_secondary = false;
};

// A wrapped answer waiting in its wrapping token's cubbyhole (see wrapping.h).
struct WrappedResponse {
  std::string response;  // the envelope JSON exactly as unwrap returns it
  TimePoint creation_time;
  Duration creation_ttl{0};
  std::string creation_path;
};

struct State {
  State(const Clock& c) : clock(c), tokens(c, ids) {}

  const Clock& clock;
  IdGenerator ids;
  TokenStore tokens;
  std::map<std::string, Policy> policies;  // by name, without "root"
  MountTable mounts;                       // secrets engines ("secret/")
  MountTable auth;                         // auth methods ("kubernetes/" under "auth/")
  bool sealed = false;
  std::string unseal_key;  // 32 raw bytes
  ServerFlags flags;
  std::string cluster_name;
  std::string cluster_id;
  Quotas quotas;
  TokenReviewer* reviewer = nullptr;  // how kubernetes logins validate JWTs
  LeaseTable leases;                  // leases of dynamic secrets (database creds)
  // Wrapped answers by wrapping-token id.
  std::map<std::string, WrappedResponse, std::less<>> wrapped;
};

// The ACL of a token (its policies looked up in state).
Acl AclFor(const State& s, const Token& t);

}  // namespace vaultsync::vaultemu
