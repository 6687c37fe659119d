// Where a VaultStaticSecret's data comes from: `path`, the extra KV secrets of `sources[]` and
// the folders `find[]` discovers, decoded and checked (the rules the CRD schema cannot state,
// and the same rules again for objects written before the schema had them). Kept apart from
// resources.cpp because these parts have rules of their own: defaults taken from the spec
// (mount, type), folder paths that may be the mount's root, and regular expressions that must
// compile.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/json.h"
#include "util/status.h"

namespace vaultsync::controller {

enum class KvType { kV1, kV2 };

// spec.sources[]: one more KV secret read as the same identity, merged after spec.path.
struct KvSourceSpec {
  std::string mount;  // defaulted to spec.mount
  std::string path;
  KvType type = KvType::kV2;  // defaulted to spec.type
  std::optional<int64_t> version;
  std::string key_prefix;  // prepended to every key this source gives
  bool optional = false;   // a missing secret (404) contributes nothing
};

enum class FindKeyFormat : uint8_t { kJson, kFlatten };

// spec.find[]: the secrets under a folder, found by a recursive LIST at every refresh.
struct KvFindSpec {
  std::string mount;  // defaulted to spec.mount
  std::string path;   // the folder without its trailing '/'; "" is the mount's root
  KvType type = KvType::kV2;
  std::string name_regex;  // "" = every secret; matched (unanchored) against the relative path
  int64_t max_secrets = 100;
  FindKeyFormat key_format = FindKeyFormat::kJson;
};

enum class KeyConflictPolicy : uint8_t { kError, kLastWins };

inline constexpr int64_t kMaxFindSecretsLimit = 1000;

// True for a secret path or mount as the operator accepts them: relative (no leading '/'),
// no trailing '/', no empty, "." or ".." segment.
bool ValidKvPath(std::string_view p);

// spec.type / sources[].type: "kv-v1" or "kv-v2" (kInvalidArgument naming `field`).
Result<KvType> DecodeKvType(std::optional<std::string_view> text, KvType dflt,
                            std::string_view field);

// spec.sources (absent: none). `mount` and `type` are the spec's, the defaults of each entry.
Result<std::vector<KvSourceSpec>> DecodeSources(const json::Value& spec, const std::string& mount,
                                                KvType type);
// spec.find (absent: none); nameRegex must compile.
Result<std::vector<KvFindSpec>> DecodeFinds(const json::Value& spec, const std::string& mount,
                                            KvType type);
// spec.onKeyConflict (absent: Error).
Result<KeyConflictPolicy> DecodeKeyConflictPolicy(const json::Value& spec);

}  // namespace vaultsync::controller
