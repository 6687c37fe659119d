// sys/policies/acl (and the older sys/policy): ACL policies by name.
#include <algorithm>

#include "go_json.h"
#include "sys_handlers.h"

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

Acl AclFor(const State& s, const Token& t) {
  std::vector<const Policy*> policies;
  bool root = false;
  for (const auto& name : t.policies) {
    if (name == "root") root = true;
    auto it = s.policies.find(name);
    if (it != s.policies.end()) policies.push_back(&it->second);
  }
  return Acl(policies, root);
}

}  // namespace vaultsync::vaultemu
