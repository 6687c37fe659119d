// The unversioned key/value engine (KV v1): flat data, written with POST/PUT (204), read
// with the advisory `ttl` (or `lease`) key reported as lease_duration and kept in the data,
// listed with LIST, deleted with DELETE.
#pragma once

#include <map>
#include <string>

#include "backend.h"

namespace vaultsync::vaultemu {

class KvV1Backend final : public Backend {
 public:
  // `default_lease` is what a read without a ttl key reports (the mount's default lease TTL).
  explicit KvV1Backend(Duration default_lease) : default_lease_(default_lease) {}
  Reply Handle(Call& call) override;
  bool Exists(std::string_view rel) const override { return secrets_.count(std::string(rel)); }

 private:
  Duration default_lease_;
  std::map<std::string, json::Document> secrets_;
};

}  // namespace vaultsync::vaultemu
