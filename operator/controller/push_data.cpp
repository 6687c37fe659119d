// Secret data selection, UTF-8 validation and MACs for VaultPushSecret.
#include "controller/push_data.h"

#include <algorithm>
#include <set>

#include "util/base64.h"

namespace vaultsync::controller {

Result<SecretData> SecretDataOf(const json::Value& secret) {
  SecretData out;
  const json::Value* data = json::Find(secret, "data");
  if (data == nullptr || data->IsNull()) return out;
  if (!data->IsObject()) return InvalidArgument("field \"data\": expected an object");
  for (auto it = data->MemberBegin(); it != data->MemberEnd(); ++it) {
    std::string key(json::View(it->name));
    if (!it->value.IsString())
      return InvalidArgument("field \"data." + key + "\": expected a base64 string");
    auto decoded = base64::Decode(json::View(it->value));
    if (!decoded) return InvalidArgument("field \"data." + key + "\" is not base64");
    out.emplace(std::move(key), std::move(*decoded));
  }
  return out;
}

Result<SecretData> SelectKeys(const SecretData& data, const std::vector<std::string>& keys) {
  if (keys.empty()) return data;
  SecretData out;
  std::vector<std::string> missing;
  for (const std::string& k : keys) {
    auto it = data.find(k);
    if (it == data.end()) {
      if (std::find(missing.begin(), missing.end(), k) == missing.end()) missing.push_back(k);
      continue;
    }
    out.emplace(it->first, it->second);
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& k : missing) list += (list.empty() ? "" : ", ") + json::Quote(k);
    return NotFound(std::string(missing.size() == 1 ? "no key " : "no keys ") + list);
  }
  return out;
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;  // a continuation byte first, or 0xF8..0xFF
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len]) return false;       // overlong
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;  // UTF-16 surrogate
    if (cp > 0x10FFFF) return false;
    i += len;
  }
  return true;
}

Status CheckUtf8(const SecretData& data) {
  for (const auto& [k, v] : data) {
    if (!ValidUtf8(v)) {
      return InvalidArgument("the value of key " + json::Quote(k) +
                             " is not valid UTF-8; Vault stores strings, so nothing was written");
    }
  }
  return Status::Ok();
}

uint64_t SelectionFingerprint(const std::vector<std::string>& keys) {
  if (keys.empty()) return 0;
  std::set<std::string> unique(keys.begin(), keys.end());
  std::string joined;
  for (const auto& k : unique) {
    joined += k;
    joined += '\n';  // cannot occur in a Secret key
  }
  return std::hash<std::string>{}(joined) | 1;
}

uint64_t PushDigest(std::string_view hmac_key, const SecretData& data,
                    const std::vector<std::string>& keys) {
  auto selected = SelectKeys(data, keys);
  if (!selected.ok() || !CheckUtf8(*selected).ok()) return 0;
  return MacDigest(DataMac(hmac_key, *selected));
}

}  // namespace vaultsync::controller
