// Test setup shared by the end-to-end tests that use a tenant identity: Vault's kubernetes
// auth method wired to the kube emulator, and an administrator revoking tokens behind the
// operator's back.
#pragma once

#include <string>

#include "e2e_env.h"

namespace vaultsync::e2e {

// Vault's kubernetes auth method checking tokens with the kube emulator, role "app" for
// ServiceAccount demo/default (policy app-read: read secret/data/app/*, audience "vault")
// with `token_params` (JSON members, e.g. "token_ttl":3600), and VaultAuth demo/app logging
// in with it. Fails the test (gtest assertions) when a step is refused.
void SetUpKubernetesAuth(Env& env, const std::string& token_params);

// Revokes, as an administrator would with `vault token revoke -accessor`, every token that
// carries policy `policy`; returns how many.
int RevokeTokensWithPolicy(Env& env, const std::string& policy);

}  // namespace vaultsync::e2e
