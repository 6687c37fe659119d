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

// The role a binding refers to (a Role in the binding's namespace, or a ClusterRole).
ObjectPtr RoleOf(const ObjectStore& store, const json::Value& binding) {
  std::string kind = StringAt(binding, "roleRef.kind");
  std::string name = StringAt(binding, "roleRef.name");
  return kind == "ClusterRole" ? store.Get(std::string("clusterroles") + kRbac, "", name)
                               : store.Get(std::string("roles") + kRbac,
                                           StringAt(binding, "metadata.namespace"), name);
}

// The authorizer's description of a binding subject ("User \"x\"", "ServiceAccount
// \"name/ns\"").
std::string DescribeSubject(const json::Value& s, const std::string& binding_ns) {
  std::string kind = StringAt(s, "kind"), name = StringAt(s, "name");
  if (kind == "ServiceAccount") {
    std::string ns = StringAt(s, "namespace");
    return kind + " " + json::Quote(name + "/" + (ns.empty() ? binding_ns : ns));
  }
  return kind + " " + json::Quote(name);
}

// Calls visit(binding, matched subject, rule) for every rule that applies to the user in
// namespace `ns` ("" = cluster scope only), cluster bindings first, in storage order, as
// the RBAC rule resolver walks them; stops when visit returns false.
template <typename Visit>
void VisitRules(const ObjectStore& store, const UserInfo& u, const std::string& ns, Visit visit) {
  auto walk = [&](const std::vector<ObjectPtr>& bindings) {
    for (const ObjectPtr& b : bindings) {
      const json::Value* subjects = json::Find(*b, "subjects");
      if (subjects == nullptr || !subjects->IsArray()) continue;
      std::string binding_ns = StringAt(*b, "metadata.namespace");
      const json::Value* matched = nullptr;
      for (const auto& s : subjects->GetArray()) {
        if (SubjectMatches(s, u, binding_ns)) {
          matched = &s;
          break;
        }
      }
      if (matched == nullptr) continue;
      ObjectPtr role = RoleOf(store, *b);
      const json::Value* rules = role != nullptr ? json::Find(*role, "rules") : nullptr;
      if (rules == nullptr || !rules->IsArray()) continue;
      for (const auto& r : rules->GetArray()) {
        if (!visit(*b, *matched, r)) return false;
      }
    }
    return true;
  };
  if (!walk(store.List(std::string("clusterrolebindings") + kRbac, ""))) return;
  if (!ns.empty()) walk(store.List(std::string("rolebindings") + kRbac, ns));
}

}  // namespace

bool RbacAllows(const ObjectStore& store, const UserInfo& user, const Attributes& attrs,
                std::string* reason) {
  if (reason != nullptr) reason->clear();
  if (user.master) return true;
  bool allowed = false;
  VisitRules(store, user, attrs.ns,
             [&](const json::Value& binding, const json::Value& subject, const json::Value& rule) {
               if (!RuleAllows(rule, attrs)) return true;
               allowed = true;
               if (reason != nullptr) {
                 std::string binding_ns = StringAt(binding, "metadata.namespace");
                 std::string name = StringAt(binding, "metadata.name");
                 std::string source = binding_ns.empty()
                                          ? "ClusterRoleBinding " + json::Quote(name)
                                          : "RoleBinding " + json::Quote(name + "/" + binding_ns);
                 *reason = "RBAC: allowed by " + source + " of " +
                           StringAt(binding, "roleRef.kind") + " " +
                           json::Quote(StringAt(binding, "roleRef.name")) + " to " +
                           DescribeSubject(subject, binding_ns);
               }
               return false;
             });
  return allowed;
}

std::vector<const json::Value*> RbacRulesFor(const ObjectStore& store, const UserInfo& user,
                                             const std::string& ns) {
  std::vector<const json::Value*> out;
  VisitRules(store, user, ns, [&](const json::Value&, const json::Value&, const json::Value& r) {
    out.push_back(&r);
    return true;
  });
  return out;
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
  const std::string md =
      R"(,"labels":{"kubernetes.io/bootstrapping":"rbac-defaults"},"annotations":{"rbac.authorization.kubernetes.io/autoupdate":"true"}})";
  auto role = [&md](const std::string& name, const std::string& rules) {
    return R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":")" +
           name + "\"" + md + R"(,"rules":)" + rules + "}";
  };
  return {
      role(
          "cluster-admin",
          R"([{"verbs":["*"],"apiGroups":["*"],"resources":["*"]},{"verbs":["*"],"nonResourceURLs":["*"]}])"),
      role(
          "system:auth-delegator",
          R"([{"verbs":["create"],"apiGroups":["authentication.k8s.io"],"resources":["tokenreviews"]},{"verbs":["create"],"apiGroups":["authorization.k8s.io"],"resources":["subjectaccessreviews"]}])"),
      role(
          "system:basic-user",
          R"([{"verbs":["create"],"apiGroups":["authorization.k8s.io"],"resources":["selfsubjectaccessreviews","selfsubjectrulesreviews"]}])"),
      role(
          "system:discovery",
          R"([{"verbs":["get"],"nonResourceURLs":["/api","/api/*","/apis","/apis/*","/healthz","/livez","/openapi","/openapi/*","/readyz","/version","/version/"]}])"),
      role(
          "system:public-info-viewer",
          R"([{"verbs":["get"],"nonResourceURLs":["/healthz","/livez","/readyz","/version","/version/"]}])"),
  };
}

std::vector<std::string> BootstrapClusterRoleBindings() {
  auto binding = [](const std::string& name, const std::vector<std::string>& groups) {
    std::string subjects;
    for (const auto& g : groups) {
      subjects += std::string(subjects.empty() ? "" : ",") +
                  R"({"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":")" + g + "\"}";
    }
    return R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":")" +
           name +
           R"(","labels":{"kubernetes.io/bootstrapping":"rbac-defaults"},"annotations":{"rbac.authorization.kubernetes.io/autoupdate":"true"}},"subjects":[)" +
           subjects +
           R"(],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":")" +
           name + "\"}}";
  };
  return {binding("cluster-admin", {"system:masters"}),
          binding("system:basic-user", {"system:authenticated"}),
          binding("system:discovery", {"system:authenticated"}),
          binding("system:public-info-viewer", {"system:authenticated", "system:unauthenticated"})};
}

}  // namespace vaultsync::kubeemu
