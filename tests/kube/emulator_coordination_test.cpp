// Integration tests against the kube-emulator of the two coordination pieces: Events that
// aggregate repeats, and leader election between two candidates on a real Lease.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "emulator_env.h"
#include "kube/events.h"
#include "kube/leaderelection.h"
#include "kube/object.h"
#include "util/time_format.h"

namespace vaultsync::kube::testing {
namespace {

using namespace std::chrono_literals;

template <typename Pred>
bool Eventually(Pred p, std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (p()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return p();
}

TEST_F(EmulatorTest, RepeatedEventsAreAggregated) {
  auto secret = client_->Create(resources::Secret(), Secret("db-creds", "MA=="));
  ASSERT_TRUE(secret.ok());
  auto ref = ReferenceTo(*secret, "v1", "Secret");
  ASSERT_TRUE(ref.ok());
  EventRecorder rec(*client_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(rec.Event(*ref, kEventWarning, "VaultUnavailable", "connection refused"));
    ASSERT_TRUE(rec.Flush(10s));
  }
  ASSERT_TRUE(rec.Event(*ref, kEventNormal, "Synced", "copied secret/app/db"));
  ASSERT_TRUE(rec.Flush(10s));
  ListOptions lo;
  lo.field_selector = "involvedObject.kind=Secret,involvedObject.name=db-creds";
  auto list = client_->List(resources::Event(), "demo", lo);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ((*list)["items"].Size(), 2u);
  std::map<std::string, int64_t> counts;
  for (const auto& e : (*list)["items"].GetArray()) {
    counts[std::string(*json::String(e, "reason"))] = *json::Int64(e, "count");
    EXPECT_EQ(*json::String(e["involvedObject"], "uid"), ref->uid);
    EXPECT_EQ(*json::String(e["source"], "component"), "vaultsync-operator");
  }
  EXPECT_EQ(counts["VaultUnavailable"], 3);
  EXPECT_EQ(counts["Synced"], 1);
  EXPECT_EQ(Counter("CREATE events"), 2);
  EXPECT_EQ(Counter("PATCH events"), 2);
}

LeaderElectionConfig Candidate(const std::string& id) {
  LeaderElectionConfig c;
  c.lease_namespace = "demo";
  c.lease_name = "vaultsync-leader";
  c.identity = id;
  c.lease_duration = 2000ms;
  c.renew_deadline = 1500ms;
  c.retry_period = 300ms;
  return c;
}

TEST_F(EmulatorTest, TwoCandidatesOneLeadsTheOtherTakesOver) {
  auto client_b = NewClient();
  std::atomic<int> a_started{0}, a_stopped{0}, b_started{0};
  auto ca = Candidate("candidate-a");
  ca.on_started_leading = [&] { ++a_started; };
  ca.on_stopped_leading = [&] { ++a_stopped; };
  auto cb = Candidate("candidate-b");
  cb.on_started_leading = [&] { ++b_started; };
  LeaderElector a(*client_, ca);
  LeaderElector b(*client_b, cb);
  ASSERT_TRUE(a.Start().ok());
  ASSERT_TRUE(Eventually([&] { return a.IsLeader(); }));
  ASSERT_TRUE(b.Start().ok());
  // Longer than a lease duration: a keeps renewing, b keeps waiting.
  auto until = std::chrono::steady_clock::now() + 2500ms;
  while (std::chrono::steady_clock::now() < until) {
    ASSERT_TRUE(a.IsLeader());
    ASSERT_FALSE(b.IsLeader());
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(b.ObservedLeader(), "candidate-a");
  auto lease = client_->Get(resources::Lease(), "demo", "vaultsync-leader");
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(Rfc3339FractionDigits(*json::String((*lease)["spec"], "renewTime")), 6);

  a.Stop();  // releases the lease
  EXPECT_EQ(a_stopped, 1);
  ASSERT_TRUE(Eventually([&] { return b.IsLeader(); }));
  EXPECT_EQ(b_started, 1);
  EXPECT_EQ(a_started, 1);
  lease = client_->Get(resources::Lease(), "demo", "vaultsync-leader");
  EXPECT_EQ(*json::String((*lease)["spec"], "holderIdentity"), "candidate-b");
  EXPECT_EQ(*json::Int64((*lease)["spec"], "leaseTransitions"), 1);
  b.Stop();
  lease = client_->Get(resources::Lease(), "demo", "vaultsync-leader");
  EXPECT_EQ(*json::String((*lease)["spec"], "holderIdentity"), "");
}

TEST_F(EmulatorTest, CrashedLeaderIsReplacedAfterTheLeaseExpires) {
  auto ca = Candidate("crashed");
  ca.release_on_cancel = false;  // as if the process died
  LeaderElector a(*client_, ca);
  ASSERT_TRUE(a.Start().ok());
  ASSERT_TRUE(Eventually([&] { return a.IsLeader(); }));
  a.Stop();
  auto held = client_->Get(resources::Lease(), "demo", "vaultsync-leader");
  ASSERT_TRUE(held.ok());
  auto last_renew = ParseRfc3339(*json::String((*held)["spec"], "renewTime"));
  ASSERT_TRUE(last_renew.ok());
  LeaderElector b(*client_, Candidate("successor"));
  ASSERT_TRUE(b.Start().ok());
  ASSERT_TRUE(Eventually([&] { return b.IsLeader(); }));
  // Not before the lease expired: the successor's acquireTime (written by its own clock, the
  // same machine's) is at least a lease duration after the crashed leader's last renewal.
  // Read from the Lease, so a slow machine cannot make this pass or fail.
  auto taken = client_->Get(resources::Lease(), "demo", "vaultsync-leader");
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(*json::String((*taken)["spec"], "holderIdentity"), "successor");
  auto acquired = ParseRfc3339(*json::String((*taken)["spec"], "acquireTime"));
  ASSERT_TRUE(acquired.ok());
  EXPECT_GE(*acquired - *last_renew, std::chrono::milliseconds(ca.lease_duration))
      << "the lease was taken before it expired";
  b.Stop();
}

}  // namespace
}  // namespace vaultsync::kube::testing
