// Policy parsing and Vault's path-matching priority rules.
#include "acl.h"

#include <algorithm>
#include <cctype>

#include "util/json.h"

namespace vaultsync::vaultemu {
namespace {

Result<unsigned> CapabilityBit(std::string_view c) {
  if (c == "create") return kCapCreate;
  if (c == "read") return kCapRead;
  if (c == "update") return kCapUpdate;
  if (c == "delete") return kCapDelete;
  if (c == "list") return kCapList;
  if (c == "sudo") return kCapSudo;
  if (c == "deny") return kCapDeny;
  return InvalidArgument("invalid capability \"" + std::string(c) + "\"");
}

// The legacy `policy = "..."` shorthand.
Result<unsigned> LegacyPolicyBits(std::string_view p) {
  if (p == "deny") return kCapDeny;
  if (p == "read") return kCapRead | kCapList;
  if (p == "write") return kCapCreate | kCapRead | kCapUpdate | kCapDelete | kCapList;
  if (p == "sudo") return kCapCreate | kCapRead | kCapUpdate | kCapDelete | kCapList | kCapSudo;
  return InvalidArgument("invalid policy \"" + std::string(p) + "\"");
}

// A small tokenizer/parser for the subset of HCL that policies use.
class HclParser {
 public:
  explicit HclParser(std::string_view text) : s_(text) {}

  Result<std::vector<PathRule>> Parse() {
    std::vector<PathRule> rules;
    for (;;) {
      SkipSpace();
      if (pos_ >= s_.size()) break;
      VS_ASSIGN_OR_RETURN(std::string key, Identifier());
      if (key == "name") {  // some tools write name = "x"; Vault ignores it
        VS_RETURN_IF_ERROR(Expect('='));
        VS_RETURN_IF_ERROR(SkipValue());
        continue;
      }
      if (key != "path") return Fail("invalid key \"" + key + "\"");
      SkipSpace();
      VS_ASSIGN_OR_RETURN(std::string path, String());
      SkipSpace();
      if (Peek() == '=') ++pos_;
      VS_RETURN_IF_ERROR(Expect('{'));
      PathRule rule;
      rule.path = path;
      VS_RETURN_IF_ERROR(Body(rule));
      while (!rule.path.empty() && rule.path.front() == '/') rule.path.erase(0, 1);
      rules.push_back(std::move(rule));
    }
    return rules;
  }

 private:
  Status Body(PathRule& rule) {
    for (;;) {
      SkipSpace();
      if (Peek() == '}') {
        ++pos_;
        return Status::Ok();
      }
      if (pos_ >= s_.size()) return Fail("unterminated path block");
      VS_ASSIGN_OR_RETURN(std::string key, Identifier());
      VS_RETURN_IF_ERROR(Expect('='));
      if (key == "capabilities") {
        VS_ASSIGN_OR_RETURN(std::vector<std::string> caps, StringList());
        for (const auto& c : caps) {
          auto bit = CapabilityBit(c);
          if (!bit.ok()) return Fail("path \"" + rule.path + "\": " + bit.status().message());
          rule.capabilities |= *bit;
        }
      } else if (key == "policy") {
        SkipSpace();
        VS_ASSIGN_OR_RETURN(std::string p, String());
        VS_ASSIGN_OR_RETURN(unsigned bits, LegacyPolicyBits(p));
        rule.capabilities |= bits;
      } else {
        VS_RETURN_IF_ERROR(SkipValue());  // allowed_parameters, min_wrapping_ttl, ...
      }
      SkipSpace();
      if (Peek() == ',') ++pos_;
    }
  }

  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }

  void SkipSpace() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '#' || (c == '/' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '/')) {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
      } else if (c == '/' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '*') {
        size_t end = s_.find("*/", pos_ + 2);
        pos_ = end == std::string_view::npos ? s_.size() : end + 2;
      } else {
        break;
      }
    }
  }

  Status Expect(char c) {
    SkipSpace();
    if (Peek() != c) return Fail(std::string("expected '") + c + "'");
    ++pos_;
    return Status::Ok();
  }

  Result<std::string> Identifier() {
    SkipSpace();
    if (Peek() == '"') return String();
    size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) ||
                                s_[pos_] == '_' || s_[pos_] == '-')) {
      ++pos_;
    }
    if (start == pos_) return Fail("expected a key");
    return std::string(s_.substr(start, pos_ - start));
  }

  Result<std::string> String() {
    SkipSpace();
    if (Peek() != '"') return Fail("expected a string");
    ++pos_;
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) {
        char e = s_[++pos_];
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        out += s_[pos_];
      }
      ++pos_;
    }
    if (pos_ >= s_.size()) return Fail("unterminated string");
    ++pos_;
    return out;
  }

  Result<std::vector<std::string>> StringList() {
    VS_RETURN_IF_ERROR(Expect('['));
    std::vector<std::string> out;
    for (;;) {
      SkipSpace();
      if (Peek() == ']') {
        ++pos_;
        return out;
      }
      VS_ASSIGN_OR_RETURN(std::string item, String());
      out.push_back(std::move(item));
      SkipSpace();
      if (Peek() == ',') ++pos_;
    }
  }

  // Skips a string, number, identifier, list or block value.
  Status SkipValue() {
    SkipSpace();
    char c = Peek();
    if (c == '"') return String().status();
    if (c == '[' || c == '{') {
      char close = c == '[' ? ']' : '}';
      ++pos_;
      for (;;) {
        SkipSpace();
        if (pos_ >= s_.size()) return Fail("unterminated value");
        if (Peek() == close) {
          ++pos_;
          return Status::Ok();
        }
        if (Peek() == ',' || Peek() == '=' || Peek() == ':') {
          ++pos_;
          continue;
        }
        VS_RETURN_IF_ERROR(SkipValue());
      }
    }
    size_t start = pos_;
    while (pos_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[pos_])) &&
           s_[pos_] != ',' && s_[pos_] != '}' && s_[pos_] != ']') {
      ++pos_;
    }
    if (start == pos_) return Fail("expected a value");
    return Status::Ok();
  }

  Status Fail(std::string what) const {
    int line = 1 + static_cast<int>(std::count(s_.begin(), s_.begin() + pos_, '\n'));
    return InvalidArgument(what + " on line " + std::to_string(line));
  }

  std::string_view s_;
  size_t pos_ = 0;
};

Result<std::vector<PathRule>> ParseJsonPolicy(std::string_view text) {
  auto doc = json::Parse(text);
  if (!doc.ok()) return InvalidArgument("invalid JSON policy");
  VS_ASSIGN_OR_RETURN(const json::Value* paths, json::OptionalObject(*doc, "path"));
  std::vector<PathRule> rules;
  if (paths == nullptr) return rules;
  for (const auto& m : paths->GetObject()) {
    PathRule rule;
    rule.path = std::string(json::View(m.name));
    while (!rule.path.empty() && rule.path.front() == '/') rule.path.erase(0, 1);
    VS_ASSIGN_OR_RETURN(const json::Value* caps,
                        json::OptionalArray(m.value, "capabilities", rule.path));
    if (caps != nullptr) {
      for (const auto& c : caps->GetArray()) {
        if (!c.IsString()) return InvalidArgument("capabilities must be strings");
        VS_ASSIGN_OR_RETURN(unsigned bit, CapabilityBit(json::View(c)));
        rule.capabilities |= bit;
      }
    }
    VS_ASSIGN_OR_RETURN(auto legacy, json::OptionalString(m.value, "policy", rule.path));
    if (legacy) {
      VS_ASSIGN_OR_RETURN(unsigned bits, LegacyPolicyBits(*legacy));
      rule.capabilities |= bits;
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

bool IsGlob(std::string_view p) { return !p.empty() && p.back() == '*'; }
bool HasSegmentWildcard(std::string_view p) { return p.find('+') != std::string_view::npos; }

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t slash = s.find('/', start);
    parts.push_back(s.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) return parts;
    start = slash + 1;
  }
}

// Whether a rule containing '+' matches path.
bool SegmentMatch(std::string_view pattern, std::string_view path) {
  bool glob = IsGlob(pattern);
  if (glob) pattern.remove_suffix(1);
  auto p = Split(pattern);
  auto s = Split(path);
  if (glob ? s.size() < p.size() : s.size() != p.size()) return false;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == "+") continue;
    bool last = i + 1 == p.size();
    if (glob && last) {
      if (s[i].substr(0, p[i].size()) != p[i]) return false;
    } else if (p[i] != s[i]) {
      return false;
    }
  }
  return true;
}

bool RuleMatches(std::string_view rule, std::string_view path) {
  if (HasSegmentWildcard(rule)) return SegmentMatch(rule, path);
  if (IsGlob(rule)) return path.substr(0, rule.size() - 1) == rule.substr(0, rule.size() - 1);
  return rule == path;
}

// Vault's ordering of two matching non-exact rules: true when a has lower priority.
bool LowerPriority(std::string_view a, std::string_view b) {
  size_t wa = a.find_first_of("+*");
  size_t wb = b.find_first_of("+*");
  if (wa != wb) return wa < wb;
  bool ga = IsGlob(a), gb = IsGlob(b);
  if (ga != gb) return ga;
  auto plus = [](std::string_view p) { return std::count(p.begin(), p.end(), '+'); };
  if (plus(a) != plus(b)) return plus(a) > plus(b);
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

}  // namespace

Result<Policy> ParsePolicy(std::string_view name, std::string_view text) {
  Policy p;
  p.name = std::string(name);
  p.text = std::string(text);
  size_t first = text.find_first_not_of(" \t\r\n");
  Result<std::vector<PathRule>> rules = (first != std::string_view::npos && text[first] == '{')
                                            ? ParseJsonPolicy(text)
                                            : HclParser(text).Parse();
  if (!rules.ok()) return rules.status();
  p.rules = std::move(rules).value();
  return p;
}

Acl::Acl(const std::vector<const Policy*>& policies, bool root) : root_(root) {
  for (const Policy* p : policies) {
    for (const PathRule& r : p->rules) {
      if (r.path.find("{{") != std::string::npos) continue;  // identity templates: unsupported
      unsigned& caps = rules_[r.path];
      caps |= r.capabilities;
    }
  }
  for (auto& [path, caps] : rules_) {
    if (caps & kCapDeny) caps = kCapDeny;
  }
}

unsigned Acl::Capabilities(std::string_view path) const {
  if (root_) return ~0u & ~unsigned(kCapDeny);
  auto strip = [](unsigned caps) { return (caps & kCapDeny) ? 0u : caps; };
  for (const auto& [rule, caps] : rules_) {
    if (!IsGlob(rule) && !HasSegmentWildcard(rule) && rule == path) return strip(caps);
  }
  if (!path.empty() && path.back() == '/') {  // a list of "a/b/" also matches exact "a/b"
    std::string_view trimmed = path.substr(0, path.size() - 1);
    for (const auto& [rule, caps] : rules_) {
      if (!IsGlob(rule) && !HasSegmentWildcard(rule) && rule == trimmed) return strip(caps);
    }
  }
  const std::string* best = nullptr;
  unsigned best_caps = 0;
  for (const auto& [rule, caps] : rules_) {
    if (!IsGlob(rule) && !HasSegmentWildcard(rule)) continue;
    if (!RuleMatches(rule, path)) continue;
    if (best == nullptr || LowerPriority(*best, rule)) {
      best = &rule;
      best_caps = caps;
    }
  }
  return best == nullptr ? 0 : strip(best_caps);
}

bool Acl::Allows(std::string_view path, Capability c) const {
  return (Capabilities(path) & c) != 0;
}

bool Acl::AnyAccessUnder(std::string_view prefix) const {
  if (root_) return true;
  for (const auto& [rule, caps] : rules_) {
    if (caps == 0 || (caps & kCapDeny)) continue;
    std::string_view r = rule;
    if (IsGlob(r)) r.remove_suffix(1);
    size_t plus = r.find('+');
    std::string_view fixed = r.substr(0, plus);
    // The rule reaches below prefix, or prefix lies below a glob/wildcard rule.
    if (fixed.substr(0, prefix.size()) == prefix) return true;
    if ((IsGlob(rule) || plus != std::string_view::npos) &&
        prefix.substr(0, fixed.size()) == fixed) {
      return true;
    }
  }
  return false;
}

std::string_view DefaultPolicyText() {
  return R"(# Tokens may look up, renew and revoke themselves.
path "auth/token/lookup-self" {
    capabilities = ["read"]
}

path "auth/token/renew-self" {
    capabilities = ["update"]
}

path "auth/token/revoke-self" {
    capabilities = ["update"]
}

# Tokens may ask which capabilities they have on a path.
path "sys/capabilities-self" {
    capabilities = ["update"]
}

# Tokens may read their own identity entity and group.
path "identity/entity/id/{{identity.entity.id}}" {
  capabilities = ["read"]
}

path "identity/entity/name/{{identity.entity.name}}" {
  capabilities = ["read"]
}

# The UI reads the resultant ACL of its token.
path "sys/internal/ui/resultant-acl" {
    capabilities = ["read"]
}

# Tokens may renew and look up leases they hold.
path "sys/renew" {
    capabilities = ["update"]
}
path "sys/leases/renew" {
    capabilities = ["update"]
}

path "sys/leases/lookup" {
    capabilities = ["update"]
}

# Every token has a private cubbyhole.
path "cubbyhole/*" {
    capabilities = ["create", "read", "update", "delete", "list"]
}

# Response wrapping.
path "sys/wrapping/wrap" {
    capabilities = ["update"]
}

path "sys/wrapping/lookup" {
    capabilities = ["update"]
}

path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}

# Hashing and random bytes are harmless.
path "sys/tools/hash" {
    capabilities = ["update"]
}
path "sys/tools/hash/*" {
    capabilities = ["update"]
}

# Control groups.
path "sys/control-group/request" {
    capabilities = ["update"]
}
)";
}

}  // namespace vaultsync::vaultemu
