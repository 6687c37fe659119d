// Object lifecycles as a cluster runs them: finalizers, garbage collection through
// ownerReferences, namespace deletion, ServiceAccount tokens (TokenRequest, TokenReview,
// authentication, expiry on emulator time), built-in write rules (Lease MicroTime, Event
// count patches, Deployment defaults and generation) and watch stream behaviour.
#include <thread>

#include "emulator_fixture.h"
#include "jwt.h"

namespace vaultsync::kubeemu {
namespace {

class LifecycleTest : public KubeEmulatorTest {
 protected:
  void SetUp() override { CreateNamespace("demo"); }

  std::string CreateConfigMap(const std::string& name, const std::string& metadata_extra = "") {
    auto r = Call("POST", "/api/v1/namespaces/demo/configmaps",
                  "{\"metadata\":{\"name\":\"" + name + "\"" + metadata_extra + "}}");
    EXPECT_EQ(r.status, 201) << r.body;
    return StringAt(Json(r), "metadata.uid");
  }

  std::string OwnedSecret(const std::string& name, const std::string& owner_uid) {
    return "{\"metadata\":{\"name\":\"" + name +
           "\",\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":"
           "\"owner\",\"uid\":\"" +
           owner_uid + "\",\"controller\":true}]},\"data\":{}}";
  }

  std::string IssueToken(const std::string& sa, const std::string& audiences, int seconds = 600) {
    auto r = Call("POST", "/api/v1/namespaces/demo/serviceaccounts/" + sa + "/token",
                  "{\"spec\":{\"audiences\":" + audiences +
                      ",\"expirationSeconds\":" + std::to_string(seconds) + "}}");
    EXPECT_EQ(r.status, 201) << r.body;
    return StringAt(Json(r), "status.token");
  }

  json::Document Review(const std::string& token, const std::string& audiences) {
    std::string spec = "{\"token\":" + json::Quote(token) +
                       (audiences.empty() ? "" : ",\"audiences\":" + audiences) + "}";
    auto r = Call("POST", "/apis/authentication.k8s.io/v1/tokenreviews",
                  "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\","
                  "\"spec\":" +
                      spec + "}");
    EXPECT_EQ(r.status, 201) << r.body;
    return Json(r);
  }
};

TEST_F(LifecycleTest, FinalizersHoldDeletionUntilRemoved) {
  CreateConfigMap("held", ",\"finalizers\":[\"example.com/cleanup\"]");
  auto del = Call("DELETE", "/api/v1/namespaces/demo/configmaps/held");
  ASSERT_EQ(del.status, 200);
  auto obj = Json(del);
  EXPECT_EQ(StringAt(obj, "kind"), "ConfigMap");  // the object, not a Status
  EXPECT_FALSE(StringAt(obj, "metadata.deletionTimestamp").empty());
  EXPECT_EQ(Call("GET", "/api/v1/namespaces/demo/configmaps/held").status, 200);
  auto patched = Call("PATCH", "/api/v1/namespaces/demo/configmaps/held",
                      R"({"metadata":{"finalizers":null}})", "application/merge-patch+json");
  EXPECT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Call("GET", "/api/v1/namespaces/demo/configmaps/held").status, 404);
}

TEST_F(LifecycleTest, GarbageCollectsDependentsUnlessOrphaned) {
  std::string uid = CreateConfigMap("owner");
  ASSERT_EQ(Call("POST", "/api/v1/namespaces/demo/secrets", OwnedSecret("dep", uid)).status, 201);
  ASSERT_EQ(Call("DELETE", "/api/v1/namespaces/demo/configmaps/owner").status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/namespaces/demo/secrets/dep").status, 404);

  uid = CreateConfigMap("owner");
  ASSERT_EQ(Call("POST", "/api/v1/namespaces/demo/secrets", OwnedSecret("kept", uid)).status, 201);
  auto del = Call("DELETE", "/api/v1/namespaces/demo/configmaps/owner",
                  R"({"propagationPolicy":"Orphan"})");
  ASSERT_EQ(del.status, 200);
  auto kept = Call("GET", "/api/v1/namespaces/demo/secrets/kept");
  ASSERT_EQ(kept.status, 200);
  EXPECT_EQ(At(Json(kept), "metadata.ownerReferences"), nullptr);
}

TEST_F(LifecycleTest, CollectsADependentCreatedOrUpdatedWithEveryOwnerGone) {
  // The collector verifies owners of new and changed objects too: a dependent whose owners
  // are all absent (by name, or present under another uid) is deleted after the write succeeds.
  std::string uid = CreateConfigMap("owner");
  ASSERT_EQ(Call("DELETE", "/api/v1/namespaces/demo/configmaps/owner").status, 200);
  ASSERT_EQ(Call("POST", "/api/v1/namespaces/demo/secrets", OwnedSecret("late", uid)).status, 201);
  EXPECT_EQ(Call("GET", "/api/v1/namespaces/demo/secrets/late").status, 404);

  std::string fresh_uid = CreateConfigMap("owner");  // same name, new uid
  ASSERT_NE(fresh_uid, uid);
  ASSERT_EQ(Call("POST", "/api/v1/namespaces/demo/secrets", OwnedSecret("stale", uid)).status, 201);
  EXPECT_EQ(Call("GET", "/api/v1/namespaces/demo/secrets/stale").status, 404);

  ASSERT_EQ(Call("POST", "/api/v1/namespaces/demo/secrets", OwnedSecret("live", fresh_uid)).status,
            201);
  EXPECT_EQ(Call("GET", "/api/v1/namespaces/demo/secrets/live").status, 200);
  auto moved = Call("PATCH", "/api/v1/namespaces/demo/secrets/live",
                    R"({"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap",)"
                    R"("name":"owner","uid":")" +
                        uid + R"("}]}})",
                    "application/merge-patch+json");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(Call("GET", "/api/v1/namespaces/demo/secrets/live").status, 404);
}

TEST_F(LifecycleTest, DeletePreconditionsAndGenerateName) {
  auto created = Call("POST", "/api/v1/namespaces/demo/secrets",
                      R"({"metadata":{"generateName":"gen-"},"data":{}})");
  ASSERT_EQ(created.status, 201);
  std::string name = StringAt(Json(created), "metadata.name");
  ASSERT_EQ(name.size(), 9u);
  EXPECT_EQ(name.rfind("gen-", 0), 0u);
  std::string uid = StringAt(Json(created), "metadata.uid");
  auto conflict = Call("DELETE", "/api/v1/namespaces/demo/secrets/" + name,
                       R"({"preconditions":{"uid":"not-the-uid"}})");
  EXPECT_EQ(conflict.status, 409);
  // rest.BeforeDelete's check, which names the kind rather than the resource.
  EXPECT_EQ(StringAt(Json(conflict), "message"),
            "Operation cannot be fulfilled on Secret \"" + name +
                "\": the UID in the precondition (not-the-uid) does not match the UID in record (" +
                uid + "). The object might have been deleted and then recreated");
  EXPECT_EQ(StringAt(Json(conflict), "details.kind"), "Secret");
  auto stale = Call("DELETE", "/api/v1/namespaces/demo/secrets/" + name,
                    R"({"preconditions":{"resourceVersion":"1"}})");
  EXPECT_EQ(stale.status, 409);
  EXPECT_NE(StringAt(Json(stale), "message")
                .find("the ResourceVersion in the precondition (1) does not match the "
                      "ResourceVersion in record ("),
            std::string::npos);
  auto deleted = Json(Call("DELETE", "/api/v1/namespaces/demo/secrets/" + name));
  EXPECT_EQ(StringAt(deleted, "status"), "Success");
  EXPECT_EQ(StringAt(deleted, "details.kind"), "secrets");
}

TEST_F(LifecycleTest, DeletingANamespaceDeletesItsContent) {
  CreateConfigMap("inside");
  auto del = Call("DELETE", "/api/v1/namespaces/demo");
  ASSERT_EQ(del.status, 200);
  EXPECT_EQ(StringAt(Json(del), "status.phase"), "Terminating");
  EXPECT_EQ(Call("GET", "/api/v1/namespaces/demo").status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/namespaces/demo/configmaps/inside").status, 404);
  auto create = Call("POST", "/api/v1/namespaces/demo/secrets", R"({"metadata":{"name":"x"}})");
  EXPECT_EQ(create.status, 404);
  EXPECT_EQ(StringAt(Json(create), "message"), "namespaces \"demo\" not found");
}

TEST_F(LifecycleTest, TokenRequestIssuesServiceAccountJwts) {
  auto r = Call("POST", "/api/v1/namespaces/demo/serviceaccounts/default/token",
                R"({"spec":{"audiences":["vault"],"expirationSeconds":600}})");
  ASSERT_EQ(r.status, 201) << r.body;
  auto doc = Json(r);
  EXPECT_EQ(StringAt(doc, "kind"), "TokenRequest");
  EXPECT_FALSE(StringAt(doc, "status.expirationTimestamp").empty());
  auto parsed = emu::jwt::ParseUnverified(StringAt(doc, "status.token"));
  ASSERT_TRUE(parsed.ok());
  auto header = json::Parse(parsed->header_json);
  auto claims = json::Parse(parsed->claims_json);
  ASSERT_TRUE(header.ok() && claims.ok());
  EXPECT_EQ(StringAt(*header, "alg"), "RS256");
  EXPECT_FALSE(StringAt(*header, "kid").empty());
  EXPECT_EQ(StringAt(*claims, "sub"), "system:serviceaccount:demo:default");
  EXPECT_EQ(StringAt(*claims, "iss"), "https://kubernetes.default.svc.cluster.local");
  EXPECT_EQ(*IntAt(*claims, "exp") - *IntAt(*claims, "iat"), 600);
  const json::Value* k8s = json::Find(*claims, "kubernetes.io");
  ASSERT_NE(k8s, nullptr);
  EXPECT_EQ(StringAt(*k8s, "namespace"), "demo");
  EXPECT_FALSE(StringAt(*At(*k8s, "serviceaccount"), "uid").empty());

  auto short_lived = Call("POST", "/api/v1/namespaces/demo/serviceaccounts/default/token",
                          R"({"spec":{"expirationSeconds":60}})");
  EXPECT_EQ(short_lived.status, 422);
  EXPECT_EQ(Call("POST", "/api/v1/namespaces/demo/serviceaccounts/nobody/token", "{}").status, 404);
}

TEST_F(LifecycleTest, TokenReviewAnswersAsTheApiserver) {
  std::string token = IssueToken("default", "[\"vault\"]");
  auto ok = Review(token, "[\"vault\"]");
  const json::Value* auth = At(ok, "status.authenticated");
  ASSERT_TRUE(auth != nullptr && auth->IsBool() && auth->GetBool()) << Compact(ok);
  EXPECT_EQ(StringAt(ok, "status.user.username"), "system:serviceaccount:demo:default");

  EXPECT_EQ(StringAt(Review(token, ""), "status.error"),
            "[invalid bearer token, token audiences [\"vault\"] is invalid for the target "
            "audiences [\"https://kubernetes.default.svc.cluster.local\"]]");
  EXPECT_EQ(StringAt(Review(token, "[\"other\"]"), "status.error"),
            "[invalid bearer token, token audiences [\"vault\"] is invalid for the target "
            "audiences [\"other\"]]");
  EXPECT_EQ(StringAt(Review("not-a-jwt", "[\"vault\"]"), "status.error"), "invalid bearer token");

  emu_.AdvanceTime(std::chrono::seconds(601));
  EXPECT_EQ(StringAt(Review(token, "[\"vault\"]"), "status.error"),
            "[invalid bearer token, service account token has expired]");

  std::string fresh = IssueToken("default", "[\"vault\"]");
  ASSERT_EQ(Call("DELETE", "/api/v1/namespaces/demo/serviceaccounts/default").status, 200);
  auto gone = Review(fresh, "[\"vault\"]");
  EXPECT_EQ(At(gone, "status.authenticated"), nullptr);
  EXPECT_FALSE(StringAt(gone, "status.error").empty());
}

TEST_F(LifecycleTest, ServiceAccountTokensAuthenticateApiCalls) {
  std::string api_token = IssueToken("default", "[]", 3600);
  std::string vault_token = IssueToken("default", "[\"vault\"]", 3600);
  token_ = api_token;
  EXPECT_EQ(Call("GET", "/api/v1/namespaces/demo/secrets").status, 200);
  token_ = vault_token;  // not meant for the apiserver
  EXPECT_EQ(Call("GET", "/api/v1/namespaces/demo/secrets").status, 401);
  token_ = kToken;
  emu_.AdvanceTime(std::chrono::seconds(3601));
  token_ = api_token;
  EXPECT_EQ(Call("GET", "/api/v1/namespaces/demo/secrets").status, 401);
}

TEST_F(LifecycleTest, LeaseMicroTimeAndEventCountPatches) {
  auto bad = Call(
      "POST", "/apis/coordination.k8s.io/v1/namespaces/demo/leases",
      R"({"metadata":{"name":"l"},"spec":{"holderIdentity":"a","renewTime":"2026-11-23T09:48:02Z"}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(StringAt(Json(bad), "message"),
            "Lease in version \"v1\" cannot be handled as a Lease: parsing time "
            "\"2026-11-23T09:48:02Z\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"Z\" "
            "as \".000000\"");
  EXPECT_EQ(
      Call(
          "POST", "/apis/coordination.k8s.io/v1/namespaces/demo/leases",
          R"({"metadata":{"name":"l"},"spec":{"holderIdentity":"a","renewTime":"2026-11-23T09:48:02.000000Z"}})")
          .status,
      201);

  ASSERT_EQ(
      Call(
          "POST", "/api/v1/namespaces/demo/events",
          R"({"metadata":{"name":"e1"},"involvedObject":{"kind":"Secret","name":"s","namespace":"demo"},"reason":"Synced","message":"m","type":"Normal","count":1})")
          .status,
      201);
  auto bumped = Call("PATCH", "/api/v1/namespaces/demo/events/e1", R"({"count":2,"message":"m2"})",
                     "application/strategic-merge-patch+json");
  ASSERT_EQ(bumped.status, 200) << bumped.body;
  EXPECT_EQ(IntAt(Json(bumped), "count").value_or(0), 2);
  auto listed =
      Json(Call("GET", "/api/v1/namespaces/demo/events?fieldSelector=involvedObject.name%3Ds"));
  EXPECT_EQ(At(listed, "items")->Size(), 1u);
}

TEST_F(LifecycleTest, DeploymentDefaultsAndTemplateAnnotationPatches) {
  auto created = Call(
      "POST", "/apis/apps/v1/namespaces/demo/deployments",
      R"({"metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx:1.25"}]}}}})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto d = Json(created);
  EXPECT_EQ(IntAt(d, "spec.replicas").value_or(0), 1);
  EXPECT_EQ(StringAt(d, "spec.strategy.rollingUpdate.maxSurge"), "25%");
  EXPECT_EQ(IntAt(d, "spec.progressDeadlineSeconds").value_or(0), 600);
  const json::Value& c = (*At(d, "spec.template.spec.containers"))[0];
  EXPECT_EQ(StringAt(c, "imagePullPolicy"), "IfNotPresent");
  EXPECT_EQ(StringAt(d, "spec.template.spec.schedulerName"), "default-scheduler");

  std::string patch =
      R"({"spec":{"template":{"metadata":{"annotations":{"vaultsync.io/secret-hash":"1"}}}}})";
  auto p1 = Json(Call("PATCH", "/apis/apps/v1/namespaces/demo/deployments/web", patch,
                      "application/strategic-merge-patch+json"));
  EXPECT_EQ(IntAt(p1, "metadata.generation").value_or(0), 2);
  auto p2 = Json(Call("PATCH", "/apis/apps/v1/namespaces/demo/deployments/web", patch,
                      "application/merge-patch+json"));
  EXPECT_EQ(IntAt(p2, "metadata.generation").value_or(0), 2);
  EXPECT_EQ(StringAt(p2, "metadata.resourceVersion"), StringAt(p1, "metadata.resourceVersion"));
  // Containers merge by name under strategic merge patch.
  auto p3 = Json(
      Call("PATCH", "/apis/apps/v1/namespaces/demo/deployments/web",
           R"({"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}}})",
           "application/strategic-merge-patch+json"));
  const json::Value& c3 = (*At(p3, "spec.template.spec.containers"))[0];
  EXPECT_EQ(StringAt(c3, "image"), "nginx:1.26");
  EXPECT_EQ(StringAt(c3, "terminationMessagePolicy"), "File");
}

TEST_F(LifecycleTest, LabelSelectedWatchSeesObjectsLeaveAndCutsEndStreams) {
  auto w = Call(
      "GET",
      "/api/v1/namespaces/demo/secrets?watch=true&labelSelector=managed%3Dyes&timeoutSeconds=30");
  ASSERT_TRUE(w.stream);
  CollectingWriter out;
  std::thread reader([&] { w.stream(out); });
  ASSERT_EQ(Call("POST", "/api/v1/namespaces/demo/secrets",
                 R"({"metadata":{"name":"s","labels":{"managed":"yes"}}})")
                .status,
            201);
  ASSERT_EQ(Call("PATCH", "/api/v1/namespaces/demo/secrets/s",
                 R"({"metadata":{"labels":{"managed":"no"}}})", "application/merge-patch+json")
                .status,
            200);
  for (int i = 0; i < 100 && out.Text().find("DELETED") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  emu_.CutWatches();
  reader.join();  // ends promptly instead of after 30s
  std::string text = out.Text();
  EXPECT_NE(text.find("{\"type\":\"ADDED\""), std::string::npos) << text;
  EXPECT_NE(text.find("{\"type\":\"DELETED\""), std::string::npos) << text;
}

TEST_F(LifecycleTest, DryRunValidatesWithoutWriting) {
  auto created = Call("POST", "/api/v1/namespaces/demo/secrets?dryRun=All",
                      R"({"metadata":{"name":"dry"},"stringData":{"k":"v"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(StringAt(Json(created), "data.k"), "dg==");
  EXPECT_EQ(Call("GET", "/api/v1/namespaces/demo/secrets/dry").status, 404);
  EXPECT_EQ(Call("POST", "/api/v1/namespaces/demo/secrets?dryRun=All",
                 R"({"metadata":{"name":"Bad_Name"}})")
                .status,
            422);
  CreateConfigMap("real");
  auto patched = Call("PATCH", "/api/v1/namespaces/demo/configmaps/real?dryRun=All",
                      R"({"data":{"a":"b"}})", "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200);
  EXPECT_EQ(StringAt(Json(patched), "data.a"), "b");
  EXPECT_EQ(At(Json(Call("GET", "/api/v1/namespaces/demo/configmaps/real")), "data"), nullptr);
  EXPECT_EQ(Call("DELETE", "/api/v1/namespaces/demo/configmaps/real?dryRun=All").status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/namespaces/demo/configmaps/real").status, 200);
}

TEST_F(LifecycleTest, TableWatchSendsOneRowTablesWithHeadersFirst) {
  for (const char* n : {"a", "b"}) {
    ASSERT_EQ(Call("POST", "/api/v1/namespaces/demo/secrets",
                   std::string("{\"metadata\":{\"name\":\"") + n + "\"}}")
                  .status,
              201);
  }
  auto w = Call("GET", "/api/v1/namespaces/demo/secrets?watch=true&timeoutSeconds=0", "", "",
                "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
  CollectingWriter out;
  w.stream(out);
  std::string text = out.Text();
  size_t nl = text.find('\n');
  ASSERT_NE(nl, std::string::npos) << text;
  auto first = json::Parse(text.substr(0, nl));
  auto second = json::Parse(text.substr(nl + 1, text.find('\n', nl + 1) - nl - 1));
  ASSERT_TRUE(first.ok() && second.ok()) << text;
  EXPECT_EQ(StringAt(*first, "object.kind"), "Table");
  EXPECT_EQ(At(*first, "object.columnDefinitions")->Size(), 4u);
  EXPECT_TRUE(At(*second, "object.columnDefinitions")->IsNull());
  EXPECT_EQ(At(*second, "object.rows")->Size(), 1u);
}

TEST_F(LifecycleTest, CompactionExpiresExactListsAndContinueTokens) {
  for (const char* n : {"a", "b"}) {
    ASSERT_EQ(Call("POST", "/api/v1/namespaces/demo/secrets",
                   std::string("{\"metadata\":{\"name\":\"") + n + "\"}}")
                  .status,
              201);
  }
  auto page = Json(Call("GET", "/api/v1/namespaces/demo/secrets?limit=1"));
  std::string rv = StringAt(page, "metadata.resourceVersion");
  std::string cont = StringAt(page, "metadata.continue");
  ASSERT_EQ(Call("POST", "/api/v1/namespaces/demo/secrets", R"({"metadata":{"name":"c"}})").status,
            201);
  emu_.CompactStore();
  auto exact = Call(
      "GET", "/api/v1/namespaces/demo/secrets?resourceVersionMatch=Exact&resourceVersion=" + rv);
  EXPECT_EQ(exact.status, 410);
  EXPECT_EQ(StringAt(Json(exact), "reason"), "Expired");
  auto expired = Call("GET", "/api/v1/namespaces/demo/secrets?limit=1&continue=" + cont);
  EXPECT_EQ(expired.status, 410);
  EXPECT_FALSE(StringAt(Json(expired), "metadata.continue").empty());
  EXPECT_EQ(Call("GET", "/api/v1/namespaces/demo/secrets?resourceVersion=99999999").status, 504);
}

}  // namespace
}  // namespace vaultsync::kubeemu
