// The scale subresource (`kubectl scale`, HorizontalPodAutoscalers): GET, PUT and PATCH of an
// autoscaling/v1 Scale that reads and writes the replica count of a Deployment, StatefulSet
// or ReplicaSet, or of a custom resource whose CRD declares subresources.scale. Answers as
// the v1.26 registries do (scaleFromDeployment and friends): the Scale carries only name,
// namespace, uid, resourceVersion and creationTimestamp; status.selector is the label
// selector in its string form; a write sets the replica count and nothing else, bumps the
// generation, and records the writer's managedFields entry with subresource "scale".
// Reconstructed from the apiserver's source (pkg/registry/apps/*/storage), not recorded.
#include <algorithm>

#include "emulator_internal.h"
#include "kube_emulator.h"
#include "object_json.h"
#include "patch.h"
#include "scale_subresource.h"

namespace vaultsync::kubeemu {
namespace {

// labels.Selector.String() of a metav1.LabelSelector: requirements sorted by key.
std::string SelectorText(const json::Value* sel) {
  if (sel == nullptr || !sel->IsObject()) return "";
  std::vector<std::pair<std::string, std::string>> reqs;
  if (const json::Value* ml = json::Find(*sel, "matchLabels"); ml != nullptr && ml->IsObject()) {
    for (const auto& m : ml->GetObject()) {
      if (m.value.IsString()) {
        reqs.emplace_back(std::string(json::View(m.name)),
                          std::string(json::View(m.name)) + "=" + std::string(json::View(m.value)));
      }
    }
  }
  const json::Value* exprs = json::Find(*sel, "matchExpressions");
  if (exprs != nullptr && exprs->IsArray()) {
    for (const auto& e : exprs->GetArray()) {
      std::string key = StringAt(e, "key"), op = StringAt(e, "operator");
      std::vector<std::string> values;
      if (const json::Value* vs = json::Find(e, "values"); vs != nullptr && vs->IsArray()) {
        for (const auto& v : vs->GetArray()) {
          if (v.IsString()) values.emplace_back(json::View(v));
        }
      }
      std::sort(values.begin(), values.end());
      std::string list;
      for (const auto& v : values) list += (list.empty() ? "" : ",") + v;
      if (op == "In") reqs.emplace_back(key, key + " in (" + list + ")");
      if (op == "NotIn") reqs.emplace_back(key, key + " notin (" + list + ")");
      if (op == "Exists") reqs.emplace_back(key, key);
      if (op == "DoesNotExist") reqs.emplace_back(key, "!" + key);
    }
  }
  std::stable_sort(reqs.begin(), reqs.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::string out;
  for (const auto& r : reqs) out += (out.empty() ? "" : ",") + r.second;
  return out;
}

// The subresources.scale block of a custom type's version, or nullptr.
const json::Value* CustomScale(const ResourceType& t) {
  if (!t.custom || t.crd == nullptr) return nullptr;
  const json::Value* versions = At(*t.crd, "spec.versions");
  if (versions == nullptr || !versions->IsArray()) return nullptr;
  for (const auto& v : versions->GetArray()) {
    if (StringAt(v, "name") == t.version) return At(v, "subresources.scale");
  }
  return nullptr;
}

std::string Dotted(std::string json_path) {
  if (!json_path.empty() && json_path.front() == '.') json_path.erase(0, 1);
  return json_path;
}

std::string StatusReplicasPath(const ResourceType& t) {
  const json::Value* s = CustomScale(t);
  return s != nullptr ? Dotted(StringAt(*s, "statusReplicasPath")) : "status.replicas";
}

std::string SelectorString(const ResourceType& t, const json::Value& obj) {
  if (const json::Value* s = CustomScale(t)) {
    std::string path = Dotted(StringAt(*s, "labelSelectorPath"));
    return path.empty() ? "" : StringAt(obj, path);
  }
  return SelectorText(At(obj, "spec.selector"));
}

// Sets the integer at a dotted path, creating the objects on the way.
void SetIntAt(json::Value& root, const std::string& dotted, int64_t n, json::Allocator& a) {
  json::Value* cur = &root;
  size_t start = 0;
  while (true) {
    size_t dot = dotted.find('.', start);
    std::string step = dotted.substr(start, dot == std::string::npos ? dot : dot - start);
    if (dot == std::string::npos) {
      SetMember(*cur, step, json::Value(static_cast<int64_t>(n)), a);
      return;
    }
    cur = &EnsureObject(*cur, step, a);
    start = dot + 1;
  }
}

}  // namespace

std::string ScaleReplicasPath(const ResourceType& t) {
  const json::Value* s = CustomScale(t);
  return s != nullptr ? Dotted(StringAt(*s, "specReplicasPath")) : "spec.replicas";
}

json::Document ScaleOf(const ResourceType& t, const json::Value& obj) {
  json::Document d;
  d.SetObject();
  auto& a = d.GetAllocator();
  d.AddMember("kind", "Scale", a);
  d.AddMember("apiVersion", "autoscaling/v1", a);
  json::Value md(rapidjson::kObjectType);
  for (const char* k : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
    std::string v = StringAt(obj, std::string("metadata.") + k);
    if (!v.empty()) md.AddMember(json::StringValue(k, a), json::StringValue(v, a), a);
  }
  d.AddMember("metadata", md, a);
  json::Value spec(rapidjson::kObjectType);
  int64_t replicas = IntAt(obj, ScaleReplicasPath(t)).value_or(0);
  if (replicas != 0) spec.AddMember("replicas", json::Value(replicas), a);  // omitempty
  d.AddMember("spec", spec, a);
  json::Value status(rapidjson::kObjectType);
  status.AddMember("replicas", json::Value(IntAt(obj, StatusReplicasPath(t)).value_or(0)), a);
  std::string selector = SelectorString(t, obj);
  if (!selector.empty()) status.AddMember("selector", json::StringValue(selector, a), a);
  d.AddMember("status", status, a);
  return d;
}

ServerResponse KubeEmulator::ScaleSubresource(const ServerRequest& req, const RequestTarget& t) {
  const ResourceType& type = *t.type;
  if (!type.custom && type.group != "apps") {
    return ErrorAnswer(MethodNotSupportedError(type.Ref(), t.verb));
  }
  ObjectPtr old = store_.Get(type.StorageKey(), t.ns, t.name);
  if (old == nullptr) return ErrorAnswer(NotFoundError(type.Ref(), t.name));
  json::Document current = ScaleOf(type, *old);
  if (t.verb == "get") return JsonAnswer(200, Compact(current));

  json::Document scale;
  if (t.verb == "update") {
    auto body = json::Parse(req.body);
    if (!body.ok() || !body->IsObject()) {
      return ErrorAnswer(BadRequestError(
          "the object provided is unrecognized (must be of type Scale): couldn't get "
          "version/kind; json parse error: unexpected end of JSON input"));
    }
    scale = std::move(body).value();
  } else {
    scale = Clone(current);
    if (auto e = ApplyPatchRequest(MediaTypeOf(req), req.body, false, scale)) {
      return ErrorAnswer(*e);
    }
  }
  const json::Value* replicas_v = At(scale, "spec.replicas");
  int64_t replicas = 0;
  if (replicas_v != nullptr && !replicas_v->IsNull()) {
    if (!replicas_v->IsInt64()) {
      return ErrorAnswer(BadRequestError(
          "Scale in version \"v1\" cannot be handled as a Scale: json: cannot unmarshal " +
          std::string(replicas_v->IsString() ? "string" : "number") +
          " into Go struct field ScaleSpec.spec.replicas of type int32"));
    }
    replicas = replicas_v->GetInt64();
  }
  if (replicas < 0) {
    return ErrorAnswer(InvalidError("Scale", "autoscaling", t.name,
                                    {InvalidCause("spec.replicas", std::to_string(replicas),
                                                  "must be greater than or equal to 0")}));
  }
  std::string rv = StringAt(scale, "metadata.resourceVersion");
  if (!rv.empty() && rv != StringAt(*old, "metadata.resourceVersion")) {
    return ErrorAnswer(StaleConflictError(type.Ref(), t.name));
  }
  std::string path = ScaleReplicasPath(type);
  if (IntAt(*old, path) == replicas) return JsonAnswer(200, Compact(current));
  json::Document next = Clone(*old);
  SetIntAt(next, path, replicas, next.GetAllocator());
  json::Value& md = EnsureObject(next, "metadata", next.GetAllocator());
  SetMember(md, "generation", json::Value(IntAt(*old, "metadata.generation").value_or(0) + 1),
            next.GetAllocator());
  if (req.Query("dryRun") == "All") return JsonAnswer(200, Compact(ScaleOf(type, next)));
  ObjectPtr stored = Commit(type, std::move(next), old, ManagerOf(req), "scale");
  return JsonAnswer(200, Compact(ScaleOf(type, *stored)));
}

}  // namespace vaultsync::kubeemu
