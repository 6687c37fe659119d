// Tests of the token bucket and the work queue's retry rate limiters.
#include "kube/rate_limiter.h"

#include <gtest/gtest.h>

namespace vaultsync::kube {
namespace {

using namespace std::chrono_literals;
using ns = std::chrono::nanoseconds;

TEST(TokenBucketTest, BurstThenOneTokenPerInterval) {
  FakeClock clock;
  TokenBucket b(10, 3, clock.Now());
  EXPECT_EQ(b.Reserve(clock.Now()), ns(0));
  EXPECT_EQ(b.Reserve(clock.Now()), ns(0));
  EXPECT_EQ(b.Reserve(clock.Now()), ns(0));
  EXPECT_EQ(b.Reserve(clock.Now()), ns(100ms));
  EXPECT_EQ(b.Reserve(clock.Now()), ns(200ms)) << "queued behind the previous reservation";
  EXPECT_FALSE(b.TryAccept(clock.Now()));
  clock.Advance(10s);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(b.TryAccept(clock.Now())) << "refilled to the burst";
  EXPECT_FALSE(b.TryAccept(clock.Now()));
}

TEST(TokenBucketTest, ZeroQpsIsUnlimited) {
  FakeClock clock;
  TokenBucket b(0, 1, clock.Now());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(b.Reserve(clock.Now()), ns(0));
}

TEST(RateLimiterTest, ExponentialPerItemWithCap) {
  ItemExponentialFailureRateLimiter l(5ms, 1000s);
  EXPECT_EQ(l.When("a"), ns(5ms));
  EXPECT_EQ(l.When("a"), ns(10ms));
  EXPECT_EQ(l.When("a"), ns(20ms));
  EXPECT_EQ(l.When("b"), ns(5ms)) << "per item";
  EXPECT_EQ(l.NumRequeues("a"), 3);
  for (int i = 0; i < 100; ++i) l.When("a");
  EXPECT_EQ(l.When("a"), ns(1000s)) << "capped, no overflow";
  l.Forget("a");
  EXPECT_EQ(l.NumRequeues("a"), 0);
  EXPECT_EQ(l.When("a"), ns(5ms));
}

TEST(RateLimiterTest, ControllerDefaultIsTheMaxOfBothLimits) {
  FakeClock clock;
  auto l = NewControllerRateLimiter(clock, {5ms, 1000s, 10, 2});
  EXPECT_EQ(l->When("a"), ns(5ms));
  EXPECT_EQ(l->When("b"), ns(5ms));
  // The bucket (burst 2, 10 qps) is empty now: it dominates the 5ms item backoff.
  EXPECT_EQ(l->When("c"), ns(100ms));
  EXPECT_EQ(l->NumRequeues("a"), 1);
  l->Forget("a");
  EXPECT_EQ(l->NumRequeues("a"), 0);
  clock.Advance(1h);
  EXPECT_EQ(l->When("a"), ns(5ms));
}

}  // namespace
}  // namespace vaultsync::kube
