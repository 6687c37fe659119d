// Several sources in one Secret: reads spec.path, every spec.sources[] entry and every secret
// spec.find[] discovers, as one identity, through the shared SecretSource (so each distinct
// secret is read once per refresh however many resources and sources name it), and merges
// their keys in that order — path, sources[], find[] — under spec.onKeyConflict. The result
// is the key list that transformations and the Secret are built from, plus what the caller
// needs to schedule the next refresh and to describe the sync. Any failing source fails the
// whole gathering: the caller writes nothing.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controller/kv_discovery.h"
#include "controller/ports.h"
#include "controller/secret_data.h"

namespace vaultsync::controller {

inline constexpr const char* kReasonKeyConflict = "KeyConflict";

// How the reads of one sync may use the shared cache.
struct ReadPolicy {
  std::chrono::milliseconds max_age{0};  // a shared answer no older than this will do
  bool follow_ttl_v1 = false;            // no refreshAfter: a kv-v1 read also follows its own ttl
  bool force = false;                    // a forced sync: ask Vault for everything
};

// One Vault answer the data was built from: when it was read, and the key its read is
// shared under (identity + what was read), which spreads refreshes deterministically.
struct ReadStamp {
  TimePoint read_at;
  std::string share_key;
  // A kv-v1 secret's ttl, when it had one (the refresh interval may follow it).
  std::optional<std::chrono::seconds> v1_ttl;
};

struct GatheredData {
  std::vector<KvEntry> entries;         // merged, sorted by key
  std::optional<int64_t> path_version;  // kv-v2 version of spec.path, when set
  std::vector<ReadStamp> stamps;        // every read and LIST used
};

struct GatherFailure {
  // KeyConflict or TooManySecrets; empty for a Vault failure (the caller maps the status's
  // code to a reason, as for any Vault read).
  std::string reason;
  Status status;
};

// Reads and merges the data of `spec` as `identity`. On failure returns the status (its
// message names the source, never a value) and fills *failure.
Result<GatheredData> GatherSecretData(SecretSource& vault, const VaultIdentity& identity,
                                      const VaultStaticSecretSpec& spec, const CompiledFinds& finds,
                                      const ReadPolicy& policy, GatherFailure* failure);

// Where the data comes from, for messages: "secret/app/db" (with " (version N)" when
// `path_version` is given), "secret/app/db and 2 more sources", "3 sources", or a lone
// source's or find's own name.
std::string DescribeSources(const VaultStaticSecretSpec& spec,
                            std::optional<int64_t> path_version = std::nullopt);

}  // namespace vaultsync::controller
