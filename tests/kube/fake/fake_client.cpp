// The in-memory API server.
#include "fake_client.h"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "json_ops.h"
#include "kube/object.h"
#include "kube/resource.h"
#include "util/time_format.h"

namespace vaultsync::kube::fake {

namespace {

Status ApiError(StatusCode code, int http, std::string_view reason, const std::string& message) {
  return Status(code, std::string(reason) + ": " + message, http);
}

json::Value& Metadata(json::Document& doc) {
  if (!doc.HasMember("metadata") || !doc["metadata"].IsObject()) {
    if (doc.HasMember("metadata")) doc.RemoveMember("metadata");
    doc.AddMember("metadata", json::Value(rapidjson::kObjectType), doc.GetAllocator());
  }
  return doc["metadata"];
}

void SetMember(json::Value& obj, std::string_view key, json::Value v, json::Allocator& a) {
  auto it = obj.FindMember(json::Value(rapidjson::StringRef(key.data(), key.size())));
  if (it != obj.MemberEnd()) {
    it->value = v;
  } else {
    obj.AddMember(json::StringValue(key, a), v, a);
  }
}

void SetString(json::Value& obj, std::string_view key, std::string_view s, json::Allocator& a) {
  SetMember(obj, key, json::StringValue(s, a), a);
}

std::string MemberText(const json::Value& obj, std::string_view key) {
  const json::Value* v = json::Find(obj, key);
  return v == nullptr ? "" : json::Serialize(*v);
}

std::map<std::string, std::string> LabelsOf(const json::Value& obj) {
  std::map<std::string, std::string> out;
  const json::Value* md = json::Find(obj, "metadata");
  const json::Value* labels = md == nullptr ? nullptr : json::Find(*md, "labels");
  if (labels == nullptr || !labels->IsObject()) return out;
  for (auto it = labels->MemberBegin(); it != labels->MemberEnd(); ++it) {
    if (it->value.IsString()) out[json::View(it->name).data()] = json::View(it->value);
  }
  return out;
}

bool HasFinalizers(const json::Value& obj) {
  const json::Value* md = json::Find(obj, "metadata");
  const json::Value* f = md == nullptr ? nullptr : json::Find(*md, "finalizers");
  return f != nullptr && f->IsArray() && f->Size() > 0;
}

json::Document Copy(const json::Value& v) {
  json::Document d;
  d.CopyFrom(v, d.GetAllocator());
  return d;
}

json::Document ParseStored(const std::string& text) {
  auto d = json::Parse(text);
  return d.ok() ? std::move(*d) : json::Document();
}

// Field selectors the fake understands: metadata.name and metadata.namespace, = / ==.
bool FieldsMatch(std::string_view selector, std::string_view ns, std::string_view name,
                 Status& error) {
  size_t start = 0;
  while (start < selector.size()) {
    size_t comma = selector.find(',', start);
    std::string_view term = selector.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    start = comma == std::string_view::npos ? selector.size() : comma + 1;
    bool negate = false;
    size_t op = term.find("!=");
    size_t vstart;
    if (op != std::string_view::npos) {
      negate = true;
      vstart = op + 2;
    } else if ((op = term.find("==")) != std::string_view::npos) {
      vstart = op + 2;
    } else if ((op = term.find('=')) != std::string_view::npos) {
      vstart = op + 1;
    } else {
      error = InvalidArgument("BadRequest: invalid field selector");
      return false;
    }
    std::string_view field = term.substr(0, op), value = term.substr(vstart);
    std::string_view have;
    if (field == "metadata.name")
      have = name;
    else if (field == "metadata.namespace")
      have = ns;
    else {
      error = InvalidArgument("BadRequest: field label not supported: " + std::string(field));
      return false;
    }
    if ((have == value) == negate) return false;
  }
  return true;
}

}  // namespace

FakeClient::FakeClient(const Clock& clock) : clock_(clock) {
  for (const ResourceType* rt :
       {&resources::VaultStaticSecret(), &resources::VaultAuth(), &resources::VaultConnection(),
        &resources::Deployment(), &resources::StatefulSet(), &resources::DaemonSet()}) {
    status_types_.insert(TypeKey(*rt));
  }
}

std::string FakeClient::TypeKey(const ResourceType& rt) { return rt.group + "/" + rt.resource; }

bool FakeClient::HasStatus(const ResourceType& rt) const {
  return status_types_.count(TypeKey(rt)) != 0;
}

void FakeClient::AddStatusSubresource(const ResourceType& rt) {
  std::lock_guard<std::mutex> lock(mu_);
  status_types_.insert(TypeKey(rt));
}

Status FakeClient::Check(const std::string& verb, const ResourceType& rt) {
  calls_[verb + " " + rt.resource]++;
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if ((it->verb.empty() || it->verb == verb) &&
        (it->resource.empty() || it->resource == rt.resource)) {
      Status st = it->status;
      if (--it->times <= 0) faults_.erase(it);
      return st;
    }
  }
  return Status::Ok();
}

Status FakeClient::NotFoundStatus(const ResourceType& rt, std::string_view name) const {
  return ApiError(StatusCode::kNotFound, 404, "NotFound",
                  rt.QualifiedName() + " \"" + std::string(name) + "\" not found");
}

Result<json::Document> FakeClient::Commit(const ResourceType& rt, json::Document& doc,
                                          EventType type) {
  auto& a = doc.GetAllocator();
  ++rv_;
  SetString(Metadata(doc), "resourceVersion", std::to_string(rv_), a);
  auto meta = ReadObjectMeta(doc);
  if (!meta.ok()) return meta.status();
  Stored s{meta->namespace_, meta->name, json::Serialize(doc), LabelsOf(doc)};
  auto& bucket = objects_[TypeKey(rt)];
  std::string key = ObjectKey(s.ns, s.name);
  if (type == EventType::kDeleted)
    bucket.erase(key);
  else
    bucket[key] = s;
  history_.push_back(HistoryEvent{rv_, TypeKey(rt), type, std::move(s)});
  cv_.notify_all();
  return Copy(doc);
}

Result<json::Document> FakeClient::Get(const ResourceType& rt, std::string_view ns,
                                       std::string_view name, std::string_view subresource) {
  std::lock_guard<std::mutex> lock(mu_);
  VS_RETURN_IF_ERROR(Check("get", rt));
  (void)subresource;  // status and scale subresources read as the object itself here
  auto& bucket = objects_[TypeKey(rt)];
  auto it = bucket.find(ObjectKey(rt.namespaced ? ns : "", name));
  if (it == bucket.end()) return NotFoundStatus(rt, name);
  return ParseStored(it->second.json);
}

Result<json::Document> FakeClient::List(const ResourceType& rt, std::string_view ns,
                                        const ListOptions& opts) {
  std::lock_guard<std::mutex> lock(mu_);
  VS_RETURN_IF_ERROR(Check("list", rt));
  VS_ASSIGN_OR_RETURN(LabelSelector sel, ParseLabelSelector(opts.label_selector));
  if (opts.resource_version_match == "Exact" && !opts.resource_version.empty() &&
      std::stoll(opts.resource_version) < compacted_)
    return ApiError(StatusCode::kGone, 410, "Expired",
                    "The resourceVersion for the provided list is too old.");
  std::string after;
  if (!opts.continue_token.empty()) {
    // Our continue tokens are "<rv>/<last key>".
    auto slash = opts.continue_token.find('/');
    int64_t issued = std::stoll(opts.continue_token.substr(0, slash));
    if (issued < compacted_)
      return ApiError(StatusCode::kGone, 410, "Expired",
                      "The provided continue parameter is too old to display a consistent list "
                      "result.");
    after = opts.continue_token.substr(slash + 1);
  }
  json::Document out;
  out.SetObject();
  auto& a = out.GetAllocator();
  SetString(out, "kind", rt.kind + "List", a);
  SetString(out, "apiVersion", rt.ApiVersion(), a);
  json::Value items(rapidjson::kArrayType);
  std::string last_key, next_continue;
  for (const auto& [key, s] : objects_[TypeKey(rt)]) {
    if (!after.empty() && key <= after) continue;
    if (rt.namespaced && !ns.empty() && s.ns != ns) continue;
    if (!Matches(sel, s.labels)) continue;
    Status field_error;
    if (!opts.field_selector.empty() &&
        !FieldsMatch(opts.field_selector, s.ns, s.name, field_error)) {
      if (!field_error.ok()) return field_error;
      continue;
    }
    if (opts.limit > 0 && static_cast<int64_t>(items.Size()) >= opts.limit) {
      next_continue = std::to_string(rv_) + "/" + last_key;
      break;
    }
    json::Document item = ParseStored(s.json);
    items.PushBack(json::Value(item, a), a);
    last_key = key;
  }
  json::Value md(rapidjson::kObjectType);
  SetString(md, "resourceVersion", std::to_string(rv_), a);
  if (!next_continue.empty()) SetString(md, "continue", next_continue, a);
  out.AddMember("metadata", md, a);
  out.AddMember("items", items, a);
  return out;
}

Result<json::Document> FakeClient::Create(const ResourceType& rt, const json::Value& obj) {
  std::lock_guard<std::mutex> lock(mu_);
  VS_RETURN_IF_ERROR(Check("create", rt));
  json::Document doc = Copy(obj);
  auto& a = doc.GetAllocator();
  VS_ASSIGN_OR_RETURN(ObjectMeta meta, ReadObjectMeta(doc));
  if (rt.namespaced && meta.namespace_.empty())
    return InvalidArgument("BadRequest: the namespace of the object does not match");
  std::string name = meta.name;
  if (name.empty()) {
    auto gen = json::OptionalString(doc["metadata"], "generateName");
    if (!gen.ok() || !gen->has_value())
      return ApiError(StatusCode::kInvalidArgument, 422, "Invalid",
                      rt.kind +
                          " \"\" is invalid: metadata.name: Required value: name or "
                          "generateName is required");
    static constexpr char kAlnum[] = "bcdfghjklmnpqrstvwxz2456789";
    name = std::string(**gen);
    uint64_t n = static_cast<uint64_t>(++uid_counter_) * 2654435761u;
    for (int i = 0; i < 5; ++i, n /= 27) name += kAlnum[n % 27];
  }
  std::string key = ObjectKey(rt.namespaced ? meta.namespace_ : "", name);
  if (objects_[TypeKey(rt)].count(key) != 0)
    return ApiError(StatusCode::kAlreadyExists, 409, "AlreadyExists",
                    rt.QualifiedName() + " \"" + name + "\" already exists");
  // Top-level members first: adding them may move the metadata object in memory.
  if (!doc.HasMember("apiVersion")) SetString(doc, "apiVersion", rt.ApiVersion(), a);
  if (!doc.HasMember("kind")) SetString(doc, "kind", rt.kind, a);
  if (HasStatus(rt) && doc.HasMember("status")) doc.RemoveMember("status");
  json::Value& md = Metadata(doc);
  SetString(md, "name", name, a);
  if (!rt.namespaced && md.HasMember("namespace")) md.RemoveMember("namespace");
  char uid[64];
  std::snprintf(uid, sizeof(uid), "00000000-0000-4000-8000-%012lld",
                static_cast<long long>(++uid_counter_));
  SetString(md, "uid", uid, a);
  SetString(md, "creationTimestamp", FormatRfc3339(clock_.Now(), 0), a);
  if (md.HasMember("resourceVersion")) md.RemoveMember("resourceVersion");
  if (HasStatus(rt)) SetMember(md, "generation", json::Value(int64_t{1}), a);
  return Commit(rt, doc, EventType::kAdded);
}

Result<json::Document> FakeClient::Replace(const ResourceType& rt, const json::Value& obj,
                                           bool status_only, std::string_view ns,
                                           std::string_view name) {
  auto& bucket = objects_[TypeKey(rt)];
  auto it = bucket.find(ObjectKey(rt.namespaced ? ns : "", name));
  if (it == bucket.end()) return NotFoundStatus(rt, name);
  json::Document old = ParseStored(it->second.json);
  VS_ASSIGN_OR_RETURN(ObjectMeta old_meta, ReadObjectMeta(old));
  VS_ASSIGN_OR_RETURN(ObjectMeta new_meta, ReadObjectMeta(obj));
  if (!new_meta.resource_version.empty() && new_meta.resource_version != old_meta.resource_version)
    return ApiError(StatusCode::kConflict, 409, "Conflict",
                    "Operation cannot be fulfilled on " + rt.QualifiedName() + " \"" +
                        std::string(name) +
                        "\": the object has been modified; please apply your changes to the "
                        "latest version and try again");
  json::Document next;
  auto& a = next.GetAllocator();
  if (status_only) {
    next.CopyFrom(old, a);
    if (next.HasMember("status")) next.RemoveMember("status");
    if (const json::Value* st = json::Find(obj, "status"))
      next.AddMember("status", json::Value(*st, a), a);
  } else {
    next.CopyFrom(obj, a);
    if (HasStatus(rt)) {
      if (next.HasMember("status")) next.RemoveMember("status");
      if (const json::Value* st = json::Find(old, "status"))
        next.AddMember("status", json::Value(*st, a), a);
    }
  }
  // Immutable and server-owned metadata stays as stored.
  json::Value& md = Metadata(next);
  const json::Value& omd = old["metadata"];
  for (const char* k : {"name", "namespace", "uid", "creationTimestamp", "generation",
                        "deletionTimestamp", "resourceVersion"}) {
    if (md.HasMember(k)) md.RemoveMember(k);
    if (const json::Value* v = json::Find(omd, k))
      md.AddMember(json::StringValue(k, a), json::Value(*v, a), a);
  }
  if (HasStatus(rt) && !status_only && MemberText(next, "spec") != MemberText(old, "spec")) {
    SetMember(md, "generation", json::Value(old_meta.generation + 1), a);
  }
  if (next == old) return old;  // a no-op: no write, same resourceVersion
  if (json::Find(omd, "deletionTimestamp") != nullptr && !HasFinalizers(next)) {
    return DeleteLocked(rt, Stored{it->second.ns, it->second.name, json::Serialize(next), {}});
  }
  return Commit(rt, next, EventType::kModified);
}

Result<json::Document> FakeClient::Update(const ResourceType& rt, const json::Value& obj) {
  std::lock_guard<std::mutex> lock(mu_);
  VS_RETURN_IF_ERROR(Check("update", rt));
  VS_ASSIGN_OR_RETURN(ObjectMeta m, ReadObjectMeta(obj));
  return Replace(rt, obj, false, m.namespace_, m.name);
}

Result<json::Document> FakeClient::UpdateStatus(const ResourceType& rt, const json::Value& obj) {
  std::lock_guard<std::mutex> lock(mu_);
  VS_RETURN_IF_ERROR(Check("updatestatus", rt));
  VS_ASSIGN_OR_RETURN(ObjectMeta m, ReadObjectMeta(obj));
  return Replace(rt, obj, true, m.namespace_, m.name);
}

Result<json::Document> FakeClient::Patch(const ResourceType& rt, std::string_view ns,
                                         std::string_view name, PatchType type,
                                         std::string_view patch, const PatchOptions& opts) {
  std::lock_guard<std::mutex> lock(mu_);
  VS_RETURN_IF_ERROR(Check("patch", rt));
  auto& bucket = objects_[TypeKey(rt)];
  auto it = bucket.find(ObjectKey(rt.namespaced ? ns : "", name));
  if (it == bucket.end()) return NotFoundStatus(rt, name);
  auto p = json::Parse(patch);
  if (!p.ok()) return InvalidArgument("BadRequest: the patch is not valid JSON");
  json::Document doc = ParseStored(it->second.json);
  std::string rv_before = ReadObjectMeta(doc)->resource_version;
  if (type == PatchType::kJson) {
    Status st = JsonPatch(doc, *p);
    if (!st.ok()) return Status(StatusCode::kInvalidArgument, "Invalid: " + st.message(), 422);
  } else {
    MergePatch(doc, *p, doc.GetAllocator());
  }
  // A resourceVersion the patch did not set is not a precondition.
  auto meta = ReadObjectMeta(doc);
  if (meta.ok() && meta->resource_version == rv_before) {
    doc["metadata"].RemoveMember("resourceVersion");
  }
  return Replace(rt, doc, opts.subresource == "status", ns, name);
}

Result<json::Document> FakeClient::DeleteLocked(const ResourceType& rt, const Stored& s) {
  json::Document doc = ParseStored(s.json);
  return Commit(rt, doc, EventType::kDeleted);
}

Status FakeClient::Delete(const ResourceType& rt, std::string_view ns, std::string_view name,
                          const DeleteOptions& opts) {
  std::lock_guard<std::mutex> lock(mu_);
  VS_RETURN_IF_ERROR(Check("delete", rt));
  auto& bucket = objects_[TypeKey(rt)];
  auto it = bucket.find(ObjectKey(rt.namespaced ? ns : "", name));
  if (it == bucket.end()) return NotFoundStatus(rt, name);
  json::Document doc = ParseStored(it->second.json);
  VS_ASSIGN_OR_RETURN(ObjectMeta m, ReadObjectMeta(doc));
  if (!opts.precondition_uid.empty() && opts.precondition_uid != m.uid)
    return ApiError(StatusCode::kConflict, 409, "Conflict",
                    "Precondition failed: UID in precondition: " + opts.precondition_uid +
                        ", UID in object meta: " + m.uid);
  if (!opts.precondition_resource_version.empty() &&
      opts.precondition_resource_version != m.resource_version)
    return ApiError(StatusCode::kConflict, 409, "Conflict",
                    "Precondition failed: ResourceVersion in precondition: " +
                        opts.precondition_resource_version +
                        ", ResourceVersion in object meta: " + m.resource_version);
  if (HasFinalizers(doc)) {
    if (json::Find(doc["metadata"], "deletionTimestamp") == nullptr) {
      auto& a = doc.GetAllocator();
      SetString(doc["metadata"], "deletionTimestamp", FormatRfc3339(clock_.Now(), 0), a);
      SetMember(doc["metadata"], "deletionGracePeriodSeconds", json::Value(0), a);
      VS_RETURN_IF_ERROR(Commit(rt, doc, EventType::kModified).status());
    }
    return Status::Ok();
  }
  Stored s = it->second;
  return DeleteLocked(rt, s).status();
}

Result<TokenResult> FakeClient::CreateToken(std::string_view ns, std::string_view service_account,
                                            const TokenRequestOptions& opts) {
  std::lock_guard<std::mutex> lock(mu_);
  const ResourceType& sa = resources::ServiceAccount();
  VS_RETURN_IF_ERROR(Check("token", sa));
  if (objects_[TypeKey(sa)].count(ObjectKey(ns, service_account)) == 0)
    return NotFoundStatus(sa, service_account);
  if (opts.expiration_seconds < 600)
    return ApiError(StatusCode::kInvalidArgument, 422, "Invalid",
                    "spec.expirationSeconds: Invalid value: may not specify a duration less "
                    "than 10 minutes");
  std::string token = "fake-token." + std::string(ns) + "." + std::string(service_account) + "." +
                      std::to_string(++uid_counter_);
  for (const auto& aud : opts.audiences) token += "." + aud;
  return TokenResult{token, clock_.Now() + std::chrono::seconds(opts.expiration_seconds)};
}

}  // namespace vaultsync::kube::fake
