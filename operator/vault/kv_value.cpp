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

// Whether `body` holds a number that RapidJSON 1.1.0's conversions must not see: with an
// exponent or a digit count past 250 (in JSON text outside strings), its StrtodDiyFp reads
// outside its table of powers of ten (a fuzzer found 0.777...75e-330). Such numbers are far
// outside anything a secret holds: the answer is refused with a clear error instead.
bool HasExtremeNumber(std::string_view body) {
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) continue;
    size_t digits = 0;
    for (; i < body.size(); ++i) {
      char d = body[i];
      if (d >= '0' && d <= '9') {
        ++digits;
      } else if (d == 'e' || d == 'E') {
        ++i;
        if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
        long exp = 0;
        for (; i < body.size() && body[i] >= '0' && body[i] <= '9'; ++i) {
          if (exp < 100000) exp = exp * 10 + (body[i] - '0');
        }
        if (exp > 250) return true;
        break;
      } else if (d != '.' && d != '-' && d != '+') {
        break;
      }
    }
    if (digits > 250) return true;
    if (i < body.size() && body[i] == '"') in_string = true;
  }
  return false;
}

}  // namespace

Result<json::Document> ParseExact(std::string_view body) {
  if (Status deep = json::CheckDepth(body); !deep.ok()) {
    return Internal("invalid JSON from Vault: " + deep.message());
  }
  if (HasExtremeNumber(body)) {
    return Internal(
        "invalid JSON from Vault: a number with more than 250 digits or an exponent beyond "
        "+-250 is not supported");
  }
  json::Document d;
  // Full precision: the default fast path may be one ULP off, and a number re-printed from
  // a wrong double would change the Secret's bytes.
  d.Parse<rapidjson::kParseFullPrecisionFlag>(body.data(), body.size());
  if (d.HasParseError()) {
    return Internal(std::string("invalid JSON from Vault at offset ") +
                    std::to_string(d.GetErrorOffset()) + ": " +
                    rapidjson::GetParseError_En(d.GetParseError()));
  }
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
