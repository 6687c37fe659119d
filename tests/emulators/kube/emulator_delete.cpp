// Deletion as kube-apiserver v1.26's generic registry does it (store.go Delete,
// updateForGracefulDeletionAndFinalizers, deletionFinalizersForGarbageCollection,
// markAsDeleting; rest.BeforeDelete; the DELETE handler): DeleteOptions from body or query,
// preconditions, the garbage collector's orphan/foregroundDeletion finalizers, marking an
// object with finalizers as being deleted instead of removing it, and DeleteCollection.
// What the controllers do next (emulator_controllers.cpp) runs after the write.
#include <algorithm>
#include <set>

#include "builtin_semantics.h"
#include "emulator_internal.h"
#include "kube_emulator.h"
#include "object_json.h"
#include "selectors.h"
#include "util/time_format.h"

namespace vaultsync::kubeemu {
namespace {

constexpr char kOrphan[] = "orphan";
constexpr char kForeground[] = "foregroundDeletion";

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

// A registry's DefaultGarbageCollectionPolicy.
enum class GcPolicy { kDeleteDependents, kOrphanDependents, kUnsupported };

GcPolicy DefaultGcPolicy(const ResourceType& t) {
  // Events cannot own anything; core/v1 ReplicationControllers orphan by default for
  // backward compatibility; every other resource served here (apps/v1 included) deletes
  // its dependents.
  if (t.kind == "Event") return GcPolicy::kUnsupported;
  if (t.group.empty() && t.resource == "replicationcontrollers") {
    return GcPolicy::kOrphanDependents;
  }
  return GcPolicy::kDeleteDependents;
}

std::vector<std::string> Finalizers(const json::Value& obj) {
  std::vector<std::string> out;
  const json::Value* f = At(obj, "metadata.finalizers");
  if (f == nullptr || !f->IsArray()) return out;
  for (const auto& v : f->GetArray()) {
    if (v.IsString()) out.emplace_back(json::View(v));
  }
  return out;
}

// shouldOrphanDependents / shouldDeleteDependents: options first, then the finalizers the
// object already has, then the type's default.
bool ShouldOrphan(GcPolicy def, const std::vector<std::string>& fins, const DeleteOptions& o) {
  if (def == GcPolicy::kUnsupported) return false;
  if (o.orphan_dependents) return *o.orphan_dependents;
  if (o.propagation == "Orphan") return true;
  if (o.propagation == "Background" || o.propagation == "Foreground") return false;
  for (const auto& f : fins) {
    if (f == kOrphan) return true;
    if (f == kForeground) return false;
  }
  return def == GcPolicy::kOrphanDependents;
}

bool ShouldDeleteDependents(GcPolicy def, const std::vector<std::string>& fins,
                            const DeleteOptions& o) {
  if (def == GcPolicy::kUnsupported) return false;
  if (o.orphan_dependents) return false;
  if (o.propagation == "Foreground") return true;
  if (o.propagation == "Background" || o.propagation == "Orphan") return false;
  for (const auto& f : fins) {
    if (f == kForeground) return true;
    if (f == kOrphan) return false;
  }
  return false;
}

// strconv.ParseBool, which the query parameter decoder uses.
std::optional<bool> ParseGoBool(const std::string& s) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (s == t) return true;
  }
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (s == f) return false;
  }
  return std::nullopt;
}

}  // namespace

std::optional<ApiError> KubeEmulator::ParseDeleteOptions(const ServerRequest& req,
                                                         DeleteOptions* out) {
  bool policy_set = false;
  if (!req.body.empty()) {
    // The handler decodes a body when there is one and then ignores the query.
    auto opts = json::Parse(req.body);
    if (!opts.ok() || !opts->IsObject()) {
      return BadRequestError("the body of the request was not a DeleteOptions");
    }
    if (const json::Value* p = json::Find(*opts, "propagationPolicy"); p != nullptr) {
      if (p->IsString()) {
        out->propagation = std::string(json::View(*p));
        policy_set = true;
      }
    }
    if (const json::Value* o = json::Find(*opts, "orphanDependents"); o != nullptr && o->IsBool()) {
      out->orphan_dependents = o->GetBool();
    }
    if (const json::Value* d = json::Find(*opts, "dryRun"); d != nullptr && d->IsArray()) {
      for (const auto& v : d->GetArray()) {
        if (v.IsString() && json::View(v) == "All") out->dry_run = true;
      }
    }
    if (const json::Value* pre = json::Find(*opts, "preconditions"); pre != nullptr) {
      if (const json::Value* u = json::Find(*pre, "uid"); u != nullptr && u->IsString()) {
        out->precondition_uid = std::string(json::View(*u));
      }
      if (const json::Value* r = json::Find(*pre, "resourceVersion");
          r != nullptr && r->IsString()) {
        out->precondition_rv = std::string(json::View(*r));
      }
    }
  } else {
    bool present = false;
    std::string p = req.Query("propagationPolicy", &present);
    if (present) {
      out->propagation = p;
      policy_set = true;
    }
    std::string o = req.Query("orphanDependents", &present);
    if (present) {
      std::optional<bool> b = ParseGoBool(o);
      if (!b) {
        return BadRequestError("strconv.ParseBool: parsing " + json::Quote(o) + ": invalid syntax");
      }
      out->orphan_dependents = *b;
    }
    out->dry_run = req.Query("dryRun") == "All";
  }
  // validation.ValidateDeleteOptions.
  std::vector<StatusCause> causes;
  if (out->orphan_dependents && policy_set) {
    causes.push_back(InvalidCause("propagationPolicy", json::Quote(out->propagation),
                                  "orphanDependents and deletionPropagation cannot be both set"));
  }
  if (policy_set && out->propagation != "Orphan" && out->propagation != "Background" &&
      out->propagation != "Foreground") {
    causes.push_back(
        NotSupportedCause("propagationPolicy", json::Quote(out->propagation),
                          {"\"Foreground\"", "\"Background\"", "\"Orphan\"", "\"nil\""}));
  }
  if (!causes.empty()) return InvalidError("DeleteOptions", "meta.k8s.io", "", causes);
  return std::nullopt;
}

ObjectPtr KubeEmulator::DeleteObject(const ResourceType& type, ObjectPtr obj,
                                     const DeleteOptions& options) {
  if (type.kind == "Namespace") {
    // The namespace registry marks it Terminating; the namespace controller deletes its
    // content and the namespace goes once nothing is left in it.
    json::Document next = Clone(*obj);
    auto& a = next.GetAllocator();
    json::Value& md = EnsureObject(next, "metadata", a);
    ObjectPtr terminating = obj;
    if (StringAt(md, "deletionTimestamp").empty()) {
      SetString(md, "deletionTimestamp", FormatRfc3339(Now(), 0), a);
      SetMember(md, "deletionGracePeriodSeconds", json::Value(0), a);
      SetString(EnsureObject(next, "status", a), "phase", "Terminating", a);
      if (options.dry_run) return std::make_shared<const json::Document>(std::move(next));
      terminating = Commit(type, std::move(next), obj, "", "");
    }
    if (options.dry_run) return terminating;
    std::string name = StringAt(*obj, "metadata.name");
    DeleteNamespaceContents(name);
    RemoveNamespaceIfEmpty(name);
    return terminating;
  }

  std::vector<std::string> fins = Finalizers(*obj);
  // deletionFinalizersForGarbageCollection: drop both GC finalizers, add back what the
  // options (or the existing finalizers, or the type's default) ask for.
  GcPolicy def = DefaultGcPolicy(type);
  bool orphan = ShouldOrphan(def, fins, options);
  bool foreground = ShouldDeleteDependents(def, fins, options);
  std::vector<std::string> wanted;
  for (const auto& f : fins) {
    if (f != kOrphan && f != kForeground) wanted.push_back(f);
  }
  if (orphan) wanted.push_back(kOrphan);
  if (foreground) wanted.push_back(kForeground);
  bool finalizers_changed = std::set<std::string>(fins.begin(), fins.end()) !=
                            std::set<std::string>(wanted.begin(), wanted.end());
  if (finalizers_changed) fins = wanted;

  if (fins.empty()) {
    if (!options.dry_run) RemoveNow(type, obj);
    return nullptr;
  }
  // markAsDeleting: the first deletion sets the timestamp and bumps a set generation.
  json::Document next = Clone(*obj);
  auto& a = next.GetAllocator();
  json::Value& md = EnsureObject(next, "metadata", a);
  if (finalizers_changed) {
    json::Value list(rapidjson::kArrayType);
    for (const auto& f : fins) list.PushBack(json::StringValue(f, a), a);
    SetMember(md, "finalizers", std::move(list), a);
  }
  if (StringAt(md, "deletionTimestamp").empty()) {
    if (int64_t gen = IntAt(md, "generation").value_or(0); gen > 0) {
      SetMember(md, "generation", json::Value(gen + 1), a);
    }
    SetString(md, "deletionTimestamp", FormatRfc3339(Now(), 0), a);
  }
  SetMember(md, "deletionGracePeriodSeconds", json::Value(0), a);
  if (next == *obj) return obj;  // a repeated delete: nothing to write
  if (options.dry_run) return std::make_shared<const json::Document>(std::move(next));
  ObjectPtr stored = Commit(type, std::move(next), obj, "", "");
  AfterWrite(type, stored);
  return stored;
}

void KubeEmulator::RemoveNow(const ResourceType& type, ObjectPtr last) {
  std::string ns = StringAt(*last, "metadata.namespace");
  std::string name = StringAt(*last, "metadata.name");
  if (store_.Get(type.StorageKey(), ns, name) == nullptr) return;
  int64_t rv = store_.NextRv();
  json::Document final_state = Clone(*last);
  SetString(EnsureObject(final_state, "metadata", final_state.GetAllocator()), "resourceVersion",
            std::to_string(rv), final_state.GetAllocator());
  auto removed = std::make_shared<const json::Document>(std::move(final_state));
  store_.Remove(type.StorageKey(), ns, name, removed, rv);
  NotifyWatchers(type.StorageKey());
  if (type.kind == "CustomResourceDefinition") {
    for (const auto& t : registry_.AllTypes()) {
      if (!t->custom || t->crd_name != name) continue;
      for (const ObjectPtr& cr : store_.List(t->StorageKey(), "")) RemoveNow(*t, cr);
    }
    registry_.SetCustomTypes(name, {});
  }
  if (type.kind == "Namespace") {
    // Normally empty by now; a namespace finalized by hand takes what is left with it.
    for (const std::string& key : store_.Keys()) {
      auto t = TypeForKey(key);
      if (t == nullptr || !t->namespaced) continue;
      for (const ObjectPtr& o : store_.List(key, name)) RemoveNow(*t, o);
    }
  }
  AfterRemoval(type, removed);
}

ObjectPtr KubeEmulator::ControllerUpdate(const ResourceType& type, ObjectPtr old,
                                         json::Document next) {
  bool deleting = !StringAt(*old, "metadata.deletionTimestamp").empty();
  const json::Value* fins = At(next, "metadata.finalizers");
  bool finalized = fins == nullptr || !fins->IsArray() || fins->Empty();
  if (deleting && finalized &&
      IntAt(*old, "metadata.deletionGracePeriodSeconds").value_or(0) == 0) {
    RemoveNow(type, old);
    return nullptr;
  }
  ObjectPtr stored = Commit(type, std::move(next), old, "kube-controller-manager", "");
  AfterWrite(type, stored);
  return stored;
}

std::shared_ptr<const ResourceType> KubeEmulator::TypeForKey(const std::string& key) const {
  for (const auto& t : registry_.AllTypes()) {
    if (t->StorageKey() == key) return t;
  }
  return nullptr;
}

ServerResponse KubeEmulator::Delete(const ServerRequest& req, const RequestTarget& t) {
  const ResourceType& type = *t.type;
  ObjectPtr obj = store_.Get(type.StorageKey(), t.ns, t.name);
  if (obj == nullptr) return ErrorAnswer(NotFoundError(type.Ref(), t.name));
  DeleteOptions options;
  if (auto e = ParseDeleteOptions(req, &options)) return ErrorAnswer(*e);
  // rest.BeforeDelete checks the preconditions first, naming the kind (not the resource).
  std::string uid = StringAt(*obj, "metadata.uid");
  std::string rv = StringAt(*obj, "metadata.resourceVersion");
  ResourceRef by_kind{type.kind, type.group};
  if (options.precondition_uid && *options.precondition_uid != uid) {
    return ErrorAnswer(ConflictError(by_kind, t.name,
                                     "the UID in the precondition (" + *options.precondition_uid +
                                         ") does not match the UID in record (" + uid +
                                         "). The object might have been deleted and then "
                                         "recreated"));
  }
  if (options.precondition_rv && *options.precondition_rv != rv) {
    return ErrorAnswer(ConflictError(by_kind, t.name,
                                     "the ResourceVersion in the precondition (" +
                                         *options.precondition_rv +
                                         ") does not match the ResourceVersion in record (" + rv +
                                         "). The object might have been modified"));
  }
  ObjectPtr remaining = DeleteObject(type, obj, options);
  if (remaining == nullptr) return JsonAnswer(200, DeletedStatus(type, *obj));
  // The handler answers 202 for an object not yet deleted only when the caller asked for
  // cascading deletion the deprecated way (orphanDependents: false).
  int code = options.orphan_dependents && !*options.orphan_dependents ? 202 : 200;
  return JsonAnswer(code, Compact(*remaining));
}

ServerResponse KubeEmulator::DeleteCollection(const ServerRequest& req, const RequestTarget& t) {
  const ResourceType& type = *t.type;
  auto labels = LabelSelector::Parse(req.Query("labelSelector"));
  if (!labels.ok()) return ErrorAnswer(BadRequestError(labels.status().message()));
  auto fields = FieldSelector::Parse(req.Query("fieldSelector"), SupportedFieldSelectors(type));
  if (!fields.ok()) return ErrorAnswer(BadRequestError(fields.status().message()));
  DeleteOptions options;
  if (auto e = ParseDeleteOptions(req, &options)) return ErrorAnswer(*e);
  // The answer lists the objects as they were listed, before each was deleted.
  std::string items = "[";
  bool first = true;
  for (const ObjectPtr& obj : store_.List(type.StorageKey(), t.ns)) {
    if (!labels->Matches(*obj) || !fields->Matches(*obj)) continue;
    json::Document item = Clone(*obj);
    if (ObjectPtr current = Fresh(type, obj); current != nullptr) {
      DeleteObject(type, current, options);
    }
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

}  // namespace vaultsync::kubeemu
