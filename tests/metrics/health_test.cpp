// Health checks, the probe handler and the heartbeat, without sockets (servers_test.cpp
// covers the same over loopback).
#include "metrics/health.h"

#include <gtest/gtest.h>

#include <atomic>

namespace vaultsync::metrics {
namespace {

EndpointRequest Get(std::string path, std::string query = "") {
  return EndpointRequest{"GET", std::move(path), std::move(query)};
}

TEST(HealthChecksTest, NoChecksMeansPing) {
  HealthChecks checks;
  EndpointResponse r = checks.Aggregate(false, {});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(checks.Aggregate(true, {}).body, "[+]ping ok\nhealthz check passed\n");
}

TEST(HealthChecksTest, AllPassingIsOkAndVerboseListsThemInOrder) {
  HealthChecks checks;
  ASSERT_TRUE(checks.Add("zeta", PingCheck()).ok());
  ASSERT_TRUE(checks.Add("alpha", PingCheck()).ok());
  EXPECT_EQ(checks.Aggregate(false, {}).body, "ok");
  EndpointResponse v = checks.Aggregate(true, {});
  EXPECT_EQ(v.status, 200);
  EXPECT_EQ(v.body, "[+]zeta ok\n[+]alpha ok\nhealthz check passed\n");
  EXPECT_EQ(v.content_type, "text/plain; charset=utf-8");
}

TEST(HealthChecksTest, AFailingCheckGives500NamingItWithoutItsReason) {
  HealthChecks checks;
  std::atomic<bool> healthy{false};
  ASSERT_TRUE(checks.Add("ping", PingCheck()).ok());
  ASSERT_TRUE(checks
                  .Add("workloop",
                       [&healthy] { return healthy ? Status::Ok() : Unavailable("stuck for 90s"); })
                  .ok());
  EndpointResponse r = checks.Aggregate(false, {});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "[+]ping ok\n[-]workloop failed: reason withheld\nhealthz check failed\n");
  EXPECT_EQ(r.body.find("stuck"), std::string::npos);
  // The single-check path does tell the reason.
  EndpointResponse one = checks.Single("workloop");
  EXPECT_EQ(one.status, 500);
  EXPECT_EQ(one.body, "internal server error: stuck for 90s\n");

  healthy = true;
  EXPECT_EQ(checks.Aggregate(false, {}).status, 200);
  EXPECT_EQ(checks.Single("workloop").body, "ok");
  EXPECT_EQ(checks.Single("nope").status, 404);
}

TEST(HealthChecksTest, ExcludedChecksAreSkippedAndUnknownExcludesWarned) {
  HealthChecks checks;
  ASSERT_TRUE(checks.Add("bad", [] { return Unavailable("x"); }).ok());
  ASSERT_TRUE(checks.Add("good", PingCheck()).ok());
  EndpointResponse r = checks.Aggregate(true, {"bad", "ghost"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "[+]bad excluded: ok\n[+]good ok\n"
            "warn: some health checks cannot be excluded: no matches for \"ghost\"\n"
            "healthz check passed\n");
}

TEST(HealthChecksTest, AddRejectsBadAndDuplicateNames) {
  HealthChecks checks;
  EXPECT_TRUE(checks.Add("a", PingCheck()).ok());
  EXPECT_EQ(checks.Add("a", PingCheck()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(checks.Add("", PingCheck()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(checks.Add("a/b", PingCheck()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(checks.Add("nofn", CheckFn()).code(), StatusCode::kInvalidArgument);
}

TEST(ProbesTest, RoutesHealthzAndReadyzSeparately) {
  Probes probes;
  std::atomic<bool> synced{false};
  ASSERT_TRUE(probes.AddHealthzCheck("ping", PingCheck()).ok());
  ASSERT_TRUE(probes
                  .AddReadyzCheck("informers-synced",
                                  [&synced] {
                                    return synced ? Status::Ok() : Unavailable("caches not synced");
                                  })
                  .ok());
  EXPECT_EQ(probes.Handle(Get("/healthz")).status, 200);
  EXPECT_EQ(probes.Handle(Get("/healthz/")).status, 200);
  EXPECT_EQ(probes.Handle(Get("/readyz")).status, 500);
  EXPECT_EQ(probes.Handle(Get("/readyz/informers-synced")).status, 500);
  EXPECT_EQ(probes.Handle(Get("/healthz/informers-synced")).status, 404);
  synced = true;
  EndpointResponse r = probes.Handle(Get("/readyz", "verbose"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "[+]informers-synced ok\nhealthz check passed\n");
  EXPECT_EQ(probes.Handle(Get("/readyz", "verbose=1&x=2")).body, r.body);
  EXPECT_EQ(probes.Handle(Get("/metrics")).status, 404);
  EXPECT_EQ(probes.Handle(Get("/healthzz")).status, 404);
  EXPECT_EQ(probes.Handle(EndpointRequest{"POST", "/healthz", ""}).status, 405);
}

TEST(ProbesTest, ExcludeParameterIsDecoded) {
  Probes probes;
  ASSERT_TRUE(probes.AddReadyzCheck("a b", [] { return Unavailable("x"); }).ok());
  EXPECT_EQ(probes.Handle(Get("/readyz", "exclude=a%20b")).status, 200);
  EXPECT_EQ(probes.Handle(Get("/readyz", "exclude=a+b")).status, 200);
  EXPECT_EQ(probes.Handle(Get("/readyz", "exclude=other")).status, 500);
}

TEST(HeartbeatTest, GoesStaleAfterMaxAgeWithoutBeats) {
  FakeClock clock;
  Heartbeat hb(clock);
  const auto max_age = std::chrono::seconds(30);
  EXPECT_TRUE(hb.Check(max_age).ok());  // fresh at construction
  clock.Advance(std::chrono::seconds(30));
  EXPECT_TRUE(hb.Check(max_age).ok());  // exactly at the threshold still passes
  clock.Advance(std::chrono::seconds(1));
  Status st = hb.Check(max_age);
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("31000ms"), std::string::npos) << st.message();
  hb.Beat();
  EXPECT_EQ(hb.last(), clock.Now());
  EXPECT_TRUE(hb.Check(max_age).ok());
}

TEST(HeartbeatTest, CheckerFlipsAHealthzEndpoint) {
  FakeClock clock;
  Heartbeat hb(clock);
  Probes probes;
  ASSERT_TRUE(probes.AddHealthzCheck("ping", PingCheck()).ok());
  ASSERT_TRUE(probes.AddHealthzCheck("workloop", hb.Checker(std::chrono::seconds(10))).ok());
  EXPECT_EQ(probes.Handle(Get("/healthz")).status, 200);
  clock.Advance(std::chrono::seconds(11));
  EndpointResponse r = probes.Handle(Get("/healthz"));
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("[-]workloop failed"), std::string::npos);
  hb.Beat();
  EXPECT_EQ(probes.Handle(Get("/healthz")).status, 200);
}

}  // namespace
}  // namespace vaultsync::metrics
