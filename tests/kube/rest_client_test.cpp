// Tests of RestClient over a scripted transport: URLs and bodies, auth, answers a real
// apiserver gave, Retry-After handling, the client-side throttle and metrics.
#include "kube/rest_client.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>

#include "kube/object.h"
#include "recorded.h"
#include "temp_dir.h"
#include "util/time_format.h"

namespace vaultsync::kube {
namespace {

using namespace std::chrono_literals;
using testing::FakeTransport;
using testing::LoadRecorded;
using testing::PushRecorded;

class CountingHooks : public metrics::RestClientHooks {
 public:
  void ObserveRequest(std::string_view code, std::string_view method,
                      std::string_view host) override {
    std::lock_guard<std::mutex> lock(mu_);
    seen.push_back(std::string(code) + " " + std::string(method) + " " + std::string(host));
  }
  std::mutex mu_;
  std::vector<std::string> seen;
};

class RestClientTest : public ::testing::Test {
 protected:
  RestClientTest() {
    config_.server = "https://10.0.0.1:6443";
    config_.bearer_token = "admin-token";
    config_.qps = 0;  // throttle tested separately
  }
  // `max_retries` 0 is the default: a reconcile's client never waits a Retry-After out.
  std::unique_ptr<RestClient> Make(int max_retries = 0) {
    RestClientOptions o;
    o.max_retries = max_retries;
    o.hooks = &hooks_;
    o.clock = &clock_;
    o.sleep = [this](std::chrono::nanoseconds d) {
      sleeps_.push_back(d);
      clock_.Advance(d);
    };
    return std::make_unique<RestClient>(transport_, config_, std::move(o));
  }
  json::Document Obj(const char* text) { return json::Parse(text).value(); }

  Config config_;
  std::shared_ptr<FakeTransport> transport_ = std::make_shared<FakeTransport>();
  CountingHooks hooks_;
  FakeClock clock_;
  std::vector<std::chrono::nanoseconds> sleeps_;
};

TEST_F(RestClientTest, CreatePostsTheObjectWithAuth) {
  auto rec = LoadRecorded("013-secret-create.http");
  PushRecorded(*transport_, rec);
  auto c = Make();
  auto body = Obj(rec.request_body.c_str());
  body["metadata"].AddMember("namespace", "demo", body.GetAllocator());
  auto created = c->Create(resources::Secret(), body);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(*json::String((*created)["metadata"], "resourceVersion"), "207");
  auto reqs = transport_->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/api/v1/namespaces/demo/secrets");
  EXPECT_EQ(http::FindHeader(reqs[0].headers, "Authorization"), "Bearer admin-token");
  EXPECT_EQ(http::FindHeader(reqs[0].headers, "Content-Type"), "application/json");
  EXPECT_EQ(http::FindHeader(reqs[0].headers, "Accept"), "application/json");
  ASSERT_EQ(hooks_.seen.size(), 1u);
  EXPECT_EQ(hooks_.seen[0], "201 POST 10.0.0.1:6443");
}

TEST_F(RestClientTest, CreateWithoutNamespaceIsRejectedLocally) {
  auto c = Make();
  auto st = c->Create(resources::Secret(), Obj(R"({"metadata":{"name":"x"}})"));
  EXPECT_EQ(st.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(transport_->requests().empty());
}

TEST_F(RestClientTest, ErrorsCarryTheApiStatus) {
  PushRecorded(*transport_, LoadRecorded("014-secret-create-conflict.http"));
  PushRecorded(*transport_, LoadRecorded("022-secret-put-stale.http"));
  PushRecorded(*transport_, LoadRecorded("016-secret-get-missing.http"));
  auto c = Make();
  auto obj = Obj(R"({"metadata":{"name":"app-creds","namespace":"demo","resourceVersion":"207"}})");
  EXPECT_EQ(c->Create(resources::Secret(), obj).status().code(), StatusCode::kAlreadyExists);
  auto upd = c->Update(resources::Secret(), obj);
  EXPECT_EQ(upd.status().code(), StatusCode::kConflict);
  EXPECT_EQ(upd.status().http_status(), 409);
  EXPECT_EQ(c->Get(resources::Secret(), "demo", "does-not-exist").status().code(),
            StatusCode::kNotFound);
  auto reqs = transport_->requests();
  EXPECT_EQ(reqs[1].method, "PUT");
  EXPECT_EQ(reqs[1].target, "/api/v1/namespaces/demo/secrets/app-creds");
  EXPECT_NE(reqs[1].body.find("\"resourceVersion\":\"207\""), std::string::npos);
  EXPECT_EQ(reqs[2].target, "/api/v1/namespaces/demo/secrets/does-not-exist");
}

// Found by tests/fuzz/kube_rest_fuzzer.cpp (regressions/kube_rest/): a server message that
// quotes the bearer token (a proxy or webhook might) went into the error, and from there into
// logs, Events and conditions. The apiserver's own messages never do; the client redacts it.
TEST_F(RestClientTest, ErrorsNeverCarryTheBearerToken) {
  const std::string body =
      R"x({"kind":"Status","apiVersion":"v1","status":"Failure","message":"denied for admin-token (twice: admin-token)","reason":"Forbidden","code":403})x";
  transport_->PushJson(403, body);
  transport_->PushJson(409, body, {{"Retry-After", "3"}});
  testing::ScriptedAnswer watch;
  watch.status = 200;
  watch.pieces = {
      R"({"type":"ERROR","object":{"kind":"Status","code":500,"message":"admin-token"}})"};
  transport_->Push(watch);
  auto c = Make();
  Status get = c->Get(resources::Secret(), "demo", "x").status();
  EXPECT_EQ(get.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(get.message(), "Forbidden: denied for <redacted> (twice: <redacted>)");
  Status del = c->Delete(resources::Secret(), "demo", "x");
  EXPECT_EQ(del.code(), StatusCode::kConflict);
  EXPECT_EQ(del.message().find("admin-token"), std::string::npos);
  EXPECT_EQ(del.retry_after_seconds(), 3) << "redaction keeps what retries need";
  Status w = c->Watch(
      resources::Secret(), "demo", WatchOptions{}, [](WatchEvent&) { return true; }, nullptr);
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.message().find("admin-token"), std::string::npos) << w.message();
}

TEST_F(RestClientTest, ListBuildsTheQueryAndPages) {
  PushRecorded(*transport_, LoadRecorded("019-secret-list-limit1.http"));
  auto c = Make();
  ListOptions lo;
  lo.label_selector = "app=demo,tier in (a,b)";
  lo.field_selector = "metadata.name=x";
  lo.limit = 1;
  lo.continue_token = "eyJ2Ijo+/=";
  auto list = c->List(resources::Secret(), "demo", lo);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(transport_->requests()[0].target,
            "/api/v1/namespaces/demo/secrets?labelSelector=app%3Ddemo%2Ctier%20in%20%28a%2Cb%29"
            "&fieldSelector=metadata.name%3Dx&limit=1&continue=eyJ2Ijo%2B%2F%3D");
  auto meta = ReadListMeta(*list);
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->resource_version, "208");
  EXPECT_FALSE(meta->continue_token.empty());
  // All namespaces, a cluster-scoped type and a custom resource.
  transport_->PushJson(200, R"({"items":[]})");
  transport_->PushJson(200, R"({"items":[]})");
  transport_->PushJson(200, R"({"items":[]})");
  ASSERT_TRUE(c->List(resources::Secret(), "").ok());
  ASSERT_TRUE(c->List(resources::Namespace(), "ignored").ok());
  ListOptions rv;
  rv.resource_version = "213";
  rv.resource_version_match = "Exact";
  ASSERT_TRUE(c->List(resources::VaultStaticSecret(), "demo", rv).ok());
  auto reqs = transport_->requests();
  EXPECT_EQ(reqs[1].target, "/api/v1/secrets");
  EXPECT_EQ(reqs[2].target, "/api/v1/namespaces");
  EXPECT_EQ(reqs[3].target,
            "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultstaticsecrets"
            "?resourceVersion=213&resourceVersionMatch=Exact");
}

TEST_F(RestClientTest, PatchUpdateStatusAndDeleteRequests) {
  transport_->PushJson(200, "{}");
  transport_->PushJson(200, "{}");
  transport_->PushJson(200, "{}");
  PushRecorded(*transport_, LoadRecorded("029-secret-delete.http"));
  transport_->PushJson(202, R"({"kind":"VaultStaticSecret"})");
  auto c = Make();
  PatchOptions status;
  status.subresource = "status";
  ASSERT_TRUE(c->Patch(resources::VaultStaticSecret(), "demo", "db", PatchType::kMerge,
                       R"({"status":{}})", status)
                  .ok());
  ASSERT_TRUE(
      c->Patch(resources::Deployment(), "demo", "web", PatchType::kStrategicMerge, "{}").ok());
  ASSERT_TRUE(c->UpdateStatus(resources::VaultStaticSecret(),
                              Obj(R"({"metadata":{"name":"db","namespace":"demo"},"status":{}})"))
                  .ok());
  EXPECT_TRUE(c->Delete(resources::Secret(), "demo", "temp-creds").ok());
  DeleteOptions d;
  d.propagation_policy = "Foreground";
  d.precondition_uid = "u-1";
  d.precondition_resource_version = "9";
  EXPECT_TRUE(c->Delete(resources::VaultStaticSecret(), "demo", "db", d).ok()) << "202 is OK";
  auto reqs = transport_->requests();
  EXPECT_EQ(reqs[0].method, "PATCH");
  EXPECT_EQ(reqs[0].target,
            "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultstaticsecrets/db/status");
  EXPECT_EQ(http::FindHeader(reqs[0].headers, "Content-Type"), "application/merge-patch+json");
  EXPECT_EQ(reqs[1].target, "/apis/apps/v1/namespaces/demo/deployments/web");
  EXPECT_EQ(http::FindHeader(reqs[1].headers, "Content-Type"),
            "application/strategic-merge-patch+json");
  EXPECT_EQ(reqs[2].method, "PUT");
  EXPECT_EQ(reqs[2].target,
            "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultstaticsecrets/db/status");
  EXPECT_EQ(reqs[3].method, "DELETE");
  EXPECT_EQ(reqs[3].body, "");
  EXPECT_EQ(reqs[4].body,
            R"({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Foreground",)"
            R"("preconditions":{"uid":"u-1","resourceVersion":"9"}})");
  EXPECT_EQ(PatchContentType(PatchType::kJson), "application/json-patch+json");
}

TEST_F(RestClientTest, CreateTokenSendsATokenRequest) {
  auto rec = LoadRecorded("064-tokenrequest-demo-default.http");
  PushRecorded(*transport_, rec);
  auto c = Make();
  TokenRequestOptions o;
  o.audiences = {"vault"};
  o.expiration_seconds = 600;
  auto t = c->CreateToken("demo", "default", o);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->token.rfind("eyJhbGciOiJSUzI1NiIs", 0), 0u);
  EXPECT_EQ(FormatRfc3339(t->expiration), "2026-11-23T09:57:58Z");
  auto reqs = transport_->requests();
  EXPECT_EQ(reqs[0].target, "/api/v1/namespaces/demo/serviceaccounts/default/token");
  EXPECT_EQ(reqs[0].body, rec.request_body);
}

// Found by tests/fuzz/kube_rest_fuzzer.cpp (regressions/kube_rest/): a TokenRequest answer
// whose expirationTimestamp is not a time had it quoted in the error, and that answer is
// where a token lives. The error names the field, never its value.
TEST_F(RestClientTest, ABadTokenRequestAnswerIsNotQuoted) {
  transport_->PushJson(
      201,
      R"({"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","spec":{},)"
      R"("status":{"token":"eyJ.x.y","expirationTimestamp":"2026-11-23T10:admin-token:21Z"}})");
  auto c = Make();
  auto t = c->CreateToken("demo", "default", TokenRequestOptions{});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInternal);
  EXPECT_EQ(t.status().message(),
            "TokenRequest answer: status.expirationTimestamp is not an RFC 3339 time");
}

TEST_F(RestClientTest, ByDefaultA429GoesBackAtOnceWithItsRetryAfter) {
  transport_->PushJson(429, R"({"kind":"Status","code":429,"reason":"TooManyRequests"})",
                       {{"Retry-After", "30"}});
  auto c = Make();
  auto got = c->Get(resources::Secret(), "demo", "x");
  EXPECT_EQ(got.status().code(), StatusCode::kRateLimited);
  EXPECT_EQ(got.status().retry_after_seconds(), 30);  // the caller requeues after it
  EXPECT_TRUE(sleeps_.empty());                       // and nobody slept
  EXPECT_EQ(transport_->requests().size(), 1u);
}

TEST_F(RestClientTest, AThrottleWaitEndsAtOnceOnCancel) {
  config_.qps = 0.001;  // one request, then a wait of 1000 s
  config_.burst = 1;
  for (int i = 0; i < 2; ++i) transport_->PushJson(200, "{}");
  http::CancelFlag cancel;
  RestClientOptions o;
  o.cancel = &cancel;
  RestClient c(transport_, config_, std::move(o));
  ASSERT_TRUE(c.Get(resources::Secret(), "d", "x").ok());
  cancel.Cancel();
  // Would wait 1000 s; a cancelled client returns at once instead.
  EXPECT_EQ(c.Get(resources::Secret(), "d", "x").status().code(), StatusCode::kCancelled);
  EXPECT_EQ(transport_->requests().size(), 1u);
}

TEST_F(RestClientTest, RetryAfterOn429IsWaitedAndRetriedWhenAsked) {
  transport_->PushJson(429, R"({"kind":"Status","code":429,"reason":"TooManyRequests"})",
                       {{"Retry-After", "3"}});
  transport_->PushJson(200, R"({"metadata":{"name":"x"}})");
  auto c = Make(/*max_retries=*/10);
  auto got = c->Get(resources::Secret(), "demo", "x");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(sleeps_.size(), 1u);
  EXPECT_EQ(sleeps_[0], std::chrono::nanoseconds(3s));
  EXPECT_EQ(transport_->requests().size(), 2u);
  EXPECT_EQ(hooks_.seen.size(), 2u);
  EXPECT_EQ(hooks_.seen[0].substr(0, 7), "429 GET");
}

TEST_F(RestClientTest, RetriesAreBounded) {
  for (int i = 0; i < 4; ++i) transport_->PushJson(429, "{}", {{"Retry-After", "100"}});
  RestClientOptions o;
  o.max_retries = 3;
  o.max_retry_wait = 10s;
  o.sleep = [this](std::chrono::nanoseconds d) { sleeps_.push_back(d); };
  RestClient c(transport_, config_, std::move(o));
  auto got = c.Get(resources::Secret(), "demo", "x");
  EXPECT_EQ(got.status().code(), StatusCode::kRateLimited);
  EXPECT_EQ(got.status().retry_after_seconds().value_or(-1), 100);
  EXPECT_EQ(transport_->requests().size(), 4u);
  ASSERT_EQ(sleeps_.size(), 3u);
  EXPECT_EQ(sleeps_[0], std::chrono::nanoseconds(10s)) << "capped at max_retry_wait";
}

TEST_F(RestClientTest, OnlyAnswersWithRetryAfterAreRetried) {
  transport_->PushJson(429, "{}");
  transport_->PushJson(500, "{}");
  transport_->PushJson(503, "{}", {{"Retry-After", "1"}});
  transport_->PushJson(200, "{}");
  auto c = Make(/*max_retries=*/10);
  EXPECT_EQ(c->Get(resources::Secret(), "d", "x").status().code(), StatusCode::kRateLimited);
  EXPECT_EQ(c->Get(resources::Secret(), "d", "x").status().code(), StatusCode::kInternal);
  EXPECT_TRUE(c->Get(resources::Secret(), "d", "x").ok());
  EXPECT_EQ(sleeps_.size(), 1u);
}

TEST_F(RestClientTest, TransportErrorsAreReportedAsError) {
  testing::ScriptedAnswer a;
  a.error = Status(StatusCode::kUnavailable, "connection refused");
  transport_->Push(a);
  auto c = Make();
  EXPECT_EQ(c->Get(resources::Secret(), "d", "x").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(hooks_.seen.at(0), "<error> GET 10.0.0.1:6443");
}

TEST_F(RestClientTest, ThrottleSpacesRequestsBeyondTheBurst) {
  config_.qps = 2;
  config_.burst = 2;
  for (int i = 0; i < 4; ++i) transport_->PushJson(200, "{}");
  auto c = Make();
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(c->Get(resources::Secret(), "d", "x").ok());
  // Two from the burst at once, then one every 1/qps (the sleeper advances the clock).
  ASSERT_EQ(sleeps_.size(), 2u);
  EXPECT_EQ(sleeps_[0], std::chrono::nanoseconds(500ms));
  EXPECT_EQ(sleeps_[1], std::chrono::nanoseconds(500ms));
}

TEST_F(RestClientTest, RotatedTokenFileIsUsed) {
  testing::TempDir dir;
  std::string file = dir.Write("token", "one");
  config_.token_file = file;
  for (int i = 0; i < 2; ++i) transport_->PushJson(200, "{}");
  auto c = Make();
  ASSERT_TRUE(c->Get(resources::Secret(), "d", "x").ok());
  std::filesystem::rename(dir.Write("new", "two"), file);
  clock_.Advance(6s);
  ASSERT_TRUE(c->Get(resources::Secret(), "d", "x").ok());
  auto reqs = transport_->requests();
  EXPECT_EQ(http::FindHeader(reqs[0].headers, "Authorization"), "Bearer one");
  EXPECT_EQ(http::FindHeader(reqs[1].headers, "Authorization"), "Bearer two");
}

TEST_F(RestClientTest, ServerPathPrefixIsKept) {
  config_.server = "https://rancher.example/k8s/clusters/c-1/";
  transport_->PushJson(200, "{}");
  auto c = Make();
  ASSERT_TRUE(c->Get(resources::Lease(), "kube-system", "l").ok());
  EXPECT_EQ(transport_->requests()[0].target,
            "/k8s/clusters/c-1/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l");
  EXPECT_EQ(SplitServerUrl("http://h:1").first, "http://h:1");
  EXPECT_EQ(SplitServerUrl("http://h:1").second, "");
}

TEST_F(RestClientTest, WatchOpensTheStreamWithItsParameters) {
  auto rec = LoadRecorded("032-secret-watch.http");
  PushRecorded(*transport_, rec);
  auto c = Make();
  WatchOptions wo;
  wo.resource_version = "213";
  wo.timeout_seconds = 5;
  wo.label_selector = "app=demo";
  std::vector<std::string> seen;
  Status st = c->Watch(
      resources::Secret(), "demo", wo,
      [&](WatchEvent& ev) {
        seen.push_back(std::string(EventTypeName(ev.type)));
        return true;
      },
      nullptr);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED", "MODIFIED", "DELETED", "BOOKMARK"}));
  auto req = transport_->requests().at(0);
  EXPECT_EQ(req.target,
            "/api/v1/namespaces/demo/secrets?watch=true&allowWatchBookmarks=true"
            "&labelSelector=app%3Ddemo&resourceVersion=213&timeoutSeconds=5");
  ASSERT_TRUE(req.timeout.has_value());
  EXPECT_GT(*req.timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(hooks_.seen.at(0), "200 GET 10.0.0.1:6443");
}

TEST_F(RestClientTest, WatchExpiredAndForbidden) {
  PushRecorded(*transport_, LoadRecorded("040-secret-watch-old-rv-too-old.http"));
  PushRecorded(*transport_, LoadRecorded("093-forbidden-watch-secrets.http"));
  auto c = Make();
  int events = 0;
  auto handler = [&](WatchEvent&) {
    ++events;
    return true;
  };
  EXPECT_EQ(c->Watch(resources::Secret(), "demo", {}, handler, nullptr).code(), StatusCode::kGone);
  EXPECT_EQ(c->Watch(resources::Secret(), "demo", {}, handler, nullptr).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(events, 0);
}

}  // namespace
}  // namespace vaultsync::kube
