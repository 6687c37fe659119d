// /openapi/v2 and /openapi/v3: documents built from the served types (built-in subset and
// every CRD version), with the paths, parameters and extensions kubectl reads, every
// reference resolvable, and the v2 protobuf form kubectl up to 1.26 decodes.
#include <functional>

#include "emulator_fixture.h"
#include "openapi_docs.h"

namespace vaultsync::kubeemu {
namespace {

class OpenApiTest : public KubeEmulatorTest {
 protected:
  json::Document V2() {
    auto r = Call("GET", "/openapi/v2");
    EXPECT_EQ(r.status, 200);
    return Json(r);
  }
};

// Every "$ref" in `v` names a member of `defs` (prefix stripped).
void ExpectRefsResolve(const json::Value& v, const json::Value& defs, const std::string& prefix,
                       std::string* missing) {
  if (v.IsArray()) {
    for (const auto& e : v.GetArray()) ExpectRefsResolve(e, defs, prefix, missing);
  } else if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      if (json::View(m.name) == "$ref" && m.value.IsString()) {
        std::string r(json::View(m.value));
        if (r.rfind(prefix, 0) != 0 || json::Find(defs, r.substr(prefix.size())) == nullptr) {
          *missing += r + " ";
        }
      } else {
        ExpectRefsResolve(m.value, defs, prefix, missing);
      }
    }
  }
}

TEST_F(OpenApiTest, V2DescribesBuiltinKindsAndTheirPatchOperations) {
  auto doc = V2();
  EXPECT_EQ(StringAt(doc, "swagger"), "2.0");
  const json::Value* defs = At(doc, "definitions");
  ASSERT_NE(defs, nullptr);
  const json::Value* secret = json::Find(*defs, "io.k8s.api.core.v1.Secret");
  ASSERT_NE(secret, nullptr);
  EXPECT_EQ(Compact(*json::Find(*secret, "x-kubernetes-group-version-kind")),
            R"([{"group":"","kind":"Secret","version":"v1"}])");
  EXPECT_EQ(StringAt(*secret, "properties.data.additionalProperties.format"), "byte");
  const json::Value* containers =
      At(*json::Find(*defs, "io.k8s.api.core.v1.PodSpec"), "properties.containers");
  EXPECT_EQ(StringAt(*containers, "x-kubernetes-patch-merge-key"), "name");
  EXPECT_EQ(StringAt(*containers, "items.$ref"), "#/definitions/io.k8s.api.core.v1.Container");

  // kubectl's dry-run check: the PATCH operation of the kind carries a dryRun query parameter.
  const json::Value* item =
      json::Find(*At(doc, "paths"), "/apis/apps/v1/namespaces/{namespace}/deployments/{name}");
  ASSERT_NE(item, nullptr);
  const json::Value* op = json::Find(*item, "patch");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(StringAt(*op, "operationId"), "patchAppsV1NamespacedDeployment");
  EXPECT_EQ(StringAt(*op, "x-kubernetes-action"), "patch");
  EXPECT_EQ(Compact(*json::Find(*op, "x-kubernetes-group-version-kind")),
            R"({"group":"apps","kind":"Deployment","version":"v1"})");
  std::string params = Compact(*json::Find(*op, "parameters"));
  for (const char* name : {"\"dryRun\"", "\"fieldManager\"", "\"fieldValidation\"", "\"force\""}) {
    EXPECT_NE(params.find(name), std::string::npos) << name << " in " << params;
  }
  EXPECT_NE(json::Find(*At(doc, "paths"),
                       "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"),
            nullptr);
  EXPECT_NE(json::Find(*At(doc, "paths"), "/apis/events.k8s.io/v1/namespaces/{namespace}/events"),
            nullptr);
  std::string missing;
  ExpectRefsResolve(doc, *defs, "#/definitions/", &missing);
  EXPECT_EQ(missing, "");
}

TEST_F(OpenApiTest, EveryServedKindHasADefinition) {
  auto doc = V2();
  const json::Value* defs = At(doc, "definitions");
  for (const char* gvk :
       {"/v1/Secret", "/v1/ConfigMap", "/v1/Namespace", "/v1/ServiceAccount", "/v1/Event",
        "apps/v1/Deployment", "apps/v1/StatefulSet", "apps/v1/DaemonSet",
        "coordination.k8s.io/v1/Lease", "rbac.authorization.k8s.io/v1/Role",
        "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
        "apiextensions.k8s.io/v1/CustomResourceDefinition", "events.k8s.io/v1/Event",
        "authorization.k8s.io/v1/SelfSubjectAccessReview", "authentication.k8s.io/v1/TokenReview",
        "policy/v1/PodDisruptionBudget", "networking.k8s.io/v1/NetworkPolicy", "/v1/Pod"}) {
    std::string s(gvk);
    std::string group = s.substr(0, s.find('/'));
    std::string rest = s.substr(s.find('/') + 1);
    std::string want = R"({"group":")" + group + R"(","kind":")" + rest.substr(rest.find('/') + 1) +
                       R"(","version":")" + rest.substr(0, rest.find('/')) + "\"}";
    bool found = false;
    for (const auto& d : defs->GetObject()) {
      const json::Value* g = json::Find(d.value, "x-kubernetes-group-version-kind");
      if (g != nullptr && g->IsArray() && g->Size() == 1 && Compact((*g)[0]) == want) found = true;
    }
    EXPECT_TRUE(found) << gvk;
  }
}

TEST_F(OpenApiTest, CrdSchemasArePublishedInBothVersions) {
  CreateVaultStaticSecretCrd();
  auto doc = V2();
  const json::Value* def =
      json::Find(*At(doc, "definitions"), "io.vaultsync.v1alpha1.VaultStaticSecret");
  ASSERT_NE(def, nullptr);
  EXPECT_EQ(StringAt(*def, "properties.spec.properties.refreshAfter.pattern"),
            "^\\d+(\\.\\d+)?(s|m|h)$");
  EXPECT_EQ(StringAt(*def, "properties.metadata.$ref"),
            "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  // x-kubernetes-preserve-unknown-fields nodes carry no properties in v2.
  EXPECT_EQ(At(*def, "properties.spec.properties.extra.properties"), nullptr);
  EXPECT_NE(json::Find(*At(doc, "definitions"), "io.vaultsync.v1alpha1.VaultStaticSecretList"),
            nullptr);
  const json::Value* patch = At(*json::Find(*At(doc, "paths"),
                                            "/apis/vaultsync.io/v1alpha1/namespaces/{namespace}/"
                                            "vaultstaticsecrets/{name}"),
                                "patch");
  ASSERT_NE(patch, nullptr);
  EXPECT_EQ(StringAt(*patch, "operationId"), "patchVaultsyncIoV1alpha1NamespacedVaultStaticSecret");

  // v3: discovery lists the group/version; its document holds the schema and what it needs.
  auto root = Json(Call("GET", "/openapi/v3"));
  const json::Value* entry = json::Find(*At(root, "paths"), "apis/vaultsync.io/v1alpha1");
  ASSERT_NE(entry, nullptr);
  std::string rel = StringAt(*entry, "serverRelativeURL");
  ASSERT_EQ(rel.rfind("/openapi/v3/apis/vaultsync.io/v1alpha1?hash=", 0), 0u) << rel;
  auto gv = Call("GET", "/openapi/v3/apis/vaultsync.io/v1alpha1");
  ASSERT_EQ(gv.status, 200);
  std::string etag;
  for (const auto& [k, v] : gv.headers) {
    if (k == "Etag") etag = v;
  }
  EXPECT_EQ(etag, "\"" + rel.substr(rel.find("hash=") + 5) + "\"");
  auto v3 = Json(gv);
  const json::Value* schemas = At(v3, "components.schemas");
  ASSERT_NE(schemas, nullptr);
  const json::Value* v3def = json::Find(*schemas, "io.vaultsync.v1alpha1.VaultStaticSecret");
  ASSERT_NE(v3def, nullptr);
  EXPECT_EQ(Compact(*At(*v3def, "properties.metadata.allOf")),
            R"([{"$ref":"#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}])");
  std::string missing;
  ExpectRefsResolve(v3, *schemas, "#/components/schemas/", &missing);
  EXPECT_EQ(missing, "");
  const json::Value* op = At(*json::Find(*At(v3, "paths"),
                                         "/apis/vaultsync.io/v1alpha1/namespaces/{namespace}/"
                                         "vaultstaticsecrets/{name}"),
                             "patch");
  ASSERT_NE(op, nullptr);
  EXPECT_NE(At(*op, "requestBody.content"), nullptr);
  EXPECT_NE(Compact(*json::Find(*op, "parameters")).find("\"fieldValidation\""), std::string::npos);
  EXPECT_EQ(Call("GET", "/openapi/v3/apis/nope.io/v1").status, 404);
}

TEST(OpenApiDocs, V2StripsWhatKubectlsModelCannotTake) {
  auto crd = std::make_shared<json::Document>();
  ASSERT_TRUE(
      crd->Parse(
             R"({"metadata":{"name":"things.example.io"},"spec":{"group":"example.io","names":{"kind":"Thing","plural":"things"},"scope":"Namespaced","versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","required":["a","n"],"properties":{"a":{"type":"string","oneOf":[{"pattern":"x"}]},"n":{"type":"object","nullable":true,"properties":{"x":{"type":"string"}}},"list":{"type":"array","x-kubernetes-preserve-unknown-fields":true,"items":{"type":"string"}}}}}}}}]}})")
          .HasParseError() == false);
  ResourceType t;
  t.group = "example.io";
  t.version = "v1";
  t.kind = "Thing";
  t.custom = true;
  t.crd = crd;
  json::Document v2 = CustomDefinition(t, true);
  EXPECT_EQ(At(v2, "properties.spec.properties.a.oneOf"), nullptr);
  EXPECT_EQ(Compact(*At(v2, "properties.spec.properties.n")), "{}");
  EXPECT_EQ(Compact(*At(v2, "properties.spec.required")), R"(["a"])");
  EXPECT_EQ(Compact(*At(v2, "properties.spec.properties.list")),
            R"({"x-kubernetes-preserve-unknown-fields":true})");
  json::Document v3 = CustomDefinition(t, false);
  EXPECT_NE(At(v3, "properties.spec.properties.a.oneOf"), nullptr);
  EXPECT_TRUE(At(v3, "properties.spec.properties.n.nullable")->GetBool());
  EXPECT_EQ(DefinitionNameOf(t), "io.example.v1.Thing");
}

// A minimal protobuf reader for the test: the fields of one message.
std::vector<std::pair<uint32_t, std::string>> Fields(const std::string& msg) {
  std::vector<std::pair<uint32_t, std::string>> out;
  size_t i = 0;
  auto varint = [&]() {
    uint64_t v = 0;
    for (int shift = 0; i < msg.size(); shift += 7) {
      uint8_t b = static_cast<uint8_t>(msg[i++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) break;
    }
    return v;
  };
  while (i < msg.size()) {
    uint64_t key = varint();
    uint32_t wire = key & 7;
    if (wire == 0) {
      out.emplace_back(key >> 3, std::to_string(varint()));
    } else if (wire == 2) {
      uint64_t len = varint();
      out.emplace_back(key >> 3, msg.substr(i, len));
      i += len;
    } else if (wire == 1) {
      out.emplace_back(key >> 3, msg.substr(i, 8));
      i += 8;
    } else {
      break;
    }
  }
  return out;
}

std::string FieldOf(const std::string& msg, uint32_t number) {
  for (const auto& [n, v] : Fields(msg)) {
    if (n == number) return v;
  }
  return "";
}

TEST_F(OpenApiTest, V2ProtobufIsTheGnosticDocument) {
  CreateVaultStaticSecretCrd();
  auto r = Call("GET", "/openapi/v2", "", "",
                "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
  ASSERT_EQ(r.status, 200);
  std::string ct;
  for (const auto& [k, v] : r.headers) {
    if (k == "Content-Type") ct = v;
  }
  EXPECT_EQ(ct, "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
  EXPECT_EQ(FieldOf(r.body, 1), "2.0");
  EXPECT_EQ(FieldOf(FieldOf(r.body, 2), 1), "Kubernetes");
  // definitions (9): NamedSchema entries (1) with name (1) and Schema (2).
  std::map<std::string, std::string> defs;
  for (const auto& [n, named] : Fields(FieldOf(r.body, 9))) {
    if (n == 1) defs[FieldOf(named, 1)] = FieldOf(named, 2);
  }
  ASSERT_TRUE(defs.count("io.k8s.api.apps.v1.Deployment"));
  ASSERT_TRUE(defs.count("io.vaultsync.v1alpha1.VaultStaticSecret"));
  // Schema.vendor_extension (31) carries x-kubernetes-group-version-kind as YAML text.
  bool gvk = false;
  for (const auto& [n, named] : Fields(defs["io.k8s.api.apps.v1.Deployment"])) {
    if (n == 31 && FieldOf(named, 1) == "x-kubernetes-group-version-kind") {
      EXPECT_EQ(FieldOf(FieldOf(named, 2), 2),
                "[{\"group\":\"apps\",\"kind\":\"Deployment\",\"version\":\"v1\"}]\n");
      gvk = true;
    }
  }
  EXPECT_TRUE(gvk);
  // paths (8): the Deployment PATCH operation (8) has a query parameter (3) named dryRun.
  bool dry_run = false;
  for (const auto& [n, named] : Fields(FieldOf(r.body, 8))) {
    if (n != 2 || FieldOf(named, 1) != "/apis/apps/v1/namespaces/{namespace}/deployments/{name}") {
      continue;
    }
    std::string op = FieldOf(FieldOf(named, 2), 8);
    for (const auto& [pn, item] : Fields(op)) {
      if (pn != 8) continue;
      std::string query = FieldOf(FieldOf(FieldOf(item, 1), 2), 3);
      if (FieldOf(query, 4) == "dryRun") dry_run = true;
    }
  }
  EXPECT_TRUE(dry_run);
}

}  // namespace
}  // namespace vaultsync::kubeemu
