// Secret data building and HMAC.
#include "controller/secret_data.h"

#include "controller/bounded_regex.h"
#include "controller/hmac_sha256.h"
#include "util/base64.h"

namespace vaultsync::controller {
namespace {

bool MatchesAny(const std::vector<std::regex>& res, const std::string& key) {
  for (const auto& re : res) {
    if (BoundedSearch(re, key)) return true;
  }
  return false;
}

// A Vault key as a message shows it: bytes outside printable ASCII as \xNN (a condition
// message must be valid UTF-8) and at most 100 bytes of it (a condition message has a size
// limit; the key may have any length).
std::string Shown(std::string_view key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < key.size() && i < 100; ++i) {
    auto c = static_cast<unsigned char>(key[i]);
    if (c < 0x20 || c > 0x7e || c == '\\' || c == '"') {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (key.size() > 100) out += "...";
  return out;
}

void AppendLengthPrefixed(std::string& out, std::string_view s) {
  uint64_t n = s.size();
  for (int i = 7; i >= 0; --i) out += char((n >> (8 * i)) & 0xff);
  out += s;
}

}  // namespace

bool ValidSecretKey(std::string_view key) {
  if (key.empty() || key.size() > 253 || key == "." || key == "..") return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Result<SecretData> BuildSecretData(const std::vector<KvEntry>& source,
                                   const Transformation& transformation) {
  const auto& includes = transformation.includes;
  const auto& excludes = transformation.excludes;
  SecretData data;
  for (const KvEntry& e : source) {
    if (!includes.empty() && !MatchesAny(includes, e.key)) continue;
    if (MatchesAny(excludes, e.key)) continue;
    if (!ValidSecretKey(e.key)) {
      return InvalidArgument(
          "Vault key \"" + Shown(e.key) +
          "\" is not a valid Secret key (allowed: letters, digits, '-', '_', '.'); exclude it with "
          "destination.transformation.excludes or rename it with a template");
    }
    data.emplace(e.key, e.text);
  }
  if (!transformation.templates.empty()) {
    // Templates see every source key, filtered or not.
    std::map<std::string, std::string, std::less<>> values;
    for (const KvEntry& e : source) values.emplace(e.key, e.text);
    for (const auto& [key, t] : transformation.templates) {
      if (!ValidSecretKey(key)) {
        return InvalidArgument("template key \"" + Shown(key) + "\" is not a valid Secret key");
      }
      auto rendered = t.Render(values);
      if (!rendered.ok()) {
        return InvalidArgument("template for key \"" + key + "\": " + rendered.status().message());
      }
      data[key] = std::move(*rendered);
    }
  }
  size_t total = 0;
  for (const auto& [k, v] : data) total += k.size() + v.size();
  if (total > kMaxSecretBytes) {
    return InvalidArgument(
        "the Secret data would be " + std::to_string(total) +
        " bytes, over Kubernetes' limit of 1 MiB; use includes/excludes to select fewer keys");
  }
  return data;
}

uint64_t MacDigest(std::string_view mac) { return std::hash<std::string_view>{}(mac) | 1; }

std::string DataMac(std::string_view hmac_key, const SecretData& data) {
  std::string canonical;
  for (const auto& [k, v] : data) {
    AppendLengthPrefixed(canonical, k);
    AppendLengthPrefixed(canonical, v);
  }
  return base64::Encode(HmacSha256(hmac_key, canonical));
}

}  // namespace vaultsync::controller
