// The /metrics exposer and the probe server over real loopback sockets, with the project's
// HTTP client: what a Prometheus server and the kubelet would see.
#include "metrics/servers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "exposition_parser.h"
#include "metrics_test_util.h"

namespace vaultsync::metrics {
namespace {

using testing::Get;

std::string Url(const HttpEndpoint& ep) { return "http://127.0.0.1:" + std::to_string(ep.port()); }

TEST(MetricsServerTest, ScrapeHasEverySpecMetricWithTypeAndLabels) {
  OperatorMetrics m({"0.1.0", "abc"});
  testing::ExerciseEverything(m);
  auto ep = ServeMetrics("127.0.0.1:0", [&m] { return m.ExpositionText(); });
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  ASSERT_NE(*ep, nullptr);
  EXPECT_GT((*ep)->port(), 0);
  EXPECT_EQ((*ep)->url(), Url(**ep));

  auto resp = Get(Url(**ep), "/metrics");
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  auto e = testing::ParseExposition(resp->body);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  for (const auto& spec : testing::SpecMetrics()) {
    SCOPED_TRACE(spec.name);
    ASSERT_TRUE(e->type.count(spec.name));
    EXPECT_EQ(e->type.at(spec.name), spec.type);
    EXPECT_EQ(e->LabelNames(spec.name), spec.labels);
  }
  EXPECT_GT(e->Value("process_resident_memory_bytes", {}).value_or(0), 0);
  EXPECT_GT(e->Value("process_open_fds", {}).value_or(0), 0);
}

TEST(MetricsServerTest, CountersMoveBetweenScrapes) {
  OperatorMetrics m;
  auto ep = ServeMetrics("127.0.0.1:0", [&m] { return m.ExpositionText(); });
  ASSERT_TRUE(ep.ok() && *ep) << ep.status().ToString();
  auto scrape = [&] {
    auto r = Get(Url(**ep), "/metrics");
    EXPECT_TRUE(r.ok());
    auto e = testing::ParseExposition(r.ok() ? r->body : "");
    EXPECT_TRUE(e.ok());
    return e.ok() ? *e : testing::Exposition{};
  };
  EXPECT_EQ(scrape().Value("vaultsync_secret_syncs_total", {{"result", "created"}}), 0);
  m.ObserveSecretSync(SyncResult::kCreated);
  m.SetLastSync("ns", "s", TimePoint(std::chrono::seconds(100)), std::chrono::seconds(60));
  auto e = scrape();
  EXPECT_EQ(e.Value("vaultsync_secret_syncs_total", {{"result", "created"}}), 1);
  EXPECT_EQ(
      e.Value("vaultsync_secret_last_sync_timestamp_seconds", {{"namespace", "ns"}, {"name", "s"}}),
      100);
  EXPECT_EQ(
      e.Value("vaultsync_secret_refresh_interval_seconds", {{"namespace", "ns"}, {"name", "s"}}),
      60);
  m.RemoveSecret("ns", "s");
  e = scrape();
  EXPECT_TRUE(e.Of("vaultsync_secret_last_sync_timestamp_seconds").empty());
  EXPECT_TRUE(e.Of("vaultsync_secret_refresh_interval_seconds").empty());
}

TEST(MetricsServerTest, ConcurrentScrapesWhileValuesChange) {
  OperatorMetrics m;
  auto ep = ServeMetrics("127.0.0.1:0", [&m] { return m.ExpositionText(); });
  ASSERT_TRUE(ep.ok() && *ep);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; !done; ++i) {
      m.ObserveSecretSync(SyncResult::kUnchanged);
      m.SetLastSync("ns", "s" + std::to_string(i % 50), TimePoint(std::chrono::seconds(i)),
                    std::chrono::seconds(60));
      if (i % 3 == 0) m.RemoveSecret("ns", "s" + std::to_string((i / 3) % 50));
    }
  });
  std::vector<std::thread> scrapers;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    scrapers.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto r = Get(Url(**ep), "/metrics");
        if (r.ok() && r->status == 200 && testing::ParseExposition(r->body).ok()) ++good;
      }
    });
  }
  for (auto& s : scrapers) s.join();
  done = true;
  writer.join();
  EXPECT_EQ(good.load(), 40);
}

TEST(MetricsServerTest, OtherPathsAndMethods) {
  auto ep = ServeMetrics("127.0.0.1:0", [] { return std::string("# TYPE x gauge\nx 1\n"); });
  ASSERT_TRUE(ep.ok() && *ep);
  auto missing = Get(Url(**ep), "/nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  http::TransportConfig config;
  config.base_url = Url(**ep);
  auto t = http::NewTransport(config);
  ASSERT_TRUE(t.ok());
  http::Request post;
  post.method = "POST";
  post.target = "/metrics";
  auto r = (*t)->Send(post);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 405);
}

TEST(MetricsServerTest, ZeroDisablesAndBadAddressesFail) {
  auto off = ServeMetrics("0", [] { return std::string(); });
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(*off, nullptr);
  EXPECT_EQ(ServeMetrics("nonsense", [] { return std::string(); }).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(MetricsServerTest, PortInUseIsUnavailable) {
  auto first = ServeMetrics("127.0.0.1:0", [] { return std::string(); });
  ASSERT_TRUE(first.ok() && *first);
  auto second =
      ServeMetrics("127.0.0.1:" + std::to_string((*first)->port()), [] { return std::string(); });
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find(std::to_string((*first)->port())), std::string::npos);
}

TEST(MetricsServerTest, StopClosesTheListener) {
  auto ep = ServeMetrics("127.0.0.1:0", [] { return std::string(); });
  ASSERT_TRUE(ep.ok() && *ep);
  const std::string url = Url(**ep);
  ASSERT_TRUE(Get(url, "/metrics").ok());
  (*ep)->Stop();
  (*ep)->Stop();  // idempotent
  EXPECT_FALSE(Get(url, "/metrics").ok());
}

TEST(ProbeServerTest, ReadyOnlyAfterInformersSyncAndHealthFollowsTheHeartbeat) {
  FakeClock clock;
  Heartbeat heartbeat(clock);
  std::atomic<bool> synced{false};
  Probes probes;
  ASSERT_TRUE(probes.AddHealthzCheck("ping", PingCheck()).ok());
  ASSERT_TRUE(probes.AddHealthzCheck("workloop", heartbeat.Checker(std::chrono::seconds(60))).ok());
  ASSERT_TRUE(probes
                  .AddReadyzCheck("informers-synced",
                                  [&synced] {
                                    return synced ? Status::Ok()
                                                  : Unavailable("informers not synced");
                                  })
                  .ok());
  auto ep = ServeProbes("127.0.0.1:0", probes);
  ASSERT_TRUE(ep.ok() && *ep) << ep.status().ToString();
  const std::string url = Url(**ep);

  auto ready = Get(url, "/readyz");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->status, 500);
  EXPECT_EQ(ready->body, "[-]informers-synced failed: reason withheld\nhealthz check failed\n");
  auto healthy = Get(url, "/healthz");
  ASSERT_TRUE(healthy.ok());
  EXPECT_EQ(healthy->status, 200);
  EXPECT_EQ(healthy->body, "ok");
  EXPECT_EQ(healthy->Header("Content-Type"), "text/plain; charset=utf-8");

  synced = true;
  ready = Get(url, "/readyz");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(ready->body, "ok");

  clock.Advance(std::chrono::seconds(61));  // the work loop stopped beating
  healthy = Get(url, "/healthz");
  ASSERT_TRUE(healthy.ok());
  EXPECT_EQ(healthy->status, 500);
  EXPECT_EQ(healthy->body,
            "[+]ping ok\n[-]workloop failed: reason withheld\nhealthz check failed\n");
  auto detail = Get(url, "/healthz/workloop");
  ASSERT_TRUE(detail.ok());
  EXPECT_EQ(detail->status, 500);
  EXPECT_NE(detail->body.find("61000ms"), std::string::npos) << detail->body;

  heartbeat.Beat();
  auto verbose = Get(url, "/healthz?verbose");
  ASSERT_TRUE(verbose.ok());
  EXPECT_EQ(verbose->status, 200);
  EXPECT_EQ(verbose->body, "[+]ping ok\n[+]workloop ok\nhealthz check passed\n");
}

TEST(ProbeServerTest, ZeroDisables) {
  Probes probes;
  auto off = ServeProbes("0", probes);
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(*off, nullptr);
}

}  // namespace
}  // namespace vaultsync::metrics
