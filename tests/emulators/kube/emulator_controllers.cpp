// What a cluster's controllers do around the API writes, run synchronously right after the
// write that wakes them (a real kube-controller-manager does it within milliseconds):
// - the garbage collector (pkg/controller/garbagecollector): dependents of a removed owner
//   are deleted; foreground deletion deletes dependents first and removes the owner's
//   foregroundDeletion finalizer once no dependent with blockOwnerDeletion remains; orphaning
//   strips the owner's references from its dependents and removes the orphan finalizer;
//   owners that are gone are dropped from dependents that still have a live owner;
// - the namespace controller: a terminating namespace's content is deleted (honouring
//   finalizers) and the namespace goes when it is empty;
// - the create-time publishers: a namespace's default ServiceAccount and kube-root-ca.crt,
//   CRD establishment.
// The collector's own writes use its field manager, kube-controller-manager.
#include <algorithm>

#include "builtin_semantics.h"
#include "emulator_internal.h"
#include "kube_emulator.h"
#include "object_json.h"
#include "util/time_format.h"

namespace vaultsync::kubeemu {
namespace {

constexpr char kOrphan[] = "orphan";
constexpr char kForeground[] = "foregroundDeletion";

bool Deleting(const json::Value& obj) {
  return !StringAt(obj, "metadata.deletionTimestamp").empty();
}

bool HasFinalizer(const json::Value& obj, std::string_view f) {
  const json::Value* list = At(obj, "metadata.finalizers");
  if (list == nullptr || !list->IsArray()) return false;
  for (const auto& v : list->GetArray()) {
    if (v.IsString() && json::View(v) == f) return true;
  }
  return false;
}

// The ownerReference of obj that names `owner_uid`, or nullptr.
const json::Value* RefTo(const json::Value& obj, const std::string& owner_uid) {
  const json::Value* refs = At(obj, "metadata.ownerReferences");
  if (refs == nullptr || !refs->IsArray()) return nullptr;
  for (const auto& r : refs->GetArray()) {
    if (StringAt(r, "uid") == owner_uid) return &r;
  }
  return nullptr;
}

// A copy of obj without the ownerReferences whose uid is in `uids`.
json::Document WithoutRefs(const json::Value& obj, const std::vector<std::string>& uids) {
  json::Document next = Clone(obj);
  json::Value* refs = MutableAt(next, "metadata.ownerReferences");
  if (refs != nullptr && refs->IsArray()) {
    for (auto it = refs->Begin(); it != refs->End();) {
      bool drop = std::find(uids.begin(), uids.end(), StringAt(*it, "uid")) != uids.end();
      it = drop ? refs->Erase(it) : it + 1;
    }
    if (refs->Empty()) RemoveMember(*MutableAt(next, "metadata"), "ownerReferences");
  }
  return next;
}

}  // namespace

ObjectPtr KubeEmulator::Fresh(const ResourceType& type, const ObjectPtr& obj) const {
  ObjectPtr now = store_.Get(type.StorageKey(), StringAt(*obj, "metadata.namespace"),
                             StringAt(*obj, "metadata.name"));
  if (now == nullptr || StringAt(*now, "metadata.uid") != StringAt(*obj, "metadata.uid")) {
    return nullptr;
  }
  return now;
}

std::vector<std::pair<std::shared_ptr<const ResourceType>, ObjectPtr>> KubeEmulator::DependentsOf(
    const std::string& uid) const {
  std::vector<std::pair<std::shared_ptr<const ResourceType>, ObjectPtr>> out;
  if (uid.empty()) return out;
  for (const std::string& key : store_.Keys()) {
    std::shared_ptr<const ResourceType> type;
    for (const ObjectPtr& o : store_.List(key, "")) {
      if (RefTo(*o, uid) == nullptr) continue;
      if (type == nullptr) type = TypeForKey(key);
      if (type != nullptr) out.emplace_back(type, o);
    }
  }
  return out;
}

ObjectPtr KubeEmulator::OwnerOf(const json::Value& ref, const std::string& dependent_ns,
                                bool* unresolvable) const {
  *unresolvable = false;
  auto owner_type = registry_.FindKind(StringAt(ref, "apiVersion"), StringAt(ref, "kind"));
  if (owner_type == nullptr) {
    *unresolvable = true;
    return nullptr;
  }
  ObjectPtr owner = store_.Get(owner_type->StorageKey(), owner_type->namespaced ? dependent_ns : "",
                               StringAt(ref, "name"));
  if (owner == nullptr || StringAt(*owner, "metadata.uid") != StringAt(ref, "uid")) return nullptr;
  return owner;
}

void KubeEmulator::AfterWrite(const ResourceType& type, const ObjectPtr& obj) {
  if (Deleting(*obj)) {
    if (HasFinalizer(*obj, kOrphan)) {
      OrphanDependents(type, obj);
    } else if (HasFinalizer(*obj, kForeground)) {
      ProcessDeletingDependents(type, obj);
    }
    return;
  }
  const json::Value* refs = At(*obj, "metadata.ownerReferences");
  if (refs != nullptr && refs->IsArray() && !refs->Empty()) AttemptToDelete(type, obj);
}

void KubeEmulator::AfterRemoval(const ResourceType& type, const ObjectPtr& last) {
  for (auto& [dep_type, dep] : DependentsOf(StringAt(*last, "metadata.uid"))) {
    AttemptToDelete(*dep_type, dep);
  }
  // An owner waiting in the foreground for this dependent may be done now.
  std::string ns = StringAt(*last, "metadata.namespace");
  if (const json::Value* refs = At(*last, "metadata.ownerReferences");
      refs != nullptr && refs->IsArray()) {
    for (const auto& r : refs->GetArray()) {
      bool unresolvable = false;
      ObjectPtr owner = OwnerOf(r, ns, &unresolvable);
      if (owner == nullptr || !Deleting(*owner) || !HasFinalizer(*owner, kForeground)) continue;
      auto owner_type = registry_.FindKind(StringAt(r, "apiVersion"), StringAt(r, "kind"));
      ProcessDeletingDependents(*owner_type, owner);
    }
  }
  if (type.namespaced) RemoveNamespaceIfEmpty(ns);
}

void KubeEmulator::AttemptToDelete(const ResourceType& type, ObjectPtr dependent) {
  ObjectPtr dep = Fresh(type, dependent);
  if (dep == nullptr) return;
  if (Deleting(*dep)) {
    // Left to its own finalizers, unless it is itself deleting its dependents.
    if (HasFinalizer(*dep, kForeground)) ProcessDeletingDependents(type, dep);
    return;
  }
  const json::Value* refs = At(*dep, "metadata.ownerReferences");
  if (refs == nullptr || !refs->IsArray() || refs->Empty()) return;
  std::string ns = StringAt(*dep, "metadata.namespace");
  std::vector<std::string> solid, dangling, waiting;
  for (const auto& r : refs->GetArray()) {
    bool unresolvable = false;
    ObjectPtr owner = OwnerOf(r, ns, &unresolvable);
    std::string uid = StringAt(r, "uid");
    if (unresolvable) {
      solid.push_back(uid);  // the real collector retries; it never deletes on a guess
    } else if (owner == nullptr) {
      dangling.push_back(uid);
    } else if (Deleting(*owner) && HasFinalizer(*owner, kForeground)) {
      waiting.push_back(uid);
    } else {
      solid.push_back(uid);
    }
  }
  if (!solid.empty()) {
    if (dangling.empty() && waiting.empty()) return;
    std::vector<std::string> gone = dangling;
    gone.insert(gone.end(), waiting.begin(), waiting.end());
    ControllerUpdate(type, dep, WithoutRefs(*dep, gone));
    return;
  }
  DeleteOptions options;
  if (!waiting.empty() && !DependentsOf(StringAt(*dep, "metadata.uid")).empty()) {
    options.propagation = "Foreground";
  } else if (HasFinalizer(*dep, kOrphan)) {
    options.propagation = "Orphan";
  } else if (HasFinalizer(*dep, kForeground)) {
    options.propagation = "Foreground";
  } else {
    options.propagation = "Background";
  }
  DeleteObject(type, dep, options);
}

void KubeEmulator::ProcessDeletingDependents(const ResourceType& type, ObjectPtr owner) {
  ObjectPtr current = Fresh(type, owner);
  if (current == nullptr || !Deleting(*current) || !HasFinalizer(*current, kForeground)) return;
  std::string uid = StringAt(*current, "metadata.uid");
  if (!foreground_busy_.insert(uid).second) return;  // the outer call checks again below
  for (auto& [dep_type, dep] : DependentsOf(uid)) {
    if (!Deleting(*dep)) AttemptToDelete(*dep_type, dep);
  }
  foreground_busy_.erase(uid);
  current = Fresh(type, current);
  if (current == nullptr || !HasFinalizer(*current, kForeground)) return;
  for (auto& [dep_type, dep] : DependentsOf(uid)) {
    const json::Value* ref = RefTo(*dep, uid);
    const json::Value* block = ref == nullptr ? nullptr : json::Find(*ref, "blockOwnerDeletion");
    if (block != nullptr && block->IsBool() && block->GetBool()) return;  // still blocking
  }
  RemoveFinalizer(type, current, kForeground);
}

void KubeEmulator::OrphanDependents(const ResourceType& type, ObjectPtr owner) {
  std::string uid = StringAt(*owner, "metadata.uid");
  for (auto& [dep_type, dep] : DependentsOf(uid)) {
    ControllerUpdate(*dep_type, dep, WithoutRefs(*dep, {uid}));
  }
  RemoveFinalizer(type, owner, kOrphan);
}

void KubeEmulator::RemoveFinalizer(const ResourceType& type, ObjectPtr obj,
                                   const std::string& finalizer) {
  ObjectPtr current = Fresh(type, obj);
  if (current == nullptr || !HasFinalizer(*current, finalizer)) return;
  json::Document next = Clone(*current);
  json::Value* list = MutableAt(next, "metadata.finalizers");
  for (auto it = list->Begin(); it != list->End();) {
    it = it->IsString() && json::View(*it) == finalizer ? list->Erase(it) : it + 1;
  }
  if (list->Empty()) RemoveMember(*MutableAt(next, "metadata"), "finalizers");
  ControllerUpdate(type, current, std::move(next));
}

void KubeEmulator::DeleteNamespaceContents(const std::string& ns) {
  DeleteOptions options;
  options.propagation = "Background";
  for (const std::string& key : store_.Keys()) {
    auto type = TypeForKey(key);
    if (type == nullptr || !type->namespaced) continue;
    for (const ObjectPtr& obj : store_.List(key, ns)) {
      ObjectPtr current = Fresh(*type, obj);
      if (current != nullptr && !Deleting(*current)) DeleteObject(*type, current, options);
    }
  }
}

void KubeEmulator::RemoveNamespaceIfEmpty(const std::string& ns) {
  if (ns.empty()) return;
  ObjectPtr ns_obj = store_.Get("namespaces", "", ns);
  if (ns_obj == nullptr || !Deleting(*ns_obj)) return;
  for (const std::string& key : store_.Keys()) {
    auto type = TypeForKey(key);
    if (type != nullptr && type->namespaced && !store_.List(key, ns).empty()) return;
  }
  RemoveNow(*registry_.Find("", "v1", "namespaces"), ns_obj);
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
