// sys/policies/acl (and the older sys/policy): ACL policies by name; and
// sys/capabilities-self, which asks the ACL engine what the caller's token may do.
#include <algorithm>

#include "go_json.h"
#include "sys_handlers.h"
#include "wrapping.h"

namespace vaultsync::vaultemu {
namespace {

std::vector<std::string> PolicyNames(const State& s) {
  std::vector<std::string> names;
  for (const auto& [name, p] : s.policies) names.push_back(name);
  names.push_back("root");
  std::sort(names.begin(), names.end());
  return names;
}

Reply OnePolicy(State& s, Call& c, const std::string& name, bool legacy) {
  switch (c.op) {
    case Op::kRead: {
      if (name == "root") {
        return DataJson(std::string("{\"name\":\"root\",\"") + (legacy ? "rules" : "policy") +
                        "\":\"\"}");
      }
      auto it = s.policies.find(name);
      if (it == s.policies.end()) return Error(404, {});
      std::string text = GoQuote(it->second.text);
      std::string out =
          "{\"name\":" + GoQuote(name) + ",\"" + (legacy ? "rules" : "policy") + "\":" + text + "}";
      return DataJson(out);
    }
    case Op::kCreate:
    case Op::kUpdate: {
      if (name == "root") return Error(400, {"cannot update \"root\" policy"});
      std::string text;
      Status st = BodyString(c, legacy ? "rules" : "policy", text);
      if (!st.ok()) return Error(400, {st.message()});
      if (text.empty() && legacy) (void)BodyString(c, "policy", text);
      if (text.empty()) return Error(400, {"'policy' parameter not supplied or empty"});
      auto policy = ParsePolicy(name, text);
      if (!policy.ok()) {
        return Error(400, {"failed to parse policy: " + policy.status().message()});
      }
      s.policies[name] = std::move(policy).value();
      return NoContent();
    }
    case Op::kDelete:
      if (name == "root" || name == "default") {
        return Error(400, {"cannot delete \"" + name + "\" policy"});
      }
      s.policies.erase(name);
      return NoContent();
    case Op::kList:
      return Unsupported();
  }
  return Unsupported();
}

}  // namespace

Reply HandleSysPolicies(State& s, Call& c, std::string_view sub) {
  // sub: "acl", "acl/<name>" (sys/policies/...), or "policy[/<name>]" for the old API.
  bool legacy = sub.rfind("policy", 0) == 0;
  if (!legacy && sub != "acl" && sub.rfind("acl/", 0) != 0) {
    return Error(404, {MultiError("unsupported path")});
  }
  std::string_view rest = legacy ? sub.substr(6) : sub.substr(3);
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) {
    if (c.op == Op::kList || (legacy && c.op == Op::kRead)) {
      std::vector<std::string> names = PolicyNames(s);
      if (legacy) {
        std::string list = GoStringList(names);
        Reply r = DataJson("{\"keys\":" + list + ",\"policies\":" + list + "}");
        r.envelope->top_level_members = "\"keys\":" + list + ",\"policies\":" + list;
        return r;
      }
      return DataJson("{\"keys\":" + GoStringList(names) + "}");
    }
    return Unsupported();
  }
  std::string name(rest);
  std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  return OnePolicy(s, c, name, legacy);
}

// Vault's ACL.Capabilities: "root" for root, otherwise the granted capabilities sorted,
// "deny" when there are none.
std::vector<std::string> CapabilityNames(const Acl& acl, std::string_view path) {
  if (acl.root()) return {"root"};
  unsigned caps = acl.Capabilities(path);
  std::vector<std::string> out;
  for (auto [bit, name] : {std::pair{kCapCreate, "create"}, std::pair{kCapDelete, "delete"},
                           std::pair{kCapList, "list"}, std::pair{kCapRead, "read"},
                           std::pair{kCapSudo, "sudo"}, std::pair{kCapUpdate, "update"}}) {
    if (caps & bit) out.emplace_back(name);
  }
  if (out.empty()) out.emplace_back("deny");
  return out;
}

// The answer's data is also written at the top level of the body, as Vault's HTTP layer
// does for sys/capabilities-self (in map order; the emulator sorts).
Reply HandleCapabilitiesSelf(State& s, Call& c) {
  if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
  std::vector<std::string> paths;
  if (Status st = BodyStringList(c, "paths", paths); !st.ok()) return Error(400, {st.message()});
  if (paths.empty()) {
    if (Status st = BodyStringList(c, "path", paths); !st.ok()) return Error(400, {st.message()});
  }
  if (paths.empty()) return Error(400, {"paths must be supplied"});
  Acl acl = AclFor(s, *c.token);
  std::map<std::string, std::string> members;
  for (const auto& p : paths) {
    if (p.empty()) return Error(400, {"missing path"});
    members[p] = GoStringList(CapabilityNames(acl, p));
  }
  if (paths.size() == 1) members["capabilities"] = members[paths[0]];
  std::string rendered;
  for (const auto& [k, v] : members) {
    if (!rendered.empty()) rendered += ",";
    rendered += GoQuote(k) + ":" + v;
  }
  Reply r = DataJson("{" + rendered + "}");
  r.envelope->top_level_members = rendered;
  return r;
}

Acl AclFor(const State& s, const Token& t) {
  // Built in, never listed or stored, like Vault's own.
  static const Policy response_wrapping = [] {
    auto p = ParsePolicy("response-wrapping", ResponseWrappingPolicyText());
    return p.ok() ? std::move(p).value() : Policy{};
  }();
  std::vector<const Policy*> policies;
  bool root = false;
  for (const auto& name : t.policies) {
    if (name == "root") root = true;
    if (name == "response-wrapping") policies.push_back(&response_wrapping);
    auto it = s.policies.find(name);
    if (it != s.policies.end()) policies.push_back(&it->second);
  }
  return Acl(policies, root);
}

}  // namespace vaultsync::vaultemu
