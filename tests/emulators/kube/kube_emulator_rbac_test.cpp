// RBAC mode (--authorization-mode RBAC): ServiceAccount tokens get exactly what their
// bindings grant, with the apiserver's 403 wording.
#include "emulator_fixture.h"

namespace vaultsync::kubeemu {
namespace {

EmulatorOptions RbacOptions() {
  EmulatorOptions o;
  o.admin_token = kToken;
  o.rbac = true;
  return o;
}

class RbacTest : public KubeEmulatorTest {
 protected:
  RbacTest() : KubeEmulatorTest(RbacOptions()) {}
  void SetUp() override {
    CreateNamespace("demo");
    ASSERT_EQ(
        Call("POST", "/api/v1/namespaces/demo/serviceaccounts", R"({"metadata":{"name":"robot"}})")
            .status,
        201);
    auto t = Call("POST", "/api/v1/namespaces/demo/serviceaccounts/robot/token", "{}");
    ASSERT_EQ(t.status, 201);
    robot_ = StringAt(Json(t), "status.token");
  }
  ServerResponse AsRobot(const std::string& method, const std::string& target,
                         const std::string& body = "") {
    token_ = robot_;
    auto r = Call(method, target, body);
    token_ = kToken;
    return r;
  }
  void Post(const std::string& path, const std::string& body) {
    auto r = Call("POST", path, body);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  std::string robot_;
};

TEST_F(RbacTest, DeniesWithoutBindingsButAllowsDiscovery) {
  EXPECT_EQ(AsRobot("GET", "/api/v1").status, 200);
  auto list = AsRobot("GET", "/api/v1/namespaces/demo/secrets");
  EXPECT_EQ(list.status, 403);
  EXPECT_EQ(StringAt(Json(list), "message"),
            "secrets is forbidden: User \"system:serviceaccount:demo:robot\" cannot list resource "
            "\"secrets\" in API group \"\" in the namespace \"demo\"");
  auto ns = AsRobot("GET", "/api/v1/namespaces/demo");
  EXPECT_EQ(
      StringAt(Json(ns), "message"),
      "namespaces \"demo\" is forbidden: User \"system:serviceaccount:demo:robot\" cannot get "
      "resource \"namespaces\" in API group \"\" at the cluster scope");
  auto lease = AsRobot("GET", "/apis/coordination.k8s.io/v1/namespaces/demo/leases?watch=true");
  EXPECT_EQ(lease.status, 403);
  EXPECT_FALSE(lease.stream);
  EXPECT_EQ(StringAt(Json(lease), "details.group"), "coordination.k8s.io");
}

TEST_F(RbacTest, RoleBindingGrantsItsRulesOnly) {
  Post(
      "/apis/rbac.authorization.k8s.io/v1/namespaces/demo/roles",
      R"({"metadata":{"name":"secret-reader"},"rules":[{"apiGroups":[""],"resources":["secrets"],"verbs":["get","list"]},{"apiGroups":[""],"resources":["configmaps"],"resourceNames":["allowed"],"verbs":["get"]}]})");
  Post(
      "/apis/rbac.authorization.k8s.io/v1/namespaces/demo/rolebindings",
      R"({"metadata":{"name":"robot-reads"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"secret-reader"},"subjects":[{"kind":"ServiceAccount","name":"robot","namespace":"demo"}]})");
  EXPECT_EQ(AsRobot("GET", "/api/v1/namespaces/demo/secrets").status, 200);
  EXPECT_EQ(AsRobot("GET", "/api/v1/namespaces/demo/secrets?watch=true").status, 403);
  EXPECT_EQ(
      AsRobot("POST", "/api/v1/namespaces/demo/secrets", R"({"metadata":{"name":"x"}})").status,
      403);
  EXPECT_EQ(AsRobot("GET", "/api/v1/namespaces/default/secrets").status, 403);
  EXPECT_EQ(AsRobot("GET", "/api/v1/namespaces/demo/configmaps/allowed").status, 404);  // allowed
  EXPECT_EQ(AsRobot("GET", "/api/v1/namespaces/demo/configmaps/other").status, 403);
}

TEST_F(RbacTest, ClusterRoleBindingToBootstrapRoles) {
  EXPECT_EQ(
      AsRobot("POST", "/apis/authentication.k8s.io/v1/tokenreviews", R"({"spec":{"token":"x"}})")
          .status,
      403);
  Post(
      "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
      R"({"metadata":{"name":"robot-reviews"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:auth-delegator"},"subjects":[{"kind":"ServiceAccount","name":"robot","namespace":"demo"}]})");
  EXPECT_EQ(
      AsRobot("POST", "/apis/authentication.k8s.io/v1/tokenreviews", R"({"spec":{"token":"x"}})")
          .status,
      201);
  Post(
      "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
      R"({"metadata":{"name":"robot-admin"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},"subjects":[{"kind":"Group","name":"system:serviceaccounts:demo"}]})");
  EXPECT_EQ(AsRobot("GET", "/api/v1/namespaces").status, 200);
}

TEST_F(RbacTest, SelfSubjectAccessReviewsAnswerFromTheBindings) {
  const std::string path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
  const std::string get_secrets =
      R"({"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"verb":"get","resource":"secrets","namespace":"demo"}}})";
  // Every authenticated user may ask (bootstrap system:basic-user); the answer is "no" until a
  // binding grants it, with no reason.
  auto denied = AsRobot("POST", path, get_secrets);
  ASSERT_EQ(denied.status, 201) << denied.body;
  EXPECT_EQ(Compact(*At(Json(denied), "status")), R"({"allowed":false})");
  Post(
      "/apis/rbac.authorization.k8s.io/v1/namespaces/demo/roles",
      R"({"metadata":{"name":"secret-reader"},"rules":[{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}]})");
  Post(
      "/apis/rbac.authorization.k8s.io/v1/namespaces/demo/rolebindings",
      R"({"metadata":{"name":"robot-reads"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"secret-reader"},"subjects":[{"kind":"ServiceAccount","name":"robot"}]})");
  auto allowed = AsRobot("POST", path, get_secrets);
  ASSERT_EQ(allowed.status, 201) << allowed.body;
  auto doc = Json(allowed);
  EXPECT_EQ(
      Compact(*At(doc, "status")),
      R"({"allowed":true,"reason":"RBAC: allowed by RoleBinding \"robot-reads/demo\" of Role \"secret-reader\" to ServiceAccount \"robot/demo\""})");
  EXPECT_EQ(Compact(*At(doc, "spec")),
            R"({"resourceAttributes":{"namespace":"demo","verb":"get","resource":"secrets"}})");
  const json::Value* mf = At(doc, "metadata.managedFields");
  ASSERT_TRUE(mf != nullptr && mf->IsArray() && mf->Size() == 1) << allowed.body;
  EXPECT_EQ(StringAt((*mf)[0], "manager"), "unit-test");
  EXPECT_EQ(
      Compact(*At((*mf)[0], "fieldsV1")),
      R"({"f:spec":{"f:resourceAttributes":{".":{},"f:namespace":{},"f:resource":{},"f:verb":{}}}})");
}

TEST_F(RbacTest, SubjectAccessAndRulesReviews) {
  // A SubjectAccessReview needs system:auth-delegator; the admin asks about the robot.
  auto sar = Call(
      "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
      R"({"spec":{"user":"system:serviceaccount:demo:robot","groups":["system:authenticated"],"nonResourceAttributes":{"path":"/version","verb":"get"}}})");
  ASSERT_EQ(sar.status, 201) << sar.body;
  EXPECT_EQ(
      Compact(*At(Json(sar), "status")),
      R"({"allowed":true,"reason":"RBAC: allowed by ClusterRoleBinding \"system:discovery\" of ClusterRole \"system:discovery\" to Group \"system:authenticated\""})");
  auto missing = Call("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                      R"({"spec":{"resourceAttributes":{"verb":"get","resource":"pods"}}})");
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(StringAt(Json(missing), "message"),
            "SubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.user,spec.groups: "
            "Invalid value: \"\": at least one of user or group must be specified");
  auto local = Call(
      "POST", "/apis/authorization.k8s.io/v1/namespaces/demo/localsubjectaccessreviews",
      R"({"spec":{"user":"u","resourceAttributes":{"namespace":"other","verb":"get","resource":"pods"}}})");
  EXPECT_EQ(local.status, 422);
  auto rules = AsRobot("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                       R"({"spec":{"namespace":"demo"}})");
  ASSERT_EQ(rules.status, 201) << rules.body;
  std::string status = Compact(*At(Json(rules), "status"));
  EXPECT_NE(
      status.find(
          R"({"verbs":["create"],"apiGroups":["authorization.k8s.io"],"resources":["selfsubjectaccessreviews","selfsubjectrulesreviews"]})"),
      std::string::npos)
      << status;
  EXPECT_NE(status.find(R"("incomplete":false)"), std::string::npos);
}

}  // namespace
}  // namespace vaultsync::kubeemu
