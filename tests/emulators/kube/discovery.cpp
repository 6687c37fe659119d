// Discovery documents for the kube emulator.
#include "discovery.h"

#include <openssl/sha.h>

#include "builtin_discovery.h"
#include "object_json.h"
#include "util/base64.h"

namespace vaultsync::kubeemu {
namespace {

std::string QuotedList(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + json::Quote(v[i]);
  return s + "]";
}

std::string GroupVersionEntry(const std::string& group, const std::string& version) {
  return "{\"groupVersion\":" + json::Quote(group + "/" + version) +
         ",\"version\":" + json::Quote(version) + "}";
}

std::string GroupBody(const TypeRegistry& registry, const std::string& group) {
  std::vector<std::string> versions = registry.Versions(group);
  std::string s = "\"name\":" + json::Quote(group) + ",\"versions\":[";
  for (size_t i = 0; i < versions.size(); ++i) {
    s += (i ? "," : "") + GroupVersionEntry(group, versions[i]);
  }
  s += "],\"preferredVersion\":" + GroupVersionEntry(group, versions.front());
  return s;
}

}  // namespace

std::string StorageVersionHash(const std::string& group, const std::string& version,
                               const std::string& kind) {
  std::string in = group + "/" + version + "/" + kind;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(in.data()), in.size(), digest);
  return base64::Encode(std::string_view(reinterpret_cast<const char*>(digest), 8));
}

std::string VersionJson() {
  // The recorded answer of the reference v1.26.0 server, indented like the real one.
  return "{\n  \"major\": \"1\",\n  \"minor\": \"26\",\n  \"gitVersion\": \"v1.26.0\",\n"
         "  \"gitCommit\": \"8f94681cd294aa8cfd3407b8191f6c70214973a4\",\n"
         "  \"gitTreeState\": \"clean\",\n  \"buildDate\": \"2026-11-23T09:31:51Z\",\n"
         "  \"goVersion\": \"go1.19.8\",\n  \"compiler\": \"gc\",\n"
         "  \"platform\": \"linux/amd64\"\n}";
}

std::string ApiVersionsJson(const std::string& server_address) {
  return "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":[{"
         "\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":" +
         json::Quote(server_address) + "}]}";
}

std::string ApiGroupListJson(const TypeRegistry& registry) {
  std::string s = "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[";
  bool first = true;
  for (const std::string& g : registry.Groups()) {
    if (registry.Versions(g).empty()) continue;
    s += (first ? "{" : ",{") + GroupBody(registry, g) + "}";
    first = false;
  }
  return s + "]}";
}

std::optional<std::string> ApiGroupJson(const TypeRegistry& registry, const std::string& group) {
  if (registry.Versions(group).empty()) return std::nullopt;
  return "{\"kind\":\"APIGroup\",\"apiVersion\":\"v1\"," + GroupBody(registry, group) + "}";
}

std::optional<std::string> ResourceListJson(const TypeRegistry& registry, const std::string& group,
                                            const std::string& version) {
  std::string gv = group.empty() ? version : group + "/" + version;
  for (std::string_view doc : BuiltinResourceLists()) {
    if (doc.find("\"groupVersion\":" + json::Quote(gv) + ",") != std::string_view::npos) {
      return std::string(doc);
    }
  }
  auto types = registry.TypesOf(group, version);
  if (types.empty()) return std::nullopt;
  std::string s =
      "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":" + json::Quote(gv) +
      ",\"resources\":[";
  bool first = true;
  for (const auto& t : types) {
    std::string ns = t->namespaced ? "true" : "false";
    s += first ? "" : ",";
    first = false;
    s += "{\"name\":" + json::Quote(t->resource) + ",\"singularName\":" + json::Quote(t->singular) +
         ",\"namespaced\":" + ns + ",\"kind\":" + json::Quote(t->kind) +
         ",\"verbs\":" + QuotedList(t->verbs);
    if (!t->short_names.empty()) s += ",\"shortNames\":" + QuotedList(t->short_names);
    if (!t->categories.empty()) s += ",\"categories\":" + QuotedList(t->categories);
    s += ",\"storageVersionHash\":" + json::Quote(t->storage_version_hash) + "}";
    for (const std::string& sub : t->subresources) {
      if (sub == "status") {
        s += ",{\"name\":" + json::Quote(t->resource + "/status") +
             ",\"singularName\":\"\",\"namespaced\":" + ns + ",\"kind\":" + json::Quote(t->kind) +
             ",\"verbs\":[\"get\",\"patch\",\"update\"]}";
      } else if (sub == "scale") {
        s += ",{\"name\":" + json::Quote(t->resource + "/scale") +
             ",\"singularName\":\"\",\"namespaced\":" + ns +
             ",\"group\":\"autoscaling\",\"version\":\"v1\",\"kind\":\"Scale\",\"verbs\":[\"get\","
             "\"patch\",\"update\"]}";
      }
    }
  }
  return s + "]}";
}

}  // namespace vaultsync::kubeemu
