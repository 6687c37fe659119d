// Tests of Lease leader election against the in-memory API server, with short timings:
// acquisition, renewal, release on stop, takeover by a second candidate, respect for a
// live holder, and loss of leadership when renewals fail.
#include "kube/leaderelection.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <thread>

#include "fake_client.h"
#include "util/time_format.h"

namespace vaultsync::kube {
namespace {

using namespace std::chrono_literals;
using fake::FakeClient;

template <typename Pred>
bool Eventually(Pred p, std::chrono::milliseconds timeout = 5s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (p()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return p();
}

class Hooks : public metrics::LeaderElectionHooks {
 public:
  void SetLeader(std::string_view name, bool leading) override {
    std::lock_guard<std::mutex> l(mu);
    calls.push_back(std::string(name) + (leading ? "=1" : "=0"));
  }
  std::mutex mu;
  std::vector<std::string> calls;
};

class LeaderElectionTest : public ::testing::Test {
 protected:
  LeaderElectionConfig Config(const std::string& id) {
    LeaderElectionConfig c;
    c.lease_namespace = "demo";
    c.lease_name = "vaultsync-leader";
    c.identity = id;
    c.lease_duration = 1000ms;
    c.renew_deadline = 600ms;
    c.retry_period = 100ms;
    c.logger = &logger_;
    return c;
  }
  json::Document Lease() {
    return client_.Get(resources::Lease(), "demo", "vaultsync-leader").value();
  }
  std::string Holder() {
    auto l = client_.Get(resources::Lease(), "demo", "vaultsync-leader");
    if (!l.ok()) return "<none>";
    return std::string(*json::String((*l)["spec"], "holderIdentity"));
  }

  FakeClient client_;
  std::ostringstream log_sink_;
  log::Logger logger_{&log_sink_, log::Level::kDebug};
};

TEST_F(LeaderElectionTest, AcquiresRenewsAndReleases) {
  Hooks hooks;
  std::atomic<int> started{0}, stopped{0};
  auto cfg = Config("a");
  cfg.hooks = &hooks;
  cfg.on_started_leading = [&] { ++started; };
  cfg.on_stopped_leading = [&] { ++stopped; };
  LeaderElector e(client_, cfg);
  ASSERT_TRUE(e.Start().ok());
  ASSERT_TRUE(Eventually([&] { return e.IsLeader(); }));
  // on_started_leading runs on the elector's thread once the Lease is held (as client-go
  // calls OnStartedLeading in a goroutine): wait for it rather than assume it came first.
  ASSERT_TRUE(Eventually([&] { return started.load() == 1; }));
  auto lease = Lease();
  const json::Value& spec = lease["spec"];
  EXPECT_EQ(*json::String(spec, "holderIdentity"), "a");
  EXPECT_EQ(*json::Int64(spec, "leaseDurationSeconds"), 1);
  EXPECT_EQ(*json::Int64(spec, "leaseTransitions"), 0);
  std::string first_renew(*json::String(spec, "renewTime"));
  EXPECT_EQ(Rfc3339FractionDigits(first_renew), 6) << "MicroTime";
  EXPECT_EQ(Rfc3339FractionDigits(*json::String(spec, "acquireTime")), 6);
  ASSERT_TRUE(Eventually([&] {
    return std::string(*json::String(Lease()["spec"], "renewTime")) != first_renew;
  })) << "the leader renews";
  EXPECT_EQ(*json::String(Lease()["spec"], "acquireTime"), *json::String(spec, "acquireTime"));

  e.Stop();
  EXPECT_FALSE(e.IsLeader());
  EXPECT_TRUE(e.Finished());
  EXPECT_EQ(stopped, 1);
  auto released = Lease();
  EXPECT_EQ(*json::String(released["spec"], "holderIdentity"), "");
  EXPECT_EQ(*json::Int64(released["spec"], "leaseDurationSeconds"), 1);
  std::lock_guard<std::mutex> l(hooks.mu);
  EXPECT_EQ(hooks.calls, (std::vector<std::string>{"vaultsync-leader=1", "vaultsync-leader=0"}));
}

TEST_F(LeaderElectionTest, SecondCandidateTakesOverAfterTheFirstStops) {
  LeaderElector a(client_, Config("a"));
  LeaderElector b(client_, Config("b"));
  ASSERT_TRUE(a.Start().ok());
  ASSERT_TRUE(Eventually([&] { return a.IsLeader(); }));
  ASSERT_TRUE(b.Start().ok());
  // For a while (several retry periods and more than a lease duration) only a leads.
  auto until = std::chrono::steady_clock::now() + 1500ms;
  while (std::chrono::steady_clock::now() < until) {
    ASSERT_FALSE(b.IsLeader());
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(a.IsLeader());
  EXPECT_EQ(b.ObservedLeader(), "a");
  a.Stop();
  ASSERT_TRUE(Eventually([&] { return b.IsLeader(); }));
  auto lease = Lease();
  EXPECT_EQ(*json::String(lease["spec"], "holderIdentity"), "b");
  EXPECT_EQ(*json::Int64(lease["spec"], "leaseTransitions"), 1);
  b.Stop();
}

TEST_F(LeaderElectionTest, WithoutReleaseTheSuccessorWaitsForExpiry) {
  auto cfg = Config("a");
  cfg.release_on_cancel = false;
  LeaderElector a(client_, cfg);
  ASSERT_TRUE(a.Start().ok());
  ASSERT_TRUE(Eventually([&] { return a.IsLeader(); }));
  a.Stop();
  EXPECT_EQ(Holder(), "a") << "not released";
  LeaderElector b(client_, Config("b"));
  ASSERT_TRUE(b.Start().ok());
  ASSERT_TRUE(Eventually([&] { return b.IsLeader(); }))
      << "takes the lease once it was not renewed for leaseDurationSeconds";
  b.Stop();
}

TEST_F(LeaderElectionTest, LiveHolderIsRespectedAndAnEmptyHolderIsFree) {
  auto doc = json::Parse(R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease",)"
                         R"("metadata":{"name":"vaultsync-leader","namespace":"demo"},)"
                         R"("spec":{"holderIdentity":"other","leaseDurationSeconds":3600,)"
                         R"("acquireTime":"2026-11-23T09:48:00.787773Z",)"
                         R"("renewTime":"2026-11-23T09:48:00.787773Z","leaseTransitions":4}})");
  ASSERT_TRUE(client_.Create(resources::Lease(), *doc).ok());
  std::vector<std::string> leaders;
  std::mutex mu;
  auto cfg = Config("a");
  cfg.on_new_leader = [&](const std::string& h) {
    std::lock_guard<std::mutex> l(mu);
    leaders.push_back(h);
  };
  LeaderElector e(client_, cfg);
  ASSERT_TRUE(e.Start().ok());
  ASSERT_TRUE(Eventually([&] { return e.ObservedLeader() == "other"; }));
  // Three more looks at the Lease (a count, not a time) and still not taking it.
  const int looked = client_.Calls("get", "leases");
  ASSERT_TRUE(Eventually([&] { return client_.Calls("get", "leases") >= looked + 3; }));
  EXPECT_FALSE(e.IsLeader());
  EXPECT_EQ(client_.Calls("update", "leases"), 0) << "a live holder's Lease is left alone";
  ASSERT_TRUE(client_
                  .Patch(resources::Lease(), "demo", "vaultsync-leader", PatchType::kMerge,
                         R"({"spec":{"holderIdentity":""}})")
                  .ok());
  ASSERT_TRUE(Eventually([&] { return e.IsLeader(); }));
  EXPECT_EQ(*json::Int64(Lease()["spec"], "leaseTransitions"), 5);
  e.Stop();
  std::lock_guard<std::mutex> l(mu);
  EXPECT_EQ(leaders, (std::vector<std::string>{"other", "a"}));
}

TEST_F(LeaderElectionTest, LosesLeadershipWhenRenewalsFail) {
  std::atomic<int> stopped{0};
  auto cfg = Config("a");
  cfg.on_stopped_leading = [&] { ++stopped; };
  LeaderElector e(client_, cfg);
  ASSERT_TRUE(e.Start().ok());
  ASSERT_TRUE(Eventually([&] { return e.IsLeader(); }));
  client_.FailNext("get", "leases", Status(StatusCode::kUnavailable, "apiserver down"), 100000);
  ASSERT_TRUE(Eventually([&] { return stopped.load() == 1; }));
  EXPECT_FALSE(e.IsLeader());
  EXPECT_TRUE(e.Finished());
  EXPECT_NE(log_sink_.str().find("leadership lost"), std::string::npos);
  client_.ClearFaults();
  EXPECT_EQ(Holder(), "a") << "a lost lease is not released";
  e.Stop();
  EXPECT_EQ(stopped.load(), 1);
}

// A Client whose Lease requests hang while `hold` is set, as requests to an API server that
// stopped answering do (until the client's timeout, which may be long).
class HangingLeaseClient final : public Client {
 public:
  explicit HangingLeaseClient(Client& inner) : inner_(inner) {}
  void Hold() {
    std::lock_guard<std::mutex> l(mu_);
    hold_ = true;
  }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    hold_ = false;
    cv_.notify_all();
  }
  int hanging() {
    std::lock_guard<std::mutex> l(mu_);
    return hanging_;
  }
  Result<json::Document> Get(const ResourceType& rt, std::string_view ns, std::string_view name,
                             std::string_view sub = "") override {
    Hang();
    return inner_.Get(rt, ns, name, sub);
  }
  Result<json::Document> List(const ResourceType& rt, std::string_view ns,
                              const ListOptions& o = {}) override {
    return inner_.List(rt, ns, o);
  }
  Result<json::Document> Create(const ResourceType& rt, const json::Value& obj) override {
    Hang();
    return inner_.Create(rt, obj);
  }
  Result<json::Document> Update(const ResourceType& rt, const json::Value& obj) override {
    Hang();
    return inner_.Update(rt, obj);
  }
  Result<json::Document> UpdateStatus(const ResourceType& rt, const json::Value& obj) override {
    return inner_.UpdateStatus(rt, obj);
  }
  Result<json::Document> Patch(const ResourceType& rt, std::string_view ns, std::string_view name,
                               PatchType t, std::string_view p,
                               const PatchOptions& o = {}) override {
    return inner_.Patch(rt, ns, name, t, p, o);
  }
  Status Delete(const ResourceType& rt, std::string_view ns, std::string_view name,
                const DeleteOptions& o = {}) override {
    return inner_.Delete(rt, ns, name, o);
  }
  Result<TokenResult> CreateToken(std::string_view ns, std::string_view sa,
                                  const TokenRequestOptions& o) override {
    return inner_.CreateToken(ns, sa, o);
  }
  Status Watch(const ResourceType& rt, std::string_view ns, const WatchOptions& o,
               const WatchHandler& h, const http::CancelFlag* c) override {
    return inner_.Watch(rt, ns, o, h, c);
  }

 private:
  void Hang() {
    std::unique_lock<std::mutex> l(mu_);
    if (!hold_) return;
    ++hanging_;
    cv_.wait_for(l, 20s, [&] { return !hold_; });  // bounded, in case the test fails
    --hanging_;
  }
  Client& inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
  int hanging_ = 0;
};

TEST_F(LeaderElectionTest, ATermEndsAtTheRenewDeadlineEvenWhileARenewalHangs) {
  HangingLeaseClient hanging(client_);
  std::atomic<int> stopped{0};
  std::atomic<int> hanging_when_stopped{-1};
  auto cfg = Config("a");
  cfg.on_stopped_leading = [&] {
    hanging_when_stopped = hanging.hanging();
    ++stopped;
  };
  LeaderElector e(hanging, cfg);
  ASSERT_TRUE(e.Start().ok());
  ASSERT_TRUE(Eventually([&] { return e.IsLeader(); }));
  hanging.Hold();
  ASSERT_TRUE(Eventually([&] { return stopped.load() == 1; }));
  // The term ended while the renewal was still stuck in its request: the watchdog, not
  // the request's return, ended it — so it ended by the renew deadline, before a standby
  // could see the lease expire.
  EXPECT_EQ(hanging_when_stopped.load(), 1);
  EXPECT_FALSE(e.IsLeader());
  hanging.Release();
  e.Stop();
  EXPECT_EQ(stopped.load(), 1);
  EXPECT_EQ(Holder(), "a") << "a lost lease is not released";
}

TEST_F(LeaderElectionTest, RejectsInconsistentTimings) {
  auto cfg = Config("a");
  cfg.renew_deadline = 1000ms;
  EXPECT_EQ(LeaderElector(client_, cfg).Start().code(), StatusCode::kInvalidArgument);
  cfg = Config("a");
  cfg.retry_period = 550ms;
  EXPECT_EQ(ValidateLeaderElectionConfig(cfg).code(), StatusCode::kInvalidArgument);
  cfg = Config("a");
  cfg.lease_name = "";
  EXPECT_EQ(ValidateLeaderElectionConfig(cfg).code(), StatusCode::kInvalidArgument);
  LeaderElectionConfig defaults;
  defaults.lease_namespace = "n";
  defaults.lease_name = "l";
  EXPECT_TRUE(ValidateLeaderElectionConfig(defaults).ok()) << "client-go's 15s/10s/2s";
  LeaderElector unnamed(client_, defaults);
  EXPECT_NE(unnamed.identity().find('_'), std::string::npos) << "hostname_uuid";
  EXPECT_EQ(unnamed.identity().size() - unnamed.identity().rfind('_') - 1, 36u);
}

}  // namespace
}  // namespace vaultsync::kube
