// authorization.k8s.io/v1 reviews (`kubectl auth can-i`, webhook authorizers' callers):
// SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview and
// SelfSubjectRulesReview, decided by the emulator's own authorizer: everything is allowed in
// AlwaysAllow mode; in RBAC mode the stored Roles and bindings decide and an allowed
// review's reason names the binding, as the RBAC authorizer words it. The answers are 201
// with the spec echoed and `status` filled, like every create of a virtual kind;
// reconstructed from the apiserver's source (pkg/registry/authorization,
// plugin/pkg/auth/authorizer/rbac), not recorded.
#include "emulator_internal.h"
#include "kube_emulator.h"
#include "object_json.h"
#include "util/time_format.h"

namespace vaultsync::kubeemu {
namespace {

json::Value StringArray(const std::vector<std::string>& v, json::Allocator& a) {
  json::Value arr(rapidjson::kArrayType);
  for (const auto& s : v) arr.PushBack(json::StringValue(s, a), a);
  return arr;
}

std::vector<std::string> Strings(const json::Value* arr) {
  std::vector<std::string> out;
  if (arr != nullptr && arr->IsArray()) {
    for (const auto& v : arr->GetArray()) {
      if (v.IsString()) out.emplace_back(json::View(v));
    }
  }
  return out;
}

// The review's spec in the member order of its Go type, dropping what the type lacks.
json::Value CanonicalSpec(const std::string& kind, const json::Value* spec, json::Allocator& a) {
  json::Value out(rapidjson::kObjectType);
  if (spec == nullptr || !spec->IsObject()) return out;
  auto copy_attrs = [&](const char* key, std::initializer_list<const char*> fields) {
    const json::Value* in = json::Find(*spec, key);
    if (in == nullptr || !in->IsObject()) return;
    json::Value attrs(rapidjson::kObjectType);
    for (const char* f : fields) {
      std::string v = StringAt(*in, f);
      if (!v.empty()) attrs.AddMember(json::StringValue(f, a), json::StringValue(v, a), a);
    }
    out.AddMember(json::StringValue(key, a), attrs, a);
  };
  if (kind == "SelfSubjectRulesReview") {
    std::string ns = StringAt(*spec, "namespace");
    if (!ns.empty()) out.AddMember("namespace", json::StringValue(ns, a), a);
    return out;
  }
  copy_attrs("resourceAttributes",
             {"namespace", "verb", "group", "version", "resource", "subresource", "name"});
  copy_attrs("nonResourceAttributes", {"path", "verb"});
  if (kind == "SelfSubjectAccessReview") return out;
  std::string user = StringAt(*spec, "user");
  if (!user.empty()) out.AddMember("user", json::StringValue(user, a), a);
  std::vector<std::string> groups = Strings(json::Find(*spec, "groups"));
  if (!groups.empty()) out.AddMember("groups", StringArray(groups, a), a);
  if (const json::Value* extra = json::Find(*spec, "extra");
      extra != nullptr && extra->IsObject()) {
    out.AddMember("extra", json::Value(*extra, a), a);
  }
  std::string uid = StringAt(*spec, "uid");
  if (!uid.empty()) out.AddMember("uid", json::StringValue(uid, a), a);
  return out;
}

std::vector<StatusCause> ValidateReview(const std::string& kind, const json::Value& spec,
                                        const std::string& ns) {
  std::vector<StatusCause> causes;
  if (kind == "SelfSubjectRulesReview") return causes;
  bool has_res = json::Find(spec, "resourceAttributes") != nullptr;
  bool has_non = json::Find(spec, "nonResourceAttributes") != nullptr;
  if (has_res && has_non) {
    causes.push_back(InvalidCause("spec.nonResourceAttributes",
                                  Compact(*json::Find(spec, "nonResourceAttributes")),
                                  "cannot be specified in combination with resourceAttributes"));
  }
  if (!has_res && !has_non) {
    causes.push_back(
        InvalidCause("spec.resourceAttributes", "\"null\"",
                     "exactly one of nonResourceAttributes or resourceAttributes must be "
                     "specified"));
  }
  if (kind == "SubjectAccessReview" || kind == "LocalSubjectAccessReview") {
    if (StringAt(spec, "user").empty() && Strings(json::Find(spec, "groups")).empty()) {
      causes.push_back(InvalidCause("spec.user,spec.groups", "\"\"",
                                    "at least one of user or group must be specified"));
    }
  }
  if (kind == "LocalSubjectAccessReview") {
    if (has_non) {
      causes.push_back(InvalidCause("spec.nonResourceAttributes",
                                    Compact(*json::Find(spec, "nonResourceAttributes")),
                                    "disallowed on this kind of request"));
    }
    std::string attr_ns = StringAt(spec, "resourceAttributes.namespace");
    if (has_res && attr_ns != ns) {
      causes.push_back(InvalidCause("spec.resourceAttributes.namespace", json::Quote(attr_ns),
                                    "must match metadata.namespace"));
    }
  }
  return causes;
}

// The rules a SelfSubjectRulesReview reports, split by kind of rule.
json::Value RulesStatus(const std::vector<const json::Value*>& rules, json::Allocator& a) {
  json::Value resource_rules(rapidjson::kArrayType), non_resource_rules(rapidjson::kArrayType);
  for (const json::Value* r : rules) {
    std::vector<std::string> verbs = Strings(json::Find(*r, "verbs"));
    std::vector<std::string> resources = Strings(json::Find(*r, "resources"));
    std::vector<std::string> urls = Strings(json::Find(*r, "nonResourceURLs"));
    if (!resources.empty()) {
      json::Value rule(rapidjson::kObjectType);
      rule.AddMember("verbs", StringArray(verbs, a), a);
      std::vector<std::string> groups = Strings(json::Find(*r, "apiGroups"));
      if (!groups.empty()) rule.AddMember("apiGroups", StringArray(groups, a), a);
      rule.AddMember("resources", StringArray(resources, a), a);
      std::vector<std::string> names = Strings(json::Find(*r, "resourceNames"));
      if (!names.empty()) rule.AddMember("resourceNames", StringArray(names, a), a);
      resource_rules.PushBack(rule, a);
    }
    if (!urls.empty()) {
      json::Value rule(rapidjson::kObjectType);
      rule.AddMember("verbs", StringArray(verbs, a), a);
      rule.AddMember("nonResourceURLs", StringArray(urls, a), a);
      non_resource_rules.PushBack(rule, a);
    }
  }
  json::Value status(rapidjson::kObjectType);
  status.AddMember("resourceRules", resource_rules, a);
  status.AddMember("nonResourceRules", non_resource_rules, a);
  status.AddMember("incomplete", false, a);
  return status;
}

}  // namespace

bool KubeEmulator::Authorize(const UserInfo& user, const Attributes& attrs,
                             std::string* reason) const {
  if (!options_.rbac) {
    reason->clear();
    return true;
  }
  return RbacAllows(store_, user, attrs, reason);
}

ServerResponse KubeEmulator::AccessReview(const ServerRequest& req, const RequestTarget& t,
                                          const UserInfo& caller) {
  const ResourceType& type = *t.type;
  const std::string& kind = type.kind;
  ApiError err;
  auto body = ParseObjectBody(req, type, &err);
  if (!body.ok()) return ErrorAnswer(err);
  json::Document out;
  out.SetObject();
  auto& a = out.GetAllocator();
  json::Value spec = CanonicalSpec(kind, At(*body, "spec"), a);
  std::vector<StatusCause> causes = ValidateReview(kind, spec, t.ns);
  if (!causes.empty()) return ErrorAnswer(InvalidError(kind, type.group, "", causes));

  UserInfo subject = caller;
  if (kind == "SubjectAccessReview" || kind == "LocalSubjectAccessReview") {
    subject.name = StringAt(spec, "user");
    subject.uid = StringAt(spec, "uid");
    subject.groups = Strings(json::Find(spec, "groups"));
    subject.master = std::find(subject.groups.begin(), subject.groups.end(), "system:masters") !=
                     subject.groups.end();
  }
  json::Value status(rapidjson::kObjectType);
  if (kind == "SelfSubjectRulesReview") {
    std::string ns = StringAt(spec, "namespace");
    if (!options_.rbac) {
      auto all = json::Parse(R"({"verbs":["*"],"apiGroups":["*"],"resources":["*"],)"
                             R"("nonResourceURLs":["*"]})");
      json::Document rule = std::move(all).value();
      status = RulesStatus({&rule}, a);
    } else {
      status = RulesStatus(RbacRulesFor(store_, subject, ns), a);
    }
  } else {
    Attributes attrs;
    if (const json::Value* ra = json::Find(spec, "resourceAttributes")) {
      attrs = {StringAt(*ra, "verb"),
               StringAt(*ra, "group"),
               StringAt(*ra, "resource"),
               StringAt(*ra, "subresource"),
               StringAt(*ra, "namespace"),
               StringAt(*ra, "name"),
               ""};
    } else {
      const json::Value* na = json::Find(spec, "nonResourceAttributes");
      attrs.verb = StringAt(*na, "verb");
      attrs.path = StringAt(*na, "path");
    }
    std::string reason;
    bool allowed = Authorize(subject, attrs, &reason);
    status.AddMember("allowed", allowed, a);
    if (!reason.empty()) status.AddMember("reason", json::StringValue(reason, a), a);
  }

  std::string now = FormatRfc3339(Now(), 0);
  out.AddMember("kind", json::StringValue(kind, a), a);
  out.AddMember("apiVersion", "authorization.k8s.io/v1", a);
  json::Value md(rapidjson::kObjectType);
  if (!t.ns.empty()) md.AddMember("namespace", json::StringValue(t.ns, a), a);
  md.AddMember("creationTimestamp", json::Value(), a);
  // The create handler records the writer's fields, as for every create.
  json::Value fields_src(rapidjson::kObjectType);
  fields_src.AddMember("spec", json::Value(spec, a), a);
  json::Value entry(rapidjson::kObjectType);
  entry.AddMember("manager", json::StringValue(ManagerOf(req), a), a);
  entry.AddMember("operation", "Update", a);
  entry.AddMember("apiVersion", "authorization.k8s.io/v1", a);
  entry.AddMember("time", json::StringValue(now, a), a);
  entry.AddMember("fieldsType", "FieldsV1", a);
  entry.AddMember("fieldsV1", FieldsV1(fields_src, type, "", a), a);
  json::Value managed(rapidjson::kArrayType);
  if (!spec.ObjectEmpty()) managed.PushBack(entry, a);
  if (!managed.Empty()) md.AddMember("managedFields", managed, a);
  out.AddMember("metadata", md, a);
  out.AddMember("spec", spec, a);
  out.AddMember("status", status, a);
  return JsonAnswer(201, Compact(out));
}

}  // namespace vaultsync::kubeemu
