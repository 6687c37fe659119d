// Packing and unpacking a canonical UUID for Uid.
#include "util/uid.h"

#include <array>

namespace vaultsync {

namespace {

constexpr std::array<size_t, 4> kHyphens = {8, 13, 18, 23};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // upper case is not canonical: it would not print back the same
}

// The 16 bytes of a canonical UUID, false when `text` is not one.
bool Pack(std::string_view text, uint64_t& hi, uint64_t& lo) {
  if (text.size() != 36) return false;
  uint64_t words[2] = {0, 0};
  int nibbles = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == kHyphens[0] || i == kHyphens[1] || i == kHyphens[2] || i == kHyphens[3]) {
      if (text[i] != '-') return false;
      continue;
    }
    int v = HexValue(text[i]);
    if (v < 0) return false;
    uint64_t& w = words[nibbles / 16];
    w = (w << 4) | static_cast<uint64_t>(v);
    ++nibbles;
  }
  hi = words[0];
  lo = words[1];
  return hi != 0 || lo != 0;
}

void Unpack(uint64_t hi, uint64_t lo, char out[36]) {
  static constexpr char kDigits[] = "0123456789abcdef";
  size_t pos = 0;
  for (int n = 0; n < 32; ++n) {
    if (pos == kHyphens[0] || pos == kHyphens[1] || pos == kHyphens[2] || pos == kHyphens[3])
      out[pos++] = '-';
    uint64_t w = n < 16 ? hi : lo;
    int shift = 4 * (15 - n % 16);
    out[pos++] = kDigits[(w >> shift) & 0xf];
  }
}

}  // namespace

void Uid::Assign(std::string_view text) {
  hi_ = lo_ = 0;
  other_.reset();
  if (text.empty() || Pack(text, hi_, lo_)) return;
  hi_ = lo_ = 0;
  other_ = std::make_unique<std::string>(text);
}

std::string Uid::str() const {
  if (other_) return *other_;
  if (hi_ == 0 && lo_ == 0) return {};
  char buf[36];
  Unpack(hi_, lo_, buf);
  return std::string(buf, sizeof buf);
}

bool operator==(const Uid& a, const Uid& b) {
  if (a.other_ || b.other_) return a.other_ && b.other_ && *a.other_ == *b.other_;
  return a.hi_ == b.hi_ && a.lo_ == b.lo_;
}

bool operator==(const Uid& a, std::string_view b) {
  if (a.other_) return *a.other_ == b;
  uint64_t hi = 0, lo = 0;
  if (!Pack(b, hi, lo)) return b.empty() && a.empty();
  return a.hi_ == hi && a.lo_ == lo;
}

}  // namespace vaultsync
