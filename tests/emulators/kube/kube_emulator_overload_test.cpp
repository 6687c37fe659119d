// The kube-emulator binary under overload, over real HTTP: API Priority and Fairness headers
// on every authenticated answer, the 429 a v1.26 apiserver answers when every seat is taken
// (--max-requests-inflight, /__emulator/overload), watches that take no seat, and the
// request log's authenticated user. Seats are held deterministically: a latency fault keeps
// requests in flight, and the test waits (bounded) until the emulator reports them in
// flight before it sends the requests that must be rejected.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "http/transport.h"
#include "object_json.h"
#include "process.h"
#include "util/json.h"

namespace vaultsync::kubeemu {
namespace {

using namespace std::chrono_literals;

constexpr char kAdmin[] = "overload-admin";

class OverloadTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--admin-token", kAdmin};
    args.insert(args.end(), extra.begin(), extra.end());
    auto emu = vaultsync::testing::StartEmulator("kube-emulator", args);
    ASSERT_TRUE(emu.ok()) << emu.status().message();
    emu_ = std::move(emu).value();
    client_ = Transport();
  }

  void TearDown() override {
    if (emu_.process) {
      EXPECT_EQ(emu_.process->Stop(), 0) << emu_.process->Stderr();
    }
  }

  std::unique_ptr<http::Transport> Transport() {
    http::TransportConfig c;
    c.base_url = emu_.url;
    c.timeout = 30s;
    auto t = http::NewTransport(c);
    EXPECT_TRUE(t.ok());
    return t.ok() ? std::move(t).value() : nullptr;
  }

  http::Response Send(const std::string& method, const std::string& target,
                      const std::string& body = "", const std::string& token = kAdmin,
                      http::Transport* via = nullptr) {
    http::Request req;
    req.method = method;
    req.target = target;
    req.body = body;
    if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
    req.headers.emplace_back("Accept", "application/json");
    if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
    auto r = (via != nullptr ? via : client_.get())->Send(req);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : http::Response{};
  }

  json::Document Overload(const std::string& body = "") {
    auto r = Send(body.empty() ? "GET" : "POST", "/__emulator/overload", body);
    EXPECT_EQ(r.status, 200) << r.body;
    auto d = json::Parse(r.body);
    return d.ok() ? std::move(d).value() : json::Document();
  }

  // Starts `n` slow requests (held by a latency fault on configmaps) on their own
  // connections and waits until the emulator counts `n` in flight.
  std::vector<std::future<http::Response>> HoldSeats(int n, const std::string& token = kAdmin) {
    EXPECT_EQ(Send("POST", "/__emulator/faults",
                   R"({"latency_ms":5000,"path_prefix":"/api/v1/namespaces/default/configmaps"})")
                  .status,
              200);
    std::vector<std::future<http::Response>> held;
    for (int i = 0; i < n; ++i) {
      held.push_back(std::async(std::launch::async, [this, token] {
        auto own = Transport();
        return Send("GET", "/api/v1/namespaces/default/configmaps", "", token, own.get());
      }));
    }
    int64_t in_flight = 0;
    for (int i = 0; i < 500 && in_flight < n; ++i) {
      in_flight = IntAt(Overload(), "in_flight").value_or(0);
      if (in_flight < n) std::this_thread::sleep_for(10ms);
    }
    EXPECT_EQ(in_flight, n) << "the slow requests never got their seats";
    return held;
  }

  std::string ServiceAccountToken() {
    auto r = Send("POST", "/api/v1/namespaces/default/serviceaccounts/default/token",
                  R"({"spec":{"expirationSeconds":3600}})");
    EXPECT_EQ(r.status, 201) << r.body;
    auto d = json::Parse(r.body);
    return d.ok() ? StringAt(*d, "status.token") : "";
  }

  vaultsync::testing::RunningEmulator emu_;
  std::unique_ptr<http::Transport> client_;
};

void ExpectRejected(const http::Response& r, const std::string& retry_after = "1") {
  EXPECT_EQ(r.status, 429) << r.body;
  // What the apiserver's tooManyRequests writes: http.Error, not a Status object.
  EXPECT_EQ(r.body, "Too many requests, please try again later.\n");
  EXPECT_EQ(r.Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.Header("Retry-After"), retry_after);
  EXPECT_FALSE(r.Header("X-Kubernetes-PF-FlowSchema-UID").empty());
  EXPECT_FALSE(r.Header("X-Kubernetes-PF-PriorityLevel-UID").empty());
}

TEST_F(OverloadTest, RejectsPastTheLimitWithTheApiserversAnswer) {
  Start({"--max-requests-inflight", "2"});
  auto settings = Overload();
  EXPECT_EQ(IntAt(settings, "max_inflight"), 2);
  EXPECT_EQ(IntAt(settings, "retry_after_seconds"), 1);

  auto held = HoldSeats(2);
  // A burst while both seats are taken: every request is turned away at once.
  std::vector<std::future<http::Response>> burst;
  for (int i = 0; i < 4; ++i) {
    burst.push_back(std::async(std::launch::async, [this] {
      auto own = Transport();
      return Send("GET", "/api/v1/namespaces/default/secrets", "", kAdmin, own.get());
    }));
  }
  for (auto& f : burst) ExpectRejected(f.get());
  ExpectRejected(Send("PUT", "/api/v1/namespaces/default/secrets/s", "{}"));
  for (auto& f : held) {
    auto r = f.get();
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(r.Header("X-Kubernetes-PF-FlowSchema-UID").empty());
  }
  EXPECT_EQ(IntAt(Overload(), "in_flight"), 0);
  EXPECT_EQ(IntAt(Overload(), "rejected"), 5);
  auto counters = json::Parse(Send("GET", "/__emulator/counters").body);
  ASSERT_TRUE(counters.ok());
  const json::Value* counts = json::Find(*counters, "counts");
  EXPECT_EQ(IntAt(*counts, "429 LIST secrets"), 4);
  EXPECT_EQ(IntAt(*counts, "429 UPDATE secrets"), 1);
  EXPECT_EQ(IntAt(*counts, "LIST secrets"), 4);  // attempts are still counted as requests
  EXPECT_EQ(IntAt(*counts, "LIST configmaps"), 2);
}

TEST_F(OverloadTest, NoLimitMeansNoRejection) {
  Start();
  EXPECT_EQ(IntAt(Overload(), "max_inflight"), 0);
  std::vector<std::future<http::Response>> burst;
  for (int i = 0; i < 8; ++i) {
    burst.push_back(std::async(std::launch::async, [this] {
      auto own = Transport();
      return Send("GET", "/api/v1/namespaces/default/secrets", "", kAdmin, own.get());
    }));
  }
  for (auto& f : burst) EXPECT_EQ(f.get().status, 200);
  EXPECT_EQ(IntAt(Overload(), "rejected"), 0);
}

TEST_F(OverloadTest, LimitRetryAfterAndExemptionAreSetAtRunTime) {
  Start();
  std::string sa = ServiceAccountToken();
  auto set = Overload(R"({"max_inflight":1,"retry_after_seconds":7,"exempt_masters":true})");
  EXPECT_EQ(IntAt(set, "max_inflight"), 1);
  EXPECT_EQ(IntAt(set, "retry_after_seconds"), 7);
  auto held = HoldSeats(1, sa);
  // system:masters is exempt (as the exempt FlowSchema makes it on a real server) once asked.
  EXPECT_EQ(Send("GET", "/api/v1/namespaces/default/secrets").status, 200);
  ExpectRejected(Send("GET", "/api/v1/namespaces/default/secrets", "", sa), "7");
  EXPECT_EQ(held[0].get().status, 200);
  EXPECT_EQ(Send("POST", "/__emulator/overload", R"({"max_inflight":-1})").status, 400);
  EXPECT_EQ(IntAt(Overload(R"({"max_inflight":0})"), "max_inflight"), 0);
}

TEST_F(OverloadTest, AWatchNeedsASeatToStartButHoldsNone) {
  Start({"--max-requests-inflight", "1"});
  http::CancelFlag cancel;
  auto watch = std::async(std::launch::async, [this, &cancel] {
    auto own = Transport();
    http::Request req;
    req.target = "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=60";
    req.headers = {{"Authorization", std::string("Bearer ") + kAdmin}};
    return own->Stream(
        req, [](std::string_view) { return true; }, &cancel);
  });
  // Wait until the watch has started (it is in the request log once its stream began); it
  // runs until cancelled below.
  bool started = false;
  for (int i = 0; i < 500 && !started; ++i) {
    started =
        Send("GET", "/__emulator/requests").body.find("\"WATCH configmaps\"") != std::string::npos;
    if (!started) std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(started);
  EXPECT_EQ(IntAt(Overload(), "in_flight"), 0);
  EXPECT_EQ(Send("GET", "/api/v1/namespaces/default/secrets").status, 200);
  cancel.Cancel();
  EXPECT_FALSE(watch.get().ok());  // ended by us, not by the server

  auto held = HoldSeats(1);
  auto rejected_watch =
      Send("GET", "/api/v1/namespaces/default/secrets?watch=true&timeoutSeconds=1");
  ExpectRejected(rejected_watch);
  EXPECT_EQ(held[0].get().status, 200);
}

TEST_F(OverloadTest, EveryAuthenticatedAnswerIsClassifiedAndLoggedWithItsUser) {
  Start();
  std::string sa = ServiceAccountToken();
  auto admin = Send("GET", "/api/v1/namespaces/default/secrets");
  auto missing = Send("GET", "/api/v1/namespaces/default/secrets/nope");
  auto by_sa = Send("GET", "/api/v1/namespaces/default/secrets", "", sa);
  auto anonymous = Send("GET", "/api/v1/namespaces/default/secrets", "", "");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(anonymous.status, 401);
  for (const auto* r : {&admin, &missing, &by_sa}) {
    EXPECT_FALSE(r->Header("X-Kubernetes-PF-FlowSchema-UID").empty()) << r->status;
    EXPECT_FALSE(r->Header("X-Kubernetes-PF-PriorityLevel-UID").empty()) << r->status;
  }
  // Authentication runs first: a 401 is not classified.
  EXPECT_EQ(anonymous.Header("X-Kubernetes-PF-FlowSchema-UID"), "");
  // The admin (exempt) and a ServiceAccount (service-accounts) fall in different schemas and
  // levels; the same caller always in the same ones.
  EXPECT_NE(admin.Header("X-Kubernetes-PF-FlowSchema-UID"),
            by_sa.Header("X-Kubernetes-PF-FlowSchema-UID"));
  EXPECT_NE(admin.Header("X-Kubernetes-PF-PriorityLevel-UID"),
            by_sa.Header("X-Kubernetes-PF-PriorityLevel-UID"));
  EXPECT_EQ(admin.Header("X-Kubernetes-PF-FlowSchema-UID"),
            missing.Header("X-Kubernetes-PF-FlowSchema-UID"));

  auto log = json::Parse(Send("GET", "/__emulator/requests").body);
  ASSERT_TRUE(log.ok());
  std::vector<std::string> users;
  for (const auto& e : json::Find(*log, "requests")->GetArray()) {
    if (StringAt(e, "count_key") == "LIST secrets") users.push_back(StringAt(e, "user"));
  }
  EXPECT_EQ(users, (std::vector<std::string>{"system:admin",
                                             "system:serviceaccount:default:default", ""}));
  EXPECT_EQ(log->GetObject()["requests"].Size(), 5u);  // token, 2x list, get, 401
  // Never a token in the log.
  EXPECT_EQ(Send("GET", "/__emulator/requests").body.find(sa.substr(0, 20)), std::string::npos);
}

TEST(OverloadFlagTest, RejectsABadLimit) {
  auto r =
      vaultsync::testing::RunCommand(vaultsync::testing::BinaryPath("kube-emulator"),
                                     {"--listen", "127.0.0.1:0", "--max-requests-inflight", "many"},
                                     {}, "", std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--max-requests-inflight"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vaultsync::kubeemu
