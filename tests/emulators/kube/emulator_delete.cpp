// Deletion and what a cluster's controllers do around it: finalizers and deletionTimestamp,
// propagationPolicy and preconditions, garbage collection of dependents through
// ownerReferences, namespace content cleanup; plus the create-time controllers (default
// ServiceAccount of a namespace).
#include "builtin_semantics.h"
#include "emulator_internal.h"
#include "kube_emulator.h"
#include "object_json.h"
#include "selectors.h"
#include "util/time_format.h"

namespace vaultsync::kubeemu {
namespace {

bool RefersTo(const json::Value& obj, const std::string& uid) {
  const json::Value* refs = At(obj, "metadata.ownerReferences");
  if (refs == nullptr || !refs->IsArray()) return false;
  for (const auto& r : refs->GetArray()) {
    if (StringAt(r, "uid") == uid) return true;
  }
  return false;
}

std::string DeletedStatus(const ResourceType& t, const json::Value& obj) {
  std::string s =
      "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Success\","
      "\"details\":{\"name\":" +
      json::Quote(StringAt(obj, "metadata.name"));
  if (!t.group.empty()) s += ",\"group\":" + json::Quote(t.group);
  s += ",\"kind\":" + json::Quote(t.resource) +
       ",\"uid\":" + json::Quote(StringAt(obj, "metadata.uid")) + "}}";
  return s;
}

}  // namespace

void KubeEmulator::RemoveNow(const ResourceType& type, ObjectPtr obj, bool orphan_dependents) {
  std::string ns = StringAt(*obj, "metadata.namespace");
  std::string name = StringAt(*obj, "metadata.name");
  if (store_.Get(type.StorageKey(), ns, name) == nullptr) return;
  int64_t rv = store_.NextRv();
  json::Document last = Clone(*obj);
  SetString(EnsureObject(last, "metadata", last.GetAllocator()), "resourceVersion",
            std::to_string(rv), last.GetAllocator());
  store_.Remove(type.StorageKey(), ns, name,
                std::make_shared<const json::Document>(std::move(last)), rv);
  changed_.notify_all();
  std::string uid = StringAt(*obj, "metadata.uid");
  if (type.kind == "CustomResourceDefinition") {
    for (const auto& t : registry_.AllTypes()) {
      if (!t->custom || t->crd_name != name) continue;
      for (const ObjectPtr& cr : store_.List(t->StorageKey(), "")) RemoveNow(*t, cr, false);
    }
    registry_.SetCustomTypes(name, {});
  }
  if (type.kind == "Namespace") DeleteNamespaceContents(name);
  if (orphan_dependents) {
    for (const std::string& key : store_.Keys()) {
      auto dep_type = TypeForKey(key);
      if (dep_type == nullptr) continue;
      for (const ObjectPtr& dep : store_.List(key, "")) {
        if (!RefersTo(*dep, uid)) continue;
        json::Document next = Clone(*dep);
        json::Value* refs = MutableAt(next, "metadata.ownerReferences");
        for (auto it = refs->Begin(); it != refs->End();) {
          it = StringAt(*it, "uid") == uid ? refs->Erase(it) : it + 1;
        }
        if (refs->Empty()) RemoveMember(*MutableAt(next, "metadata"), "ownerReferences");
        Commit(*dep_type, std::move(next), dep, "kube-controller-manager", "");
      }
    }
  } else {
    CollectGarbage(uid);
  }
}

std::shared_ptr<const ResourceType> KubeEmulator::TypeForKey(const std::string& key) const {
  for (const auto& t : registry_.AllTypes()) {
    if (t->StorageKey() == key) return t;
  }
  return nullptr;
}

void KubeEmulator::CollectGarbage(const std::string& owner_uid) {
  if (owner_uid.empty()) return;
  for (const std::string& key : store_.Keys()) {
    auto dep_type = TypeForKey(key);
    if (dep_type == nullptr) continue;
    for (const ObjectPtr& dep : store_.List(key, "")) {
      if (!RefersTo(*dep, owner_uid)) continue;
      // Deleted once no remaining owner exists, as the garbage collector does.
      bool other_owner_alive = false;
      const json::Value* refs = At(*dep, "metadata.ownerReferences");
      for (const auto& r : refs->GetArray()) {
        std::string uid = StringAt(r, "uid");
        if (uid == owner_uid) continue;
        other_owner_alive = other_owner_alive || ObjectExists(uid);
      }
      if (other_owner_alive) {
        json::Document next = Clone(*dep);
        json::Value* list = MutableAt(next, "metadata.ownerReferences");
        for (auto it = list->Begin(); it != list->End();) {
          it = StringAt(*it, "uid") == owner_uid ? list->Erase(it) : it + 1;
        }
        Commit(*dep_type, std::move(next), dep, "kube-controller-manager", "");
      } else {
        DeleteObject(*dep_type, dep, "Background");
      }
    }
  }
}

bool KubeEmulator::ObjectExists(const std::string& uid) const {
  for (const std::string& key : store_.Keys()) {
    for (const ObjectPtr& o : store_.List(key, "")) {
      if (StringAt(*o, "metadata.uid") == uid) return true;
    }
  }
  return false;
}

bool KubeEmulator::OwnerAlive(const json::Value& ref, const std::string& dependent_ns) const {
  auto owner_type = registry_.FindKind(StringAt(ref, "apiVersion"), StringAt(ref, "kind"));
  // A kind the server does not serve cannot be resolved; the collector leaves the dependent.
  if (owner_type == nullptr) return true;
  ObjectPtr owner = store_.Get(owner_type->StorageKey(), owner_type->namespaced ? dependent_ns : "",
                               StringAt(ref, "name"));
  return owner != nullptr && StringAt(*owner, "metadata.uid") == StringAt(ref, "uid");
}

void KubeEmulator::CollectIfOrphaned(const ResourceType& type, const ObjectPtr& obj) {
  const json::Value* refs = At(*obj, "metadata.ownerReferences");
  if (refs == nullptr || !refs->IsArray() || refs->Empty()) return;
  if (!StringAt(*obj, "metadata.deletionTimestamp").empty()) return;
  std::string ns = StringAt(*obj, "metadata.namespace");
  for (const auto& r : refs->GetArray()) {
    if (OwnerAlive(r, ns)) return;
  }
  DeleteObject(type, obj, "Background");
}

void KubeEmulator::DeleteNamespaceContents(const std::string& ns) {
  for (const std::string& key : store_.Keys()) {
    auto type = TypeForKey(key);
    if (type == nullptr || !type->namespaced) continue;
    for (const ObjectPtr& obj : store_.List(key, ns)) RemoveNow(*type, obj, false);
  }
}

ObjectPtr KubeEmulator::DeleteObject(const ResourceType& type, ObjectPtr obj,
                                     const std::string& policy) {
  const json::Value* fins = At(*obj, "metadata.finalizers");
  bool has_finalizers = fins != nullptr && fins->IsArray() && !fins->Empty();
  if (type.kind == "Namespace") {
    // The namespace controller empties it, then the namespace goes.
    json::Document next = Clone(*obj);
    auto& a = next.GetAllocator();
    json::Value& md = EnsureObject(next, "metadata", a);
    if (StringAt(md, "deletionTimestamp").empty()) {
      SetString(md, "deletionTimestamp", FormatRfc3339(Now(), 0), a);
      SetMember(md, "deletionGracePeriodSeconds", json::Value(0), a);
      SetString(EnsureObject(next, "status", a), "phase", "Terminating", a);
    }
    ObjectPtr terminating = Commit(type, std::move(next), obj, "", "");
    DeleteNamespaceContents(StringAt(*obj, "metadata.name"));
    RemoveNow(type, terminating, false);
    return terminating;
  }
  if (has_finalizers) {
    if (!StringAt(*obj, "metadata.deletionTimestamp").empty()) return obj;
    json::Document next = Clone(*obj);
    auto& a = next.GetAllocator();
    json::Value& md = EnsureObject(next, "metadata", a);
    SetString(md, "deletionTimestamp", FormatRfc3339(Now(), 0), a);
    SetMember(md, "deletionGracePeriodSeconds", json::Value(0), a);
    if (type.has_generation || type.custom) {
      SetMember(md, "generation", json::Value(IntAt(*obj, "metadata.generation").value_or(0) + 1),
                a);
    }
    return Commit(type, std::move(next), obj, "", "");
  }
  RemoveNow(type, obj, policy == "Orphan");
  return nullptr;
}

ServerResponse KubeEmulator::Delete(const ServerRequest& req, const RequestTarget& t) {
  const ResourceType& type = *t.type;
  ObjectPtr obj = store_.Get(type.StorageKey(), t.ns, t.name);
  if (obj == nullptr) return ErrorAnswer(NotFoundError(type.Ref(), t.name));
  std::string policy = req.Query("propagationPolicy");
  if (!req.body.empty()) {
    auto opts = json::Parse(req.body);
    if (!opts.ok() || !opts->IsObject()) {
      return ErrorAnswer(BadRequestError("the body of the request was not a DeleteOptions"));
    }
    if (std::string p = StringAt(*opts, "propagationPolicy"); !p.empty()) policy = p;
    std::string pre_uid = StringAt(*opts, "preconditions.uid");
    std::string pre_rv = StringAt(*opts, "preconditions.resourceVersion");
    std::string uid = StringAt(*obj, "metadata.uid");
    std::string rv = StringAt(*obj, "metadata.resourceVersion");
    if (!pre_uid.empty() && pre_uid != uid) {
      return ErrorAnswer(ConflictError(
          type.Ref(), t.name,
          "Precondition failed: UID in precondition: " + pre_uid + ", UID in object meta: " + uid));
    }
    if (!pre_rv.empty() && pre_rv != rv) {
      return ErrorAnswer(ConflictError(type.Ref(), t.name,
                                       "Precondition failed: ResourceVersion in precondition: " +
                                           pre_rv + ", ResourceVersion in object meta: " + rv));
    }
  }
  if (!policy.empty() && policy != "Orphan" && policy != "Background" && policy != "Foreground") {
    return ErrorAnswer(InvalidError(
        "DeleteOptions", "", "",
        {NotSupportedCause("propagationPolicy", json::Quote(policy),
                           {"\"Foreground\"", "\"Background\"", "\"Orphan\"", "\"nil\""})}));
  }
  if (req.Query("dryRun") == "All") return JsonAnswer(200, DeletedStatus(type, *obj));
  ObjectPtr remaining = DeleteObject(type, obj, policy);
  if (remaining != nullptr) return JsonAnswer(200, Compact(*remaining));
  return JsonAnswer(200, DeletedStatus(type, *obj));
}

ServerResponse KubeEmulator::DeleteCollection(const ServerRequest& req, const RequestTarget& t) {
  const ResourceType& type = *t.type;
  auto labels = LabelSelector::Parse(req.Query("labelSelector"));
  if (!labels.ok()) return ErrorAnswer(BadRequestError(labels.status().message()));
  auto fields = FieldSelector::Parse(req.Query("fieldSelector"), SupportedFieldSelectors(type));
  if (!fields.ok()) return ErrorAnswer(BadRequestError(fields.status().message()));
  std::string items = "[";
  bool first = true;
  for (const ObjectPtr& obj : store_.List(type.StorageKey(), t.ns)) {
    if (!labels->Matches(*obj) || !fields->Matches(*obj)) continue;
    ObjectPtr remaining = DeleteObject(type, obj, req.Query("propagationPolicy"));
    json::Document item = Clone(remaining != nullptr ? *remaining : *obj);
    if (!type.custom) {
      RemoveMember(item, "kind");
      RemoveMember(item, "apiVersion");
    }
    items += (first ? "" : ",") + Compact(item);
    first = false;
  }
  items += "]";
  return JsonAnswer(
      200, "{\"kind\":" + json::Quote(type.list_kind) + ",\"apiVersion\":" +
               json::Quote(type.GroupVersion()) + ",\"metadata\":{\"resourceVersion\":" +
               json::Quote(std::to_string(store_.current_rv())) + "},\"items\":" + items + "}");
}

ObjectPtr KubeEmulator::CreateInternal(const ResourceType& type, json::Document obj,
                                       const std::string& manager) {
  ApplyBuiltinDefaults(type, obj);
  auto& a = obj.GetAllocator();
  json::Value& md = EnsureObject(obj, "metadata", a);
  SetString(md, "uid", NewUid(), a);
  SetString(md, "creationTimestamp", FormatRfc3339(Now(), 0), a);
  return Commit(type, std::move(obj), nullptr, manager, "");
}

void KubeEmulator::AfterCreate(const ResourceType& type, const ObjectPtr& obj) {
  if (type.kind == "Namespace") {
    std::string ns = StringAt(*obj, "metadata.name");
    // kube-controller-manager's ServiceAccount and root-CA publishers.
    auto sa_type = registry_.Find("", "v1", "serviceaccounts");
    if (store_.Get("serviceaccounts", ns, "default") == nullptr) {
      json::Document sa;
      sa.SetObject();
      auto& a = sa.GetAllocator();
      sa.AddMember("kind", "ServiceAccount", a);
      sa.AddMember("apiVersion", "v1", a);
      json::Value md(rapidjson::kObjectType);
      md.AddMember("name", "default", a);
      md.AddMember("namespace", json::StringValue(ns, a), a);
      sa.AddMember("metadata", md, a);
      CreateInternal(*sa_type, std::move(sa), "");
    }
    if (!options_.ca_pem.empty() && store_.Get("configmaps", ns, "kube-root-ca.crt") == nullptr) {
      auto cm_type = registry_.Find("", "v1", "configmaps");
      json::Document cm;
      cm.SetObject();
      auto& a = cm.GetAllocator();
      cm.AddMember("kind", "ConfigMap", a);
      cm.AddMember("apiVersion", "v1", a);
      json::Value md(rapidjson::kObjectType);
      md.AddMember("name", "kube-root-ca.crt", a);
      md.AddMember("namespace", json::StringValue(ns, a), a);
      json::Value ann(rapidjson::kObjectType);
      ann.AddMember("kubernetes.io/description",
                    "Contains a CA bundle that can be used to verify the kube-apiserver when using "
                    "internal endpoints such as the internal service IP or kubernetes.default.svc. "
                    "No other usage is guaranteed across distributions of Kubernetes clusters.",
                    a);
      md.AddMember("annotations", ann, a);
      cm.AddMember("metadata", md, a);
      json::Value data(rapidjson::kObjectType);
      data.AddMember("ca.crt", json::StringValue(options_.ca_pem, a), a);
      cm.AddMember("data", data, a);
      CreateInternal(*cm_type, std::move(cm), "kube-controller-manager");
    }
  }
  if (type.kind == "CustomResourceDefinition") {
    RegisterCrd(obj);
    EstablishCrd(obj);
  }
}

}  // namespace vaultsync::kubeemu
