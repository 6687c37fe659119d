// CustomResourceDefinitions and their custom resources: discovery, schema validation and
// pruning, status subresource semantics, generation, Tables.
#include "emulator_fixture.h"

namespace vaultsync::kubeemu {
namespace {

const char kCrs[] = "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultstaticsecrets";

class CrdTest : public KubeEmulatorTest {
 protected:
  void SetUp() override {
    CreateNamespace("demo");
    CreateVaultStaticSecretCrd();
  }
  ServerResponse CreateCr(const std::string& name, const std::string& spec,
                          const std::string& query = "") {
    return Call("POST", std::string(kCrs) + query,
                "{\"apiVersion\":\"vaultsync.io/v1alpha1\",\"kind\":\"VaultStaticSecret\","
                "\"metadata\":{\"name\":\"" +
                    name + "\"},\"spec\":" + spec + "}");
  }
  static std::string Header(const ServerResponse& r, const std::string& name) {
    return std::string(http::FindHeader(r.headers, name));
  }
};

TEST_F(CrdTest, CrdIsEstablishedAndDiscoverable) {
  auto crd = Json(Call("GET",
                       "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                       "vaultstaticsecrets.vaultsync.io"));
  const json::Value* conds = At(crd, "status.conditions");
  ASSERT_TRUE(conds != nullptr && conds->IsArray() && conds->Size() == 2) << Compact(crd);
  EXPECT_EQ(StringAt((*conds)[1], "type"), "Established");
  EXPECT_EQ(StringAt((*conds)[1], "status"), "True");
  EXPECT_EQ(StringAt(crd, "status.acceptedNames.kind"), "VaultStaticSecret");
  EXPECT_EQ(StringAt(crd, "spec.conversion.strategy"), "None");

  auto groups = Call("GET", "/apis");
  EXPECT_NE(groups.body.find("\"name\":\"vaultsync.io\""), std::string::npos);
  auto list = Json(Call("GET", "/apis/vaultsync.io/v1alpha1"));
  const json::Value* res = json::Find(list, "resources");
  ASSERT_TRUE(res != nullptr && res->Size() == 2);
  EXPECT_EQ(StringAt((*res)[0], "name"), "vaultstaticsecrets");
  EXPECT_EQ(StringAt((*res)[0], "storageVersionHash"), "JRiVdur3lkk=");  // as recorded
  EXPECT_EQ(StringAt((*res)[1], "name"), "vaultstaticsecrets/status");
}

TEST_F(CrdTest, ValidatesAgainstTheSchemaLikeTheApiserver) {
  auto missing = CreateCr("missing-path", R"({"mount":"secret","refreshAfter":"30s"})");
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(
      StringAt(Json(missing), "message"),
      "VaultStaticSecret.vaultsync.io \"missing-path\" is invalid: spec.path: Required value");

  // Recorded 051: one cause per error, in the apiserver's order.
  auto several = CreateCr("all-wrong", R"({"mount":42,"refreshAfter":"soon"})");
  EXPECT_EQ(several.status, 422);
  EXPECT_EQ(StringAt(Json(several), "message"),
            "VaultStaticSecret.vaultsync.io \"all-wrong\" is invalid: [spec.refreshAfter: Invalid "
            "value: \"soon\": spec.refreshAfter in body should match '^\\d+(\\.\\d+)?(s|m|h)$', "
            "spec.mount: Invalid value: \"integer\": spec.mount in body must be of type string: "
            "\"integer\", spec.path: Required value]");

  auto range = CreateCr("range", R"({"mount":"m","path":"p","replicas":9,"mode":"other"})");
  EXPECT_EQ(range.status, 422);
  std::string msg = StringAt(Json(range), "message");
  EXPECT_NE(msg.find("spec.replicas: Invalid value: 9: spec.replicas in body should be less than "
                     "or equal to 5"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("spec.mode: Unsupported value: \"other\": supported values: \"copy\", "
                     "\"merge\""),
            std::string::npos)
      << msg;
}

TEST_F(CrdTest, PrunesUnknownFieldsWithWarningOrRejectsWhenStrict) {
  std::string spec = R"({"mount":"secret","path":"app/x","unknownField":"x","extra":{"free":1}})";
  auto strict = CreateCr("extra-field", spec, "?fieldValidation=Strict");
  EXPECT_EQ(strict.status, 400);
  EXPECT_EQ(StringAt(Json(strict), "message"),
            "VaultStaticSecret in version \"v1alpha1\" cannot be handled as a VaultStaticSecret: "
            "strict decoding error: unknown field \"spec.unknownField\"");

  auto created = CreateCr("extra-field", spec);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Header(created, "Warning"), "299 - \"unknown field \\\"spec.unknownField\\\"\"");
  auto obj = Json(created);
  EXPECT_EQ(At(obj, "spec.unknownField"), nullptr);
  EXPECT_NE(At(obj, "spec.extra.free"), nullptr);  // x-kubernetes-preserve-unknown-fields
  EXPECT_EQ(StringAt(obj, "spec.mode"), "copy");   // schema default
  EXPECT_EQ(IntAt(obj, "metadata.generation").value_or(0), 1);
}

TEST_F(CrdTest, StatusSubresourceSeparatesSpecAndStatus) {
  auto created = CreateCr("db", R"({"mount":"secret","path":"app/db"})");
  ASSERT_EQ(created.status, 201);
  auto obj = Json(created);
  std::string rv = StringAt(obj, "metadata.resourceVersion");

  // Status in a main-resource write is ignored; spec change bumps generation.
  auto put = Call("PUT", std::string(kCrs) + "/db",
                  "{\"metadata\":{\"name\":\"db\",\"resourceVersion\":\"" + rv +
                      "\"},\"spec\":{\"mount\":\"secret\",\"path\":\"app/other\"},\"status\":{"
                      "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}");
  ASSERT_EQ(put.status, 200) << put.body;
  obj = Json(put);
  EXPECT_EQ(IntAt(obj, "metadata.generation").value_or(0), 2);
  EXPECT_EQ(At(obj, "status"), nullptr);

  // A status write changes status only.
  auto status = Call(
      "PATCH", std::string(kCrs) + "/db/status",
      R"({"spec":{"path":"ignored"},"status":{"conditions":[{"type":"Ready","status":"False","reason":"VaultUnavailable"}]}})",
      "application/merge-patch+json");
  ASSERT_EQ(status.status, 200) << status.body;
  obj = Json(status);
  EXPECT_EQ(StringAt(obj, "spec.path"), "app/other");
  EXPECT_EQ(IntAt(obj, "metadata.generation").value_or(0), 2);
  std::string rv2 = StringAt(obj, "metadata.resourceVersion");

  // Spec sent to /status alone: nothing changes, not even the resourceVersion.
  auto noop = Call("PATCH", std::string(kCrs) + "/db/status", R"({"spec":{"path":"x"}})",
                   "application/merge-patch+json");
  ASSERT_EQ(noop.status, 200);
  EXPECT_EQ(StringAt(Json(noop), "metadata.resourceVersion"), rv2);

  // Stale status update conflicts.
  auto stale =
      Call("PUT", std::string(kCrs) + "/db/status",
           "{\"metadata\":{\"name\":\"db\",\"resourceVersion\":\"" + rv + "\"},\"status\":{}}");
  EXPECT_EQ(stale.status, 409);

  // The Table carries the printer columns; Ready comes from the JSONPath filter.
  auto table = Json(Call("GET", std::string(kCrs) + "/db", "", "",
                         "application/json;as=Table;v=v1;g=meta.k8s.io"));
  EXPECT_EQ(StringAt(table, "kind"), "Table");
  const json::Value* cols = json::Find(table, "columnDefinitions");
  ASSERT_TRUE(cols != nullptr && cols->Size() == 6);
  EXPECT_EQ(StringAt((*cols)[4], "name"), "Refresh");
  EXPECT_EQ(IntAt((*cols)[4], "priority").value_or(0), 1);
  const json::Value* cells = At((*At(table, "rows"))[0], "cells");
  ASSERT_TRUE(cells != nullptr && cells->Size() == 6);
  EXPECT_EQ(json::View((*cells)[0]), "db");
  EXPECT_EQ(json::View((*cells)[3]), "False");
  EXPECT_TRUE((*cells)[4].IsNull());  // no refreshAfter
  EXPECT_EQ(StringAt((*At(table, "rows"))[0], "object.kind"), "PartialObjectMetadata");
}

TEST_F(CrdTest, ListKeepsKindsAndCountsStatusWrites) {
  ASSERT_EQ(CreateCr("a", R"({"mount":"m","path":"p"})").status, 201);
  auto list = Json(Call("GET", kCrs));
  EXPECT_EQ(StringAt(list, "kind"), "VaultStaticSecretList");
  EXPECT_EQ(StringAt((*At(list, "items"))[0], "kind"), "VaultStaticSecret");
  ServerRequest req;
  req.method = "PUT";
  req.path = std::string(kCrs) + "/a/status";
  EXPECT_EQ(emu_.CountKey(req), "UPDATE vaultstaticsecrets/status");
}

TEST_F(CrdTest, ClusterScopedCrdAndCrdDeletion) {
  ASSERT_EQ(Call("DELETE",
                 "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                 "vaultstaticsecrets.vaultsync.io")
                .status,
            200);
  EXPECT_EQ(Call("GET", "/apis/vaultsync.io/v1alpha1").status, 404);
  CreateVaultStaticSecretCrd("Cluster");
  auto c = Call("POST", "/apis/vaultsync.io/v1alpha1/vaultstaticsecrets",
                R"({"metadata":{"name":"global"},"spec":{"mount":"m","path":"p"}})");
  ASSERT_EQ(c.status, 201) << c.body;
  EXPECT_EQ(At(Json(c), "metadata.namespace"), nullptr);
  EXPECT_EQ(Call("GET", "/apis/vaultsync.io/v1alpha1/vaultstaticsecrets/global").status, 200);
}

}  // namespace
}  // namespace vaultsync::kubeemu
