// Builds the /openapi/v2 and /openapi/v3 documents (see openapi_docs.h). Reconstructed from
// the apiserver's source (k8s.io/apiserver/pkg/endpoints/installer.go, kube-openapi's
// builders, apiextensions-apiserver/pkg/controller/openapi/builder), not recorded.
#include "openapi_docs.h"

#include <algorithm>
#include <set>

#include "builtin_schemas.h"
#include "crd_schema.h"
#include "object_json.h"

namespace vaultsync::kubeemu {
namespace {

using A = json::Allocator;

constexpr char kV2Prefix[] = "#/definitions/";
constexpr char kV3Prefix[] = "#/components/schemas/";
constexpr char kObjectMeta[] = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
constexpr char kListMeta[] = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";

json::Value S(const std::string& s, A& a) { return json::StringValue(s, a); }

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string Capitalize(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

std::vector<std::string> SplitDots(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    out.push_back(s.substr(start, dot == std::string::npos ? dot : dot - start));
    if (dot == std::string::npos) return out;
    start = dot + 1;
  }
}

// "rbac.authorization.k8s.io" -> "RbacAuthorization", "vaultsync.io" -> "VaultsyncIo".
std::string GroupId(const std::string& group) {
  if (group.empty()) return "Core";
  std::string g = group;
  const std::string k8s = ".k8s.io";
  if (g.size() > k8s.size() && g.compare(g.size() - k8s.size(), k8s.size(), k8s) == 0) {
    g.resize(g.size() - k8s.size());
  }
  std::string out;
  for (const auto& part : SplitDots(g)) {
    std::string p;
    for (char c : part) {
      if (c != '-') p += c;
    }
    out += Capitalize(p);
  }
  return out;
}

std::string Tag(const ResourceType& t) {
  std::string g = GroupId(t.group);
  g[0] = static_cast<char>(::tolower(static_cast<unsigned char>(g[0])));
  return g + "_" + t.version;
}

std::string GvPath(const std::string& group, const std::string& version) {
  return group.empty() ? "api/" + version : "apis/" + group + "/" + version;
}

std::string ListDefinitionNameOf(const ResourceType& t) {
  std::string kind_def = DefinitionNameOf(t);
  if (kind_def.empty()) return "";
  if (t.custom) return kind_def.substr(0, kind_def.size() - t.kind.size()) + t.list_kind;
  return BuiltinDefinitionName(t.group, t.version, t.list_kind);
}

json::Value RefSchema(const std::string& def, A& a) {
  json::Value s(rapidjson::kObjectType);
  s.AddMember("$ref", S(kV2Prefix + def, a), a);
  return s;
}

json::Value Gvk(const std::string& group, const std::string& version, const std::string& kind,
                A& a) {
  json::Value g(rapidjson::kObjectType);
  g.AddMember("group", S(group, a), a);
  g.AddMember("kind", S(kind, a), a);
  g.AddMember("version", S(version, a), a);
  return g;
}

json::Value Param(const char* name, const char* in, const char* type, const char* description,
                  A& a) {
  json::Value p(rapidjson::kObjectType);
  p.AddMember("description", S(description, a), a);
  p.AddMember("in", S(in, a), a);
  p.AddMember("name", S(name, a), a);
  if (std::string(in) == "path") p.AddMember("required", true, a);
  p.AddMember("type", S(type, a), a);
  p.AddMember("uniqueItems", true, a);
  return p;
}

json::Value BodyParam(const std::string& def, bool required, A& a) {
  json::Value p(rapidjson::kObjectType);
  p.AddMember("in", "body", a);
  p.AddMember("name", "body", a);
  if (required) p.AddMember("required", true, a);
  p.AddMember("schema", RefSchema(def, a), a);
  return p;
}

void AddQueryParams(json::Value& params, const std::string& action, A& a) {
  auto q = [&](const char* name, const char* type, const char* desc) {
    params.PushBack(Param(name, "query", type, desc, a), a);
  };
  const char* dry = "When All, the request is validated and processed but not persisted.";
  const char* manager = "Name of the actor making the change, recorded in managedFields.";
  const char* validation =
      "How unknown or duplicate fields are handled: Ignore, Warn (the default) or Strict.";
  if (action == "list" || action == "deletecollection") {
    if (action == "list") {
      q("allowWatchBookmarks", "boolean", "Ask for BOOKMARK events in a watch.");
    }
    q("continue", "string", "Token of the next page of a paged list.");
    if (action == "deletecollection") q("dryRun", "string", dry);
    q("fieldSelector", "string", "Selects objects by fields.");
    if (action == "deletecollection") {
      q("gracePeriodSeconds", "integer", "Seconds before the objects are deleted.");
    }
    q("labelSelector", "string", "Selects objects by labels.");
    q("limit", "integer", "Most objects to return in one page.");
    if (action == "deletecollection") {
      q("orphanDependents", "boolean", "Deprecated: use propagationPolicy.");
      q("propagationPolicy", "string", "Orphan, Background or Foreground.");
    }
    q("resourceVersion", "string", "Version of the store to read at, or watch from.");
    q("resourceVersionMatch", "string", "How resourceVersion applies: Exact or NotOlderThan.");
    q("timeoutSeconds", "integer", "Timeout of the list or watch.");
    if (action == "list") q("watch", "boolean", "Watch for changes instead of listing.");
  } else if (action == "post" || action == "put") {
    q("dryRun", "string", dry);
    q("fieldManager", "string", manager);
    q("fieldValidation", "string", validation);
  } else if (action == "patch") {
    q("dryRun", "string", dry);
    q("fieldManager", "string", manager);
    q("fieldValidation", "string", validation);
    q("force", "boolean", "Apply patches only: take ownership of fields other managers own.");
  } else if (action == "delete") {
    q("dryRun", "string", dry);
    q("gracePeriodSeconds", "integer", "Seconds before the object is deleted.");
    q("orphanDependents", "boolean", "Deprecated: use propagationPolicy.");
    q("propagationPolicy", "string", "Orphan, Background or Foreground.");
  }
}

json::Value StringArray(std::initializer_list<const char*> items, A& a) {
  json::Value arr(rapidjson::kArrayType);
  for (const char* s : items) arr.PushBack(S(s, a), a);
  return arr;
}

struct OpSpec {
  std::string action;       // get list post put patch delete deletecollection
  std::string operation;    // operationId
  std::string description;  // one line
  std::string response;     // definition returned with 200
  std::string body;         // definition read ("" = none)
  std::string gvk_group, gvk_version, gvk_kind;
};

json::Value Operation(const ResourceType& t, const OpSpec& spec, A& a) {
  json::Value op(rapidjson::kObjectType);
  bool custom = t.custom;
  if (spec.action == "patch") {
    op.AddMember("consumes",
                 StringArray({"application/json-patch+json", "application/merge-patch+json",
                              "application/apply-patch+yaml"},
                             a),
                 a);
  } else if (custom) {
    op.AddMember("consumes", StringArray({"application/json", "application/yaml"}, a), a);
  } else {
    op.AddMember("consumes", StringArray({"*/*"}, a), a);
  }
  op.AddMember("description", S(spec.description, a), a);
  op.AddMember("operationId", S(spec.operation, a), a);
  json::Value params(rapidjson::kArrayType);
  if (!spec.body.empty()) {
    params.PushBack(
        BodyParam(spec.body, spec.action != "delete" && spec.action != "deletecollection", a), a);
  }
  AddQueryParams(params, spec.action, a);
  op.AddMember("parameters", params, a);
  if (custom) {
    op.AddMember("produces", StringArray({"application/json", "application/yaml"}, a), a);
  } else if (spec.action == "list") {
    op.AddMember(
        "produces",
        StringArray(
            {"application/json", "application/yaml", "application/vnd.kubernetes.protobuf",
             "application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch"},
            a),
        a);
  } else {
    op.AddMember(
        "produces",
        StringArray({"application/json", "application/yaml", "application/vnd.kubernetes.protobuf"},
                    a),
        a);
  }
  json::Value responses(rapidjson::kObjectType);
  auto response = [&](const char* code, const char* text) {
    json::Value r(rapidjson::kObjectType);
    r.AddMember("description", S(text, a), a);
    if (!spec.response.empty()) r.AddMember("schema", RefSchema(spec.response, a), a);
    responses.AddMember(S(code, a), r, a);
  };
  response("200", "OK");
  if (spec.action == "post" || spec.action == "put" || spec.action == "patch") {
    response("201", "Created");
  }
  if (spec.action == "post" || spec.action == "delete") response("202", "Accepted");
  json::Value unauthorized(rapidjson::kObjectType);
  unauthorized.AddMember("description", "Unauthorized", a);
  responses.AddMember("401", unauthorized, a);
  op.AddMember("responses", responses, a);
  op.AddMember("schemes", StringArray({"https"}, a), a);
  json::Value tags(rapidjson::kArrayType);
  tags.PushBack(S(Tag(t), a), a);
  op.AddMember("tags", tags, a);
  op.AddMember("x-kubernetes-action", S(spec.action, a), a);
  op.AddMember("x-kubernetes-group-version-kind",
               Gvk(spec.gvk_group, spec.gvk_version, spec.gvk_kind, a), a);
  return op;
}

json::Value& PathItem(json::Value& paths, const std::string& path, bool with_name,
                      bool with_namespace, const std::string& kind, A& a) {
  json::Value* existing = MutableMember(paths, path);
  if (existing != nullptr) return *existing;
  json::Value item(rapidjson::kObjectType);
  json::Value params(rapidjson::kArrayType);
  if (with_name) {
    params.PushBack(Param("name", "path", "string", ("name of the " + kind).c_str(), a), a);
  }
  if (with_namespace) {
    params.PushBack(Param("namespace", "path", "string",
                          "object name and auth scope, such as for teams and projects", a),
                    a);
  }
  params.PushBack(Param("pretty", "query", "string", "Pretty-print the output when 'true'.", a), a);
  item.AddMember("parameters", params, a);
  paths.AddMember(S(path, a), item, a);
  return (paths.MemberEnd() - 1)->value;
}

const char* MethodOf(const std::string& action) {
  if (action == "list" || action == "get") return "get";
  if (action == "post") return "post";
  if (action == "put") return "put";
  if (action == "patch") return "patch";
  return "delete";
}

// Adds the paths of one type to `paths` (v2 form).
void AddTypePaths(const ResourceType& t, json::Value& paths, A& a) {
  std::string kind_def = DefinitionNameOf(t);
  if (kind_def.empty()) return;
  std::string list_def = ListDefinitionNameOf(t);
  const std::string status_def = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
  const std::string gv = GroupId(t.group) + Capitalize(t.version);
  const std::string prefix = "/" + GvPath(t.group, t.version) + "/";
  const std::string ns_word = t.namespaced ? "Namespaced" : "";
  const std::string coll = prefix + (t.namespaced ? "namespaces/{namespace}/" : "") + t.resource;
  const std::string item = coll + "/{name}";
  auto add = [&](const std::string& path, bool with_name, OpSpec spec) {
    if (spec.gvk_kind.empty()) {
      spec.gvk_group = t.group;
      spec.gvk_version = t.version;
      spec.gvk_kind = t.kind;
    }
    json::Value& pi = PathItem(paths, path, with_name, t.namespaced, t.kind, a);
    pi.AddMember(S(MethodOf(spec.action), a), Operation(t, spec, a), a);
  };
  const auto& v = t.verbs;
  std::string article = std::string("AEIOU").find(t.kind[0]) != std::string::npos ? "an " : "a ";
  if (Has(v, "list") && !list_def.empty()) {
    add(coll, false,
        {"list", "list" + gv + ns_word + t.kind, "list or watch objects of kind " + t.kind,
         list_def, ""});
    if (t.namespaced) {
      OpSpec all{"list", "list" + gv + t.kind + "ForAllNamespaces",
                 "list or watch objects of kind " + t.kind, list_def, ""};
      all.gvk_group = t.group;
      all.gvk_version = t.version;
      all.gvk_kind = t.kind;
      json::Value& pi = PathItem(paths, prefix + t.resource, false, false, t.kind, a);
      pi.AddMember("get", Operation(t, all, a), a);
    }
  }
  if (Has(v, "create")) {
    add(coll, false,
        {"post", "create" + gv + ns_word + t.kind, "create " + article + t.kind, kind_def,
         kind_def});
  }
  if (Has(v, "deletecollection")) {
    add(coll, false,
        {"deletecollection", "delete" + gv + "Collection" + ns_word + t.kind,
         "delete collection of " + t.kind, status_def,
         "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"});
  }
  if (Has(v, "get")) {
    add(item, true,
        {"get", "read" + gv + ns_word + t.kind, "read the specified " + t.kind, kind_def, ""});
  }
  if (Has(v, "update")) {
    add(item, true,
        {"put", "replace" + gv + ns_word + t.kind, "replace the specified " + t.kind, kind_def,
         kind_def});
  }
  if (Has(v, "patch")) {
    add(item, true,
        {"patch", "patch" + gv + ns_word + t.kind, "partially update the specified " + t.kind,
         kind_def, "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"});
  }
  if (Has(v, "delete")) {
    add(item, true,
        {"delete", "delete" + gv + ns_word + t.kind, "delete " + article + t.kind, status_def,
         "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"});
  }
  for (const std::string& sub : t.subresources) {
    if (sub != "status" && sub != "scale") continue;
    bool scale = sub == "scale";
    std::string def = scale ? "io.k8s.api.autoscaling.v1.Scale" : kind_def;
    std::string path = item + "/" + sub;
    std::string s = Capitalize(sub);
    auto spec = [&](const char* action, const std::string& verb, const std::string& text,
                    const std::string& body) {
      OpSpec o{action, verb + gv + ns_word + t.kind + s,
               text + " " + sub + " of the specified " + t.kind, def, body};
      if (scale) {
        o.gvk_group = "autoscaling";
        o.gvk_version = "v1";
        o.gvk_kind = "Scale";
      }
      return o;
    };
    add(path, true, spec("get", "read", "read", ""));
    add(path, true, spec("put", "replace", "replace", def));
    add(path, true,
        spec("patch", "patch", "partially update", "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"));
  }
}

bool Flag(const json::Value& s, const char* key) {
  const json::Value* v = json::Find(s, key);
  return v != nullptr && v->IsBool() && v->GetBool();
}

// ToStructuralOpenAPIV2: what kubectl's v2 model cannot take is removed.
void StripForV2(json::Value& s) {
  if (!s.IsObject()) return;
  for (const char* k : {"allOf", "oneOf", "anyOf", "not"}) RemoveMember(s, k);
  std::set<std::string> nullable_props;
  if (json::Value* props = MutableMember(s, "properties"); props != nullptr && props->IsObject()) {
    for (auto& m : props->GetObject()) {
      if (Flag(m.value, "nullable")) nullable_props.insert(std::string(json::View(m.name)));
    }
  }
  if (Flag(s, "nullable")) {
    for (const char* k : {"type", "nullable", "items", "properties"}) RemoveMember(s, k);
  }
  if (Flag(s, "x-kubernetes-preserve-unknown-fields")) {
    RemoveMember(s, "items");
    RemoveMember(s, "properties");
  }
  if (json::Find(s, "items") == nullptr && StringAt(s, "type") == "array") RemoveMember(s, "type");
  if (json::Value* req = MutableMember(s, "required"); req != nullptr && req->IsArray()) {
    for (auto it = req->Begin(); it != req->End();) {
      if (it->IsString() && nullable_props.count(std::string(json::View(*it))) > 0) {
        it = req->Erase(it);
      } else {
        ++it;
      }
    }
    if (req->Empty()) RemoveMember(s, "required");
  }
  if (json::Value* props = MutableMember(s, "properties"); props != nullptr && props->IsObject()) {
    for (auto& m : props->GetObject()) StripForV2(m.value);
  }
  if (json::Value* items = MutableMember(s, "items")) StripForV2(*items);
  if (json::Value* ap = MutableMember(s, "additionalProperties")) StripForV2(*ap);
}

json::Value TypeMetaString(const char* description, A& a) {
  json::Value s(rapidjson::kObjectType);
  s.AddMember("description", S(description, a), a);
  s.AddMember("type", "string", a);
  return s;
}

// Replaces the $ref prefixes of v2 with those of v3 and wraps described refs in allOf, as
// the v3 builder does; opaque (untyped) built-in schemas become `type: object`.
void ToV3(json::Value& s, A& a, bool builtin) {
  if (s.IsArray()) {
    for (auto& e : s.GetArray()) ToV3(e, a, builtin);
    return;
  }
  if (!s.IsObject()) return;
  if (json::Value* ref = MutableMember(s, "$ref"); ref != nullptr && ref->IsString()) {
    std::string r(json::View(*ref));
    if (r.rfind(kV2Prefix, 0) == 0) r = kV3Prefix + r.substr(sizeof(kV2Prefix) - 1);
    if (s.MemberCount() > 1) {
      json::Value wrapped(rapidjson::kObjectType);
      json::Value inner(rapidjson::kObjectType);
      inner.AddMember("$ref", S(r, a), a);
      json::Value all(rapidjson::kArrayType);
      all.PushBack(inner, a);
      wrapped.AddMember("allOf", all, a);
      for (auto& m : s.GetObject()) {
        if (json::View(m.name) != "$ref") wrapped.AddMember(m.name, m.value, a);
      }
      s = std::move(wrapped);
    } else {
      *ref = S(r, a);
    }
    return;
  }
  for (auto& m : s.GetObject()) {
    std::string key(json::View(m.name));
    if (key == "properties" || key == "additionalProperties" || key == "items" || key == "allOf" ||
        key == "oneOf" || key == "anyOf" || key == "not") {
      if (key == "properties" && m.value.IsObject()) {
        for (auto& p : m.value.GetObject()) ToV3(p.value, a, builtin);
      } else {
        ToV3(m.value, a, builtin);
      }
    }
  }
  if (builtin && json::Find(s, "type") == nullptr && json::Find(s, "properties") == nullptr &&
      json::Find(s, "allOf") == nullptr) {
    s.AddMember("type", "object", a);
  }
}

// Adds every definition `v` refers to (transitively) from `pool` into `out`.
void CollectRefs(const json::Value& v, const json::Value& pool, json::Value& out, A& a) {
  if (v.IsArray()) {
    for (const auto& e : v.GetArray()) CollectRefs(e, pool, out, a);
    return;
  }
  if (!v.IsObject()) return;
  for (const auto& m : v.GetObject()) {
    if (json::View(m.name) == "$ref" && m.value.IsString()) {
      std::string r(json::View(m.value));
      std::string name = r.substr(r.rfind('/') + 1);
      if (json::Find(out, name) != nullptr) continue;
      const json::Value* def = json::Find(pool, name);
      if (def == nullptr) continue;
      out.AddMember(S(name, a), json::Value(*def, a), a);
      CollectRefs(*def, pool, out, a);
    } else {
      CollectRefs(m.value, pool, out, a);
    }
  }
}

json::Value CustomListDefinition(const ResourceType& t, bool v2, A& a) {
  std::string prefix = v2 ? kV2Prefix : kV3Prefix;
  json::Value d(rapidjson::kObjectType);
  d.AddMember("description", S(t.list_kind + " is a list of " + t.kind, a), a);
  json::Value props(rapidjson::kObjectType);
  props.AddMember("apiVersion", TypeMetaString("API version of this representation.", a), a);
  json::Value items(rapidjson::kObjectType);
  items.AddMember("description", S("List of " + t.resource + ".", a), a);
  json::Value item_ref(rapidjson::kObjectType);
  item_ref.AddMember("$ref", S(prefix + DefinitionNameOf(t), a), a);
  items.AddMember("items", item_ref, a);
  items.AddMember("type", "array", a);
  props.AddMember("items", items, a);
  props.AddMember("kind", TypeMetaString("Kind of this representation.", a), a);
  json::Value md(rapidjson::kObjectType);
  md.AddMember("$ref", S(std::string(kV2Prefix) + kListMeta, a), a);
  md.AddMember("description", "Standard list metadata.", a);
  if (!v2) ToV3(md, a, false);
  props.AddMember("metadata", md, a);
  d.AddMember("properties", props, a);
  d.AddMember("required", StringArray({"items"}, a), a);
  d.AddMember("type", "object", a);
  json::Value gvk(rapidjson::kArrayType);
  gvk.PushBack(Gvk(t.group, t.version, t.list_kind, a), a);
  d.AddMember("x-kubernetes-group-version-kind", gvk, a);
  return d;
}

json::Value SecurityDefinitions(A& a) {
  json::Value bearer(rapidjson::kObjectType);
  bearer.AddMember("description", "Bearer Token authentication", a);
  bearer.AddMember("in", "header", a);
  bearer.AddMember("name", "authorization", a);
  bearer.AddMember("type", "apiKey", a);
  json::Value defs(rapidjson::kObjectType);
  defs.AddMember("BearerToken", bearer, a);
  return defs;
}

json::Value Info(A& a) {
  json::Value info(rapidjson::kObjectType);
  info.AddMember("title", "Kubernetes", a);
  info.AddMember("version", "v1.26.0", a);
  return info;
}

// A v2 query or path parameter in v3 form (the type moves into a schema).
json::Value ParameterV3(const json::Value& p, A& a) {
  json::Value q(rapidjson::kObjectType);
  q.AddMember("name", S(StringAt(p, "name"), a), a);
  q.AddMember("in", S(StringAt(p, "in"), a), a);
  q.AddMember("description", S(StringAt(p, "description"), a), a);
  if (Flag(p, "required")) q.AddMember("required", true, a);
  json::Value schema(rapidjson::kObjectType);
  schema.AddMember("type", S(StringAt(p, "type"), a), a);
  schema.AddMember("uniqueItems", true, a);
  q.AddMember("schema", schema, a);
  return q;
}

// A v2 operation in v3 form.
json::Value OperationV3(const json::Value& op2, A& a) {
  json::Value op(rapidjson::kObjectType);
  for (const auto& m : op2.GetObject()) {
    std::string key(json::View(m.name));
    if (key == "consumes" || key == "produces" || key == "schemes" || key == "parameters" ||
        key == "responses") {
      continue;
    }
    op.AddMember(json::Value(m.name, a), json::Value(m.value, a), a);
  }
  std::vector<std::string> consumes, produces;
  for (const char* k : {"consumes", "produces"}) {
    const json::Value* arr = json::Find(op2, k);
    if (arr == nullptr || !arr->IsArray()) continue;
    for (const auto& c : arr->GetArray()) {
      (std::string(k) == "consumes" ? consumes : produces).emplace_back(json::View(c));
    }
  }
  json::Value params(rapidjson::kArrayType);
  const json::Value* params2 = json::Find(op2, "parameters");
  for (const auto& p : params2->GetArray()) {
    if (StringAt(p, "in") == "body") {
      json::Value body(rapidjson::kObjectType);
      json::Value content(rapidjson::kObjectType);
      for (const auto& c : consumes) {
        json::Value media(rapidjson::kObjectType);
        json::Value schema(*json::Find(p, "schema"), a);
        ToV3(schema, a, false);
        media.AddMember("schema", schema, a);
        content.AddMember(S(c, a), media, a);
      }
      body.AddMember("content", content, a);
      if (Flag(p, "required")) body.AddMember("required", true, a);
      op.AddMember("requestBody", body, a);
      continue;
    }
    params.PushBack(ParameterV3(p, a), a);
  }
  if (!params.Empty()) op.AddMember("parameters", params, a);
  json::Value responses(rapidjson::kObjectType);
  for (const auto& r : json::Find(op2, "responses")->GetObject()) {
    json::Value resp(rapidjson::kObjectType);
    resp.AddMember("description", S(StringAt(r.value, "description"), a), a);
    if (const json::Value* schema = json::Find(r.value, "schema")) {
      json::Value content(rapidjson::kObjectType);
      for (const auto& p : produces) {
        json::Value media(rapidjson::kObjectType);
        json::Value s(*schema, a);
        ToV3(s, a, false);
        media.AddMember("schema", s, a);
        content.AddMember(S(p, a), media, a);
      }
      resp.AddMember("content", content, a);
    }
    responses.AddMember(json::Value(r.name, a), resp, a);
  }
  op.AddMember("responses", responses, a);
  return op;
}

json::Value PathItemV3(const json::Value& item2, A& a) {
  json::Value item(rapidjson::kObjectType);
  for (const auto& m : item2.GetObject()) {
    std::string key(json::View(m.name));
    if (key == "parameters") {
      json::Value params(rapidjson::kArrayType);
      for (const auto& p : m.value.GetArray()) params.PushBack(ParameterV3(p, a), a);
      item.AddMember("parameters", params, a);
    } else {
      item.AddMember(json::Value(m.name, a), OperationV3(m.value, a), a);
    }
  }
  return item;
}

}  // namespace

std::string DefinitionNameOf(const ResourceType& t) {
  if (!t.custom) return BuiltinDefinitionName(t.group, t.version, t.kind);
  std::vector<std::string> parts = SplitDots(t.group);
  std::reverse(parts.begin(), parts.end());
  std::string name;
  for (const auto& p : parts) name += (name.empty() ? "" : ".") + p;
  return name + "." + t.version + "." + t.kind;
}

json::Document CustomDefinition(const ResourceType& t, bool v2) {
  json::Document d;
  const json::Value* schema = SchemaOf(t);
  if (schema == nullptr || (v2 && Flag(*schema, "x-kubernetes-preserve-unknown-fields"))) {
    d.SetObject();
    d.AddMember("type", "object", d.GetAllocator());
  } else {
    d.CopyFrom(*schema, d.GetAllocator());
    auto& a = d.GetAllocator();
    if (v2) StripForV2(d);
    json::Value& props = EnsureObject(d, "properties", a);
    SetMember(props, "apiVersion",
              TypeMetaString("API version of this representation of the object.", a), a);
    SetMember(props, "kind", TypeMetaString("Kind of this representation of the object.", a), a);
    json::Value md(rapidjson::kObjectType);
    md.AddMember("$ref", S(std::string(kV2Prefix) + kObjectMeta, a), a);
    md.AddMember("description", "Standard object metadata.", a);
    if (!v2) ToV3(md, a, false);
    SetMember(props, "metadata", std::move(md), a);
  }
  auto& a = d.GetAllocator();
  json::Value gvk(rapidjson::kArrayType);
  gvk.PushBack(Gvk(t.group, t.version, t.kind, a), a);
  SetMember(d, "x-kubernetes-group-version-kind", std::move(gvk), a);
  SortKeys(d);
  return d;
}

json::Document OpenApiV2Document(const TypeRegistry& registry) {
  json::Document doc;
  doc.SetObject();
  auto& a = doc.GetAllocator();
  doc.AddMember("swagger", "2.0", a);
  doc.AddMember("info", Info(a), a);
  json::Value paths(rapidjson::kObjectType);
  json::Value defs(BuiltinDefinitionsV2(), a);
  for (const auto& t : registry.AllTypes()) {
    AddTypePaths(*t, paths, a);
    if (t->custom) {
      json::Document def = CustomDefinition(*t, true);
      SetMember(defs, DefinitionNameOf(*t), json::Value(def, a), a);
      std::string list_name = ListDefinitionNameOf(*t);
      SetMember(defs, list_name, CustomListDefinition(*t, true, a), a);
    }
  }
  SortKeys(paths);
  std::sort(defs.MemberBegin(), defs.MemberEnd(),
            [](const auto& x, const auto& y) { return json::View(x.name) < json::View(y.name); });
  doc.AddMember("paths", paths, a);
  doc.AddMember("definitions", defs, a);
  doc.AddMember("securityDefinitions", SecurityDefinitions(a), a);
  json::Value security(rapidjson::kArrayType);
  json::Value bearer(rapidjson::kObjectType);
  bearer.AddMember("BearerToken", json::Value(rapidjson::kArrayType), a);
  security.PushBack(bearer, a);
  doc.AddMember("security", security, a);
  return doc;
}

json::Document OpenApiV3Document(const TypeRegistry& registry, const std::string& group,
                                 const std::string& version) {
  json::Document doc;
  auto types = registry.TypesOf(group, version);
  if (types.empty()) return doc;
  doc.SetObject();
  auto& a = doc.GetAllocator();
  json::Value paths2(rapidjson::kObjectType);
  // The pool refs resolve against: built-in definitions plus this group/version's custom
  // kinds (already in v3 form; built-ins are converted below).
  json::Value pool(BuiltinDefinitionsV2(), a);
  json::Value custom(rapidjson::kObjectType);
  for (const auto& t : types) {
    AddTypePaths(*t, paths2, a);
    if (t->custom) {
      json::Document def = CustomDefinition(*t, false);
      custom.AddMember(S(DefinitionNameOf(*t), a), json::Value(def, a), a);
      custom.AddMember(S(ListDefinitionNameOf(*t), a), CustomListDefinition(*t, false, a), a);
    }
  }
  json::Value schemas(rapidjson::kObjectType);
  for (auto& m : custom.GetObject()) {
    SetMember(pool, std::string(json::View(m.name)), json::Value(m.value, a), a);
  }
  CollectRefs(paths2, pool, schemas, a);
  for (auto& m : schemas.GetObject()) {
    bool is_custom = json::Find(custom, json::View(m.name)) != nullptr;
    if (!is_custom) ToV3(m.value, a, true);
  }
  SortKeys(paths2);
  std::sort(schemas.MemberBegin(), schemas.MemberEnd(),
            [](const auto& x, const auto& y) { return json::View(x.name) < json::View(y.name); });
  json::Value paths(rapidjson::kObjectType);
  for (auto& m : paths2.GetObject()) {
    paths.AddMember(json::Value(m.name, a), PathItemV3(m.value, a), a);
  }
  doc.AddMember("openapi", "3.0.0", a);
  doc.AddMember("info", Info(a), a);
  doc.AddMember("paths", paths, a);
  json::Value components(rapidjson::kObjectType);
  components.AddMember("schemas", schemas, a);
  components.AddMember("securitySchemes", SecurityDefinitions(a), a);
  doc.AddMember("components", components, a);
  return doc;
}

}  // namespace vaultsync::kubeemu
