// The token_* fields every auth method role carries in Vault (token_policies, token_ttl,
// token_max_ttl, ...), with their legacy aliases (policies, ttl, max_ttl, period,
// num_uses, bound_cidrs): parsing them from a role write, rendering them in a role read,
// and turning them into the spec of the token a login issues.
#pragma once

#include <string>
#include <vector>

#include "backend.h"
#include "token_store.h"

namespace vaultsync::vaultemu {

struct TokenParams {
  std::vector<std::string> policies;
  Duration ttl{0};
  Duration max_ttl{0};
  Duration explicit_max_ttl{0};
  Duration period{0};
  int64_t num_uses = 0;
  bool no_default_policy = false;
  std::string type = "default";
  std::vector<std::string> bound_cidrs;
  // Which legacy aliases were used: Vault then also reports them in reads.
  bool legacy_policies = false;
  bool legacy_ttl = false;
  bool legacy_max_ttl = false;
  bool legacy_period = false;
  bool legacy_num_uses = false;
  bool legacy_bound_cidrs = false;
};

// Updates `p` from the fields present in the call's body. Fails with a 400-style message.
Status ParseTokenParams(const Call& c, TokenParams& p);

// Adds the token_* members (and used legacy aliases) to a role read's data object.
void AddTokenParams(const TokenParams& p, json::Document& data);

// The spec of a token issued by a login with these parameters.
TokenSpec TokenSpecFor(const TokenParams& p);

}  // namespace vaultsync::vaultemu
