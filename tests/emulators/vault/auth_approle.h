// The approle auth method: roles (auth/<mount>/role/<name>) with a role_id and generated
// secret_ids, and login with both. Error answers as Vault 1.8 gives them ("invalid role
// ID", "invalid secret id", 400).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "backend.h"
#include "state.h"
#include "token_params.h"

namespace vaultsync::vaultemu {

class AppRoleAuthBackend final : public Backend {
 public:
  AppRoleAuthBackend(State& state, std::string mount) : s_(state), mount_(std::move(mount)) {}
  Reply Handle(Call& call) override;
  bool Exists(std::string_view rel) const override;

 private:
  struct SecretId {
    std::string accessor;
    std::optional<TimePoint> expires;
    int64_t uses_left = 0;  // 0 = unlimited
  };
  struct Role {
    std::string name;
    std::string role_id;
    bool bind_secret_id = true;
    Duration secret_id_ttl{0};
    int64_t secret_id_num_uses = 0;
    TokenParams token;
    std::map<std::string, SecretId> secret_ids;  // by secret_id
  };

  Reply RolePath(Call& c, const std::string& name, const std::string& sub);
  Reply WriteRole(Call& c, const std::string& name);
  Reply Login(Call& c);

  State& s_;
  std::string mount_;
  std::map<std::string, Role> roles_;
  std::map<std::string, std::string> entities_;  // role_id -> entity id
};

}  // namespace vaultsync::vaultemu
