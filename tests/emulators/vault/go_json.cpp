// Go-compatible JSON encoding (see go_json.h for why it matters).
#include "go_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

namespace vaultsync::vaultemu {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendUnicodeEscape(unsigned code, std::string& out) {
  out += "\\u";
  out += kHex[(code >> 12) & 0xF];
  out += kHex[(code >> 8) & 0xF];
  out += kHex[(code >> 4) & 0xF];
  out += kHex[code & 0xF];
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i, unsigned* code) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned c = byte(i);
  size_t len = 0;
  unsigned value = 0;
  unsigned min = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2, value = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, value = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, value = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    unsigned b = byte(i + k);
    if ((b & 0xC0) != 0x80) return 0;
    value = (value << 6) | (b & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  *code = value;
  return len;
}

void AppendGoString(std::string_view s, std::string& out) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '<':
        case '>':
        case '&':
          AppendUnicodeEscape(c, out);
          break;
        default:
          if (c < 0x20) {
            AppendUnicodeEscape(c, out);
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    unsigned code = 0;
    size_t len = Utf8SequenceLength(s, i, &code);
    if (len == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (code == 0x2028 || code == 0x2029) {
      AppendUnicodeEscape(code, out);
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  out += '"';
}

}  // namespace

std::string GoFloat(double d) {
  // Shortest round-trip digits first, then Go's layout: fixed notation unless the
  // magnitude is below 1e-6 or at least 1e21.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // "-1.2345e+19"
  std::string out;
  size_t i = 0;
  if (sci[0] == '-') {
    out += '-';
    i = 1;
  }
  size_t e = sci.find('e');
  std::string digits;
  for (size_t k = i; k < e; ++k) {
    if (sci[k] != '.') digits += sci[k];
  }
  int exp = std::stoi(sci.substr(e + 1));
  double abs = std::fabs(d);
  if (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
    out += digits[0];
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += exp < 0 ? "e-" : "e+";
    int a = exp < 0 ? -exp : exp;
    // Go prints at least two exponent digits, then trims a leading zero of negative ones.
    if (a < 10 && exp >= 0) out += '0';
    out += std::to_string(a);
    return out;
  }
  if (digits == "0") return out + "0";
  if (exp >= 0) {
    size_t int_len = static_cast<size_t>(exp) + 1;
    if (digits.size() <= int_len) {
      out += digits + std::string(int_len - digits.size(), '0');
    } else {
      out += digits.substr(0, int_len) + "." + digits.substr(int_len);
    }
  } else {
    out += "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
  }
  return out;
}

std::string GoQuote(std::string_view s) {
  std::string out;
  AppendGoString(s, out);
  return out;
}

void AppendGoJson(const json::Value& v, std::string& out) {
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
      AppendGoString(json::View(v), out);
      return;
    case rapidjson::kNumberType:
      if (v.IsDouble()) {
        out += GoFloat(v.GetDouble());
      } else if (v.IsInt64()) {
        out += std::to_string(v.GetInt64());
      } else {
        out += std::to_string(v.GetUint64());
      }
      return;
    case rapidjson::kArrayType: {
      out += '[';
      bool first = true;
      for (const auto& item : v.GetArray()) {
        if (!first) out += ',';
        first = false;
        AppendGoJson(item, out);
      }
      out += ']';
      return;
    }
    case rapidjson::kObjectType: {
      std::vector<const json::Value::Member*> members;
      for (const auto& m : v.GetObject()) members.push_back(&m);
      std::stable_sort(members.begin(), members.end(), [](const auto* a, const auto* b) {
        return json::View(a->name) < json::View(b->name);
      });
      out += '{';
      bool first = true;
      for (const auto* m : members) {
        if (!first) out += ',';
        first = false;
        AppendGoString(json::View(m->name), out);
        out += ':';
        AppendGoJson(m->value, out);
      }
      out += '}';
      return;
    }
  }
}

std::string GoJson(const json::Value& v) {
  std::string out;
  AppendGoJson(v, out);
  return out;
}

void NumbersToFloat64(json::Value& v) {
  if (v.IsNumber()) {
    v.SetDouble(v.GetDouble());
  } else if (v.IsArray()) {
    for (auto& item : v.GetArray()) NumbersToFloat64(item);
  } else if (v.IsObject()) {
    for (auto& m : v.GetObject()) NumbersToFloat64(m.value);
  }
}

std::string GoStringList(const std::vector<std::string>& items, bool null_if_empty) {
  if (items.empty() && null_if_empty) return "null";
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    AppendGoString(items[i], out);
  }
  out += ']';
  return out;
}

}  // namespace vaultsync::vaultemu
