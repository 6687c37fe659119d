// A Kubernetes metadata.uid as a cached object keeps it. The API server's uids are UUIDs: 36
// characters, which a std::string holds in a 48-byte heap block behind its own 32 bytes. Here
// a canonical (lower-case, hyphenated) UUID is kept as its 16 bytes, any other text as a heap
// string: 24 bytes in all, for a value each of 10,000 cached resources carries.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace vaultsync {

class Uid {
 public:
  Uid() = default;
  explicit Uid(std::string_view text) { Assign(text); }
  Uid(const Uid& o) : hi_(o.hi_), lo_(o.lo_) {
    if (o.other_) other_ = std::make_unique<std::string>(*o.other_);
  }
  Uid& operator=(const Uid& o) {
    if (this != &o) *this = Uid(o);
    return *this;
  }
  Uid(Uid&&) noexcept = default;
  Uid& operator=(Uid&&) noexcept = default;
  Uid& operator=(std::string_view text) {
    Assign(text);
    return *this;
  }

  bool empty() const { return !other_ && hi_ == 0 && lo_ == 0; }
  // The uid's text, exactly as it was given.
  std::string str() const;
  operator std::string() const { return str(); }  // NOLINT: a uid is read as text

  friend bool operator==(const Uid& a, const Uid& b);
  friend bool operator==(const Uid& a, std::string_view b);

 private:
  void Assign(std::string_view text);

  // A canonical UUID's 16 bytes; both 0 (and other_ null) when empty. The nil UUID, whose
  // bytes are all 0, is kept in other_ like any non-canonical text.
  uint64_t hi_ = 0;
  uint64_t lo_ = 0;
  std::unique_ptr<std::string> other_;
};

}  // namespace vaultsync
