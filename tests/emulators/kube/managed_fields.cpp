// Managed fields (metadata.managedFields) as the apiserver records them for Update
// operations, and the small request helpers shared by the handlers.
#include <strings.h>

#include <algorithm>
#include <set>

#include "emulator_internal.h"
#include "field_set.h"
#include "managed_fields.h"
#include "object_json.h"
#include "protobuf_body.h"
#include "scale_subresource.h"
#include "server_side_apply.h"

namespace vaultsync::kubeemu {

emu::ServerResponse JsonAnswer(int status, std::string body) {
  emu::ServerResponse r;
  r.status = status;
  r.headers.emplace_back("Cache-Control", "no-cache, private");
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

emu::ServerResponse ErrorAnswer(const ApiError& e) {
  emu::ServerResponse r = JsonAnswer(e.code, e.Body());
  if (e.retry_after_seconds > 0) {
    r.headers.emplace_back("Retry-After", std::to_string(e.retry_after_seconds));
  }
  return r;
}

std::string ManagerOf(const emu::ServerRequest& req) {
  std::string fm = req.Query("fieldManager");
  if (!fm.empty()) return fm;
  std::string ua(req.Header("User-Agent"));
  size_t end = ua.find_first_of("/ ");
  std::string m = ua.substr(0, end);
  return m.empty() ? "unknown" : m;
}

std::string MediaTypeOf(const emu::ServerRequest& req) {
  std::string_view content_type = req.Header("Content-Type");
  std::string ct(content_type.substr(0, content_type.find(';')));
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  return ct;
}

bool QueryBool(const emu::ServerRequest& req, std::string_view key) {
  bool present = false;
  std::string v = req.Query(key, &present);
  return present && v != "0" && strcasecmp(v.c_str(), "false") != 0;
}

bool WantsTable(const emu::ServerRequest& req) {
  std::string accept(req.Header("Accept"));
  size_t comma = accept.find(',');
  std::string first = accept.substr(0, comma);
  return first.find("as=Table") != std::string::npos &&
         first.find("g=meta.k8s.io") != std::string::npos;
}

Result<json::Document> ParseObjectBody(const emu::ServerRequest& req, const ResourceType& t,
                                       ApiError* error) {
  std::string_view ct = req.Header("Content-Type");
  if (ct.rfind(kProtobufContentType, 0) == 0) {
    auto doc = DecodeProtobufObject(req.body);
    if (!doc.ok()) {
      *error = UnsupportedMediaTypeError(std::string(ct));
      error->message = doc.status().message();
      return doc.status();
    }
    return doc;
  }
  auto doc = json::Parse(req.body);
  if (!doc.ok() || !doc->IsObject()) {
    *error = BadRequestError(
        "the object provided is unrecognized (must be of type " + t.kind +
        "): couldn't get version/kind; json parse error: unexpected end of JSON input (" +
        "request body is not a JSON object)");
    return Status(StatusCode::kInvalidArgument, "bad body");
  }
  return std::move(doc).value();
}

std::string ApiVersionOf(const ResourceType& t) { return t.GroupVersion(); }

namespace {

// The fields a write to `subresource` can own in `obj`.
FieldSet UniverseOf(const json::Value& obj, const ResourceType& t, const std::string& subresource) {
  if (subresource != "scale") return FieldSetOf(obj, t, subresource, SetMode::kPresent);
  // A scale write owns the replica count only (the apiserver's ScaleHandler).
  FieldSet set;
  FieldSet* node = &set;
  std::string path = ScaleReplicasPath(t);
  for (size_t start = 0;;) {
    size_t dot = path.find('.', start);
    node = &node->children["f:" + path.substr(start, dot == std::string::npos ? dot : dot - start)];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  node->member = true;
  return set;
}

bool SameManager(const ManagedEntry& e, const std::string& manager, const std::string& operation,
                 const std::string& subresource) {
  return e.manager == manager && e.operation == operation && e.subresource == subresource;
}

}  // namespace

json::Value FieldsV1(const json::Value& obj, const ResourceType& t, const std::string& subresource,
                     json::Allocator& a) {
  return UniverseOf(obj, t, subresource).ToFieldsV1(a);
}

bool AdoptManagedFields(const json::Value& old_md, json::Value& md, json::Allocator& a) {
  const json::Value* live = json::Find(old_md, "managedFields");
  const json::Value* sent = json::Find(md, "managedFields");
  bool reset = sent != nullptr && sent->IsArray() && sent->Size() == 1 && (*sent)[0].IsObject() &&
               (*sent)[0].ObjectEmpty();
  if (reset) {
    RemoveMember(md, "managedFields");
    return live != nullptr;
  }
  if (sent == nullptr || !sent->IsArray() || sent->Empty()) {
    if (live == nullptr) {
      RemoveMember(md, "managedFields");
    } else {
      SetMember(md, "managedFields", json::Value(*live, a), a);
    }
    return false;
  }
  return live == nullptr || !(*live == *sent);
}

std::vector<ManagedEntry> ReadManagedFields(const json::Value& obj) {
  std::vector<ManagedEntry> out;
  const json::Value* list = At(obj, "metadata.managedFields");
  if (list == nullptr || !list->IsArray()) return out;
  for (const auto& e : list->GetArray()) {
    ManagedEntry m;
    m.manager = StringAt(e, "manager");
    m.operation = StringAt(e, "operation");
    m.api_version = StringAt(e, "apiVersion");
    m.time = StringAt(e, "time");
    m.subresource = StringAt(e, "subresource");
    if (const json::Value* f = json::Find(e, "fieldsV1")) m.set = FieldSet::FromFieldsV1(*f);
    out.push_back(std::move(m));
  }
  return out;
}

void WriteManagedFields(json::Document& obj, const ResourceType& t,
                        std::vector<ManagedEntry> entries) {
  auto& a = obj.GetAllocator();
  json::Value& md = EnsureObject(obj, "metadata", a);
  std::erase_if(entries, [](const ManagedEntry& e) { return e.set.Empty(); });
  if (entries.empty()) {
    RemoveMember(md, "managedFields");
    return;
  }
  // The apiserver's order: operation (Apply first), time, manager, apiVersion, subresource.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const ManagedEntry& x, const ManagedEntry& y) {
                     return std::tie(x.operation, x.time, x.manager, x.api_version, x.subresource) <
                            std::tie(y.operation, y.time, y.manager, y.api_version, y.subresource);
                   });
  json::Value list(rapidjson::kArrayType);
  for (const auto& e : entries) {
    json::Value entry(rapidjson::kObjectType);
    entry.AddMember("manager", json::StringValue(e.manager, a), a);
    entry.AddMember("operation", json::StringValue(e.operation, a), a);
    entry.AddMember("apiVersion", json::StringValue(e.api_version, a), a);
    entry.AddMember("time", json::StringValue(e.time, a), a);
    entry.AddMember("fieldsType", "FieldsV1", a);
    entry.AddMember("fieldsV1", e.set.ToFieldsV1(a), a);
    if (!e.subresource.empty()) {
      entry.AddMember("subresource", json::StringValue(e.subresource, a), a);
    }
    if (t.custom) SortKeys(entry);
    list.PushBack(entry, a);
  }
  SetMember(md, "managedFields", std::move(list), a);
}

ManagedEntry TakeEntry(std::vector<ManagedEntry>& entries, const std::string& manager,
                       const std::string& operation, const std::string& subresource, bool* found) {
  *found = false;
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (SameManager(*it, manager, operation, subresource)) {
      ManagedEntry e = std::move(*it);
      entries.erase(it);
      *found = true;
      return e;
    }
  }
  return ManagedEntry{};
}

SetComparison CompareForManagers(const json::Value* old, const json::Value& obj,
                                 const ResourceType& t, const std::string& subresource,
                                 const FieldSet& extra) {
  FieldSet universe = UniverseOf(obj, t, subresource).Union(extra);
  if (old == nullptr) {
    SetComparison c;
    c.added = universe;
    return c;
  }
  universe = universe.Union(UniverseOf(*old, t, subresource));
  return CompareWithin(*old, obj, universe);
}

void UpdateManagedFields(json::Document& obj, const ResourceType& t, const std::string& manager,
                         const std::string& subresource, const std::string& time,
                         const json::Value* old, const ApplyIntent* apply) {
  if (apply != nullptr) {
    RecordApply(obj, t, subresource, time, old, *apply);
    return;
  }
  std::vector<ManagedEntry> entries = ReadManagedFields(obj);
  SetComparison cmp = CompareForManagers(old, obj, t, subresource, FieldSet());
  FieldSet changed = cmp.added.Union(cmp.modified);
  // Structured-merge-diff's Update: every other manager loses what this write changed or
  // removed; the writer owns what it owned before (less what it removed) plus what it changed.
  bool had_entry = false;
  ManagedEntry previous = TakeEntry(entries, manager, "Update", subresource, &had_entry);
  for (auto& e : entries) e.set = e.set.Difference(changed).Difference(cmp.removed);
  FieldSet mine = changed.Difference(cmp.removed);
  ManagedEntry self;
  self.manager = manager;
  self.operation = "Update";
  self.api_version = t.GroupVersion();
  self.subresource = subresource;
  self.set = previous.set.Difference(cmp.removed).Union(mine);
  self.time = mine.Empty() && had_entry ? previous.time : time;
  entries.push_back(std::move(self));
  WriteManagedFields(obj, t, std::move(entries));
}

}  // namespace vaultsync::kubeemu
