// /openapi/v2 and /openapi/v3: the documents of openapi_docs.h served as the apiserver serves
// them. v2 answers JSON, or gnostic protobuf when the Accept header asks for
// application/com.github.proto-openapi.spec.v2[@.]v1.0+protobuf (as kubectl up to 1.26 does,
// decoding nothing else), with an ETag. /openapi/v3 lists every served group/version with a
// serverRelativeURL carrying the hash of its document; /openapi/v3/<gv> answers the document
// with that hash as ETag (kubectl caches by it).
#include <openssl/sha.h>

#include "emulator_internal.h"
#include "kube_emulator.h"
#include "object_json.h"
#include "openapi_docs.h"
#include "openapi_v2_proto.h"

namespace vaultsync::kubeemu {
namespace {

std::string GvPath(const std::string& group, const std::string& version) {
  return group.empty() ? "api/" + version : "apis/" + group + "/" + version;
}

// Upper-case hex SHA-512, the form of the apiserver's v3 hashes and ETags.
std::string Hash(const std::string& s) {
  unsigned char digest[SHA512_DIGEST_LENGTH];
  SHA512(reinterpret_cast<const unsigned char*>(s.data()), s.size(), digest);
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : digest) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

}  // namespace

ServerResponse KubeEmulator::OpenApiV2(const ServerRequest& req) {
  std::string json = Compact(OpenApiV2Document(registry_));
  std::string etag = "\"" + Hash(json) + "\"";
  ServerResponse r;
  // Clients ask for the deprecated "...spec.v2@v1.0+protobuf" type or "...spec.v2.v1.0+protobuf";
  // the answer is labelled with the latter (Go's mime parser rejects the '@').
  if (req.Header("Accept").find("com.github.proto-openapi.spec.v2") != std::string_view::npos) {
    auto doc = json::Parse(json);
    r.status = 200;
    r.body = doc.ok() ? EncodeOpenApiV2Proto(*doc) : std::string();
    r.headers.emplace_back("Content-Type",
                           "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
  } else {
    r = JsonAnswer(200, std::move(json));
  }
  r.headers.emplace_back("Etag", etag);
  r.headers.emplace_back("Vary", "Accept");
  return r;
}

ServerResponse KubeEmulator::OpenApi(const ServerRequest& req) {
  if (req.path == "/openapi/v2") return OpenApiV2(req);
  const std::string prefix = "/openapi/v3";
  if (req.path.rfind(prefix, 0) != 0) return ErrorAnswer(PageNotFoundError());
  std::string rest = req.path.substr(prefix.size());
  if (rest.empty() || rest == "/") {
    std::vector<std::pair<std::string, std::string>> gvs = {{"", "v1"}};
    for (const std::string& g : registry_.Groups()) {
      for (const std::string& v : registry_.Versions(g)) gvs.push_back({g, v});
    }
    json::Document root;
    root.SetObject();
    auto& a = root.GetAllocator();
    json::Value paths(rapidjson::kObjectType);
    for (const auto& [g, v] : gvs) {
      json::Document doc = OpenApiV3Document(registry_, g, v);
      if (!doc.IsObject()) continue;
      std::string p = GvPath(g, v);
      json::Value entry(rapidjson::kObjectType);
      entry.AddMember("serverRelativeURL",
                      json::StringValue("/openapi/v3/" + p + "?hash=" + Hash(Compact(doc)), a), a);
      paths.AddMember(json::StringValue(p, a), entry, a);
    }
    root.AddMember("paths", paths, a);
    return JsonAnswer(200, Compact(root));
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
  } else {
    return ErrorAnswer(PageNotFoundError());
  }
  json::Document doc = OpenApiV3Document(registry_, group, version);
  if (!doc.IsObject()) return ErrorAnswer(PageNotFoundError());
  ServerResponse r = JsonAnswer(200, Compact(doc));
  r.headers.emplace_back("Etag", "\"" + Hash(r.body) + "\"");
  return r;
}

}  // namespace vaultsync::kubeemu
