// Base64 codecs (RFC 4648 sections 4 and 5).
#include "util/base64.h"

#include <array>
#include <cstdint>

namespace vaultsync::base64 {
namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string EncodeWith(std::string_view in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    if (pad) out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

std::array<int8_t, 256> Table(const char* alphabet) {
  std::array<int8_t, 256> t;
  t.fill(-1);
  for (int i = 0; i < 64; ++i) t[uint8_t(alphabet[i])] = int8_t(i);
  return t;
}

// Decodes groups of 4 symbols; `require_pad` demands a length multiple of 4.
std::optional<std::string> DecodeWith(std::string_view in, const std::array<int8_t, 256>& t,
                                      bool require_pad) {
  size_t len = in.size();
  if (require_pad && len % 4 != 0) return std::nullopt;
  size_t pads = 0;
  while (len > 0 && in[len - 1] == '=' && pads < 2) {
    --len;
    ++pads;
  }
  if (!require_pad && pads > 0 && (len + pads) % 4 != 0) return std::nullopt;
  if (len % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(len * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; ++i) {
    int8_t v = t[uint8_t(in[i])];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xff);
    }
  }
  // Leftover bits must be zero (canonical encoding), as Go's strict decoder wants.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace

std::string Encode(std::string_view bytes) { return EncodeWith(bytes, kStd, true); }
std::string EncodeUrl(std::string_view bytes) { return EncodeWith(bytes, kUrl, false); }

std::optional<std::string> Decode(std::string_view text) {
  static const auto t = Table(kStd);
  return DecodeWith(text, t, true);
}

std::optional<std::string> DecodeUrl(std::string_view text) {
  static const auto t = Table(kUrl);
  return DecodeWith(text, t, false);
}

}  // namespace vaultsync::base64
