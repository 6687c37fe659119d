// spec.find: which secrets are under a folder now. A recursive walk of KV LISTs (kv-v2:
// LIST <mount>/metadata/<folder>; kv-v1: LIST <mount>/<folder>), each LIST going through the
// shared SecretSource (one per distinct identity, mount and folder per refresh, whoever asks),
// keeping the secrets whose path relative to the folder matches nameRegex. Run at every
// refresh, so secrets added or removed under the folder follow.
#pragma once

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "controller/kv_sources.h"
#include "controller/ports.h"

namespace vaultsync::controller {

inline constexpr const char* kReasonTooManySecrets = "TooManySecrets";

// A walk lists at most this many folders: past it the find fails like one with too many
// matches (each folder costs a LIST at every refresh).
inline constexpr size_t kMaxFindFolders = 1000;

// spec.find's nameRegex, compiled once per generation (GenerationCache).
struct CompiledFinds {
  std::vector<std::optional<std::regex>> name_regexes;  // one per find; nullopt = every secret
  // kInvalidArgument naming the find whose nameRegex does not compile.
  static Result<CompiledFinds> Compile(const std::vector<KvFindSpec>& finds);
};

struct Discovery {
  // Paths relative to the find's folder of the matching secrets, sorted ("db", "sub/cache").
  std::vector<std::string> paths;
  // Every LIST the walk used (their read times schedule the next refresh).
  std::vector<std::shared_ptr<const KvListResult>> lists;
  std::vector<std::string> list_keys;  // the folder of each, "mount/folder/"
};

// Walks `find`. `base` carries max_age and force for every LIST. Errors: the SecretSource's
// (a LIST refused or failed), or kFailedPrecondition with *too_many set when more than
// find.max_secrets secrets match (or more than kMaxFindFolders folders are under it).
Result<Discovery> Discover(SecretSource& vault, const VaultIdentity& identity,
                           const KvFindSpec& find, const std::optional<std::regex>& name_regex,
                           const KvListRequest& base, bool* too_many);

// The folder as users write it in messages: "secret/team-a/" ("secret/" for the root).
std::string FindFolder(const KvFindSpec& find);

}  // namespace vaultsync::controller
