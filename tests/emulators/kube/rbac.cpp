// RBAC rule evaluation over stored rbac.authorization.k8s.io objects.
#include "rbac.h"

#include <algorithm>

#include "object_json.h"

namespace vaultsync::kubeemu {
namespace {

const char kRbac[] = ".rbac.authorization.k8s.io";

bool Has(const json::Value* arr, const std::string& want) {
  if (arr == nullptr || !arr->IsArray()) return false;
  for (const auto& v : arr->GetArray()) {
    if (v.IsString() && (json::View(v) == "*" || json::View(v) == want)) return true;
  }
  return false;
}

bool HasNonResourceUrl(const json::Value* arr, const std::string& path) {
  if (arr == nullptr || !arr->IsArray()) return false;
  for (const auto& v : arr->GetArray()) {
    if (!v.IsString()) continue;
    std::string p(json::View(v));
    if (p == path || p == "*") return true;
    if (!p.empty() && p.back() == '*' && path.rfind(p.substr(0, p.size() - 1), 0) == 0) return true;
  }
  return false;
}

bool RuleAllows(const json::Value& rule, const Attributes& a) {
  if (!Has(json::Find(rule, "verbs"), a.verb)) return false;
  if (a.resource.empty()) return HasNonResourceUrl(json::Find(rule, "nonResourceURLs"), a.path);
  if (!Has(json::Find(rule, "apiGroups"), a.group)) return false;
  std::string res = a.subresource.empty() ? a.resource : a.resource + "/" + a.subresource;
  const json::Value* resources = json::Find(rule, "resources");
  bool match = Has(resources, res);
  if (!match && !a.subresource.empty()) match = Has(resources, "*/" + a.subresource);
  if (!match) return false;
  const json::Value* names = json::Find(rule, "resourceNames");
  if (names != nullptr && names->IsArray() && !names->Empty()) {
    return !a.name.empty() && Has(names, a.name);
  }
  return true;
}

bool SubjectMatches(const json::Value& subject, const UserInfo& u, const std::string& binding_ns) {
  std::string kind = StringAt(subject, "kind");
  std::string name = StringAt(subject, "name");
  if (kind == "User") return name == u.name;
  if (kind == "Group") return std::find(u.groups.begin(), u.groups.end(), name) != u.groups.end();
  if (kind == "ServiceAccount") {
    std::string ns = StringAt(subject, "namespace");
    if (ns.empty()) ns = binding_ns;
    return u.name == "system:serviceaccount:" + ns + ":" + name;
  }
  return false;
}

bool RoleAllows(const ObjectStore& store, const json::Value& binding, const std::string& ns,
                const Attributes& a) {
  std::string kind = StringAt(binding, "roleRef.kind");
  std::string name = StringAt(binding, "roleRef.name");
  ObjectPtr role = kind == "ClusterRole" ? store.Get(std::string("clusterroles") + kRbac, "", name)
                                         : store.Get(std::string("roles") + kRbac, ns, name);
  if (role == nullptr) return false;
  const json::Value* rules = json::Find(*role, "rules");
  if (rules == nullptr || !rules->IsArray()) return false;
  for (const auto& r : rules->GetArray()) {
    if (RuleAllows(r, a)) return true;
  }
  return false;
}

bool BindingGrants(const ObjectStore& store, const ObjectPtr& b, const UserInfo& u,
                   const std::string& ns, const Attributes& a) {
  const json::Value* subjects = json::Find(*b, "subjects");
  if (subjects == nullptr || !subjects->IsArray()) return false;
  std::string binding_ns = StringAt(*b, "metadata.namespace");
  for (const auto& s : subjects->GetArray()) {
    if (SubjectMatches(s, u, binding_ns)) return RoleAllows(store, *b, ns, a);
  }
  return false;
}

bool IsDiscoveryPath(const std::string& p) {
  for (const char* prefix :
       {"/api", "/apis", "/version", "/openapi", "/healthz", "/livez", "/readyz"}) {
    std::string s(prefix);
    if (p == s || p.rfind(s + "/", 0) == 0) return true;
  }
  return false;
}

}  // namespace

bool RbacAllows(const ObjectStore& store, const UserInfo& user, const Attributes& attrs) {
  if (user.master) return true;
  if (attrs.resource.empty() && attrs.verb == "get" && IsDiscoveryPath(attrs.path)) return true;
  for (const ObjectPtr& b : store.List(std::string("clusterrolebindings") + kRbac, "")) {
    if (BindingGrants(store, b, user, "", attrs)) return true;
  }
  if (!attrs.ns.empty()) {
    for (const ObjectPtr& b : store.List(std::string("rolebindings") + kRbac, attrs.ns)) {
      if (BindingGrants(store, b, user, attrs.ns, attrs)) return true;
    }
  }
  return false;
}

ApiError ForbiddenFor(const UserInfo& user, const Attributes& a) {
  ApiError e;
  e.code = 403;
  e.reason = "Forbidden";
  std::string who = "User " + json::Quote(user.name);
  if (a.resource.empty()) {
    e.message = "forbidden: " + who + " cannot " + a.verb + " path " + json::Quote(a.path);
    return e;
  }
  std::string qualified = a.group.empty() ? a.resource : a.resource + "." + a.group;
  std::string res = a.subresource.empty() ? a.resource : a.resource + "/" + a.subresource;
  std::string subject = a.name.empty() ? qualified : qualified + " " + json::Quote(a.name);
  e.message = subject + " is forbidden: " + who + " cannot " + a.verb + " resource " +
              json::Quote(res) + " in API group " + json::Quote(a.group) +
              (a.ns.empty() ? " at the cluster scope" : " in the namespace " + json::Quote(a.ns));
  e.has_details = true;
  e.name = a.name;
  e.group = a.group;
  e.kind = a.resource;
  return e;
}

std::vector<std::string> BootstrapClusterRoles() {
  return {
      R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"cluster-admin","labels":{"kubernetes.io/bootstrapping":"rbac-defaults"}},"rules":[{"apiGroups":["*"],"resources":["*"],"verbs":["*"]},{"nonResourceURLs":["*"],"verbs":["*"]}]})",
      R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"system:auth-delegator","labels":{"kubernetes.io/bootstrapping":"rbac-defaults"}},"rules":[{"apiGroups":["authentication.k8s.io"],"resources":["tokenreviews"],"verbs":["create"]},{"apiGroups":["authorization.k8s.io"],"resources":["subjectaccessreviews"],"verbs":["create"]}]})",
  };
}

}  // namespace vaultsync::kubeemu
