// Managed fields (metadata.managedFields) as the apiserver records them for Update
// operations, and the small request helpers shared by the handlers.
#include <strings.h>

#include <algorithm>
#include <set>

#include "emulator_internal.h"
#include "object_json.h"
#include "protobuf_body.h"
#include "scale_subresource.h"

namespace vaultsync::kubeemu {
namespace {

// Paths (dotted) of non-pointer structs in built-in types: their fieldsV1 has no "." entry.
bool IsValueStruct(const std::string& path, bool custom) {
  static const std::set<std::string> kPaths = {"spec",
                                               "spec.template",
                                               "spec.template.metadata",
                                               "spec.template.spec",
                                               "spec.strategy",
                                               "spec.updateStrategy",
                                               "source",
                                               "spec.names",
                                               "status.acceptedNames",
                                               "status",
                                               "spec.selector"};
  if (path == "metadata") return true;
  if (custom) return false;
  return kPaths.count(path) > 0;
}

// Lists merged by key in fieldsV1 ("k:{...}"), by field name.
std::string ListKey(const std::string& field) {
  if (field == "containers" || field == "initContainers" || field == "env" || field == "volumes" ||
      field == "imagePullSecrets") {
    return "name";
  }
  if (field == "ownerReferences") return "uid";
  if (field == "ports") return "containerPort";
  if (field == "conditions") return "type";
  return "";
}

// Fields whose struct is atomic (set as a whole).
bool IsAtomic(const std::string& path) {
  return path == "involvedObject" || path == "spec.selector";
}

json::Value Build(const json::Value& v, const std::string& path, bool custom, bool top,
                  json::Allocator& a) {
  json::Value out(rapidjson::kObjectType);
  if (v.IsObject() && !IsAtomic(path)) {
    if (!top && !IsValueStruct(path, custom) && v.MemberCount() > 0) {
      out.AddMember(json::StringValue(".", a), json::Value(rapidjson::kObjectType), a);
    }
    for (const auto& m : v.GetObject()) {
      if (m.value.IsNull()) continue;  // null is "unset": nobody owns it
      std::string name(json::View(m.name));
      std::string child = path.empty() ? name : path + "." + name;
      out.AddMember(json::StringValue("f:" + name, a), Build(m.value, child, custom, false, a), a);
    }
    SortKeys(out);
  } else if (v.IsArray()) {
    std::string field = path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1);
    std::string key = ListKey(field);
    if (!key.empty() && !custom) {
      // Only optional (omitempty) keyed lists carry their own "." entry.
      if (v.Size() > 0 && field == "ownerReferences") {
        out.AddMember(json::StringValue(".", a), json::Value(rapidjson::kObjectType), a);
      }
      for (const auto& item : v.GetArray()) {
        const json::Value* kv = item.IsObject() ? json::Find(item, key) : nullptr;
        if (kv == nullptr) continue;
        std::string k = "k:{" + json::Quote(key) + ":" + Compact(*kv) + "}";
        json::Value inner = field == "ownerReferences" ? json::Value(rapidjson::kObjectType)
                                                       : Build(item, path + "[]", custom, false, a);
        out.AddMember(json::StringValue(k, a), inner, a);
      }
      SortKeys(out);
    }
  }
  return out;
}

}  // namespace

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

json::Value FieldsV1(const json::Value& obj, const ResourceType& t, const std::string& subresource,
                     json::Allocator& a) {
  json::Value subset(rapidjson::kObjectType);
  if (subresource == "scale") {
    // A scale write owns the replica count only (the apiserver's ScaleHandler).
    json::Value* cur = &subset;
    std::string path = ScaleReplicasPath(t);
    for (size_t start = 0;;) {
      size_t dot = path.find('.', start);
      std::string step = path.substr(start, dot == std::string::npos ? dot : dot - start);
      json::Value child(rapidjson::kObjectType);
      cur->AddMember(json::StringValue("f:" + step, a), child, a);
      cur = &(cur->MemberEnd() - 1)->value;
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    return subset;
  }
  for (const auto& m : obj.GetObject()) {
    std::string name(json::View(m.name));
    if (name == "apiVersion" || name == "kind") continue;
    if (subresource == "status") {
      if (name != "status") continue;
    } else if (name == "status" && (t.has_status || t.custom)) {
      continue;
    }
    if (name == "metadata") {
      json::Value md(rapidjson::kObjectType);
      for (const char* keep : {"labels", "annotations", "ownerReferences", "finalizers"}) {
        const json::Value* v = json::Find(m.value, keep);
        if (v != nullptr) md.AddMember(json::StringValue(keep, a), json::Value(*v, a), a);
      }
      if (md.MemberCount() > 0) subset.AddMember(json::StringValue("metadata", a), md, a);
      continue;
    }
    subset.AddMember(json::StringValue(name, a), json::Value(m.value, a), a);
  }
  return Build(subset, "", t.custom, true, a);
}

void UpdateManagedFields(json::Document& obj, const ResourceType& t, const std::string& manager,
                         const std::string& subresource, const std::string& time) {
  auto& a = obj.GetAllocator();
  json::Value& md = EnsureObject(obj, "metadata", a);
  json::Value fields = FieldsV1(obj, t, subresource, a);
  bool empty_fields = fields.ObjectEmpty();
  auto mf_it = md.FindMember("managedFields");
  if (mf_it == md.MemberEnd() || !mf_it->value.IsArray()) {
    SetMember(md, "managedFields", json::Value(rapidjson::kArrayType), a);
    mf_it = md.FindMember("managedFields");
  }
  json::Value& list = mf_it->value;
  json::Value entry(rapidjson::kObjectType);
  entry.AddMember("manager", json::StringValue(manager, a), a);
  entry.AddMember("operation", "Update", a);
  entry.AddMember("apiVersion", json::StringValue(t.GroupVersion(), a), a);
  entry.AddMember("time", json::StringValue(time, a), a);
  entry.AddMember("fieldsType", "FieldsV1", a);
  entry.AddMember("fieldsV1", fields, a);
  if (!subresource.empty()) entry.AddMember("subresource", json::StringValue(subresource, a), a);
  if (t.custom) SortKeys(entry);
  for (auto& e : list.GetArray()) {
    if (StringAt(e, "manager") == manager && StringAt(e, "operation") == "Update" &&
        StringAt(e, "subresource") == subresource) {
      if (empty_fields) {
        list.Erase(&e);
        if (list.Empty()) RemoveMember(md, "managedFields");
      } else {
        e = std::move(entry);
      }
      return;
    }
  }
  if (!empty_fields) list.PushBack(entry, a);
  if (list.Empty()) {
    RemoveMember(md, "managedFields");
    return;
  }
  // The apiserver lists entries by manager name (a manager's main entry before its
  // subresource entries).
  std::stable_sort(list.Begin(), list.End(), [](const json::Value& x, const json::Value& y) {
    return StringAt(x, "manager") < StringAt(y, "manager");
  });
}

}  // namespace vaultsync::kubeemu
