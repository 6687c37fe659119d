// CRD validation rules (x-kubernetes-validations) end to end: rules compile when the CRD is
// written (a rule outside the CEL subset refuses the CRD), custom objects are checked with
// the apiserver's 422 wording and the field path of the node carrying the rule, transition
// rules see the old object on updates only, and structural errors stop rule evaluation.
#include "emulator_fixture.h"

namespace vaultsync::kubeemu {
namespace {

constexpr char kCrd[] = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
constexpr char kSecrets[] = "/apis/example.io/v1/namespaces/demo/secretsyncs";

std::string CrdWithRules(const std::string& spec_rules, const std::string& path_rules) {
  return R"J({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"secretsyncs.example.io"},"spec":{"group":"example.io","names":{"kind":"SecretSync","plural":"secretsyncs"},"scope":"Namespaced","versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":)J" +
         spec_rules +
         R"J(,"properties":{"type":{"type":"string","enum":["kv-v1","kv-v2"],"default":"kv-v2"},"version":{"type":"integer"},"path":{"type":"string","x-kubernetes-validations":)J" +
         path_rules + R"J(},"keys":{"type":"array","items":{"type":"string"}}}}}}}}]}})J";
}

class CelRulesTest : public KubeEmulatorTest {
 protected:
  void SetUp() override { CreateNamespace("demo"); }
  void InstallCrd() {
    auto r = Call(
        "POST", kCrd,
        CrdWithRules(
            R"J([{"rule":"!(self.type == 'kv-v1' && has(self.version))","message":"version is only valid with type kv-v2"},{"rule":"!has(oldSelf.version) || (has(self.version) && self.version >= oldSelf.version)","message":"version may not go back"},{"rule":"!has(self.keys) || self.keys.all(k, k.size() > 0)"}])J",
            R"J([{"rule":"!self.startsWith('/') && !self.contains('..')"}])J"));
    ASSERT_EQ(r.status, 201) << r.body;
  }
  ServerResponse Create(const std::string& name, const std::string& spec) {
    return Call("POST", kSecrets,
                R"J({"apiVersion":"example.io/v1","kind":"SecretSync","metadata":{"name":")J" +
                    name + R"J("},"spec":)J" + spec + "}");
  }
};

TEST_F(CelRulesTest, ObjectsBreakingARuleAreRefusedWithItsMessage) {
  InstallCrd();
  EXPECT_EQ(Create("ok", R"J({"type":"kv-v2","version":2,"path":"app/db"})J").status, 201);
  auto v1 = Create("v1", R"J({"type":"kv-v1","version":2,"path":"app/db"})J");
  EXPECT_EQ(v1.status, 422);
  auto e = Json(v1);
  EXPECT_EQ(StringAt(e, "message"),
            "SecretSync.example.io \"v1\" is invalid: spec: Invalid value: \"object\": version is "
            "only valid with type kv-v2");
  EXPECT_EQ(
      Compact(*At(e, "details.causes")),
      R"J([{"reason":"FieldValueInvalid","message":"Invalid value: \"object\": version is only valid with type kv-v2","field":"spec"}])J");
  auto path = Create("abs", R"J({"path":"/etc/../x","keys":["a",""]})J");
  EXPECT_EQ(path.status, 422);
  EXPECT_EQ(StringAt(Json(path), "message"),
            "SecretSync.example.io \"abs\" is invalid: [spec: Invalid value: \"object\": failed "
            "rule: !has(self.keys) || self.keys.all(k, k.size() > 0), spec.path: Invalid value: "
            "\"string\": failed rule: !self.startsWith('/') && !self.contains('..')]");
}

TEST_F(CelRulesTest, TransitionRulesApplyToUpdatesOnly) {
  InstallCrd();
  ASSERT_EQ(Create("t", R"J({"version":5,"path":"a"})J").status, 201);
  auto back = Call("PATCH", std::string(kSecrets) + "/t", R"J({"spec":{"version":4}})J",
                   "application/merge-patch+json");
  EXPECT_EQ(back.status, 422);
  EXPECT_EQ(StringAt(Json(back), "message"),
            "SecretSync.example.io \"t\" is invalid: spec: Invalid value: \"object\": version may "
            "not go back");
  EXPECT_EQ(Call("PATCH", std::string(kSecrets) + "/t", R"J({"spec":{"version":6}})J",
                 "application/merge-patch+json")
                .status,
            200);
}

TEST_F(CelRulesTest, StructuralErrorsStopRuleEvaluationAndRuntimeErrorsAreReported) {
  InstallCrd();
  auto typed = Create("bad", R"J({"type":"kv-v3","version":2,"path":"/x"})J");
  EXPECT_EQ(typed.status, 422);
  EXPECT_EQ(StringAt(Json(typed), "message"),
            "SecretSync.example.io \"bad\" is invalid: [spec.type: Unsupported value: \"kv-v3\": "
            "supported values: \"kv-v1\", \"kv-v2\", <nil>: Invalid value: \"null\": some "
            "validation rules were not checked because the object was invalid; correct the "
            "existing errors to complete validation]");
}

TEST_F(CelRulesTest, ACrdWithARuleOutsideTheSubsetIsRefused) {
  auto r = Call("POST", kCrd,
                CrdWithRules(R"J([{"rule":"self.path.lowerAscii() == self.path"}])J", "[]"));
  EXPECT_EQ(r.status, 422);
  auto e = Json(r);
  const json::Value* causes = At(e, "details.causes");
  ASSERT_TRUE(causes != nullptr && causes->Size() == 1) << r.body;
  EXPECT_EQ(StringAt((*causes)[0], "field"),
            "spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0]."
            "rule");
  EXPECT_EQ(StringAt((*causes)[0], "message"),
            "Invalid value: apiextensions.ValidationRule{Rule:\"self.path.lowerAscii() == "
            "self.path\", Message:\"\"}: compilation failed: ERROR: <input>:1:21: the kube "
            "emulator's CEL subset does not support 'lowerAscii' here\n | self.path.lowerAscii() "
            "== self.path\n | ....................^");
  auto undefined = Call("POST", kCrd, CrdWithRules(R"J([{"rule":"self.nmae == 'x'"}])J", "[]"));
  EXPECT_EQ(undefined.status, 422);
  EXPECT_NE(StringAt(Json(undefined), "message").find("undefined field 'nmae'"), std::string::npos);
}

}  // namespace
}  // namespace vaultsync::kubeemu
