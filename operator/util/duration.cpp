// Go-compatible duration parsing and formatting.
#include "util/duration.h"

#include <cmath>
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
  auto bad = [&] { return InvalidArgument("invalid duration \"" + std::string(text) + "\""); };
  if (text.empty()) return bad();
  if (text == "0") return Duration(0);
  size_t i = 0;
  long double total = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    size_t int_end = i;
    if (i < text.size() && text[i] == '.') {
      ++i;
      while (i < text.size() && IsDigit(text[i])) ++i;
    }
    if (i == start || (int_end == start && i == start + 1)) return bad();
    long double number = std::stold(std::string(text.substr(start, i - start)));
    size_t ustart = i;
    while (i < text.size() && !IsDigit(text[i]) && text[i] != '.') ++i;
    int64_t unit = UnitNanos(text.substr(ustart, i - ustart));
    if (unit == 0) return bad();
    total += number * unit;
    if (total > 9.2e18L) return bad();
  }
  return Duration(static_cast<int64_t>(std::llround(static_cast<double>(total))));
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
