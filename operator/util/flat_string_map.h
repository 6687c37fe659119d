// An immutable string-to-string map packed into one allocation, for what the informer caches
// keep per object (a Secret's labels and annotations): 10,000 cached objects with a few
// entries each cost one heap block apiece instead of a tree node and up to two strings per
// entry. Lookups scan linearly, which is what a handful of labels wants.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vaultsync {

class FlatStringMap {
 public:
  FlatStringMap() = default;
  // Later duplicates of a key are ignored (the first one wins, as in a JSON object reader).
  explicit FlatStringMap(const std::vector<std::pair<std::string_view, std::string_view>>& entries);
  explicit FlatStringMap(const std::map<std::string, std::string>& entries);

  std::optional<std::string_view> Find(std::string_view key) const;
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Entries in insertion order.
  std::vector<std::pair<std::string_view, std::string_view>> Entries() const;

  bool operator==(const FlatStringMap& other) const = default;

 private:
  void Append(std::string_view key, std::string_view value);
  // Calls visit(key, value) for each entry in order until it returns true.
  template <typename Visit>
  void ForEach(Visit visit) const;

  // Each entry: key length and value length (4 bytes each, little-endian), key, value.
  std::string packed_;
  size_t size_ = 0;
};

}  // namespace vaultsync
