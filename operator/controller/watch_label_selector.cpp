// Parsing of Kubernetes string label selectors, for --watch-label-selector.
#include "controller/watch_label_selector.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <vector>

namespace vaultsync::controller {
namespace {

enum class Op { kExists, kNotExists, kEquals, kNotEquals, kIn, kNotIn, kGreater, kLess };

struct Requirement {
  std::string key;
  Op op = Op::kExists;
  std::vector<std::string> values;
};

// Characters that end an identifier, as in the apiserver's selector lexer.
bool IsSpecial(char c) {
  return c == '!' || c == '=' || c == '(' || c == ')' || c == ',' || c == '<' || c == '>';
}
bool IsBlank(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// A label name or value: alphanumerics at both ends, '-', '_' and '.' between, at most 63.
bool IsLabelToken(std::string_view s) {
  if (s.empty() || s.size() > 63 || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

// A DNS subdomain (RFC 1123): lowercase labels joined by dots, at most 253.
bool IsDnsSubdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label) {
      if (!(std::islower(static_cast<unsigned char>(c)) ||
            std::isdigit(static_cast<unsigned char>(c)) || c == '-'))
        return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

bool IsLabelKey(std::string_view key) {
  size_t slash = key.find('/');
  if (slash == std::string_view::npos) return IsLabelToken(key);
  return IsDnsSubdomain(key.substr(0, slash)) && IsLabelToken(key.substr(slash + 1));
}

bool IsInteger(std::string_view s) {
  if (!s.empty() && s.front() == '-') s.remove_prefix(1);
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Result<std::vector<Requirement>> Parse() {
    std::vector<Requirement> out;
    SkipBlanks();
    if (pos_ == s_.size()) return out;
    while (true) {
      VS_ASSIGN_OR_RETURN(Requirement r, ParseRequirement());
      out.push_back(std::move(r));
      SkipBlanks();
      if (pos_ == s_.size()) return out;
      if (s_[pos_] != ',') return Error("expected ',' or the end after a requirement");
      ++pos_;
    }
  }

 private:
  Result<Requirement> ParseRequirement() {
    Requirement r;
    SkipBlanks();
    bool negated = Accept("!");
    std::string key = Identifier();
    if (key.empty()) return Error("expected a label key");
    if (!IsLabelKey(key)) {
      return Error("\"" + key +
                   "\" is not a valid label key (an optional DNS subdomain prefix and '/', then "
                   "at most 63 alphanumerics, '-', '_' or '.', starting and ending with an "
                   "alphanumeric)");
    }
    r.key = key;
    SkipBlanks();
    if (negated) {
      r.op = Op::kNotExists;
      return r;
    }
    if (pos_ == s_.size() || s_[pos_] == ',') return r;  // exists
    if (Accept("!=")) {
      r.op = Op::kNotEquals;
    } else if (Accept("==") || Accept("=")) {
      r.op = Op::kEquals;
    } else if (Accept(">")) {
      r.op = Op::kGreater;
    } else if (Accept("<")) {
      r.op = Op::kLess;
    } else {
      std::string word = Identifier();
      if (word == "in") {
        r.op = Op::kIn;
      } else if (word == "notin") {
        r.op = Op::kNotIn;
      } else {
        return Error("expected an operator (=, ==, !=, in, notin, >, <) after \"" + key + "\"");
      }
    }
    if (r.op == Op::kIn || r.op == Op::kNotIn) {
      SkipBlanks();
      if (!Accept("(")) return Error("expected '(' after in/notin");
      while (true) {
        SkipBlanks();
        std::string v = Identifier();
        VS_RETURN_IF_ERROR(CheckValue(v));
        if (!v.empty()) r.values.push_back(v);
        SkipBlanks();
        if (Accept(")")) break;
        if (!Accept(",")) return Error("expected ',' or ')' in the values of \"" + key + "\"");
      }
      if (r.values.empty()) return Error("the values of \"" + key + "\" in/notin are empty");
      std::sort(r.values.begin(), r.values.end());
      r.values.erase(std::unique(r.values.begin(), r.values.end()), r.values.end());
      return r;
    }
    SkipBlanks();
    std::string v = Identifier();
    if (r.op == Op::kGreater || r.op == Op::kLess) {
      if (!IsInteger(v)) return Error("\"" + key + "\" > or < needs an integer, not \"" + v + "\"");
    } else {
      VS_RETURN_IF_ERROR(CheckValue(v));
    }
    r.values.push_back(v);
    return r;
  }

  Status CheckValue(const std::string& v) {
    if (v.empty() || IsLabelToken(v)) return Status::Ok();
    return Error("\"" + v +
                 "\" is not a valid label value (at most 63 alphanumerics, '-', '_' or '.', "
                 "starting and ending with an alphanumeric)");
  }

  std::string Identifier() {
    size_t start = pos_;
    while (pos_ < s_.size() && !IsBlank(s_[pos_]) && !IsSpecial(s_[pos_])) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }
  bool Accept(std::string_view token) {
    if (s_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  void SkipBlanks() {
    while (pos_ < s_.size() && IsBlank(s_[pos_])) ++pos_;
  }
  Status Error(const std::string& what) const {
    return InvalidArgument(what + " (at character " + std::to_string(pos_ + 1) + ")");
  }

  std::string_view s_;
  size_t pos_ = 0;
};

std::string Render(const Requirement& r) {
  auto joined = [&r] {
    std::string out;
    for (const std::string& v : r.values) out += (out.empty() ? "" : ",") + v;
    return out;
  };
  switch (r.op) {
    case Op::kExists:
      return r.key;
    case Op::kNotExists:
      return "!" + r.key;
    case Op::kEquals:
      return r.key + "=" + r.values[0];
    case Op::kNotEquals:
      return r.key + "!=" + r.values[0];
    case Op::kIn:
      return r.key + " in (" + joined() + ")";
    case Op::kNotIn:
      return r.key + " notin (" + joined() + ")";
    case Op::kGreater:
      return r.key + ">" + r.values[0];
    case Op::kLess:
      return r.key + "<" + r.values[0];
  }
  return r.key;
}

}  // namespace

Result<std::string> CanonicalLabelSelector(std::string_view selector) {
  VS_ASSIGN_OR_RETURN(std::vector<Requirement> reqs, Parser(selector).Parse());
  std::stable_sort(reqs.begin(), reqs.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  std::string out;
  for (const Requirement& r : reqs) out += (out.empty() ? "" : ",") + Render(r);
  return out;
}

bool SelectsOnlyByShardLabel(std::string_view canonical_selector) {
  auto reqs = Parser(canonical_selector).Parse();
  if (!reqs.ok() || reqs->empty()) return false;
  return std::all_of(reqs->begin(), reqs->end(),
                     [](const Requirement& r) { return r.key == kShardLabel; });
}

std::string ShardLeaseName(std::string_view base, std::string_view canonical_selector) {
  if (canonical_selector.empty()) return std::string(base);
  uint32_t h = 2166136261u;
  for (unsigned char c : canonical_selector) {
    h ^= c;
    h *= 16777619u;
  }
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", h);
  return std::string(base) + "-" + hex;
}

}  // namespace vaultsync::controller
