// Integration tests of the REST client against the kube-emulator: CRUD, optimistic
// concurrency under concurrent updates, 429 with Retry-After, TokenRequest, the status
// subresource, and configuration from the emulator's kubeconfig and from in-cluster env.
#include <gtest/gtest.h>

#include <thread>

#include "emulator_env.h"
#include "kube/config.h"
#include "kube/object.h"
#include "temp_dir.h"
#include "util/base64.h"
#include "util/time_format.h"

namespace vaultsync::kube::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(EmulatorTest, CrudRoundTrip) {
  auto created = client_->Create(resources::Secret(), Secret("app", "djE="));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ObjectMeta m = *ReadObjectMeta(*created);
  EXPECT_FALSE(m.uid.empty());
  EXPECT_EQ(client_->Create(resources::Secret(), Secret("app", "djE=")).status().code(),
            StatusCode::kAlreadyExists);

  auto got = client_->Get(resources::Secret(), "demo", "app");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*json::String((*got)["data"], "k"), "djE=");

  (*got)["data"]["k"] = "djI=";
  auto updated = client_->Update(resources::Secret(), *got);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_NE(ReadObjectMeta(*updated)->resource_version, m.resource_version);

  auto patched = client_->Patch(resources::Secret(), "demo", "app", PatchType::kMerge,
                                R"({"metadata":{"annotations":{"a":"b"}}})");
  ASSERT_TRUE(patched.ok()) << patched.status().ToString();
  auto jpatched = client_->Patch(resources::Secret(), "demo", "app", PatchType::kJson,
                                 R"([{"op":"add","path":"/data/j","value":"eA=="}])");
  ASSERT_TRUE(jpatched.ok()) << jpatched.status().ToString();
  EXPECT_EQ(*json::String((*jpatched)["data"], "j"), "eA==");
  EXPECT_EQ(client_
                ->Patch(resources::Secret(), "demo", "app", PatchType::kJson,
                        R"([{"op":"test","path":"/data/k","value":"bm8="}])")
                .status()
                .code(),
            StatusCode::kInvalidArgument);

  ListOptions lo;
  lo.label_selector = "app=demo";
  auto list = client_->List(resources::Secret(), "demo", lo);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)["items"].Size(), 1u);

  DeleteOptions stale;
  stale.precondition_uid = "00000000-0000-0000-0000-000000000000";
  EXPECT_EQ(client_->Delete(resources::Secret(), "demo", "app", stale).code(),
            StatusCode::kConflict);
  EXPECT_TRUE(client_->Delete(resources::Secret(), "demo", "app").ok());
  EXPECT_EQ(client_->Delete(resources::Secret(), "demo", "app").code(), StatusCode::kNotFound);
  EXPECT_EQ(client_->Get(resources::Secret(), "demo", "app").status().code(),
            StatusCode::kNotFound);
}

TEST_F(EmulatorTest, InvalidObjectsAreInvalidArgument) {
  auto bad_name = client_->Create(resources::Secret(), Secret("Bad_Name", "djE="));
  EXPECT_EQ(bad_name.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_name.status().http_status(), 422);
  EXPECT_NE(bad_name.status().message().find("metadata.name"), std::string::npos);
  auto bad_b64 = client_->Create(resources::Secret(), Secret("bad", "not base64!"));
  EXPECT_EQ(bad_b64.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_b64.status().http_status(), 400);
}

TEST_F(EmulatorTest, ConcurrentUpdatesOneWinsTheOtherConflicts) {
  ASSERT_TRUE(client_->Create(resources::Secret(), Secret("shared", "MA==")).ok());
  auto a = client_->Get(resources::Secret(), "demo", "shared");
  auto b = client_->Get(resources::Secret(), "demo", "shared");
  ASSERT_TRUE(a.ok() && b.ok());
  (*a)["data"]["k"] = "YQ==";
  (*b)["data"]["k"] = "Yg==";
  auto other = NewClient();
  Status ra, rb;
  std::thread ta([&] { ra = client_->Update(resources::Secret(), *a).status(); });
  std::thread tb([&] { rb = other->Update(resources::Secret(), *b).status(); });
  ta.join();
  tb.join();
  EXPECT_NE(ra.ok(), rb.ok()) << ra.ToString() << " / " << rb.ToString();
  const Status& loser = ra.ok() ? rb : ra;
  EXPECT_EQ(loser.code(), StatusCode::kConflict);
  EXPECT_NE(loser.message().find("the object has been modified"), std::string::npos);
  auto now = client_->Get(resources::Secret(), "demo", "shared");
  EXPECT_EQ(*json::String((*now)["data"], "k"), ra.ok() ? "YQ==" : "Yg==");
}

TEST_F(EmulatorTest, RetryAfterOn429IsHonoured) {
  ASSERT_TRUE(client_->Create(resources::Secret(), Secret("limited", "MA==")).ok());
  RecordingRestHooks hooks;
  std::vector<std::chrono::nanoseconds> waits;
  RestClientOptions o;
  o.max_retries = 10;
  o.hooks = &hooks;
  o.sleep = [&](std::chrono::nanoseconds d) {
    waits.push_back(d);
    std::this_thread::sleep_for(d);
  };
  auto c = NewClient(std::move(o));
  Control("POST", "faults",
          R"({"method":"GET","path_prefix":"/api/v1/namespaces/demo/secrets","status":429,)"
          R"("retry_after_seconds":1,"remaining":1})");
  auto got = c->Get(resources::Secret(), "demo", "limited");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(hooks.calls(), (std::vector<std::string>{"429 GET", "200 GET"}));
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_EQ(waits[0], std::chrono::nanoseconds(1s));

  // When the server keeps refusing, the client gives up with kRateLimited.
  Control("POST", "faults",
          R"({"method":"GET","path_prefix":"/api/v1/namespaces/demo/secrets","status":429,)"
          R"("retry_after_seconds":0,"remaining":20})");
  RestClientOptions few;
  few.max_retries = 2;
  auto impatient = NewClient(std::move(few));
  auto refused = impatient->Get(resources::Secret(), "demo", "limited");
  EXPECT_EQ(refused.status().code(), StatusCode::kRateLimited);
  EXPECT_EQ(refused.status().retry_after_seconds().value_or(-1), 0);
}

TEST_F(EmulatorTest, TokenRequestForTheDefaultServiceAccount) {
  TokenRequestOptions o;
  o.audiences = {"vault"};
  o.expiration_seconds = 600;
  TimePoint before = SystemClock::Instance().Now();
  auto t = client_->CreateToken("demo", "default", o);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(std::count(t->token.begin(), t->token.end(), '.'), 2) << "a JWT";
  auto claims = base64::DecodeUrl(
      t->token.substr(t->token.find('.') + 1, t->token.rfind('.') - t->token.find('.') - 1));
  ASSERT_TRUE(claims.has_value());
  EXPECT_NE(claims->find("system:serviceaccount:demo:default"), std::string::npos);
  EXPECT_NE(claims->find("\"vault\""), std::string::npos);
  auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(t->expiration - before);
  EXPECT_GE(lifetime.count(), 590);
  EXPECT_LE(lifetime.count(), 610);
  EXPECT_EQ(client_->CreateToken("demo", "nobody", o).status().code(), StatusCode::kNotFound);
}

TEST_F(EmulatorTest, StatusSubresourceOfACustomResource) {
  auto crd =
      json::Parse(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
    "metadata":{"name":"widgets.example.com"},
    "spec":{"group":"example.com","scope":"Namespaced",
      "names":{"plural":"widgets","singular":"widget","kind":"Widget","listKind":"WidgetList"},
      "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
        "schema":{"openAPIV3Schema":{"type":"object","properties":{
          "spec":{"type":"object","properties":{"size":{"type":"integer"}}},
          "status":{"type":"object","properties":{"ready":{"type":"boolean"}}}}}}}]}})");
  ASSERT_TRUE(crd.ok());
  ASSERT_TRUE(client_->Create(resources::CustomResourceDefinition(), *crd).ok());
  ResourceType widget = CustomResource("example.com", "v1", "widgets", "Widget");
  auto obj = json::Parse(R"({"apiVersion":"example.com/v1","kind":"Widget",
    "metadata":{"name":"w","namespace":"demo"},"spec":{"size":1}})");
  // The CRD becomes servable asynchronously in a real cluster; allow a few tries.
  Result<json::Document> created = Status(StatusCode::kNotFound, "not yet");
  for (int i = 0; i < 50 && !created.ok(); ++i) {
    created = client_->Create(widget, *obj);
    if (!created.ok()) std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(ReadObjectMeta(*created)->generation, 1);
  auto with_status = client_->Get(widget, "demo", "w").value();
  with_status.AddMember("status", json::Value(rapidjson::kObjectType), with_status.GetAllocator());
  with_status["status"].AddMember("ready", true, with_status.GetAllocator());
  auto st = client_->UpdateStatus(widget, with_status);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_TRUE(*json::Bool((*st)["status"], "ready"));
  EXPECT_EQ(ReadObjectMeta(*st)->generation, 1) << "status writes keep the generation";
  EXPECT_EQ(client_->UpdateStatus(widget, with_status).status().code(), StatusCode::kConflict);
}

TEST_F(EmulatorTest, ConfigFromTheEmulatorsKubeconfig) {
  TempDir dir;
  std::string path = dir.path() + "/kubeconfig";
  auto emu = vaultsync::testing::StartEmulator(
      "kube-emulator", {"--admin-token", "kc-token", "--write-kubeconfig", path});
  ASSERT_TRUE(emu.ok()) << emu.status().ToString();
  auto cfg = FromKubeconfig(path);
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->server, emu->url);
  EXPECT_EQ(cfg->bearer_token, "kc-token");
  auto c = NewRestClient(*cfg);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE((*c)->List(resources::Namespace(), "").ok());
  cfg->bearer_token = "wrong";
  EXPECT_EQ((*NewRestClient(*cfg))->List(resources::Namespace(), "").status().code(),
            StatusCode::kUnauthenticated);
  emu->process->Stop();
}

TEST_F(EmulatorTest, InClusterConfigurationAgainstTheEmulator) {
  TempDir sa;
  sa.Write("token", "t\n");
  sa.Write("namespace", "demo");
  ScopedEnv env;
  env.Set("VAULTSYNC_SERVICEACCOUNT_DIR", sa.path());
  auto colon = emu_.url.rfind(':');
  env.Set("KUBERNETES_SERVICE_HOST", emu_.url.substr(0, colon));  // "http://127.0.0.1"
  env.Set("KUBERNETES_SERVICE_PORT", emu_.url.substr(colon + 1));
  auto cfg = Load("");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->namespace_, "demo");
  auto c = NewRestClient(*cfg);
  ASSERT_TRUE(c.ok());
  auto got = (*c)->Get(resources::Namespace(), "", "demo");
  EXPECT_TRUE(got.ok()) << got.status().ToString();
}

}  // namespace
}  // namespace vaultsync::kube::testing
