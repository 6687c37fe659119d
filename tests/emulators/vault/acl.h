// Vault's ACL policies: parsing the HCL (or JSON) policy text and deciding, for a token's
// set of policies, which capabilities it has on a path. Matching follows Vault's rules: an
// exact path wins; otherwise the highest-priority glob (`*` suffix) or segment wildcard
// (`+`) rule applies, and capabilities of rules with the same path in several policies
// are merged, `deny` overriding everything.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace vaultsync::vaultemu {

enum Capability : unsigned {
  kCapCreate = 1,
  kCapRead = 2,
  kCapUpdate = 4,
  kCapDelete = 8,
  kCapList = 16,
  kCapSudo = 32,
  kCapDeny = 64,
};

struct PathRule {
  std::string path;  // as written, leading '/' removed (may end in '*', may hold '+')
  unsigned capabilities = 0;
};

struct Policy {
  std::string name;
  std::string text;  // exactly as written by the client (returned by GET)
  std::vector<PathRule> rules;
};

// Parses HCL of the form `path "x" { capabilities = ["read", "list"] }` (comments, other
// keys such as allowed_parameters and the legacy `policy = "read"` are accepted) or the
// JSON form {"path": {"x": {"capabilities": [...]}}}. Fails with kInvalidArgument and a
// message naming the problem.
Result<Policy> ParsePolicy(std::string_view name, std::string_view text);

// The capabilities of a set of policies. Immutable once built.
class Acl {
 public:
  // `root` grants everything (the root policy).
  Acl(const std::vector<const Policy*>& policies, bool root);

  bool root() const { return root_; }
  // Capability bits on `path` (already with the trailing '/' of a list request); a deny
  // yields 0.
  unsigned Capabilities(std::string_view path) const;
  bool Allows(std::string_view path, Capability c) const;
  // Whether any rule grants something on `prefix` or below it (the preflight check of
  // sys/internal/ui/mounts).
  bool AnyAccessUnder(std::string_view prefix) const;

 private:
  bool root_ = false;
  std::map<std::string, unsigned, std::less<>> rules_;  // merged by path
};

// Vault's built-in `default` policy text.
std::string_view DefaultPolicyText();

}  // namespace vaultsync::vaultemu
