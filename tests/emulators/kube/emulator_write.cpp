// Writes: create, update (PUT), patch, and the shared path that decodes, defaults, validates
// and commits an object version.
#include "builtin_semantics.h"
#include "crd_schema.h"
#include "crd_support.h"
#include "crd_validation_rules.h"
#include "emulator_internal.h"
#include "kube_emulator.h"
#include "object_json.h"
#include "patch.h"
#include "server_side_apply.h"
#include "util/time_format.h"

#include <algorithm>
#include <set>

namespace vaultsync::kubeemu {
namespace {

// Copies obj[key] from `from` (or removes it from `to` when `from` has none).
void CarryMember(const json::Value& from, json::Value& to, const char* key, json::Allocator& a) {
  const json::Value* v = json::Find(from, key);
  if (v == nullptr) {
    RemoveMember(to, key);
  } else {
    SetMember(to, key, json::Value(*v, a), a);
  }
}

// The object without the fields every write changes (managedFields, resourceVersion), for
// no-op detection.
json::Document Comparable(const json::Value& obj) {
  json::Document d = Clone(obj);
  if (json::Value* md = MutableMember(d, "metadata"); md != nullptr) {
    RemoveMember(*md, "managedFields");
    RemoveMember(*md, "resourceVersion");
  }
  return d;
}

// Everything but metadata (and status, when it is a subresource): what metadata.generation
// tracks.
bool SpecChanged(const json::Value& a, const json::Value& b, bool status_is_subresource) {
  json::Document x = Clone(a), y = Clone(b);
  for (json::Document* d : {&x, &y}) {
    RemoveMember(*d, "metadata");
    if (status_is_subresource) RemoveMember(*d, "status");
  }
  return !(x == y);
}

// Go's %#v of a []string: []string{"a", "b"}.
std::string GoStringSlice(const std::vector<std::string>& v) {
  std::string s = "[]string{";
  for (size_t i = 0; i < v.size(); ++i) s += (i > 0 ? ", " : "") + json::Quote(v[i]);
  return s + "}";
}

std::vector<std::string> StringList(const json::Value* v) {
  std::vector<std::string> out;
  if (v == nullptr || !v->IsArray()) return out;
  for (const auto& e : v->GetArray()) {
    if (e.IsString()) out.emplace_back(json::View(e));
  }
  return out;
}

// time.Time.String() of an RFC 3339 value, as field errors print a metav1.Time.
std::string GoTimeString(const std::string& rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  if (!t.ok()) return rfc3339;
  std::string s = FormatRfc3339(*t, 0);  // 2026-11-23T09:48:06Z
  return s.substr(0, 10) + " " + s.substr(11, 8) + " +0000 UTC";
}

// The parts of ValidateObjectMetaAccessorUpdate that finalizers and deletion touch, checked
// after rest.BeforeUpdate has put the stored deletionTimestamp (and a missing
// deletionGracePeriodSeconds) back: no new finalizers once deletion started, and neither
// field may be set or changed by a client.
std::vector<StatusCause> MetadataUpdateCauses(const json::Value& new_md,
                                              const json::Value& old_md) {
  std::vector<StatusCause> causes;
  bool deleting = !StringAt(old_md, "deletionTimestamp").empty();
  if (deleting) {
    std::vector<std::string> old_fins = StringList(json::Find(old_md, "finalizers"));
    std::set<std::string> extra;  // sets.String.List() is sorted
    for (const auto& f : StringList(json::Find(new_md, "finalizers"))) {
      if (std::find(old_fins.begin(), old_fins.end(), f) == old_fins.end()) extra.insert(f);
    }
    if (!extra.empty()) {
      causes.push_back(ForbiddenCause(
          "metadata.finalizers",
          "no new finalizers can be added if the object is being deleted, found new finalizers " +
              GoStringSlice({extra.begin(), extra.end()})));
    }
  } else if (std::string ts = StringAt(new_md, "deletionTimestamp"); !ts.empty()) {
    causes.push_back(
        InvalidCause("metadata.deletionTimestamp", GoTimeString(ts), "field is immutable"));
  }
  std::optional<int64_t> old_grace = IntAt(old_md, "deletionGracePeriodSeconds");
  std::optional<int64_t> new_grace = IntAt(new_md, "deletionGracePeriodSeconds");
  if (new_grace && new_grace != old_grace) {
    causes.push_back(InvalidCause("metadata.deletionGracePeriodSeconds", std::to_string(*new_grace),
                                  "field is immutable"));
  }
  return causes;
}

// store.ShouldDeleteDuringUpdate: an update that leaves no finalizers on an object whose
// deletion has started (with no grace period pending) deletes it.
bool ShouldDeleteDuringUpdate(const json::Value& next, const json::Value& old) {
  const json::Value* fins = At(next, "metadata.finalizers");
  if (fins != nullptr && fins->IsArray() && !fins->Empty()) return false;
  if (StringAt(old, "metadata.deletionTimestamp").empty()) return false;
  return IntAt(old, "metadata.deletionGracePeriodSeconds").value_or(0) == 0;
}

}  // namespace

// Unknown-field handling, decoding checks, defaults and validation common to create and
// update. Fills *warnings; returns an error answer on failure.
static std::optional<ApiError> Admit(const ResourceType& type, json::Document& obj,
                                     const json::Value* old, const std::string& validation,
                                     std::vector<std::string>* warnings,
                                     const std::vector<StatusCause>& meta_update_causes = {}) {
  if (auto e = CheckDecodable(type, obj)) return e;
  std::vector<std::string> unknown;
  if (type.custom) {
    if (const json::Value* schema = SchemaOf(type)) {
      PruneAndDefault(*schema, obj, obj.GetAllocator(), &unknown);
    }
  } else {
    unknown = UnknownBuiltinFields(type, obj);
    for (const auto& f : unknown) RemoveMember(obj, f);
  }
  if (!unknown.empty() && validation == "Strict") {
    std::string list;
    for (const auto& f : unknown)
      list += (list.empty() ? "" : ", ") + std::string("unknown field ") + json::Quote(f);
    return BadRequestError(type.kind + " in version " + json::Quote(type.version) +
                           " cannot be handled as a " + type.kind +
                           ": strict decoding error: " + list);
  }
  if (validation != "Ignore") {
    for (const auto& f : unknown) warnings->push_back("unknown field " + json::Quote(f));
  }
  ApplyBuiltinDefaults(type, obj);
  std::vector<StatusCause> causes = ValidateObjectName(type, obj);
  // rest.BeforeUpdate validates the metadata update, then the type's ValidateUpdate does it
  // again: the real answer lists those causes twice.
  for (int twice = 0; twice < 2; ++twice) {
    causes.insert(causes.end(), meta_update_causes.begin(), meta_update_causes.end());
  }
  std::vector<StatusCause> more = ValidateBuiltin(type, obj, old);
  causes.insert(causes.end(), more.begin(), more.end());
  if (type.custom) {
    if (const json::Value* schema = SchemaOf(type)) {
      more = ValidateAgainstSchema(*schema, obj);
      causes.insert(causes.end(), more.begin(), more.end());
      more = EvaluateValidationRules(*schema, obj, old, more);
      causes.insert(causes.end(), more.begin(), more.end());
    }
  }
  if (type.kind == "CustomResourceDefinition") {
    more = ValidateCrd(obj);
    causes.insert(causes.end(), more.begin(), more.end());
  }
  if (!causes.empty()) {
    return InvalidError(type.kind, type.group, StringAt(obj, "metadata.name"), causes);
  }
  return std::nullopt;
}

static ServerResponse WithWarnings(ServerResponse r, const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) r.headers.emplace_back("Warning", "299 - " + json::Quote(w));
  return r;
}

// The stored form of a write: resourceVersion (empty for a dry run), canonical member order,
// managedFields.
static void Finalize(const ResourceType& type, json::Document& obj, const std::string& rv,
                     const std::string& manager, const std::string& subresource,
                     const std::string& now, const json::Value* old, const ApplyIntent* apply) {
  auto& a = obj.GetAllocator();
  json::Value& md = EnsureObject(obj, "metadata", a);
  if (rv.empty()) {
    RemoveMember(md, "resourceVersion");
  } else {
    SetString(md, "resourceVersion", rv, a);
  }
  // Canonical form first (omitted empties, defaults) so managedFields describe what is stored;
  // then again to place managedFields where the encoding puts it.
  CanonicalizeBuiltin(type, obj);
  if (type.kind == "CustomResourceDefinition") CanonicalizeCrd(obj);
  if (!manager.empty()) {
    UpdateManagedFields(obj, type, manager, subresource, now, old, apply);
    CanonicalizeBuiltin(type, obj);
  }
}

static bool IsDryRun(const ServerRequest& req) { return req.Query("dryRun") == "All"; }

ObjectPtr KubeEmulator::Commit(const ResourceType& type, json::Document obj, ObjectPtr old,
                               const std::string& manager, const std::string& subresource) {
  int64_t rv = store_.NextRv();
  Finalize(type, obj, std::to_string(rv), manager, subresource, FormatRfc3339(Now(), 0), old.get(),
           apply_);
  auto ptr = std::make_shared<const json::Document>(std::move(obj));
  std::string ns = StringAt(*ptr, "metadata.namespace");
  std::string name = StringAt(*ptr, "metadata.name");
  store_.Put(type.StorageKey(), ns, name, ptr, rv, old ? "MODIFIED" : "ADDED", old);
  NotifyWatchers(type.StorageKey());
  return ptr;
}

ServerResponse KubeEmulator::Create(const ServerRequest& req, const RequestTarget& t) {
  const ResourceType& type = *t.type;
  ApiError err;
  auto body = ParseObjectBody(req, type, &err);
  if (!body.ok()) return ErrorAnswer(err);
  json::Document obj = std::move(body).value();
  auto& a = obj.GetAllocator();
  SetString(obj, "apiVersion", type.GroupVersion(), a);
  SetString(obj, "kind", type.kind, a);
  json::Value& md = EnsureObject(obj, "metadata", a);
  if (type.namespaced) {
    std::string body_ns = StringAt(md, "namespace");
    if (!body_ns.empty() && body_ns != t.ns) {
      return ErrorAnswer(BadRequestError(
          "the namespace of the provided object does not match the namespace sent on the request"));
    }
    if (t.ns.empty()) return ErrorAnswer(PageNotFoundError());
    SetString(md, "namespace", t.ns, a);
    ObjectPtr ns_obj = store_.Get("namespaces", "", t.ns);
    if (ns_obj == nullptr) return ErrorAnswer(NotFoundError({"namespaces", ""}, t.ns));
    if (!StringAt(*ns_obj, "metadata.deletionTimestamp").empty()) {
      std::string name = StringAt(md, "name");
      return ErrorAnswer(
          ForbiddenError(type.Ref().Qualified() + " " + json::Quote(name) +
                             " is forbidden: unable to create new content in namespace " + t.ns +
                             " because it is being terminated",
                         type.Ref(), name));
    }
  } else {
    RemoveMember(md, "namespace");
  }
  if (StringAt(md, "name").empty() && !StringAt(md, "generateName").empty()) {
    std::string name;
    do {
      name = StringAt(md, "generateName") + RandomSuffix();
    } while (store_.Get(type.StorageKey(), t.ns, name) != nullptr);
    SetString(md, "name", name, a);
  }
  for (const char* k : {"resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds",
                        "managedFields", "selfLink", "uid", "creationTimestamp", "generation"}) {
    RemoveMember(md, k);
  }
  if (type.has_status) RemoveMember(obj, "status");
  std::vector<std::string> warnings;
  if (auto e = Admit(type, obj, nullptr, req.Query("fieldValidation"), &warnings)) {
    return ErrorAnswer(*e);
  }
  std::string name = StringAt(obj, "metadata.name");
  if (ObjectPtr existing = store_.Get(type.StorageKey(), t.ns, name); existing != nullptr) {
    ApiError e = AlreadyExistsError(type.Ref(), name);
    // store.create: the name is taken by an object still waiting for its finalizers.
    if (!StringAt(*existing, "metadata.deletionTimestamp").empty()) {
      e.message = "object is being deleted: " + e.message;
    }
    return ErrorAnswer(e);
  }
  json::Value& md2 = EnsureObject(obj, "metadata", a);
  SetString(md2, "uid", NewUid(), a);
  SetString(md2, "creationTimestamp", FormatRfc3339(Now(), 0), a);
  if (type.has_generation || type.custom) SetMember(md2, "generation", json::Value(1), a);
  if (!type.custom && type.has_status && type.group == "apps") {
    SetMember(obj, "status", json::Value(rapidjson::kObjectType), a);
  }
  if (IsDryRun(req)) {  // validated and shaped, not stored
    Finalize(type, obj, "", ManagerOf(req), "", FormatRfc3339(Now(), 0), nullptr, apply_);
    return WithWarnings(JsonAnswer(201, Compact(obj)), warnings);
  }
  ObjectPtr stored = Commit(type, std::move(obj), nullptr, ManagerOf(req), "");
  ServerResponse resp = WithWarnings(JsonAnswer(201, Compact(*stored)), warnings);
  AfterCreate(type, stored);
  AfterWrite(type, stored);
  return resp;
}

ServerResponse KubeEmulator::Update(const ServerRequest& req, const RequestTarget& t) {
  const ResourceType& type = *t.type;
  ObjectPtr old = store_.Get(type.StorageKey(), t.ns, t.name);
  ApiError err;
  auto body = ParseObjectBody(req, type, &err);
  if (!body.ok()) return ErrorAnswer(err);
  if (old == nullptr) return ErrorAnswer(NotFoundError(type.Ref(), t.name));
  return WriteUpdate(req, t, std::move(body).value(), old);
}

ServerResponse KubeEmulator::Patch(const ServerRequest& req, const RequestTarget& t) {
  const ResourceType& type = *t.type;
  ObjectPtr old = store_.Get(type.StorageKey(), t.ns, t.name);
  if (MediaTypeOf(req) == "application/apply-patch+yaml") return Apply(req, t);
  if (old == nullptr) return ErrorAnswer(NotFoundError(type.Ref(), t.name));
  std::string ct = MediaTypeOf(req);
  json::Document next = Clone(*old);
  if (auto e = ApplyPatchRequest(ct, req.body, type.custom, next)) return ErrorAnswer(*e);
  return WriteUpdate(req, t, std::move(next), old);
}

ServerResponse KubeEmulator::WriteUpdate(const ServerRequest& req, const RequestTarget& t,
                                         json::Document incoming, ObjectPtr old) {
  const ResourceType& type = *t.type;
  auto& a = incoming.GetAllocator();
  json::Value& in_md = EnsureObject(incoming, "metadata", a);
  std::string in_name = StringAt(in_md, "name");
  if (in_name.empty()) {
    SetString(in_md, "name", t.name, a);
  } else if (in_name != t.name) {
    return ErrorAnswer(BadRequestError("the name of the object (" + in_name +
                                       ") does not match the name on the URL (" + t.name + ")"));
  }
  std::string in_ns = StringAt(in_md, "namespace");
  if (type.namespaced && !in_ns.empty() && in_ns != t.ns) {
    return ErrorAnswer(BadRequestError(
        "the namespace of the provided object does not match the namespace sent on the request"));
  }
  std::string in_rv = StringAt(in_md, "resourceVersion");
  if (!in_rv.empty() && in_rv != StringAt(*old, "metadata.resourceVersion")) {
    return ErrorAnswer(StaleConflictError(type.Ref(), t.name));
  }
  json::Document next;
  bool managed_fields_edited = false;
  bool status_write = t.subresource == "status";
  std::vector<StatusCause> meta_causes;
  if (status_write) {
    next = Clone(*old);
    CarryMember(incoming, next, "status", next.GetAllocator());
  } else {
    next = std::move(incoming);
    auto& na = next.GetAllocator();
    SetString(next, "apiVersion", type.GroupVersion(), na);
    SetString(next, "kind", type.kind, na);
    json::Value& md = EnsureObject(next, "metadata", na);
    const json::Value& old_md = *At(*old, "metadata");
    for (const char* k : {"uid", "creationTimestamp", "generation", "namespace"}) {
      CarryMember(old_md, md, k, na);
    }
    // An update can never remove or change a deletion timestamp, nor drop a grace period.
    if (const json::Value* ts = json::Find(old_md, "deletionTimestamp"); ts != nullptr) {
      SetMember(md, "deletionTimestamp", json::Value(*ts, na), na);
    }
    if (const json::Value* g = json::Find(old_md, "deletionGracePeriodSeconds");
        g != nullptr && json::Find(md, "deletionGracePeriodSeconds") == nullptr) {
      SetMember(md, "deletionGracePeriodSeconds", json::Value(*g, na), na);
    }
    meta_causes = MetadataUpdateCauses(md, old_md);
    managed_fields_edited = AdoptManagedFields(old_md, md, na);
    if (type.has_status) CarryMember(*old, next, "status", na);
  }
  std::vector<std::string> warnings;
  if (auto e = Admit(type, next, old.get(), req.Query("fieldValidation"), &warnings, meta_causes)) {
    return ErrorAnswer(*e);
  }
  bool ownership_changes =
      managed_fields_edited || (apply_ != nullptr && apply_->changes_ownership);
  if (Comparable(next) == Comparable(*old) && !ownership_changes) {
    return WithWarnings(JsonAnswer(200, Compact(*old)), warnings);
  }
  if ((type.has_generation || type.custom) && !status_write &&
      SpecChanged(next, *old, type.has_status)) {
    json::Value& md = EnsureObject(next, "metadata", next.GetAllocator());
    SetMember(md, "generation", json::Value(IntAt(*old, "metadata.generation").value_or(0) + 1),
              next.GetAllocator());
  }
  bool delete_now = ShouldDeleteDuringUpdate(next, *old);
  if (IsDryRun(req) || delete_now) {
    // Not stored: the answer is the updated object with the stored resourceVersion (the
    // registry deletes the object instead of writing it, and answers what was sent).
    Finalize(type, next, StringAt(*old, "metadata.resourceVersion"), ManagerOf(req), t.subresource,
             FormatRfc3339(Now(), 0), old.get(), apply_);
    if (delete_now && !IsDryRun(req)) RemoveNow(type, old);  // DELETED, no MODIFIED first
    return WithWarnings(JsonAnswer(200, Compact(next)), warnings);
  }
  ObjectPtr stored = Commit(type, std::move(next), old, ManagerOf(req), t.subresource);
  if (type.kind == "CustomResourceDefinition") RegisterCrd(stored);
  ServerResponse resp = WithWarnings(JsonAnswer(200, Compact(*stored)), warnings);
  AfterWrite(type, stored);
  return resp;
}

}  // namespace vaultsync::kubeemu
