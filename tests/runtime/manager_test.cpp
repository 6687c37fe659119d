// Tests of runtime/manager.h against the kube-apiserver emulator: a controller declared with
// the builder runs on the manager's caches; shutdown cancels what outlives the drain
// deadline; a leader that cannot renew its Lease stops and closes its write fence.
#include "runtime/manager.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <set>

#include "emulator_env.h"
#include "runtime/builder.h"

namespace vaultsync::runtime {
namespace {

using namespace std::chrono_literals;

struct Name {
  std::string key;
};

Result<Name> DecodeName(const json::Value& obj) {
  VS_ASSIGN_OR_RETURN(kube::ObjectMeta m, kube::ReadObjectMeta(obj));
  return Name{kube::ObjectKey(m.namespace_, m.name)};
}

class ManagerTest : public kube::testing::EmulatorTest {
 protected:
  ManagerOptions Options() {
    ManagerOptions o;
    o.kube = BaseConfig();
    o.metrics_bind_address = "0";
    o.health_probe_bind_address = "0";
    o.shutdown_timeout = 2s;
    return o;
  }
  // Declares a controller over the Secrets of namespace demo whose reconcile is `fn`.
  void Declare(Manager& m, ReconcileFn fn) {
    auto inf = m.informers().For<Name>(kube::resources::Secret(), {{"demo"}, "", ""}, DecodeName);
    ASSERT_TRUE(inf.ok());
    ControllerBuilder(m, "secrets")
        .For<Name>(*inf, [](const Name& n) { return n.key; })
        .Complete(std::move(fn));
  }
  void Note(const std::string& key) {
    std::lock_guard<std::mutex> l(mu_);
    seen_.insert(key);
    cv_.notify_all();
  }
  bool Seen(const std::string& key, std::chrono::milliseconds timeout = 20s) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, timeout, [&] { return seen_.count(key) > 0; });
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::string> seen_;
};

TEST_F(ManagerTest, RunsDeclaredControllersOnItsCachesAndStopsOnRequest) {
  auto m = Manager::New(Options());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  Declare(**m, [&](const std::string& key) {
    Note(key);
    return ReconcileResult::Done();
  });
  http::CancelFlag stop;
  auto run = std::async(std::launch::async, [&] { return (*m)->Run(stop); });
  ASSERT_TRUE(client_->Create(kube::resources::Secret(), Secret("one", "MQ==")).ok());
  EXPECT_TRUE(Seen("demo/one"));
  // Every request carries the replica's identity in its User-Agent.
  EXPECT_NE((*m)->identity().find('_'), std::string::npos);
  stop.Cancel();
  Status st = run.get();
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST_F(ManagerTest, ShutdownCancelsWhatOutlivesTheDrainDeadline) {
  auto m = Manager::New(Options());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  Manager& mgr = **m;
  std::atomic<bool> saw_abort{false};
  Declare(mgr, [&](const std::string& key) {
    Note(key);
    // A reconcile stuck in a request that would last a minute: only the manager's abort
    // (fired at the drain deadline) ends it.
    saw_abort = !mgr.abort().WaitFor(60s);
    return ReconcileResult::Done();
  });
  http::CancelFlag stop;
  auto run = std::async(std::launch::async, [&] { return mgr.Run(stop); });
  ASSERT_TRUE(client_->Create(kube::resources::Secret(), Secret("stuck", "MQ==")).ok());
  ASSERT_TRUE(Seen("demo/stuck"));
  stop.Cancel();
  Status st = run.get();
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(saw_abort) << "the stuck reconcile was cut at the drain deadline";
  // After shutdown no write of this manager reaches the server.
  EXPECT_EQ(mgr.client().Create(kube::resources::Secret(), Secret("late", "MQ==")).status().code(),
            StatusCode::kCancelled);
}

TEST_F(ManagerTest, ALeaderThatCannotRenewStopsAndClosesItsFence) {
  ManagerOptions o = Options();
  o.leader_elect = true;
  o.leader_election_namespace = "demo";
  o.leader_election_id = "manager-test";
  o.lease_duration = 3s;
  o.renew_deadline = 2s;
  o.retry_period = 500ms;
  auto m = Manager::New(o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  Manager& mgr = **m;
  Declare(mgr, [&](const std::string& key) {
    Note(key);
    return ReconcileResult::Done();
  });
  http::CancelFlag stop;
  auto run = std::async(std::launch::async, [&] { return mgr.Run(stop); });
  ASSERT_TRUE(client_->Create(kube::resources::Secret(), Secret("led", "MQ==")).ok());
  ASSERT_TRUE(Seen("demo/led")) << "controllers run once leading";
  ASSERT_TRUE(mgr.client().Create(kube::resources::Secret(), Secret("mine", "MQ==")).ok());
  // Lease requests stop being answered in time.
  Control("POST", "faults", R"({"path_prefix":"/apis/coordination.k8s.io/","latency_ms":20000})");
  Status st = run.get();
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_EQ(mgr.client().Create(kube::resources::Secret(), Secret("after", "MQ==")).status().code(),
            StatusCode::kCancelled);
  Control("DELETE", "faults");
  EXPECT_EQ(client_->Get(kube::resources::Secret(), "demo", "after").status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace vaultsync::runtime
