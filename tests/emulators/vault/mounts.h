// The mount tables: which secrets engine answers under which path ("secret/", "kv1/") and
// which auth method under "auth/<path>". Entries carry the metadata Vault reports in
// GET sys/mounts, sys/auth and sys/internal/ui/mounts (accessor, uuid, config, options).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backend.h"

namespace vaultsync::vaultemu {

struct Mount {
  std::string path;  // with trailing '/': "secret/", "kubernetes/"
  std::string type;  // kv, system, identity, cubbyhole, token, kubernetes, approle
  std::string description;
  std::string accessor;
  std::string uuid;
  std::optional<std::map<std::string, std::string>> options;  // nullopt renders as null
  Duration default_lease_ttl{0};
  Duration max_lease_ttl{0};
  std::vector<std::string> passthrough_request_headers;
  bool auth = false;  // an auth method (config then also shows token_type)
  bool local = false;
  bool seal_wrap = false;
  // nullptr: answered by the router itself (sys, token). Shared so that a request that
  // released the emulator lock (a kubernetes login) keeps its engine alive even if the
  // mount is disabled meanwhile.
  std::shared_ptr<Backend> backend;
};

// Not thread-safe: the emulator serializes access.
class MountTable {
 public:
  // Adds `m`; fails with kAlreadyExists "path is already in use at X" when it overlaps an
  // existing mount.
  Status Add(Mount m);
  // Removes the mount at path (with or without trailing '/'); false when there was none.
  bool Remove(std::string_view path);
  // The mount whose path is the longest prefix of `logical_path`, or nullptr.
  Mount* Match(std::string_view logical_path);
  Mount* Find(std::string_view path);
  // In mount order.
  const std::vector<std::unique_ptr<Mount>>& all() const { return mounts_; }

 private:
  std::vector<std::unique_ptr<Mount>> mounts_;
};

// The JSON object describing a mount, as in GET sys/mounts (with "path" added for
// sys/internal/ui/mounts).
std::string RenderMount(const Mount& m, bool with_path);

}  // namespace vaultsync::vaultemu
