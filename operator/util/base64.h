// Base64 in the two alphabets the project meets: standard with padding (Secret data)
// and URL-safe without padding (JWT segments).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vaultsync::base64 {

std::string Encode(std::string_view bytes);
// Strict: rejects characters outside the alphabet and bad padding (as the apiserver does).
std::optional<std::string> Decode(std::string_view text);

std::string EncodeUrl(std::string_view bytes);  // no padding
// Accepts input with or without padding.
std::optional<std::string> DecodeUrl(std::string_view text);

}  // namespace vaultsync::base64
