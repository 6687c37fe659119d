// /openapi/v3: the discovery root and one document per group/version, carrying what clients
// look up there: kubectl checks that each kind's PATCH operation accepts `fieldValidation`
// (then validates server-side) and which patch types it takes (no strategic merge patch is
// advertised, so kubectl computes those patches from its compiled-in types). Schemas are not
// published. /openapi/v2 answers (JSON, or protobuf when asked, as real servers do) with a
// document without definitions: kubectl fetches it to validate, client side, objects of a
// kind the server does not serve (e.g. a ServiceMonitor before its CRD); a kind missing from
// the definitions is not validated, so kubectl goes on to its REST mapping and reports the
// missing kind ("ensure CRDs are installed first") as it does against a real cluster.
#include <algorithm>
#include <functional>

#include "emulator_internal.h"
#include "kube_emulator.h"

namespace vaultsync::kubeemu {
namespace {

std::string GvPath(const std::string& group, const std::string& version) {
  return group.empty() ? "api/" + version : "apis/" + group + "/" + version;
}

std::string PatchOperation(const ResourceType& t) {
  std::string param =
      "{\"name\":\"fieldValidation\",\"in\":\"query\",\"description\":"
      "\"fieldValidation instructs the server on how to handle objects in the "
      "request containing unknown or duplicate fields.\",\"schema\":{\"type\":"
      "\"string\",\"uniqueItems\":true}}";
  std::string manager =
      "{\"name\":\"fieldManager\",\"in\":\"query\",\"schema\":{\"type\":"
      "\"string\",\"uniqueItems\":true}}";
  std::string content =
      "{\"application/json-patch+json\":{\"schema\":{\"type\":\"object\"}},"
      "\"application/merge-patch+json\":{\"schema\":{\"type\":\"object\"}}}";
  return "{\"operationId\":\"patch" + t.kind + "\",\"parameters\":[" + param + "," + manager +
         "],\"requestBody\":{\"content\":" + content +
         ",\"required\":true},\"responses\":{\"200\":{\"description\":\"OK\"}},"
         "\"x-kubernetes-action\":\"patch\",\"x-kubernetes-group-version-kind\":{\"group\":" +
         json::Quote(t.group) + ",\"kind\":" + json::Quote(t.kind) +
         ",\"version\":" + json::Quote(t.version) + "}}";
}

std::string GvDocument(const std::vector<std::shared_ptr<const ResourceType>>& types) {
  std::string paths;
  for (const auto& t : types) {
    if (std::find(t->verbs.begin(), t->verbs.end(), "patch") == t->verbs.end()) continue;
    std::string base = "/" + GvPath(t->group, t->version) + "/";
    std::string item = t->namespaced ? base + "namespaces/{namespace}/" + t->resource + "/{name}"
                                     : base + t->resource + "/{name}";
    paths +=
        (paths.empty() ? "" : ",") + json::Quote(item) + ":{\"patch\":" + PatchOperation(*t) + "}";
  }
  return "{\"openapi\":\"3.0.0\",\"info\":{\"title\":\"Kubernetes\",\"version\":\"v1.26.0\"},"
         "\"paths\":{" +
         paths + "},\"components\":{\"schemas\":{}}}";
}

std::string Hash(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  size_t h = std::hash<std::string>{}(s);
  std::string out;
  for (int i = 0; i < 16; ++i) {
    out += hex[h & 0xF];
    h >>= 4;
  }
  return out;
}

// A protobuf length-delimited field (wire type 2) with a one-byte tag and a short payload.
std::string ProtoBytesField(int number, const std::string& payload) {
  std::string out;
  out += static_cast<char>((number << 3) | 2);
  size_t n = payload.size();  // varint length
  while (n >= 0x80) {
    out += static_cast<char>((n & 0x7F) | 0x80);
    n >>= 7;
  }
  out += static_cast<char>(n);
  return out + payload;
}

}  // namespace

// gnostic openapi_v2.Document {swagger: "2.0" (1), info (2): {title (1), version (2)}}, or
// its JSON form.
ServerResponse KubeEmulator::OpenApiV2(const ServerRequest& req) {
  // Clients ask for the deprecated "...spec.v2@v1.0+protobuf" type or "...spec.v2.v1.0+protobuf";
  // the answer is labelled with the latter (Go's mime parser rejects the '@').
  const std::string pb = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
  if (req.Header("Accept").find("com.github.proto-openapi.spec.v2") != std::string_view::npos) {
    std::string info = ProtoBytesField(1, "Kubernetes") + ProtoBytesField(2, "v1.26.0");
    ServerResponse r;
    r.status = 200;
    r.body = ProtoBytesField(1, "2.0") + ProtoBytesField(2, info);
    r.headers.emplace_back("Content-Type", pb);
    return r;
  }
  return JsonAnswer(200,
                    "{\"swagger\":\"2.0\",\"info\":{\"title\":\"Kubernetes\",\"version\":"
                    "\"v1.26.0\"},\"paths\":{},\"definitions\":{}}");
}

ServerResponse KubeEmulator::OpenApi(const ServerRequest& req) {
  if (req.path == "/openapi/v2") return OpenApiV2(req);
  const std::string prefix = "/openapi/v3";
  if (req.path.rfind(prefix, 0) != 0) return ErrorAnswer(PageNotFoundError());
  std::string rest = req.path.substr(prefix.size());
  if (rest.empty() || rest == "/") {
    std::string paths;
    std::vector<std::pair<std::string, std::string>> gvs = {{"", "v1"}};
    for (const std::string& g : registry_.Groups()) {
      for (const std::string& v : registry_.Versions(g)) gvs.push_back({g, v});
    }
    for (const auto& [g, v] : gvs) {
      std::string p = GvPath(g, v);
      paths +=
          (paths.empty() ? "" : ",") + json::Quote(p) + ":{\"serverRelativeURL\":" +
          json::Quote("/openapi/v3/" + p + "?hash=" + Hash(GvDocument(registry_.TypesOf(g, v)))) +
          "}";
    }
    return JsonAnswer(200, "{\"paths\":{" + paths + "}}");
  }
  rest = rest.substr(1);
  std::string group, version;
  if (rest.rfind("api/", 0) == 0) {
    version = rest.substr(4);
  } else if (rest.rfind("apis/", 0) == 0) {
    std::string gv = rest.substr(5);
    size_t slash = gv.find('/');
    if (slash == std::string::npos) return ErrorAnswer(PageNotFoundError());
    group = gv.substr(0, slash);
    version = gv.substr(slash + 1);
  }
  auto types = registry_.TypesOf(group, version);
  if (types.empty()) return ErrorAnswer(PageNotFoundError());
  ServerResponse r = JsonAnswer(200, GvDocument(types));
  r.headers.emplace_back("Etag", "\"" + Hash(r.body) + "\"");
  return r;
}

}  // namespace vaultsync::kubeemu
