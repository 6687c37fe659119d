// HMAC-SHA-256 for the Secret data MAC (secret_data.h), computed at every reconcile and steady
// refresh. OpenSSL 3's one-shot HMAC() looks the digest up in its provider tables and keys a
// fresh context at each call, which the scale bench's profile showed as 7 % of the operator's
// CPU per steady Vault read; here the keyed inner and outer states are built once per thread
// and key and copied for each message. Results are exactly HMAC()'s (RFC 2104).
#pragma once

#include <string>
#include <string_view>

namespace vaultsync::controller {

inline constexpr size_t kHmacSha256Size = 32;

// The 32-byte MAC of `message` under `key` (raw bytes). Thread-safe.
std::string HmacSha256(std::string_view key, std::string_view message);

}  // namespace vaultsync::controller
