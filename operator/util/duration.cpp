// Go-compatible duration parsing and formatting.
#include "util/duration.h"

#include <cstdint>
#include <cstdio>

namespace vaultsync {
namespace {

// Nanoseconds per unit, or 0 for an unknown unit.
int64_t UnitNanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1000;
  if (unit == "ms") return 1000000;
  if (unit == "s") return 1000000000LL;
  if (unit == "m") return 60LL * 1000000000LL;
  if (unit == "h") return 3600LL * 1000000000LL;
  return 0;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  // The text is quoted in the message only up to a bound: a duration may come from Vault data
  // (a kv-v1 `ttl`) or a custom resource, and a megabyte of digits helps nobody.
  auto bad = [&] {
    std::string shown(text.substr(0, 64));
    if (text.size() > 64) shown += "...";
    return InvalidArgument("invalid duration \"" + shown + "\"");
  };
  if (text.empty()) return bad();
  if (text == "0") return Duration(0);
  // Integer arithmetic with overflow checks, as Go's time.ParseDuration: exact to the
  // nanosecond, and no digit string (however long) can throw or wrap.
  constexpr uint64_t kMax = uint64_t(INT64_MAX);
  uint64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = i;
    uint64_t whole = 0;
    for (; i < text.size() && IsDigit(text[i]); ++i) {
      uint64_t digit = uint64_t(text[i] - '0');
      if (whole > (kMax - digit) / 10) return bad();  // overflow
      whole = whole * 10 + digit;
    }
    const bool pre = i > start;
    uint64_t frac = 0;
    double scale = 1;
    bool post = false;
    if (i < text.size() && text[i] == '.') {
      ++i;
      const size_t frac_start = i;
      bool saturated = false;  // further digits cannot change the result: ignored, as Go does
      for (; i < text.size() && IsDigit(text[i]); ++i) {
        if (saturated) continue;
        uint64_t digit = uint64_t(text[i] - '0');
        if (frac > (kMax - digit) / 10) {
          saturated = true;
          continue;
        }
        frac = frac * 10 + digit;
        scale *= 10;
      }
      post = i > frac_start;
    }
    if (!pre && !post) return bad();
    const size_t unit_start = i;
    while (i < text.size() && !IsDigit(text[i]) && text[i] != '.') ++i;
    const uint64_t unit = uint64_t(UnitNanos(text.substr(unit_start, i - unit_start)));
    if (unit == 0) return bad();
    if (whole > kMax / unit) return bad();
    uint64_t v = whole * unit;
    if (frac > 0) {
      // Go's own rounding of the fraction (float64), so both sides agree on every value.
      const double f = static_cast<double>(frac) * (static_cast<double>(unit) / scale);
      if (f >= static_cast<double>(kMax)) return bad();  // before the cast, which would be UB
      v += static_cast<uint64_t>(f);
      if (v > kMax) return bad();
    }
    total += v;
    if (total > kMax) return bad();
  }
  return Duration(static_cast<int64_t>(total));
}

std::string FormatDuration(Duration d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  uint64_t u = ns < 0 ? uint64_t(-(ns + 1)) + 1 : uint64_t(ns);
  char buf[64];
  if (u < 1000000000ULL) {
    // Sub-second: pick the largest unit that keeps an integer part.
    const char* unit = "ns";
    double v = double(u);
    if (u >= 1000000ULL) {
      unit = "ms";
      v = double(u) / 1e6;
    } else if (u >= 1000ULL) {
      unit = "\xC2\xB5s";
      v = double(u) / 1e3;
    }
    std::snprintf(buf, sizeof buf, "%.9g%s", v, unit);
    return sign + buf;
  }
  uint64_t h = u / 3600000000000ULL;
  u %= 3600000000000ULL;
  uint64_t m = u / 60000000000ULL;
  u %= 60000000000ULL;
  uint64_t s = u / 1000000000ULL;
  uint64_t frac = u % 1000000000ULL;
  std::string out = sign;
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  out += std::to_string(s);
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, ".%09llu", static_cast<unsigned long long>(frac));
    std::string f(buf);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  out += "s";
  return out;
}

}  // namespace vaultsync
