// FlatStringMap: see flat_string_map.h.
#include "util/flat_string_map.h"

#include <cstdint>

namespace vaultsync {
namespace {

constexpr size_t kHeader = 8;

void PutLength(std::string& out, size_t n) {
  auto v = static_cast<uint32_t>(n);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

size_t GetLength(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

}  // namespace

FlatStringMap::FlatStringMap(
    const std::vector<std::pair<std::string_view, std::string_view>>& entries) {
  size_t bytes = 0;
  for (const auto& [k, v] : entries) bytes += kHeader + k.size() + v.size();
  packed_.reserve(bytes);
  for (const auto& [k, v] : entries) {
    if (!Find(k)) Append(k, v);
  }
  packed_.shrink_to_fit();
}

FlatStringMap::FlatStringMap(const std::map<std::string, std::string>& entries) {
  size_t bytes = 0;
  for (const auto& [k, v] : entries) bytes += kHeader + k.size() + v.size();
  packed_.reserve(bytes);
  for (const auto& [k, v] : entries) Append(k, v);
}

void FlatStringMap::Append(std::string_view key, std::string_view value) {
  PutLength(packed_, key.size());
  PutLength(packed_, value.size());
  packed_.append(key);
  packed_.append(value);
  ++size_;
}

template <typename Visit>
void FlatStringMap::ForEach(Visit visit) const {
  const char* p = packed_.data();
  const char* end = p + packed_.size();
  while (p + kHeader <= end) {
    size_t klen = GetLength(p);
    size_t vlen = GetLength(p + 4);
    const char* k = p + kHeader;
    if (visit(std::string_view(k, klen), std::string_view(k + klen, vlen))) return;
    p = k + klen + vlen;
  }
}

std::optional<std::string_view> FlatStringMap::Find(std::string_view key) const {
  std::optional<std::string_view> found;
  ForEach([&](std::string_view k, std::string_view v) {
    if (k == key) found = v;
    return found.has_value();
  });
  return found;
}

std::vector<std::pair<std::string_view, std::string_view>> FlatStringMap::Entries() const {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  out.reserve(size_);
  ForEach([&](std::string_view k, std::string_view v) {
    out.emplace_back(k, v);
    return false;
  });
  return out;
}

}  // namespace vaultsync
