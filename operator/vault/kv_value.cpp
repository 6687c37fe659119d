// KV values: exact number handling and Go-compatible compact JSON.
#include "vault/kv_value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include <rapidjson/error/en.h>

namespace vaultsync::vault {
namespace {

void AppendGoString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      continue;
    }
    // U+2028 and U+2029 (E2 80 A8 / E2 80 A9) are escaped by Go for JavaScript's sake.
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
         static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
      continue;
    }
    out += static_cast<char>(c);
  }
  out += '"';
}

// Go's encoding/json float64 format: shortest round-trip digits, 'e' notation only for
// magnitudes below 1e-6 or from 1e21 up, with a single-digit negative exponent cleaned up.
void AppendGoFloat(std::string& out, double d) {
  char buf[64];
  double a = std::fabs(d);
  bool exp_form = a != 0 && (a < 1e-6 || a >= 1e21);
  auto fmt = exp_form ? std::chars_format::scientific : std::chars_format::fixed;
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d, fmt);
  if (ec != std::errc()) {
    out += "0";
    return;
  }
  std::string s(buf, end);
  if (exp_form) {
    size_t n = s.size();
    if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') s.erase(n - 2, 1);
  }
  out += s;
}

void AppendGoJson(std::string& out, const json::Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      out += "null";
      return;
    case rapidjson::kFalseType:
      out += "false";
      return;
    case rapidjson::kTrueType:
      out += "true";
      return;
    case rapidjson::kStringType:
      AppendGoString(out, json::View(v));
      return;
    case rapidjson::kNumberType:
      if (v.IsInt64()) {
        out += std::to_string(v.GetInt64());
      } else if (v.IsUint64()) {
        out += std::to_string(v.GetUint64());
      } else {
        AppendGoFloat(out, v.GetDouble());
      }
      return;
    case rapidjson::kArrayType: {
      out += '[';
      bool first = true;
      for (const auto& e : v.GetArray()) {
        if (!first) out += ',';
        first = false;
        AppendGoJson(out, e);
      }
      out += ']';
      return;
    }
    case rapidjson::kObjectType: {
      out += '{';
      bool first = true;
      for (const auto& m : v.GetObject()) {
        if (!first) out += ',';
        first = false;
        AppendGoString(out, json::View(m.name));
        out += ':';
        AppendGoJson(out, m.value);
      }
      out += '}';
      return;
    }
  }
}

// RapidJSON 1.1.0's full-precision conversion is only right well inside the range of a
// double: past about 1e300 or below 1e-300 it returns garbage (9e308 becomes a negative
// number, 2e308 NaN, 200 digits followed by e250 a plain 6.1e40) or reads outside its table
// of powers of ten (fuzz_kv_value found 0.777...75e-330; see tests/fuzz/regressions/
// kv_value/). No secret needs such a number, so an answer holding one is refused with a clear
// error. Two checks:
//  - on the text, before parsing (keeps RapidJSON away from the unsafe inputs): more than
//    250 digits, an exponent beyond +-350, or a non-zero number whose magnitude is past
//    1e301 or below 1e-301;
//  - on the parsed value: a non-integer whose magnitude is not in [1e-300, 1e300). Checking
//    the double, not the text, makes the rule stable: whatever we print for an accepted
//    number (Go's shortest form) is accepted again, even when rounding crossed a power of
//    ten.
constexpr int kMaxNumberDigits = 250;
constexpr long kMaxExponent = 350;
constexpr long kMaxTextMagnitude = 301;
constexpr double kMaxMagnitude = 1e300;
constexpr double kMinMagnitude = 1e-300;

// Whether the number starting at body[i] is outside the text bounds; `i` ends on the first
// character after it.
bool NumberTextOutOfRange(std::string_view body, size_t& i) {
  if (i < body.size() && body[i] == '-') ++i;
  long digits = 0;
  long int_digits = 0;
  long first_nonzero = 0;  // 1-based place among all the digits; 0: the number is zero
  bool in_fraction = false;
  for (; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '.') {
      in_fraction = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    ++digits;
    if (!in_fraction) ++int_digits;
    if (first_nonzero == 0 && c != '0') first_nonzero = digits;
  }
  // The value (before the exponent) is in [10^(magnitude-1), 10^magnitude).
  const long magnitude = int_digits - first_nonzero + 1;
  long exp = 0;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) negative = body[i++] == '-';
    for (; i < body.size() && body[i] >= '0' && body[i] <= '9'; ++i) {
      if (exp <= kMaxExponent) exp = exp * 10 + (body[i] - '0');
    }
    if (negative) exp = -exp;
  }
  if (digits > kMaxNumberDigits || exp > kMaxExponent || exp < -kMaxExponent) return true;
  return first_nonzero != 0 &&
         (magnitude + exp > kMaxTextMagnitude || magnitude + exp < -kMaxTextMagnitude);
}

bool HasExtremeNumberText(std::string_view body) {
  bool in_string = false;
  for (size_t i = 0; i < body.size();) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == '"') in_string = false;
      ++i;
      continue;
    }
    if (c == '"') {
      in_string = true;
      ++i;
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      if (NumberTextOutOfRange(body, i)) return true;
      continue;
    }
    ++i;
  }
  return false;
}

// Depth is bounded by json::CheckDepth before parsing.
bool HasExtremeNumberValue(const json::Value& v) {
  if (v.IsDouble()) {
    const double a = std::fabs(v.GetDouble());
    return !std::isfinite(a) || a >= kMaxMagnitude || (a != 0 && a < kMinMagnitude);
  }
  if (v.IsArray()) {
    for (const auto& e : v.GetArray()) {
      if (HasExtremeNumberValue(e)) return true;
    }
  }
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      if (HasExtremeNumberValue(m.value)) return true;
    }
  }
  return false;
}

constexpr const char* kExtremeNumber =
    "invalid JSON from Vault: a number with more than 250 digits, or of magnitude beyond "
    "1e300 or below 1e-300, is not supported";

}  // namespace

Result<json::Document> ParseExact(std::string_view body) {
  if (Status deep = json::CheckDepth(body); !deep.ok()) {
    return Internal("invalid JSON from Vault: " + deep.message());
  }
  if (HasExtremeNumberText(body)) return Internal(kExtremeNumber);
  json::Document d;
  // Full precision: the default fast path may be one ULP off, and a number re-printed from
  // a wrong double would change the Secret's bytes.
  d.Parse<rapidjson::kParseFullPrecisionFlag>(body.data(), body.size());
  if (d.HasParseError()) {
    return Internal(std::string("invalid JSON from Vault at offset ") +
                    std::to_string(d.GetErrorOffset()) + ": " +
                    rapidjson::GetParseError_En(d.GetParseError()));
  }
  if (HasExtremeNumberValue(d)) return Internal(kExtremeNumber);
  return d;
}

std::string GoJson(const json::Value& v) {
  std::string out;
  AppendGoJson(out, v);
  return out;
}

Result<KvData> KvDataFromJson(const json::Value& obj, std::string_view where) {
  if (!obj.IsObject()) {
    return Internal("field \"" + std::string(where) + "\": expected object, got " +
                    std::string(json::TypeName(obj)));
  }
  KvData out;
  out.reserve(obj.MemberCount());
  for (const auto& m : obj.GetObject()) {
    if (m.value.IsString()) {
      out.emplace_back(std::string(json::View(m.name)),
                       KvValue::String(std::string(json::View(m.value))));
    } else {
      out.emplace_back(std::string(json::View(m.name)), KvValue::Json(GoJson(m.value)));
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

Result<std::string> KvDataToJson(const KvData& data) {
  std::set<std::string_view> seen;
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : data) {
    if (key.empty()) return InvalidArgument("secret data has an empty key");
    if (!seen.insert(key).second) {
      return InvalidArgument("secret data key \"" + key + "\" is given twice");
    }
    if (!first) out += ',';
    first = false;
    AppendGoString(out, key);
    out += ':';
    if (value.is_string) {
      AppendGoString(out, value.text);
    } else {
      auto parsed = ParseExact(value.text);
      if (!parsed.ok()) {
        return InvalidArgument("value of secret data key \"" + key + "\" is not valid JSON");
      }
      AppendGoJson(out, *parsed);
    }
  }
  out += '}';
  return out;
}

std::vector<std::string> SensitiveValues(const KvData& data) {
  std::vector<std::string> out;
  out.reserve(data.size());
  for (const auto& [key, value] : data) out.push_back(value.text);
  return out;
}

}  // namespace vaultsync::vault
