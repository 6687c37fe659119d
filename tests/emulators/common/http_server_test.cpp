// The emulators' HTTP server over loopback: fault targeting (path prefix and exclusions,
// path substring, User-Agent), the request log (fields, order, ring buffer, clearing,
// redaction), the admission hook (rejections, extra headers, seats released before the
// answer is sent), and a handler that throws (a 500, and the server still stops).
#include "http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "http/transport.h"
#include "util/json.h"
#include "util/time_format.h"

namespace vaultsync::emu {
namespace {

using namespace std::chrono_literals;

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options = {}, Handler handler = nullptr) {
    if (!handler) {
      handler = [](const ServerRequest& r) {
        ServerResponse resp;
        resp.status = 200;
        resp.body = r.method + " " + r.path;
        return resp;
      };
    }
    auto s = HttpServer::Start(options, std::move(handler));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
    http::TransportConfig c;
    c.base_url = server_->url();
    c.timeout = 10s;
    auto t = http::NewTransport(c);
    ASSERT_TRUE(t.ok());
    client_ = std::move(*t);
  }

  http::Response Send(const std::string& method, const std::string& target,
                      const std::string& body = "", const std::string& user_agent = "test/1.0") {
    http::Request req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.headers.emplace_back("User-Agent", user_agent);
    auto r = client_->Send(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : http::Response{};
  }

  void Fault(const std::string& json) {
    ASSERT_EQ(Send("POST", "/__emulator/faults", json).status, 200) << json;
  }

  json::Document Log(const std::string& query = "") {
    auto r = Send("GET", "/__emulator/requests" + query);
    EXPECT_EQ(r.status, 200);
    auto d = json::Parse(r.body);
    EXPECT_TRUE(d.ok()) << r.body;
    return d.ok() ? std::move(d).value() : json::Document();
  }

  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<http::Transport> client_;
};

TEST_F(HttpServerTest, FaultsSpareExcludedPrefixes) {
  Start();
  Fault(R"({"status":429,"retry_after_seconds":30,)"
        R"("exclude_path_prefix":["/apis/coordination.k8s.io/","/healthz"]})");
  auto hit = Send("GET", "/api/v1/namespaces/demo/secrets");
  EXPECT_EQ(hit.status, 429);
  EXPECT_EQ(hit.Header("Retry-After"), "30");
  EXPECT_EQ(Send("PUT", "/apis/coordination.k8s.io/v1/namespaces/demo/leases/l").status, 200);
  EXPECT_EQ(Send("GET", "/healthz").status, 200);
  ASSERT_EQ(Send("DELETE", "/__emulator/faults").status, 200);
  // One string is accepted as well as a list; anything else is refused.
  Fault(R"({"status":503,"exclude_path_prefix":"/keep"})");
  EXPECT_EQ(Send("GET", "/keep/x").status, 200);
  EXPECT_EQ(Send("GET", "/other").status, 503);
  EXPECT_EQ(
      Send("POST", "/__emulator/faults", R"({"status":503,"exclude_path_prefix":[1]})").status,
      400);
}

TEST_F(HttpServerTest, FaultsMatchAPathSubstringAndAUserAgent) {
  Start();
  Fault(R"({"status":500,"path_contains":"/leases/"})");
  Fault(R"({"status":503,"user_agent":"replica-b"})");
  EXPECT_EQ(Send("GET", "/apis/coordination.k8s.io/v1/namespaces/x/leases/l").status, 500);
  EXPECT_EQ(Send("GET", "/api/v1/secrets").status, 200);
  EXPECT_EQ(Send("GET", "/api/v1/secrets", "", "vaultsync/1.0 (replica-b)").status, 503);
  EXPECT_EQ(Send("GET", "/api/v1/secrets", "", "vaultsync/1.0 (replica-a)").status, 200);
}

TEST_F(HttpServerTest, AHandlerThatThrowsGets500AndTheServerStillStops) {
  Start({}, [](const ServerRequest& r) -> ServerResponse {
    if (r.path == "/boom") throw std::runtime_error("handler failed");
    ServerResponse ok;
    ok.body = "fine";
    return ok;
  });
  EXPECT_EQ(Send("GET", "/boom").status, 500);
  EXPECT_EQ(Send("GET", "/other").status, 200);  // the server goes on
  // An unanswered request would keep its connection, and the listener's close would wait
  // for it for ever (the test's time limit would end it).
  server_->Stop();
}

TEST(FaultRuleTest, MatchingCombinesEveryCriterion) {
  FaultRule r;
  r.method = "PUT";
  r.path_prefix = "/apis/";
  r.exclude_path_prefix = {"/apis/coordination.k8s.io/"};
  r.path_contains = "/secrets/";
  r.user_agent = "b";
  ServerRequest req;
  req.method = "PUT";
  req.path = "/apis/x/secrets/s";
  req.headers.emplace_back("User-Agent", "agent-b");
  EXPECT_TRUE(r.Matches(req));
  ServerRequest other = req;
  other.method = "GET";
  EXPECT_FALSE(r.Matches(other));
  other = req;
  other.path = "/apis/coordination.k8s.io/secrets/s";
  EXPECT_FALSE(r.Matches(other));
  other = req;
  other.path = "/apis/x/configmaps/s";
  EXPECT_FALSE(r.Matches(other));
  other = req;
  other.headers = {{"User-Agent", "agent-a"}};
  EXPECT_FALSE(r.Matches(other));
}

TEST_F(HttpServerTest, RequestLogRecordsEachAnswerInOrder) {
  Start();
  Fault(R"({"status":404,"path_prefix":"/missing"})");
  TimePoint before = std::chrono::system_clock::now();
  Send("PUT", "/api/v1/namespaces/demo/secrets/s?fieldManager=m", "{\"secret\":\"value\"}",
       "writer/2.0");
  Send("GET", "/missing");
  Send("GET", "/__emulator/counters");  // control paths are not logged
  auto log = Log();
  const json::Value* reqs = json::Find(log, "requests");
  ASSERT_NE(reqs, nullptr);
  ASSERT_EQ(reqs->Size(), 2u);
  const json::Value& first = (*reqs)[0];
  EXPECT_EQ(first["seq"].GetInt64(), 1);
  EXPECT_EQ(json::View(first["method"]), "PUT");
  EXPECT_EQ(json::View(first["path"]), "/api/v1/namespaces/demo/secrets/s");
  EXPECT_EQ(json::View(first["query"]), "fieldManager=m");
  EXPECT_EQ(first["status"].GetInt(), 200);
  EXPECT_EQ(json::View(first["user_agent"]), "writer/2.0");
  EXPECT_EQ(json::View(first["user"]), "");
  EXPECT_EQ(json::View(first["count_key"]), "PUT /api/v1/namespaces/demo/secrets/s");
  auto start = ParseRfc3339(json::View(first["start_time"]));
  auto time = ParseRfc3339(json::View(first["time"]));
  ASSERT_TRUE(start.ok() && time.ok());
  EXPECT_GE(*start + 1s, before);  // RFC 3339 with nanoseconds, wall clock
  EXPECT_LE(*start, *time);
  EXPECT_EQ(std::string(json::View(first["time"])).size(), 30u);  // 9 fractional digits
  EXPECT_EQ((*reqs)[1]["seq"].GetInt64(), 2);
  EXPECT_EQ((*reqs)[1]["status"].GetInt(), 404);
  // Never a body.
  auto raw = Send("GET", "/__emulator/requests");
  EXPECT_EQ(raw.body.find("value"), std::string::npos);

  // ?since=N returns only later entries; clearing keeps the numbering going.
  EXPECT_EQ(json::Find(Log("?since=1"), "requests")->Size(), 1u);
  ASSERT_EQ(Send("DELETE", "/__emulator/requests").status, 200);
  EXPECT_EQ(json::Find(Log(), "requests")->Size(), 0u);
  Send("GET", "/after");
  auto after = Log();
  ASSERT_EQ(json::Find(after, "requests")->Size(), 1u);
  EXPECT_EQ((*json::Find(after, "requests"))[0]["seq"].GetInt64(), 3);
}

TEST_F(HttpServerTest, RequestLogKeepsTheLastEntriesAndRedactsCredentials) {
  ServerOptions o;
  o.request_log_capacity = 3;
  Start(o);
  for (int i = 0; i < 5; ++i) Send("GET", "/n/" + std::to_string(i));
  Send("GET", "/v1/auth/token/lookup?token=hvs.secret&list=true");
  auto log = Log();
  const json::Value* reqs = json::Find(log, "requests");
  ASSERT_EQ(reqs->Size(), 3u);
  EXPECT_EQ((*reqs)[0]["seq"].GetInt64(), 4);
  EXPECT_EQ(json::View((*reqs)[2]["query"]), "token=REDACTED&list=true");
  auto raw = Send("GET", "/__emulator/requests");
  EXPECT_EQ(raw.body.find("hvs.secret"), std::string::npos);
}

TEST(RedactQueryTest, HidesValuesOfSecretLookingParameters) {
  EXPECT_EQ(RedactQuery(""), "");
  EXPECT_EQ(RedactQuery("watch=true&resourceVersion=12"), "watch=true&resourceVersion=12");
  EXPECT_EQ(RedactQuery("access_token=a&Secret_ID=b&password=c&continue=d"),
            "access_token=REDACTED&Secret_ID=REDACTED&password=REDACTED&continue=d");
  EXPECT_EQ(RedactQuery("token"), "token");  // no value to hide
}

TEST_F(HttpServerTest, AdmissionRejectsCountsAndAddsHeaders) {
  std::atomic<int> seats{0};
  std::atomic<int> seen_while_handling{-1};
  ServerOptions o;
  o.admit = [&seats](const ServerRequest& r) {
    Admission a;
    a.count_key = "K " + r.path;
    a.user = "alice";
    a.headers.emplace_back("X-Seen", "yes");
    if (r.path == "/busy") {
      ServerResponse busy;
      busy.status = 429;
      busy.headers.emplace_back("Retry-After", "1");
      busy.body = "busy\n";
      a.reject = busy;
      return a;
    }
    ++seats;
    a.seat = std::shared_ptr<void>(nullptr, [&seats](void*) { --seats; });
    return a;
  };
  Start(o, [&seen_while_handling, &seats](const ServerRequest&) {
    seen_while_handling = seats.load();
    ServerResponse r;
    r.body = "ok";
    return r;
  });
  auto ok = Send("GET", "/fine");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.Header("X-Seen"), "yes");
  EXPECT_EQ(seen_while_handling.load(), 1);
  EXPECT_EQ(seats.load(), 0);  // released before the answer reached us

  auto busy = Send("GET", "/busy");
  EXPECT_EQ(busy.status, 429);
  EXPECT_EQ(busy.body, "busy\n");
  EXPECT_EQ(busy.Header("X-Seen"), "yes");
  auto counts = server_->counters().Snapshot();
  EXPECT_EQ(counts["K /fine"], 1);
  EXPECT_EQ(counts["K /busy"], 1);
  EXPECT_EQ(counts["429 K /busy"], 1);

  // A fault's answer is the fault's alone.
  Fault(R"({"status":500,"path_prefix":"/faulty"})");
  auto faulty = Send("GET", "/faulty");
  EXPECT_EQ(faulty.status, 500);
  EXPECT_EQ(faulty.Header("X-Seen"), "");
  EXPECT_EQ(seats.load(), 0);

  auto log = Log();
  const json::Value* reqs = json::Find(log, "requests");
  ASSERT_EQ(reqs->Size(), 3u);
  EXPECT_EQ(json::View((*reqs)[1]["user"]), "alice");
  EXPECT_EQ(json::View((*reqs)[1]["count_key"]), "K /busy");
  EXPECT_EQ((*reqs)[1]["status"].GetInt(), 429);
}

}  // namespace
}  // namespace vaultsync::emu
