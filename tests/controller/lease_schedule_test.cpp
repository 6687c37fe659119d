// The lease schedule: renewal at renewalPercent of each grant, rotation rotateBefore the end
// of a lease that can no longer be extended, bounded so it never loops and never leaves
// less than 10 % of the grant (the alert threshold).
#include "controller/lease_schedule.h"

#include <gtest/gtest.h>

namespace vaultsync::controller {
namespace {
using namespace std::chrono_literals;

LeaseState Lease(bool renewable, bool final, std::chrono::seconds granted) {
  FakeClock clock;
  LeaseState l;
  l.id = "database/creds/app/x";
  l.renewable = renewable;
  l.final = final;
  l.grant_start = clock.Now();
  l.granted = granted;
  l.expire = l.grant_start + granted;
  return l;
}

TEST(LeaseScheduleTest, RenewableLeaseRenewsAtRenewalPercentOfTheGrant) {
  LeaseState l = Lease(true, false, 3600s);
  LeasePlan p = PlanLease(l, {67, 60s});
  EXPECT_EQ(p.action, LeaseAction::kRenew);
  EXPECT_EQ(p.at - l.grant_start, 2412s);
  p = PlanLease(l, {50, 60s});
  EXPECT_EQ(p.at - l.grant_start, 1800s);
}

TEST(LeaseScheduleTest, FinalLeaseRotatesRotateBeforeItsEnd) {
  LeaseState l = Lease(true, true, 3600s);
  LeasePlan p = PlanLease(l, {67, 60s});
  EXPECT_EQ(p.action, LeaseAction::kRotate);
  // 1 minute before the end is less than 10 % of the hour: at least 10 % is left.
  EXPECT_EQ(l.expire - p.at, 360s);
  p = PlanLease(l, {67, 15min});
  EXPECT_EQ(l.expire - p.at, 15min);
}

TEST(LeaseScheduleTest, NonRenewableLeaseRotatesLikeAFinalOne) {
  LeaseState l = Lease(false, false, 600s);
  LeasePlan p = PlanLease(l, {67, 120s});
  EXPECT_EQ(p.action, LeaseAction::kRotate);
  EXPECT_EQ(l.expire - p.at, 120s);
}

TEST(LeaseScheduleTest, RotateBeforeLongerThanTheLeaseWaitsForRenewalPercent) {
  // A 30 s lease with rotateBefore 1m would rotate at once, in a loop.
  LeaseState l = Lease(true, true, 30s);
  LeasePlan p = PlanLease(l, {67, 60s});
  EXPECT_EQ(p.action, LeaseAction::kRotate);
  EXPECT_EQ(p.at - l.grant_start, 20100ms);
  EXPECT_GT(p.at, l.grant_start);
}

TEST(LeaseScheduleTest, SecretWithoutLeaseIsReadAgainLikeAFinalLease) {
  LeaseState l = Lease(true, false, 100s);
  l.id.clear();
  LeasePlan p = PlanLease(l, {67, 10s});
  EXPECT_EQ(p.action, LeaseAction::kRotate);
  EXPECT_EQ(l.expire - p.at, 10s);
  p = PlanLease(l, {67, 50s});
  EXPECT_EQ(l.expire - p.at, 33s);  // not before renewalPercent of the grant
}

TEST(LeaseScheduleTest, RenewalCappedWhenVaultGrantsLessThanAsked) {
  EXPECT_FALSE(RenewalCapped(3600s, 3600s));
  EXPECT_TRUE(RenewalCapped(3600s, 3599s));
  EXPECT_TRUE(RenewalCapped(3600s, 1800s));
}

}  // namespace
}  // namespace vaultsync::controller
