// RFC 3339 formatting and parsing without locale or TZ environment dependence.
#include "util/time_format.h"

#include <cstdio>
#include <ctime>
#include <limits>

namespace vaultsync {
namespace {

// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::string FormatRfc3339(TimePoint t, int fraction_digits) {
  using namespace std::chrono;
  auto ns_total = duration_cast<nanoseconds>(t.time_since_epoch()).count();
  int64_t secs = ns_total / 1000000000;
  int64_t ns = ns_total % 1000000000;
  if (ns < 0) {
    ns += 1000000000;
    --secs;
  }
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out(buf);
  if (fraction_digits > 0) {
    std::snprintf(buf, sizeof buf, "%09lld", static_cast<long long>(ns));
    out += '.';
    out.append(buf, static_cast<size_t>(fraction_digits > 9 ? 9 : fraction_digits));
  }
  out += 'Z';
  return out;
}

std::string FormatRfc3339Nano(TimePoint t) {
  std::string s = FormatRfc3339(t, 9);
  // Trim trailing zeros of the fraction (and the dot if nothing remains).
  size_t z = s.size() - 1;  // position of 'Z'
  size_t end = z;
  while (end > 0 && s[end - 1] == '0') --end;
  if (end > 0 && s[end - 1] == '.') --end;
  return s.substr(0, end) + "Z";
}

Result<TimePoint> ParseRfc3339(std::string_view s) {
  // Quoted in messages up to a bound (the fraction may have any number of digits).
  std::string shown(s.substr(0, 64));
  if (s.size() > 64) shown += "...";
  auto bad = [&] { return InvalidArgument("invalid RFC 3339 time \"" + shown + "\""); };
  int y, mo, d, h, mi, se;
  if (!Digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, h) ||
      s[13] != ':' || !Digits(s, 14, 2, mi) || s[16] != ':' || !Digits(s, 17, 2, se)) {
    return bad();
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return bad();
  size_t pos = 19;
  int64_t ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 9) {
        ns = ns * 10 + (s[pos] - '0');
        ++n;
      }
      ++pos;
    }
    if (n == 0) return bad();
    for (; n < 9; ++n) ns *= 10;
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, om)) {
      return bad();
    }
    offset = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  int64_t secs =
      DaysFromCivil(y, unsigned(mo), unsigned(d)) * 86400 + h * 3600 + mi * 60 + se - offset;
  // TimePoint counts nanoseconds in 64 bits: years 1678 to 2261. Go's zero time
  // ("0001-01-01T00:00:00Z") and "9999-12-31..." are outside; converting them would overflow.
  constexpr int64_t kLimit = std::numeric_limits<int64_t>::max() / 1000000000 - 1;
  if (secs < -kLimit || secs > kLimit) {
    return InvalidArgument("RFC 3339 time \"" + shown +
                           "\" is outside the years 1678 to 2261 that can be represented");
  }
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::seconds(secs) +
                                                                   std::chrono::nanoseconds(ns)));
}

int Rfc3339FractionDigits(std::string_view text) {
  size_t dot = text.find('.');
  if (dot == std::string_view::npos) return 0;
  int n = 0;
  for (size_t i = dot + 1; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) ++n;
  return n;
}

}  // namespace vaultsync
