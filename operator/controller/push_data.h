// From a Kubernetes Secret to the data a VaultPushSecret writes into Vault: the Secret's
// decoded data, the keys selected by spec.keys, the rule that values go to Vault as strings
// (so they must be UTF-8), and the keyed MAC that lets the operator tell whether the data
// changed without keeping it. Shared by the filtered Secret cache (which keeps only the MAC)
// and the reconciler (which reads the Secret live when it must write).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "controller/secret_data.h"
#include "util/json.h"
#include "util/status.h"

namespace vaultsync::controller {

// The decoded `data` of a Secret object (raw bytes). kInvalidArgument naming the key when a
// value is not base64 or not a string (a real API server never sends one).
Result<SecretData> SecretDataOf(const json::Value& secret);

// The keys of `data` named in `keys`, or all of `data` when `keys` is empty. kNotFound
// naming every missing key.
Result<SecretData> SelectKeys(const SecretData& data, const std::vector<std::string>& keys);

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF), as Go's utf8.ValidString decides it.
bool ValidUtf8(std::string_view s);

// OK when every value is UTF-8; else kInvalidArgument naming the first key that is not
// (never the value).
Status CheckUtf8(const SecretData& data);

// Identifies a key selection (spec.keys, order and repeats ignored); the same for equal
// selections. The empty selection (all keys) is 0.
uint64_t SelectionFingerprint(const std::vector<std::string>& keys);

// The MAC digest (MacDigest(DataMac(...))) of what a VaultPushSecret selecting `keys` would
// push from `data`; 0 when it could push nothing (a selected key is missing or a value is not
// UTF-8), which no status.secretMAC ever equals.
uint64_t PushDigest(std::string_view hmac_key, const SecretData& data,
                    const std::vector<std::string>& keys);

}  // namespace vaultsync::controller
