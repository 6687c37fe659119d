// Tests for controller/rollout_restarter.h with a FakeClock: the coalescing window (ten
// owners, one workload, one restart), retries and the outcomes that are not retried, Argo
// Rollouts with and without their CRD, what Request answers across MAC changes, and the
// metrics and Events it reports.
#include "controller/rollout_restarter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes.h"

namespace vaultsync::controller {
namespace {
using namespace std::chrono_literals;
using testing::FakeCluster;
using testing::FakeEvents;
using ::testing::HasSubstr;

class CountingMetrics : public metrics::RolloutRestartMetrics {
 public:
  void ObserveRolloutRestart(std::string_view kind, std::string_view result) override {
    ++counts[std::string(kind) + "/" + std::string(result)];
  }
  std::map<std::string, int> counts;
};

ObjectMeta Meta(const std::string& name, const std::string& ns = "demo") {
  ObjectMeta m;
  m.namespace_ = ns;
  m.name = name;
  m.uid = "uid-" + name;
  return m;
}

class RolloutRestarterTest : public ::testing::Test {
 protected:
  RolloutRestarterTest() {
    RolloutRestarterOptions o;
    o.coalesce = 5s;
    restarter_ =
        std::make_unique<RolloutRestarter>(cluster_, events_, clock_, o, &metrics_, &logger_);
    restarter_->Done(kKindVaultStaticSecret).Subscribe([this](const std::string& key) {
      done_keys_.push_back(key);
    });
  }

  RestartProgress Ask(const ObjectMeta& meta, const std::vector<RolloutTarget>& targets,
                      const std::string& mac, const std::string& kind = kKindVaultStaticSecret) {
    return restarter_->Request(SecretOwner{kind, &meta}, targets, mac);
  }

  int EventsWith(const std::string& reason) {
    int n = 0;
    for (const auto& e : events_.events) n += e.reason == reason ? 1 : 0;
    return n;
  }

  FakeClock clock_;
  FakeCluster cluster_;
  FakeEvents events_;
  CountingMetrics metrics_;
  std::ostringstream log_;
  log::Logger logger_{&log_};
  std::unique_ptr<RolloutRestarter> restarter_;
  std::vector<std::string> done_keys_;
};

TEST_F(RolloutRestarterTest, TenOwnersChangedAtOnceGiveTheirWorkloadOneRestart) {
  const std::vector<RolloutTarget> web = {{"Deployment", "web"}};
  std::vector<ObjectMeta> owners;
  for (int i = 0; i < 10; ++i) owners.push_back(Meta("s" + std::to_string(i)));
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(Ask(owners[i], web, "mac-" + std::to_string(i)), RestartProgress::kPending);
    clock_.Advance(100ms);  // all within the window
  }
  EXPECT_EQ(restarter_->pending(), 1u);
  auto next = restarter_->RunDue();
  EXPECT_EQ(cluster_.workload_patches, 0);  // the window has not ended
  ASSERT_TRUE(next.has_value());
  clock_.Set(*next);
  EXPECT_FALSE(restarter_->RunDue().has_value());
  ASSERT_EQ(cluster_.workload_patches, 1);
  EXPECT_EQ(cluster_.workload_patch_targets[0], "Deployment demo/web");
  EXPECT_EQ(metrics_.counts["Deployment/success"], 1);
  // Every owner hears of it, is told done, and is re-queued.
  EXPECT_EQ(EventsWith("RolloutRestarted"), 10);
  EXPECT_EQ(done_keys_.size(), 10u);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(Ask(owners[i], web, "mac-" + std::to_string(i)), RestartProgress::kDone);
  // Asking again for the same data restarts nothing.
  clock_.Advance(10s);
  restarter_->RunDue();
  EXPECT_EQ(cluster_.workload_patches, 1);
}

TEST_F(RolloutRestarterTest, TheWindowStartsWithTheFirstRequestAndALaterOneWaitsForTheNext) {
  const std::vector<RolloutTarget> web = {{"Deployment", "web"}};
  ObjectMeta a = Meta("a"), b = Meta("b");
  Ask(a, web, "a1");
  clock_.Advance(4s);
  Ask(b, web, "b1");  // joins a's window
  clock_.Advance(1s);
  restarter_->RunDue();
  EXPECT_EQ(cluster_.workload_patches, 1);
  EXPECT_EQ(Ask(b, web, "b1"), RestartProgress::kDone);
  // New data for a after the restart: a new window, a second restart.
  EXPECT_EQ(Ask(a, web, "a2"), RestartProgress::kPending);
  clock_.Advance(4999ms);
  restarter_->RunDue();
  EXPECT_EQ(cluster_.workload_patches, 1);
  clock_.Advance(1ms);
  restarter_->RunDue();
  EXPECT_EQ(cluster_.workload_patches, 2);
}

TEST_F(RolloutRestarterTest, NewerDataWithinTheWindowIsCoveredByTheSameRestart) {
  const std::vector<RolloutTarget> web = {{"Deployment", "web"}};
  ObjectMeta a = Meta("a");
  Ask(a, web, "v1");
  clock_.Advance(2s);
  EXPECT_EQ(Ask(a, web, "v2"), RestartProgress::kPending);
  clock_.Advance(3s);
  restarter_->RunDue();
  EXPECT_EQ(cluster_.workload_patches, 1);
  EXPECT_EQ(Ask(a, web, "v2"), RestartProgress::kDone);
  // The first MAC's request was replaced, not answered.
  EXPECT_EQ(Ask(a, web, "v1"), RestartProgress::kPending);
}

TEST_F(RolloutRestarterTest, RetriesFailuresThatMayPassAndGivesUpOnOthers) {
  const std::vector<RolloutTarget> targets = {
      {"Deployment", "web"}, {"StatefulSet", "db"}, {"Deployment", "missing"}};
  cluster_.fail_workload["StatefulSet db"] =
      Status(StatusCode::kRateLimited, "TooManyRequests: slow down", 429)
          .set_retry_after_seconds(7);
  cluster_.fail_workload["Deployment missing"] =
      Status(StatusCode::kNotFound, R"(NotFound: deployments.apps "missing" not found)", 404);
  ObjectMeta a = Meta("a");
  Ask(a, targets, "m");
  clock_.Advance(5s);
  auto next = restarter_->RunDue();
  EXPECT_EQ(cluster_.workload_patches, 3);
  EXPECT_EQ(metrics_.counts["Deployment/success"], 1);
  EXPECT_EQ(metrics_.counts["StatefulSet/retry"], 1);
  EXPECT_EQ(metrics_.counts["Deployment/error"], 1);
  EXPECT_EQ(EventsWith("RolloutRestartFailed"), 2);
  EXPECT_EQ(Ask(a, targets, "m"), RestartProgress::kPending);  // db still owed
  // The server's Retry-After (7 s) beats the first backoff step (1 s).
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next - clock_.Now(), 7s);
  clock_.Advance(6s);
  restarter_->RunDue();
  EXPECT_EQ(cluster_.workload_patches, 3);
  // Still failing: the next attempt waits 2 s (doubling).
  cluster_.fail_workload["StatefulSet db"] = Status(StatusCode::kUnavailable, "down", 503);
  clock_.Advance(1s);
  next = restarter_->RunDue();
  EXPECT_EQ(cluster_.workload_patches, 4);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next - clock_.Now(), 2s);
  cluster_.fail_workload.erase("StatefulSet db");
  clock_.Advance(2s);
  restarter_->RunDue();
  EXPECT_EQ(cluster_.workload_patches, 5);
  EXPECT_EQ(Ask(a, targets, "m"), RestartProgress::kDone);
  EXPECT_EQ(done_keys_, std::vector<std::string>{"demo/a"});
  // The missing workload was tried once.
  int missing = 0;
  for (const auto& t : cluster_.workload_patch_targets) missing += t == "Deployment demo/missing";
  EXPECT_EQ(missing, 1);
  EXPECT_THAT(log_.str(), HasSubstr("rollout restart failed"));
}

TEST_F(RolloutRestarterTest, ArgoRolloutsGetSpecRestartAtInWholeSecondsRoundedUp) {
  clock_.Set(TimePoint(std::chrono::seconds(1800000000)) + 250ms);
  ObjectMeta a = Meta("a");
  Ask(a, {{"argoproj.io/Rollout", "canary"}}, "m");
  clock_.Advance(5s);
  restarter_->RunDue();
  ASSERT_EQ(cluster_.workload_patches, 1);
  EXPECT_EQ(cluster_.workload_patch_targets[0], "argoproj.io/Rollout demo/canary");
  // 1800000005.25 s rounds up to 1800000006 s.
  EXPECT_EQ(cluster_.workload_patch_bodies[0], R"({"spec":{"restartAt":"2027-01-15T08:00:06Z"}})");
  EXPECT_EQ(metrics_.counts["argoproj.io/Rollout/success"], 1);
  EXPECT_EQ(Ask(a, {{"argoproj.io/Rollout", "canary"}}, "m"), RestartProgress::kDone);
}

TEST_F(RolloutRestarterTest, AnArgoRolloutWithoutItsCrdIsSkippedWithAWarning) {
  // The real API server answers a plain "404 page not found" for a group it does not serve;
  // the kube emulator a Status without an object name. Neither names the Rollout.
  for (const char* msg : {"NotFound: 404 page not found",
                          "NotFound: the server could not find the requested resource"}) {
    SCOPED_TRACE(msg);
    cluster_.fail_workload["argoproj.io/Rollout canary"] = Status(StatusCode::kNotFound, msg, 404);
    ObjectMeta a = Meta(std::string("a") + std::to_string(cluster_.workload_patches));
    Ask(a, {{"argoproj.io/Rollout", "canary"}}, "m");
    clock_.Advance(5s);
    restarter_->RunDue();
    EXPECT_EQ(Ask(a, {{"argoproj.io/Rollout", "canary"}}, "m"), RestartProgress::kDone);
    ASSERT_FALSE(events_.events.empty());
    EXPECT_EQ(events_.events.back().reason, "RolloutRestartSkipped");
    EXPECT_TRUE(events_.events.back().warning);
    EXPECT_THAT(events_.events.back().message, HasSubstr("argoproj.io Rollouts"));
  }
  EXPECT_EQ(metrics_.counts["argoproj.io/Rollout/skipped"], 2);
  // A Rollout that is missing while the CRD exists is an error, not a skip.
  cluster_.fail_workload["argoproj.io/Rollout canary"] =
      Status(StatusCode::kNotFound, R"(NotFound: rollouts.argoproj.io "canary" not found)", 404);
  ObjectMeta b = Meta("b");
  Ask(b, {{"argoproj.io/Rollout", "canary"}}, "m");
  clock_.Advance(5s);
  restarter_->RunDue();
  EXPECT_EQ(events_.events.back().reason, "RolloutRestartFailed");
  EXPECT_EQ(metrics_.counts["argoproj.io/Rollout/error"], 1);
}

TEST_F(RolloutRestarterTest, NoTargetsIsDoneAtOnceAndForgettingDropsTheRequest) {
  ObjectMeta a = Meta("a"), b = Meta("b");
  EXPECT_EQ(Ask(a, {}, "m"), RestartProgress::kDone);
  Ask(b, {{"Deployment", "web"}}, "m");
  restarter_->Forget(kKindVaultStaticSecret, "demo/b");
  EXPECT_EQ(restarter_->pending(), 0u);
  clock_.Advance(5s);
  restarter_->RunDue();
  EXPECT_EQ(cluster_.workload_patches, 0);
}

TEST_F(RolloutRestarterTest, KindsAndNamespacesAreKeptApart) {
  // Same owner name in two kinds, same workload name in two namespaces.
  ObjectMeta a = Meta("x", "ns1"), b = Meta("x", "ns2");
  std::vector<std::string> pki_done;
  restarter_->Done("VaultPKISecret").Subscribe([&](const std::string& k) {
    pki_done.push_back(k);
  });
  Ask(a, {{"Deployment", "web"}}, "m1");
  Ask(a, {{"Deployment", "web"}}, "m2", "VaultPKISecret");
  Ask(b, {{"Deployment", "web"}}, "m3");
  EXPECT_EQ(restarter_->pending(), 2u);
  clock_.Advance(5s);
  restarter_->RunDue();
  EXPECT_EQ(cluster_.workload_patches, 2);  // ns1/web once for both kinds, ns2/web once
  EXPECT_EQ(pki_done, std::vector<std::string>{"ns1/x"});
  EXPECT_EQ(Ask(a, {{"Deployment", "web"}}, "m2", "VaultPKISecret"), RestartProgress::kDone);
  EXPECT_EQ(Ask(a, {{"Deployment", "web"}}, "m1"), RestartProgress::kDone);
}

TEST_F(RolloutRestarterTest, ZeroCoalesceRestartsAtTheNextRound) {
  RolloutRestarterOptions o;
  o.coalesce = 0ms;
  RolloutRestarter now(cluster_, events_, clock_, o, nullptr, &logger_);
  ObjectMeta a = Meta("a");
  now.Request(SecretOwner{kKindVaultStaticSecret, &a}, {{"DaemonSet", "agent"}}, "m");
  now.RunDue();
  EXPECT_EQ(cluster_.workload_patches, 1);
}

TEST_F(RolloutRestarterTest, TwoRestartsWithinOneSecondCarryDifferentValues) {
  ObjectMeta a = Meta("a");
  RolloutRestarterOptions o;
  o.coalesce = 0ms;
  RolloutRestarter now(cluster_, events_, clock_, o, nullptr, &logger_);
  now.Request(SecretOwner{kKindVaultStaticSecret, &a}, {{"Deployment", "web"}}, "m1");
  now.RunDue();
  clock_.Advance(1ms);
  now.Request(SecretOwner{kKindVaultStaticSecret, &a}, {{"Deployment", "web"}}, "m2");
  now.RunDue();
  ASSERT_EQ(cluster_.workload_patch_bodies.size(), 2u);
  EXPECT_NE(cluster_.workload_patch_bodies[0], cluster_.workload_patch_bodies[1]);
}

TEST(IsObjectNotFound, TellsAMissingObjectFromAMissingType) {
  EXPECT_TRUE(IsObjectNotFound(
      Status(StatusCode::kNotFound, R"(NotFound: rollouts.argoproj.io "web" not found)"), "web"));
  EXPECT_FALSE(
      IsObjectNotFound(Status(StatusCode::kNotFound, "NotFound: 404 page not found"), "web"));
  EXPECT_FALSE(IsObjectNotFound(Status(StatusCode::kUnavailable, R"("web" not found)"), "web"));
}

}  // namespace
}  // namespace vaultsync::controller
