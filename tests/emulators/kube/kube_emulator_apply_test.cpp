// Server-side apply: create when absent, merge by the type's structure, field ownership in
// managedFields, conflicts (409) with other managers unless forced, shared ownership of equal
// values, pruning of fields an applier stops applying, status and custom resources.
#include "emulator_fixture.h"

namespace vaultsync::kubeemu {
namespace {

constexpr char kApplyType[] = "application/apply-patch+yaml";

class ApplyTest : public KubeEmulatorTest {
 protected:
  void SetUp() override { CreateNamespace("demo"); }
  ServerResponse Apply(const std::string& path, const std::string& manager, const std::string& body,
                       bool force = false) {
    return Call("PATCH", path + "?fieldManager=" + manager + (force ? "&force=true" : ""), body,
                kApplyType);
  }
  // The managedFields entry of (manager, operation), or nullptr.
  static const json::Value* Entry(const json::Value& obj, const std::string& manager,
                                  const std::string& operation) {
    const json::Value* mf = At(obj, "metadata.managedFields");
    if (mf == nullptr || !mf->IsArray()) return nullptr;
    for (const auto& e : mf->GetArray()) {
      if (StringAt(e, "manager") == manager && StringAt(e, "operation") == operation) return &e;
    }
    return nullptr;
  }
  const std::string kCm = "/api/v1/namespaces/demo/configmaps/cfg";
  const std::string kDeploy = "/apis/apps/v1/namespaces/demo/deployments/web";
};

TEST_F(ApplyTest, CreatesWhenAbsentAndOwnsExactlyTheAppliedFields) {
  auto r = Apply(kDeploy, "ops", R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports: [{containerPort: 80}]
)");
  ASSERT_EQ(r.status, 201) << r.body;
  auto obj = Json(r);
  EXPECT_EQ(StringAt(obj, "spec.strategy.type"), "RollingUpdate");  // defaults still apply
  const json::Value* e = Entry(obj, "ops", "Apply");
  ASSERT_NE(e, nullptr) << r.body;
  EXPECT_EQ(StringAt(*e, "apiVersion"), "apps/v1");
  EXPECT_EQ(
      Compact(*At(*e, "fieldsV1")),
      R"({"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}})");
  // Applying the same configuration again changes nothing, not even the resourceVersion.
  std::string rv = StringAt(obj, "metadata.resourceVersion");
  auto again = Apply(
      kDeploy, "ops",
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx:1.25","ports":[{"containerPort":80}]}]}}}})");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(StringAt(Json(again), "metadata.resourceVersion"), rv);
}

TEST_F(ApplyTest, ConflictsWithAnotherManagerUnlessForced) {
  ASSERT_EQ(Call("POST", "/api/v1/namespaces/demo/configmaps?fieldManager=creator",
                 R"({"metadata":{"name":"cfg"},"data":{"a":"1","b":"2"}})")
                .status,
            201);
  const std::string config =
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"a":"9","b":"8"}})";
  auto conflict = Apply(kCm, "ops", config);
  EXPECT_EQ(conflict.status, 409);
  auto c = Json(conflict);
  EXPECT_EQ(StringAt(c, "reason"), "Conflict");
  EXPECT_EQ(StringAt(c, "message"),
            "Apply failed with 2 conflicts: conflicts with \"creator\" using v1:\n- .data.a\n- "
            ".data.b");
  EXPECT_EQ(
      Compact(*At(c, "details")),
      R"({"causes":[{"reason":"FieldManagerConflict","message":"conflict with \"creator\" using v1","field":".data.a"},{"reason":"FieldManagerConflict","message":"conflict with \"creator\" using v1","field":".data.b"}]})");
  EXPECT_EQ(StringAt(Json(Call("GET", kCm)), "data.a"), "1");  // nothing written

  // Equal values are shared without conflict; forcing takes the rest over.
  auto shared =
      Apply(kCm, "ops",
            R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"a":"1"}})");
  ASSERT_EQ(shared.status, 200) << shared.body;
  auto s = Json(shared);
  EXPECT_EQ(Compact(*At(*Entry(s, "ops", "Apply"), "fieldsV1")), R"({"f:data":{"f:a":{}}})");
  EXPECT_EQ(Compact(*At(*Entry(s, "creator", "Update"), "fieldsV1")),
            R"({"f:data":{".":{},"f:a":{},"f:b":{}}})");
  // Changing a co-owned field is a conflict too; here only b changes.
  auto single = Apply(
      kCm, "ops",
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"a":"1","b":"8"}})");
  EXPECT_EQ(StringAt(Json(single), "message"),
            "Apply failed with 1 conflict: conflict with \"creator\" using v1: .data.b");
  auto forced = Apply(kCm, "ops", config, true);
  ASSERT_EQ(forced.status, 200) << forced.body;
  auto f = Json(forced);
  EXPECT_EQ(StringAt(f, "data.a"), "9");
  EXPECT_EQ(StringAt(f, "data.b"), "8");
  EXPECT_EQ(Compact(*At(*Entry(f, "creator", "Update"), "fieldsV1")), R"({"f:data":{}})");
  EXPECT_EQ(Compact(*At(*Entry(f, "ops", "Apply"), "fieldsV1")),
            R"({"f:data":{"f:a":{},"f:b":{}}})");
}

TEST_F(ApplyTest, FieldsAnApplierStopsApplyingArePrunedUnlessSomeoneElseOwnsThem) {
  ASSERT_EQ(
      Apply(
          kCm, "a",
          R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","labels":{"x":"1","y":"2"}},"data":{"k":"v","shared":"s"}})")
          .status,
      201);
  ASSERT_EQ(
      Apply(
          kCm, "b",
          R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"shared":"s"}})")
          .status,
      200);
  auto r = Apply(
      kCm, "a",
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","labels":{"x":"1"}},"data":{}})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto obj = Json(r);
  EXPECT_EQ(At(obj, "metadata.labels.y"), nullptr);  // pruned
  EXPECT_EQ(At(obj, "data.k"), nullptr);             // pruned
  EXPECT_EQ(StringAt(obj, "data.shared"), "s");      // still owned by b
  auto gone =
      Apply(kCm, "b", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"}})");
  EXPECT_EQ(At(Json(gone), "data.shared"), nullptr);
}

TEST_F(ApplyTest, AssociativeListsMergeByKeyAcrossAppliers) {
  const std::string base =
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx:1.25"}]}}}})";
  ASSERT_EQ(Apply(kDeploy, "a", base).status, 201);
  auto sidecar = Apply(
      kDeploy, "b",
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"proxy","image":"envoy:1"}]}}}})");
  ASSERT_EQ(sidecar.status, 200) << sidecar.body;
  auto merged = Json(sidecar);
  const json::Value* cs = At(merged, "spec.template.spec.containers");
  ASSERT_EQ(cs->Size(), 2u);
  EXPECT_EQ(StringAt((*cs)[0], "name"), "web");
  EXPECT_EQ(StringAt((*cs)[1], "name"), "proxy");
  // b changing a's container image conflicts with a.
  auto conflict = Apply(
      kDeploy, "b",
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}}})");
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(StringAt(Json(conflict), "message"),
            "Apply failed with 1 conflict: conflict with \"a\": "
            ".spec.template.spec.containers[name=\"web\"].image");
}

TEST_F(ApplyTest, ClientsMayRewriteOrResetManagedFields) {
  ASSERT_EQ(Call("POST", "/api/v1/namespaces/demo/configmaps?fieldManager=creator",
                 R"({"metadata":{"name":"cfg"},"data":{"a":"1"}})")
                .status,
            201);
  // kubectl's client-side-apply upgrade: a JSON patch handing the fields to another manager.
  auto moved = Call(
      "PATCH", kCm,
      R"([{"op":"replace","path":"/metadata/managedFields","value":[{"manager":"ops","operation":"Apply","apiVersion":"v1","time":"2026-01-01T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:a":{}}}}]}])",
      "application/json-patch+json");
  ASSERT_EQ(moved.status, 200) << moved.body;
  auto m = Json(moved);
  EXPECT_EQ(Entry(m, "creator", "Update"), nullptr);
  ASSERT_NE(Entry(m, "ops", "Apply"), nullptr) << moved.body;
  // ops now owns data.a: applying without it prunes it.
  auto pruned =
      Apply(kCm, "ops", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"}})");
  EXPECT_EQ(At(Json(pruned), "data.a"), nullptr) << pruned.body;
  // [{}] resets the managed fields; an update without managedFields keeps the live ones.
  auto reset =
      Call("PATCH", kCm, R"({"metadata":{"managedFields":[{}]}})", "application/merge-patch+json");
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(At(Json(reset), "metadata.managedFields"), nullptr) << reset.body;
}

TEST_F(ApplyTest, RejectsWhatTheApiserverRejects) {
  auto no_manager = Call("PATCH", kCm, R"({"apiVersion":"v1","kind":"ConfigMap"})", kApplyType);
  EXPECT_EQ(no_manager.status, 422);
  EXPECT_EQ(StringAt(Json(no_manager), "message"),
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required "
            "for apply patch");
  auto wrong_version = Apply(kCm, "ops", "apiVersion: apps/v1\nkind: ConfigMap\n");
  EXPECT_EQ(wrong_version.status, 400);
  EXPECT_EQ(StringAt(Json(wrong_version), "message"),
            "Incorrect version specified in apply patch. Specified patch version: apps/v1, "
            "expected: v1");
  auto bad_yaml = Apply(kCm, "ops", "apiVersion: [v1\n");
  EXPECT_EQ(bad_yaml.status, 400);
  auto other_name =
      Apply(kCm, "ops", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}})");
  EXPECT_EQ(other_name.status, 400);
}

TEST_F(ApplyTest, CustomResourcesTheirCrdAndStatus) {
  // A CRD installed by apply is established like a created one.
  auto crd =
      Apply("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/pools.example.io", "installer",
            R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: pools.example.io}
spec:
  group: example.io
  names: {kind: Pool, plural: pools}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              members:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  properties: {name: {type: string}, weight: {type: integer}}
              tags: {type: array, items: {type: string}}
          status:
            type: object
            properties: {ready: {type: boolean}}
)");
  ASSERT_EQ(crd.status, 201) << crd.body;
  const std::string pool = "/apis/example.io/v1/namespaces/demo/pools/p";
  ASSERT_EQ(
      Apply(
          pool, "a",
          R"({"apiVersion":"example.io/v1","kind":"Pool","metadata":{"name":"p"},"spec":{"members":[{"name":"x","weight":1}],"tags":["t1"]}})")
          .status,
      201);
  auto b = Apply(
      pool, "b",
      R"({"apiVersion":"example.io/v1","kind":"Pool","metadata":{"name":"p"},"spec":{"members":[{"name":"y","weight":2}]}})");
  ASSERT_EQ(b.status, 200) << b.body;
  auto obj = Json(b);
  EXPECT_EQ(At(obj, "spec.members")->Size(), 2u);  // listType map: merged by name
  EXPECT_EQ(
      Compact(*At(*Entry(obj, "b", "Apply"), "fieldsV1")),
      R"({"f:spec":{"f:members":{"k:{\"name\":\"y\"}":{".":{},"f:name":{},"f:weight":{}}}}})");
  // An atomic list (the default for CRDs) is owned and replaced whole.
  auto tags = Apply(
      pool, "b",
      R"({"apiVersion":"example.io/v1","kind":"Pool","metadata":{"name":"p"},"spec":{"members":[{"name":"y","weight":2}],"tags":["t2"]}})");
  EXPECT_EQ(tags.status, 409);
  EXPECT_EQ(StringAt(Json(tags), "message"),
            "Apply failed with 1 conflict: conflict with \"a\": .spec.tags");
  auto status = Call(
      "PATCH", pool + "/status?fieldManager=controller",
      R"({"apiVersion":"example.io/v1","kind":"Pool","metadata":{"name":"p"},"status":{"ready":true},"spec":{"tags":["ignored"]}})",
      kApplyType);
  ASSERT_EQ(status.status, 200) << status.body;
  auto st = Json(status);
  EXPECT_TRUE(At(st, "status.ready")->GetBool());
  EXPECT_EQ(Compact(*At(st, "spec.tags")), R"(["t1"])");
  const json::Value* e = Entry(st, "controller", "Apply");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(StringAt(*e, "subresource"), "status");
  EXPECT_EQ(Compact(*At(*e, "fieldsV1")), R"({"f:status":{"f:ready":{}}})");
}

}  // namespace
}  // namespace vaultsync::kubeemu
