// The database secrets engine (mount type `database`) without a database: connection
// configs (config/<name>: plugin_name, connection_url, allowed_roles, accepted and not
// dialled), roles (roles/<name>: db_name, default_ttl, max_ttl and the *_statements, which
// are kept and never run) and creds/<role>, which invents a username and password in the
// shapes Vault's plugins use and registers a renewable lease in the emulator's lease table
// (leases.h). Answers and error texts follow Vault 1.8's builtin/logical/database
// (reconstructed from source and the API docs, not recorded).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "backend.h"
#include "state.h"

namespace vaultsync::vaultemu {

class DatabaseBackend final : public Backend {
 public:
  DatabaseBackend(State& s, std::string mount_path) : s_(s), mount_(std::move(mount_path)) {}
  Reply Handle(Call& call) override;
  bool Exists(std::string_view rel) const override;

 private:
  struct Connection {
    std::string plugin_name;
    std::string connection_url;
    std::string username;
    std::vector<std::string> allowed_roles;
  };
  struct Role {
    std::string db_name;
    Duration default_ttl{0};
    Duration max_ttl{0};
    std::vector<std::string> creation_statements;
    std::vector<std::string> revocation_statements;
    std::vector<std::string> rollback_statements;
    std::vector<std::string> renew_statements;
  };

  Reply Config(Call& c, const std::string& name);
  Reply RoleOp(Call& c, const std::string& name);
  Reply Creds(Call& c, const std::string& name);

  State& s_;
  std::string mount_;  // "database/"
  std::map<std::string, Connection> connections_;
  std::map<std::string, Role> roles_;
};

}  // namespace vaultsync::vaultemu
