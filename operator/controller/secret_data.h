// From a Vault KV secret to the `data` of a Kubernetes Secret: filtering (includes/
// excludes), templates, the encoding rule for non-string values, key validation, the 1 MiB
// limit, and the keyed HMAC that lets the operator notice changes and drift without
// storing the data anywhere.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "controller/resources.h"
#include "controller/transformation.h"
#include "util/status.h"

namespace vaultsync::controller {

// One Vault key as read: strings as-is, other JSON values as compact JSON text.
struct KvEntry {
  std::string key;
  bool is_string = true;
  std::string text;
};

// Secret data in key order (raw bytes, not base64).
using SecretData = std::map<std::string, std::string>;

// Kubernetes' limit on the total size of a Secret's data.
inline constexpr size_t kMaxSecretBytes = 1024 * 1024;

// Builds the data to write. Fails with kInvalidArgument, naming the key (never a value),
// when a resulting key is not a valid Secret key, a template fails, or the data exceeds
// kMaxSecretBytes. Includes/excludes select source keys; template keys are added after
// filtering and win over a source key of the same name.
Result<SecretData> BuildSecretData(const std::vector<KvEntry>& source,
                                   const Transformation& transformation);

// True when `key` may be a Secret data key: [-._a-zA-Z0-9]+, at most 253 characters, and
// not "." or "..".
bool ValidSecretKey(std::string_view key);

// base64(HMAC-SHA256(hmac_key, canonical(data))), where canonical() length-prefixes every
// key and value so that different maps never collide.
std::string DataMac(std::string_view hmac_key, const SecretData& data);

// What the caches keep of a MAC (a DataMac result, or a status.secretMAC as read): 64 bits of
// it, never 0. Comparing these instead of the 44-character strings saves two heap blocks per
// resource; a false "equal" needs a 2^-64 coincidence of a keyed MAC.
uint64_t MacDigest(std::string_view mac);

}  // namespace vaultsync::controller
