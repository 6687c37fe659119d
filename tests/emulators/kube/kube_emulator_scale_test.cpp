// The scale subresource: autoscaling/v1 Scale views of Deployments, StatefulSets and custom
// resources with subresources.scale, and writes through it (PUT, merge patch) that change
// only the replica count, as `kubectl scale` and autoscalers use it.
#include "emulator_fixture.h"

namespace vaultsync::kubeemu {
namespace {

class ScaleTest : public KubeEmulatorTest {
 protected:
  void SetUp() override {
    CreateNamespace("demo");
    auto r = Call(
        "POST", "/apis/apps/v1/namespaces/demo/deployments",
        R"({"metadata":{"name":"web"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web","tier":"front"},"matchExpressions":[{"key":"env","operator":"In","values":["prod","dev"]}]},"template":{"metadata":{"labels":{"app":"web","tier":"front","env":"dev"}},"spec":{"containers":[{"name":"web","image":"nginx:1.25"}]}}}})");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  const std::string kScale = "/apis/apps/v1/namespaces/demo/deployments/web/scale";
};

TEST_F(ScaleTest, GetShowsReplicasAndSelectorOfTheDeployment) {
  auto r = Call("GET", kScale);
  ASSERT_EQ(r.status, 200) << r.body;
  auto deploy = Json(Call("GET", "/apis/apps/v1/namespaces/demo/deployments/web"));
  EXPECT_EQ(r.body,
            "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\"web\","
            "\"namespace\":\"demo\",\"uid\":\"" +
                StringAt(deploy, "metadata.uid") + "\",\"resourceVersion\":\"" +
                StringAt(deploy, "metadata.resourceVersion") + "\",\"creationTimestamp\":\"" +
                StringAt(deploy, "metadata.creationTimestamp") +
                "\"},\"spec\":{\"replicas\":2},\"status\":{\"replicas\":0,\"selector\":\"app=web,"
                "env in (dev,prod),tier=front\"}}");
  EXPECT_EQ(Call("GET", "/apis/apps/v1/namespaces/demo/deployments/nope/scale").status, 404);
}

TEST_F(ScaleTest, MergePatchAndPutChangeOnlyTheReplicaCount) {
  auto patched =
      Call("PATCH", kScale, R"({"spec":{"replicas":5}})", "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(IntAt(Json(patched), "spec.replicas").value_or(0), 5);
  auto deploy = Json(Call("GET", "/apis/apps/v1/namespaces/demo/deployments/web"));
  EXPECT_EQ(IntAt(deploy, "spec.replicas").value_or(0), 5);
  EXPECT_EQ(IntAt(deploy, "metadata.generation").value_or(0), 2);
  // The scale writer owns spec.replicas through an entry with subresource "scale".
  const json::Value* mf = At(deploy, "metadata.managedFields");
  ASSERT_NE(mf, nullptr);
  bool found = false;
  for (const auto& e : mf->GetArray()) {
    if (StringAt(e, "subresource") != "scale") continue;
    found = true;
    EXPECT_EQ(StringAt(e, "manager"), "unit-test");
    EXPECT_EQ(StringAt(e, "apiVersion"), "apps/v1");
    EXPECT_EQ(Compact(*At(e, "fieldsV1")), "{\"f:spec\":{\"f:replicas\":{}}}");
  }
  EXPECT_TRUE(found) << Compact(*mf);

  std::string rv = StringAt(deploy, "metadata.resourceVersion");
  auto put = Call(
      "PUT", kScale,
      R"({"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"web","resourceVersion":")" +
          rv + R"("},"spec":{"replicas":0}})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(At(Json(put), "spec.replicas"), nullptr);  // omitempty
  auto stale = Call(
      "PUT", kScale,
      R"({"metadata":{"name":"web","resourceVersion":")" + rv + R"("},"spec":{"replicas":1}})");
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(StringAt(Json(stale), "message"),
            "Operation cannot be fulfilled on deployments.apps \"web\": the object has been "
            "modified; please apply your changes to the latest version and try again");
  auto negative =
      Call("PATCH", kScale, R"({"spec":{"replicas":-1}})", "application/merge-patch+json");
  EXPECT_EQ(negative.status, 422);
  EXPECT_EQ(StringAt(Json(negative), "message"),
            "Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be "
            "greater than or equal to 0");
  // A no-op write answers the current scale without a new resourceVersion.
  std::string before = StringAt(Json(Call("GET", kScale)), "metadata.resourceVersion");
  auto same = Call("PATCH", kScale, R"({"spec":{"replicas":0}})", "application/merge-patch+json");
  EXPECT_EQ(StringAt(Json(same), "metadata.resourceVersion"), before);
}

TEST_F(ScaleTest, StatefulSetsAndCustomResourcesScaleToo) {
  auto sts = Call(
      "POST", "/apis/apps/v1/namespaces/demo/statefulsets",
      R"({"metadata":{"name":"db"},"spec":{"serviceName":"db","selector":{"matchLabels":{"app":"db"}},"template":{"metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"db","image":"postgres:16"}]}}}})");
  ASSERT_EQ(sts.status, 201) << sts.body;
  auto s = Call("PATCH", "/apis/apps/v1/namespaces/demo/statefulsets/db/scale",
                R"({"spec":{"replicas":3}})", "application/merge-patch+json");
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(StringAt(Json(s), "status.selector"), "app=db");
  EXPECT_EQ(
      IntAt(Json(Call("GET", "/apis/apps/v1/namespaces/demo/statefulsets/db")), "spec.replicas")
          .value_or(0),
      3);

  auto crd = Call(
      "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
      R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"pools.example.io"},"spec":{"group":"example.io","names":{"kind":"Pool","plural":"pools"},"scope":"Namespaced","versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{},"scale":{"specReplicasPath":".spec.size","statusReplicasPath":".status.ready","labelSelectorPath":".status.selector"}},"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","properties":{"size":{"type":"integer"}}},"status":{"type":"object","properties":{"ready":{"type":"integer"},"selector":{"type":"string"}}}}}}}]}})");
  ASSERT_EQ(crd.status, 201) << crd.body;
  ASSERT_EQ(Call("POST", "/apis/example.io/v1/namespaces/demo/pools",
                 R"({"metadata":{"name":"p"},"spec":{"size":1}})")
                .status,
            201);
  auto cs = Call("PATCH", "/apis/example.io/v1/namespaces/demo/pools/p/scale",
                 R"({"spec":{"replicas":4}})", "application/merge-patch+json");
  ASSERT_EQ(cs.status, 200) << cs.body;
  EXPECT_EQ(IntAt(Json(Call("GET", "/apis/example.io/v1/namespaces/demo/pools/p")), "spec.size")
                .value_or(0),
            4);
  // Kinds without a scale subresource answer 404 for it.
  EXPECT_EQ(Call("GET", "/api/v1/namespaces/demo/secrets/x/scale").status, 404);
}

}  // namespace
}  // namespace vaultsync::kubeemu
