// The kubernetes auth method as Vault 1.8 (plugin v0.10) behaves: auth/<mount>/config
// (kubernetes_host, kubernetes_ca_cert, token_reviewer_jwt, pem_keys, issuer; the reviewer
// JWT is never returned), auth/<mount>/role/<name> (bound ServiceAccount names and
// namespaces, `*` allowed, audience, token_* fields) and login {role, jwt}.
//
// Login checks, in Vault's order and with its answers: missing role (400), missing jwt
// (400), unknown role (400), JWT syntax (500 with the jose/JSON error), issuer and
// audience claims (500 `claim "iss"/"aud" is invalid`), namespace and ServiceAccount name
// (500 "... not authorized"), the signature against pem_keys when configured (500), then a
// TokenReview to kubernetes_host (any failure: 403 permission denied). Emulator extension:
// with pem_keys and no kubernetes_host the TokenReview is skipped (Vault 1.8 requires a
// host), which is how tests without an API server validate JWTs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "backend.h"
#include "jwt.h"
#include "state.h"
#include "token_params.h"

namespace vaultsync::vaultemu {

class KubernetesAuthBackend final : public Backend {
 public:
  KubernetesAuthBackend(State& state, std::string mount) : s_(state), mount_(std::move(mount)) {}
  Reply Handle(Call& call) override;
  bool Exists(std::string_view rel) const override;

 private:
  struct Config {
    std::string host;
    std::string ca_cert;
    std::string reviewer_jwt;
    std::vector<std::string> pem_keys;
    std::vector<emu::jwt::RsaKey> keys;
    std::string issuer;
    bool disable_iss_validation = false;
    bool disable_local_ca_jwt = false;
  };
  struct Role {
    std::vector<std::string> names;
    std::vector<std::string> namespaces;
    std::string audience;
    TokenParams token;
  };

  Reply WriteConfig(Call& c);
  Reply ReadConfig();
  Reply RolePath(Call& c, const std::string& name);
  Reply Login(Call& c);

  State& s_;
  std::string mount_;
  std::optional<Config> config_;
  std::map<std::string, Role> roles_;
  std::map<std::string, std::string> entities_;  // ServiceAccount uid -> entity id
};

}  // namespace vaultsync::vaultemu
