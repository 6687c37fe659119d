// The KV secrets engine, versions 1 and 2, plus detecting which version a mount runs. Every
// call goes through a Session (token + 403 handling) and takes the mount and the secret path
// separately, as users write them ("secret", "app/db"); the API paths (secret/data/app/db,
// secret/metadata/app/db) are built here. Where `raw_body` is given, it receives Vault's
// answer as sent (moved, not copied), for the CLI's `-o json`.
//
// Errors common to all calls: kInvalidArgument for a bad mount or path (traversal), and
// those of Session::Send: kNotFound (404: no such secret, or no keys under a folder),
// kPermissionDenied (403), kUnauthenticated, kRateLimited, kUnavailable (sealed, standby,
// unreachable), kDeadlineExceeded, kInternal (500 or an answer we cannot parse).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"
#include "vault/kv_value.h"
#include "vault/session.h"

namespace vaultsync::vault {

enum class KvVersion { kV1 = 1, kV2 = 2 };

struct KvSecret {
  KvData data;  // sorted by key
  // kv-v2 only: the metadata of the version read.
  std::optional<int64_t> version;
  std::string created_time;
  std::string deletion_time;  // always empty on success (a deleted version is an error)
  bool destroyed = false;
  // kv-v1 only: the lease Vault derived from the secret's advisory `ttl` key; unset when the
  // secret has no `ttl` key (Vault then reports the mount default, which means nothing).
  std::optional<std::chrono::seconds> lease_duration;
};

struct KvVersionInfo {
  int64_t version = 0;
  std::string created_time;
  std::string deletion_time;  // empty unless soft-deleted
  bool destroyed = false;
};

struct KvMetadata {
  int64_t current_version = 0;
  int64_t oldest_version = 0;
  int64_t max_versions = 0;
  bool cas_required = false;
  std::string created_time;
  std::string updated_time;
  std::string delete_version_after;
  std::vector<KvVersionInfo> versions;  // ascending by version
};

struct KvWriteResult {
  int64_t version = 0;  // kv-v2: the version created; kv-v1: 0
  std::string created_time;
};

// --- KV v2 ---------------------------------------------------------------------------------
// GET <mount>/data/<path>[?version=N]. A soft-deleted version -> kFailedPrecondition
// "version N of <mount>/<path> was deleted at T"; a destroyed one -> kFailedPrecondition
// "... was destroyed"; never empty data.
Result<KvSecret> KvV2Read(const Session& s, std::string_view mount, std::string_view path,
                          std::optional<int64_t> version = std::nullopt,
                          std::string* raw_body = nullptr);
// GET <mount>/metadata/<path>.
Result<KvMetadata> KvV2ReadMetadata(const Session& s, std::string_view mount, std::string_view path,
                                    std::string* raw_body = nullptr);
// LIST <mount>/metadata/<path> (empty path = the mount root). Folders end in '/'.
Result<std::vector<std::string>> KvV2List(const Session& s, std::string_view mount,
                                          std::string_view path, std::string* raw_body = nullptr);
// POST <mount>/data/<path> {"options":{"cas":N},"data":{...}}. A cas mismatch -> kConflict.
Result<KvWriteResult> KvV2Write(const Session& s, std::string_view mount, std::string_view path,
                                const KvData& data, std::optional<int64_t> cas = std::nullopt,
                                std::string* raw_body = nullptr);
// DELETE <mount>/metadata/<path>: the metadata and every version.
Status KvV2Delete(const Session& s, std::string_view mount, std::string_view path);

// --- KV v1 ---------------------------------------------------------------------------------
// GET <mount>/<path>; lease_duration set when the data has a `ttl` key.
Result<KvSecret> KvV1Read(const Session& s, std::string_view mount, std::string_view path,
                          std::string* raw_body = nullptr);
// LIST <mount>/<path>.
Result<std::vector<std::string>> KvV1List(const Session& s, std::string_view mount,
                                          std::string_view path, std::string* raw_body = nullptr);
// POST <mount>/<path> with the data as a flat object.
Status KvV1Write(const Session& s, std::string_view mount, std::string_view path,
                 const KvData& data);
// DELETE <mount>/<path>.
Status KvV1Delete(const Session& s, std::string_view mount, std::string_view path);

// --- Mounts --------------------------------------------------------------------------------
struct MountInfo {
  std::string path;  // the mount that holds the path, without trailing '/' ("secret")
  std::string type;  // "kv" (or the legacy "generic")
  KvVersion version = KvVersion::kV1;
};

// GET sys/internal/ui/mounts/<mount>[/<path>] (what the vault CLI does). Fails with
// kFailedPrecondition when the mount is not a KV engine; any other failure keeps its code,
// and when Vault answered with a refusal (e.g. its 403 "preflight capability check" for a
// token without access to the path) the message says to set the KV version explicitly.
Result<MountInfo> DetectMount(const Session& s, std::string_view mount, std::string_view path = "");

// --- Either version --------------------------------------------------------------------------
// Dispatch on `v`; `version` and `cas` apply to kv-v2 only (kInvalidArgument with kv-v1).
Result<KvSecret> KvRead(const Session& s, KvVersion v, std::string_view mount,
                        std::string_view path, std::optional<int64_t> version = std::nullopt,
                        std::string* raw_body = nullptr);
Result<std::vector<std::string>> KvList(const Session& s, KvVersion v, std::string_view mount,
                                        std::string_view path, std::string* raw_body = nullptr);
Result<KvWriteResult> KvWrite(const Session& s, KvVersion v, std::string_view mount,
                              std::string_view path, const KvData& data,
                              std::optional<int64_t> cas = std::nullopt,
                              std::string* raw_body = nullptr);
Status KvDelete(const Session& s, KvVersion v, std::string_view mount, std::string_view path);

// Parses the `keys` list of a LIST answer (shared with sys policies).
Result<std::vector<std::string>> ParseListKeys(std::string_view body);

}  // namespace vaultsync::vault
