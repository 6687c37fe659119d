// OperatorMetrics against SPEC.md and controller-runtime: names, types, label names,
// histogram buckets, how values move as hooks are called, series removal, and where label
// values come from. Read back through the exposition text, as Prometheus would.
#include "metrics/operator_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <thread>

#include "exposition_parser.h"
#include "kube/workqueue.h"
#include "metrics_test_util.h"
#include "util/clock.h"

namespace vaultsync::metrics {
namespace {

using testing::Exposition;
using testing::ParseExposition;
using testing::Sample;

Exposition Scrape(const OperatorMetrics& m) {
  auto parsed = ParseExposition(m.ExpositionText());
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? *parsed : Exposition{};
}

// The `le` bounds of one histogram series, +Inf excluded, in exposition order.
std::vector<double> Buckets(const Exposition& e, const std::string& family,
                            const std::map<std::string, std::string>& labels) {
  std::vector<double> out;
  for (const Sample& s : e.samples) {
    if (s.name != family + "_bucket") continue;
    auto rest = s.labels;
    std::string le = rest["le"];
    rest.erase("le");
    if (rest != labels || le == "+Inf") continue;
    out.push_back(std::strtod(le.c_str(), nullptr));
  }
  return out;
}

double ValueOr(const Exposition& e, std::string_view name,
               const std::map<std::string, std::string>& labels, double missing = -1) {
  return e.Value(name, labels).value_or(missing);
}

TEST(OperatorMetricsTest, EverySpecMetricHasItsNameTypeAndLabelNames) {
  OperatorMetrics m({"1.2.3", "abc1234"});
  testing::ExerciseEverything(m);
  Exposition e = Scrape(m);
  for (const auto& spec : testing::SpecMetrics()) {
    SCOPED_TRACE(spec.name);
    ASSERT_TRUE(e.type.count(spec.name)) << "no TYPE line";
    EXPECT_EQ(e.type.at(spec.name), spec.type);
    EXPECT_FALSE(e.help[spec.name].empty());
    ASSERT_FALSE(e.Of(spec.name).empty()) << "no samples";
    EXPECT_EQ(e.LabelNames(spec.name), spec.labels);
  }
}

TEST(OperatorMetricsTest, ExposesNothingBeyondSpec) {
  OperatorMetrics m;
  testing::ExerciseEverything(m);
  Exposition e = Scrape(m);
  std::set<std::string> spec;
  for (const auto& s : testing::SpecMetrics()) spec.insert(s.name);
  for (const auto& [name, type] : e.type) EXPECT_TRUE(spec.count(name)) << name;
}

TEST(OperatorMetricsTest, RolloutRestartsCountByTargetKindAndResult) {
  OperatorMetrics m;
  RolloutRestartMetrics& r = m;
  r.ObserveRolloutRestart("Deployment", "success");
  r.ObserveRolloutRestart("Deployment", "success");
  r.ObserveRolloutRestart("Deployment", "retry");
  r.ObserveRolloutRestart("argoproj.io/Rollout", "skipped");
  Exposition e = Scrape(m);
  EXPECT_EQ(ValueOr(e, "vaultsync_rollout_restarts_total",
                    {{"kind", "Deployment"}, {"result", "success"}}),
            2);
  EXPECT_EQ(
      ValueOr(e, "vaultsync_rollout_restarts_total", {{"kind", "Deployment"}, {"result", "retry"}}),
      1);
  EXPECT_EQ(ValueOr(e, "vaultsync_rollout_restarts_total",
                    {{"kind", "argoproj.io/Rollout"}, {"result", "skipped"}}),
            1);
  EXPECT_EQ(e.type.at("vaultsync_rollout_restarts_total"), "counter");
}

TEST(OperatorMetricsTest, ReconcileTimeBucketsAreControllerRuntimes) {
  OperatorMetrics m;
  m.RegisterController("c");
  const std::vector<double> want = {0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3,  0.35,
                                    0.4,   0.45, 0.5,   0.6,  0.7, 0.8,  0.9, 1.0,  1.25, 1.5,
                                    1.75,  2.0,  2.5,   3.0,  3.5, 4.0,  4.5, 5,    6,    7,
                                    8,     9,    10,    15,   20,  25,   30,  40,   50,   60};
  EXPECT_EQ(Buckets(Scrape(m), "controller_runtime_reconcile_time_seconds", {{"controller", "c"}}),
            want);
}

TEST(OperatorMetricsTest, WorkQueueBucketsAreClientGoExponentialBuckets) {
  OperatorMetrics m;
  m.workqueue().ObserveQueueDuration("q", 1);
  m.workqueue().ObserveWorkDuration("q", 1);
  // Go's prometheus.ExponentialBuckets(10e-9, 10, 10) as Go prints them: repeated float
  // multiplication leaves two of them one ulp below the power of ten.
  const std::vector<std::string> go_text = {
      "1e-08", "1e-07", "1e-06", "9.999999999999999e-06", "9.999999999999999e-05", "0.001", "0.01",
      "0.1",   "1",     "10"};
  std::vector<double> want;
  for (const auto& le : go_text) want.push_back(std::strtod(le.c_str(), nullptr));
  Exposition e = Scrape(m);
  EXPECT_EQ(Buckets(e, "workqueue_queue_duration_seconds", {{"name", "q"}}), want);
  EXPECT_EQ(Buckets(e, "workqueue_work_duration_seconds", {{"name", "q"}}), want);
  // And the `le` text is the same as Go writes it, so queries matching le="..." carry over.
  std::vector<std::string> text;
  for (const Sample& s : e.Of("workqueue_queue_duration_seconds")) {
    if (s.name.ends_with("_bucket") && s.labels.at("le") != "+Inf")
      text.push_back(s.labels.at("le"));
  }
  EXPECT_EQ(text, go_text);
}

TEST(OperatorMetricsTest, VaultRequestBucketsAreTheDocumentedOnes) {
  OperatorMetrics m;
  m.vault().ObserveRequest("kv_read", "200", 0.01);
  const std::vector<double> want = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  EXPECT_EQ(
      Buckets(Scrape(m), "vaultsync_vault_request_duration_seconds", {{"operation", "kv_read"}}),
      want);
}

TEST(OperatorMetricsTest, WorkQueueHooksMoveTheirSeries) {
  OperatorMetrics m;
  WorkQueueHooks& q = m.workqueue();
  q.IncAdds("a");
  q.IncAdds("a");
  q.IncAdds("b");
  q.IncRetries("a");
  q.SetDepth("a", 7);
  q.SetDepth("a", 4);
  q.ObserveQueueDuration("a", 0.5);
  q.ObserveWorkDuration("a", 2e-6);
  q.ObserveWorkDuration("a", 3);
  Exposition e = Scrape(m);
  EXPECT_EQ(ValueOr(e, "workqueue_adds_total", {{"name", "a"}}), 2);
  EXPECT_EQ(ValueOr(e, "workqueue_adds_total", {{"name", "b"}}), 1);
  EXPECT_EQ(ValueOr(e, "workqueue_retries_total", {{"name", "a"}}), 1);
  EXPECT_FALSE(e.Value("workqueue_retries_total", {{"name", "b"}}));
  EXPECT_EQ(ValueOr(e, "workqueue_depth", {{"name", "a"}}), 4);
  EXPECT_EQ(ValueOr(e, "workqueue_queue_duration_seconds_count", {{"name", "a"}}), 1);
  EXPECT_EQ(ValueOr(e, "workqueue_queue_duration_seconds_sum", {{"name", "a"}}), 0.5);
  EXPECT_EQ(ValueOr(e, "workqueue_work_duration_seconds_count", {{"name", "a"}}), 2);
  EXPECT_EQ(ValueOr(e, "workqueue_work_duration_seconds_bucket",
                    {{"name", "a"}, {"le", "9.999999999999999e-06"}}),
            1);
  EXPECT_EQ(ValueOr(e, "workqueue_work_duration_seconds_bucket", {{"name", "a"}, {"le", "1e-06"}}),
            0);
  EXPECT_EQ(ValueOr(e, "workqueue_work_duration_seconds_bucket", {{"name", "a"}, {"le", "1"}}), 1);
  EXPECT_EQ(ValueOr(e, "workqueue_work_duration_seconds_bucket", {{"name", "a"}, {"le", "10"}}), 2);
}

// client-go creates a queue's series when the queue starts, so absent() alerts and
// dashboards see them at 0 before anything happened.
TEST(OperatorMetricsTest, AQueueHasEverySeriesAtZeroFromTheStart) {
  OperatorMetrics m;
  FakeClock clock;
  kube::WorkQueueOptions o;
  o.name = "fresh";
  o.clock = &clock;
  o.hooks = &m.workqueue();
  kube::WorkQueue queue(std::move(o));
  Exposition e = Scrape(m);
  for (const char* series :
       {"workqueue_depth", "workqueue_adds_total", "workqueue_retries_total",
        "workqueue_queue_duration_seconds_count", "workqueue_work_duration_seconds_count"}) {
    auto v = e.Value(series, {{"name", "fresh"}});
    ASSERT_TRUE(v.has_value()) << series;
    EXPECT_EQ(*v, 0) << series;
  }
  for (const char* series :
       {"workqueue_unfinished_work_seconds", "workqueue_longest_running_processor_seconds"}) {
    EXPECT_EQ(ValueOr(e, series, {{"name", "fresh"}}), 0) << series;
  }
  // Two items in process, started 3 s and 1 s ago: 4 s unfinished, the longest 3 s.
  queue.Add("a");
  queue.Add("b");
  ASSERT_EQ(queue.GetFor(std::chrono::seconds(1)), "a");
  clock.Advance(std::chrono::seconds(2));
  ASSERT_EQ(queue.GetFor(std::chrono::seconds(1)), "b");
  clock.Advance(std::chrono::seconds(1));
  queue.ReportUnfinishedWork();
  e = Scrape(m);
  EXPECT_EQ(ValueOr(e, "workqueue_unfinished_work_seconds", {{"name", "fresh"}}), 4);
  EXPECT_EQ(ValueOr(e, "workqueue_longest_running_processor_seconds", {{"name", "fresh"}}), 3);
  queue.Done("a");
  queue.Done("b");
  queue.ReportUnfinishedWork();
  e = Scrape(m);
  EXPECT_EQ(ValueOr(e, "workqueue_unfinished_work_seconds", {{"name", "fresh"}}), 0);
  queue.ShutDown();
}

TEST(OperatorMetricsTest, ControllerWorkerSeries) {
  OperatorMetrics m;
  m.RegisterController("c");
  Exposition e = Scrape(m);
  EXPECT_EQ(ValueOr(e, "controller_runtime_active_workers", {{"controller", "c"}}), 0);
  EXPECT_EQ(ValueOr(e, "controller_runtime_reconcile_panics_total", {{"controller", "c"}}), 0);
  m.SetMaxConcurrentReconciles("c", 4);
  m.AddActiveWorkers("c", 1);
  m.AddActiveWorkers("c", 1);
  m.AddActiveWorkers("c", -1);
  m.IncReconcilePanics("c");
  e = Scrape(m);
  EXPECT_EQ(ValueOr(e, "controller_runtime_max_concurrent_reconciles", {{"controller", "c"}}), 4);
  EXPECT_EQ(ValueOr(e, "controller_runtime_active_workers", {{"controller", "c"}}), 1);
  EXPECT_EQ(ValueOr(e, "controller_runtime_reconcile_panics_total", {{"controller", "c"}}), 1);
}

TEST(OperatorMetricsTest, RestClientAndLeaderElectionHooksMoveTheirSeries) {
  OperatorMetrics m;
  m.rest_client().ObserveRequest("200", "GET", "api:6443");
  m.rest_client().ObserveRequest("200", "GET", "api:6443");
  m.rest_client().ObserveRequest("<error>", "PUT", "api:6443");
  m.rest_client().ObserveRequestDuration("GET", "api:6443", 0.02);
  m.rest_client().ObserveRequestDuration("GET", "api:6443", 70);
  m.leader_election().SetLeader("lease", true);
  Exposition e = Scrape(m);
  // client-go's buckets: 5ms .. 60s.
  EXPECT_EQ(ValueOr(e, "rest_client_request_duration_seconds_bucket",
                    {{"verb", "GET"}, {"host", "api:6443"}, {"le", "0.025"}}),
            1);
  EXPECT_EQ(ValueOr(e, "rest_client_request_duration_seconds_bucket",
                    {{"verb", "GET"}, {"host", "api:6443"}, {"le", "60"}}),
            1);
  EXPECT_EQ(ValueOr(e, "rest_client_request_duration_seconds_count",
                    {{"verb", "GET"}, {"host", "api:6443"}}),
            2);
  EXPECT_EQ(ValueOr(e, "rest_client_requests_total",
                    {{"code", "200"}, {"method", "GET"}, {"host", "api:6443"}}),
            2);
  EXPECT_EQ(ValueOr(e, "rest_client_requests_total",
                    {{"code", "<error>"}, {"method", "PUT"}, {"host", "api:6443"}}),
            1);
  EXPECT_EQ(ValueOr(e, "leader_election_master_status", {{"name", "lease"}}), 1);
  m.leader_election().SetLeader("lease", false);
  // Losing the lease keeps the series, at 0 (a standby), as client-go does.
  EXPECT_EQ(ValueOr(Scrape(m), "leader_election_master_status", {{"name", "lease"}}), 0);
}

TEST(OperatorMetricsTest, VaultHooksMoveTheirSeriesAndTokenTtlCanBeRemoved) {
  OperatorMetrics m;
  VaultHooks& v = m.vault();
  v.ObserveRequest("kv_read", "200", 0.02);
  v.ObserveRequest("kv_read", "503", 0.2);
  v.ObserveRequest("login", "error", 31);
  v.ObserveLogin("kubernetes", "success");
  v.ObserveLogin("kubernetes", "failure");
  v.ObserveLogin("kubernetes", "failure");
  v.SetTokenTtl("team-a/vault", "team-a", 120);
  v.SetTokenTtl("team-a/vault", "team-b", 240);  // a tenant identity of the same VaultAuth
  v.SetTokenTtl("default", "vaultsync", 3000);
  Exposition e = Scrape(m);
  EXPECT_EQ(
      ValueOr(e, "vaultsync_vault_requests_total", {{"operation", "kv_read"}, {"code", "200"}}), 1);
  EXPECT_EQ(
      ValueOr(e, "vaultsync_vault_requests_total", {{"operation", "kv_read"}, {"code", "503"}}), 1);
  EXPECT_EQ(
      ValueOr(e, "vaultsync_vault_request_duration_seconds_count", {{"operation", "kv_read"}}), 2);
  EXPECT_EQ(ValueOr(e, "vaultsync_vault_request_duration_seconds_bucket",
                    {{"operation", "login"}, {"le", "30"}}),
            0);
  EXPECT_EQ(ValueOr(e, "vaultsync_vault_request_duration_seconds_bucket",
                    {{"operation", "login"}, {"le", "+Inf"}}),
            1);
  EXPECT_EQ(
      ValueOr(e, "vaultsync_vault_logins_total", {{"method", "kubernetes"}, {"result", "failure"}}),
      2);
  EXPECT_EQ(ValueOr(e, "vaultsync_vault_token_ttl_seconds",
                    {{"vaultauth", "team-a/vault"}, {"namespace", "team-a"}}),
            120);
  EXPECT_EQ(ValueOr(e, "vaultsync_vault_token_ttl_seconds",
                    {{"vaultauth", "team-a/vault"}, {"namespace", "team-b"}}),
            240);

  v.RemoveTokenTtl("team-a/vault", "team-a");
  v.RemoveTokenTtl("never-set", "x");  // no-op
  e = Scrape(m);
  EXPECT_FALSE(e.Value("vaultsync_vault_token_ttl_seconds",
                       {{"vaultauth", "team-a/vault"}, {"namespace", "team-a"}}));
  EXPECT_EQ(ValueOr(e, "vaultsync_vault_token_ttl_seconds",
                    {{"vaultauth", "team-a/vault"}, {"namespace", "team-b"}}),
            240);
  EXPECT_EQ(ValueOr(e, "vaultsync_vault_token_ttl_seconds",
                    {{"vaultauth", "default"}, {"namespace", "vaultsync"}}),
            3000);
}

TEST(OperatorMetricsTest, ReconcileResultsAndErrors) {
  OperatorMetrics m;
  m.ObserveReconcile("vss", ReconcileResult::kSuccess, 0.3);
  m.ObserveReconcile("vss", ReconcileResult::kError, 0.01);
  m.ObserveReconcile("vss", ReconcileResult::kError, 0.01);
  m.ObserveReconcile("vss", ReconcileResult::kRequeue, 0.01);
  m.ObserveReconcile("vss", ReconcileResult::kRequeueAfter, 0.01);
  Exposition e = Scrape(m);
  const std::string total = "controller_runtime_reconcile_total";
  EXPECT_EQ(ValueOr(e, total, {{"controller", "vss"}, {"result", "success"}}), 1);
  EXPECT_EQ(ValueOr(e, total, {{"controller", "vss"}, {"result", "error"}}), 2);
  EXPECT_EQ(ValueOr(e, total, {{"controller", "vss"}, {"result", "requeue"}}), 1);
  EXPECT_EQ(ValueOr(e, total, {{"controller", "vss"}, {"result", "requeue_after"}}), 1);
  EXPECT_EQ(ValueOr(e, "controller_runtime_reconcile_errors_total", {{"controller", "vss"}}), 2);
  const std::string time = "controller_runtime_reconcile_time_seconds";
  EXPECT_EQ(ValueOr(e, time + "_count", {{"controller", "vss"}}), 5);
  // Buckets are inclusive upper bounds: 0.3 lands in le="0.3", not in le="0.25".
  EXPECT_EQ(ValueOr(e, time + "_bucket", {{"controller", "vss"}, {"le", "0.25"}}), 4);
  EXPECT_EQ(ValueOr(e, time + "_bucket", {{"controller", "vss"}, {"le", "0.3"}}), 5);
}

TEST(OperatorMetricsTest, RegisterControllerCreatesZeroSeries) {
  OperatorMetrics m;
  EXPECT_TRUE(Scrape(m).Of("controller_runtime_reconcile_total").empty());
  m.RegisterController("vss");
  m.RegisterController("vss");  // idempotent
  Exposition e = Scrape(m);
  for (const char* r : {"success", "error", "requeue", "requeue_after"}) {
    EXPECT_EQ(
        ValueOr(e, "controller_runtime_reconcile_total", {{"controller", "vss"}, {"result", r}}), 0)
        << r;
  }
  EXPECT_EQ(ValueOr(e, "controller_runtime_reconcile_errors_total", {{"controller", "vss"}}), 0);
  EXPECT_EQ(ValueOr(e, "controller_runtime_reconcile_time_seconds_count", {{"controller", "vss"}}),
            0);
}

TEST(OperatorMetricsTest, SecretSyncsStartAtZeroAndCountEachResult) {
  OperatorMetrics m;
  Exposition e = Scrape(m);
  for (const char* r : {"created", "updated", "unchanged", "error"}) {
    EXPECT_EQ(ValueOr(e, "vaultsync_secret_syncs_total", {{"result", r}}), 0) << r;
  }
  m.ObserveSecretSync(SyncResult::kCreated);
  m.ObserveSecretSync(SyncResult::kUnchanged);
  m.ObserveSecretSync(SyncResult::kUnchanged);
  m.ObserveSecretSync(SyncResult::kUpdated);
  m.ObserveSecretSync(SyncResult::kError);
  e = Scrape(m);
  EXPECT_EQ(ValueOr(e, "vaultsync_secret_syncs_total", {{"result", "created"}}), 1);
  EXPECT_EQ(ValueOr(e, "vaultsync_secret_syncs_total", {{"result", "unchanged"}}), 2);
  EXPECT_EQ(ValueOr(e, "vaultsync_secret_syncs_total", {{"result", "updated"}}), 1);
  EXPECT_EQ(ValueOr(e, "vaultsync_secret_syncs_total", {{"result", "error"}}), 1);
}

TEST(OperatorMetricsTest, LastSyncAndRefreshAreSetTogetherAndRemoveSecretDropsOnlyThatPair) {
  OperatorMetrics m;
  m.SetLastSync("a", "one", TimePoint(std::chrono::milliseconds(1700000000500)),
                std::chrono::seconds(60));
  m.SetLastSync("a", "two", TimePoint(std::chrono::seconds(1700000100)),
                std::chrono::milliseconds(2500));
  m.SetLastSync("b", "one", TimePoint(std::chrono::seconds(1700000200)), std::chrono::hours(1));
  const std::string last = "vaultsync_secret_last_sync_timestamp_seconds";
  const std::string refresh = "vaultsync_secret_refresh_interval_seconds";
  Exposition e = Scrape(m);
  EXPECT_EQ(ValueOr(e, last, {{"namespace", "a"}, {"name", "one"}}), 1700000000.5);
  EXPECT_EQ(ValueOr(e, refresh, {{"namespace", "a"}, {"name", "one"}}), 60);
  EXPECT_EQ(ValueOr(e, refresh, {{"namespace", "a"}, {"name", "two"}}), 2.5);
  EXPECT_EQ(ValueOr(e, refresh, {{"namespace", "b"}, {"name", "one"}}), 3600);
  EXPECT_EQ(e.type[refresh], "gauge");
  EXPECT_FALSE(e.help[refresh].empty());

  // Overwrites both values of the one series pair.
  m.SetLastSync("a", "one", TimePoint(std::chrono::seconds(1700000300)), std::chrono::seconds(300));
  e = Scrape(m);
  EXPECT_EQ(ValueOr(e, last, {{"namespace", "a"}, {"name", "one"}}), 1700000300);
  EXPECT_EQ(ValueOr(e, refresh, {{"namespace", "a"}, {"name", "one"}}), 300);
  EXPECT_EQ(e.Of(last).size(), 3u);
  EXPECT_EQ(e.Of(refresh).size(), 3u);

  m.RemoveSecret("a", "one");
  m.RemoveSecret("a", "one");    // second time: no-op
  m.RemoveSecret("zz", "none");  // never set: no-op
  e = Scrape(m);
  EXPECT_FALSE(e.Value(last, {{"namespace", "a"}, {"name", "one"}}));
  EXPECT_FALSE(e.Value(refresh, {{"namespace", "a"}, {"name", "one"}}));
  EXPECT_EQ(ValueOr(e, last, {{"namespace", "a"}, {"name", "two"}}), 1700000100);
  EXPECT_EQ(ValueOr(e, refresh, {{"namespace", "a"}, {"name", "two"}}), 2.5);
  EXPECT_EQ(ValueOr(e, last, {{"namespace", "b"}, {"name", "one"}}), 1700000200);
  EXPECT_EQ(ValueOr(e, refresh, {{"namespace", "b"}, {"name", "one"}}), 3600);

  // A re-created resource gets its series back.
  m.SetLastSync("a", "one", TimePoint(std::chrono::seconds(1700000400)), std::chrono::seconds(60));
  e = Scrape(m);
  EXPECT_EQ(ValueOr(e, last, {{"namespace", "a"}, {"name", "one"}}), 1700000400);
  EXPECT_EQ(ValueOr(e, refresh, {{"namespace", "a"}, {"name", "one"}}), 60);

  // With every resource gone both families leave the scrape, HELP/TYPE lines included (as a
  // prometheus-cpp family without children does).
  for (const auto& [ns, name] : {std::pair{"a", "one"}, {"a", "two"}, {"b", "one"}}) {
    m.RemoveSecret(ns, name);
  }
  const std::string text = m.ExpositionText();
  EXPECT_EQ(text.find(last), std::string::npos);
  EXPECT_EQ(text.find(refresh), std::string::npos);
}

// The exact text Prometheus reads for the per-secret series: label names in prometheus-cpp's
// alphabetical order (what the e2e test and dashboards match), series sorted.
TEST(OperatorMetricsTest, PerSecretSeriesText) {
  OperatorMetrics m;
  m.SetLastSync("demo", "db", TimePoint(std::chrono::seconds(1700000000)), std::chrono::seconds(2));
  m.SetLastSync("demo", "api", TimePoint(std::chrono::seconds(1700000001)),
                std::chrono::milliseconds(1500));
  const std::string text = m.ExpositionText();
  const std::string want_last =
      "# TYPE vaultsync_secret_last_sync_timestamp_seconds gauge\n"
      "vaultsync_secret_last_sync_timestamp_seconds{name=\"api\",namespace=\"demo\"} "
      "1700000001\n"
      "vaultsync_secret_last_sync_timestamp_seconds{name=\"db\",namespace=\"demo\"} "
      "1700000000\n";
  const std::string want_refresh =
      "# TYPE vaultsync_secret_refresh_interval_seconds gauge\n"
      "vaultsync_secret_refresh_interval_seconds{name=\"api\",namespace=\"demo\"} 1.5\n"
      "vaultsync_secret_refresh_interval_seconds{name=\"db\",namespace=\"demo\"} 2\n";
  EXPECT_NE(text.find(want_last), std::string::npos) << text;
  EXPECT_NE(text.find(want_refresh), std::string::npos) << text;
}

TEST(OperatorMetricsTest, ManagedSecretsAndBuildInfo) {
  OperatorMetrics m({"9.8.7", "deadbee"});
  m.SetManagedSecrets(12);
  m.SetManagedSecrets(11);
  Exposition e = Scrape(m);
  EXPECT_EQ(ValueOr(e, "vaultsync_managed_secrets", {}), 11);
  EXPECT_EQ(ValueOr(e, "vaultsync_build_info", {{"version", "9.8.7"}, {"commit", "deadbee"}}), 1);
  EXPECT_EQ(e.Of("vaultsync_build_info").size(), 1u);
}

TEST(OperatorMetricsTest, CompiledBuildInfoIsFilledIn) {
  BuildInfo b = CompiledBuildInfo();
  EXPECT_FALSE(b.version.empty());
  EXPECT_NE(b.version, "unknown");  // CMake's project version
  EXPECT_FALSE(b.commit.empty());
}

// Every label value in a scrape is one the caller passed, one of the fixed enum labels, a
// histogram bound, or the build info: nothing is derived, concatenated or defaulted. Values
// with quotes, backslashes, newlines and non-ASCII survive escaping unchanged.
TEST(OperatorMetricsTest, LabelValuesComeOnlyFromTheArguments) {
  OperatorMetrics m({"v-ver", "c-commit"});
  const std::string ns = "ns \"quoted\" \\ back\nslash";
  const std::string name = "näme-ü";
  m.workqueue().SetDepth("q-depth", 1);
  m.workqueue().IncAdds("q-adds");
  m.workqueue().IncRetries("q-retries");
  m.workqueue().ObserveQueueDuration("q-queue", 1);
  m.workqueue().ObserveWorkDuration("q-work", 1);
  m.rest_client().ObserveRequest("r-code", "r-method", "r-host:1");
  m.leader_election().SetLeader("l-lease", true);
  m.vault().ObserveRequest("v-op", "v-code", 1);
  m.vault().ObserveLogin("v-method", "v-result");
  m.vault().SetTokenTtl("v-auth", "v-ns", 1);
  m.ObserveReconcile("c-ctrl", ReconcileResult::kRequeueAfter, 1);
  m.ObserveSecretSync(SyncResult::kUpdated);
  m.SetLastSync(ns, name, TimePoint(std::chrono::seconds(5)), std::chrono::seconds(60));

  // label name -> the values it may carry, per family.
  const std::map<std::string, std::map<std::string, std::set<std::string>>> allowed = {
      {"workqueue_depth", {{"name", {"q-depth"}}}},
      {"workqueue_adds_total", {{"name", {"q-adds"}}}},
      {"workqueue_retries_total", {{"name", {"q-retries"}}}},
      {"workqueue_queue_duration_seconds", {{"name", {"q-queue"}}}},
      {"workqueue_work_duration_seconds", {{"name", {"q-work"}}}},
      {"rest_client_requests_total",
       {{"code", {"r-code"}}, {"method", {"r-method"}}, {"host", {"r-host:1"}}}},
      {"leader_election_master_status", {{"name", {"l-lease"}}}},
      {"vaultsync_vault_requests_total", {{"operation", {"v-op"}}, {"code", {"v-code"}}}},
      {"vaultsync_vault_request_duration_seconds", {{"operation", {"v-op"}}}},
      {"vaultsync_vault_logins_total", {{"method", {"v-method"}}, {"result", {"v-result"}}}},
      {"vaultsync_vault_token_ttl_seconds", {{"vaultauth", {"v-auth"}}, {"namespace", {"v-ns"}}}},
      {"controller_runtime_reconcile_total",
       {{"controller", {"c-ctrl"}}, {"result", {"requeue_after"}}}},
      {"controller_runtime_reconcile_time_seconds", {{"controller", {"c-ctrl"}}}},
      {"vaultsync_secret_syncs_total", {{"result", {"created", "updated", "unchanged", "error"}}}},
      {"vaultsync_secret_last_sync_timestamp_seconds", {{"namespace", {ns}}, {"name", {name}}}},
      {"vaultsync_secret_refresh_interval_seconds", {{"namespace", {ns}}, {"name", {name}}}},
      {"vaultsync_build_info", {{"version", {"v-ver"}}, {"commit", {"c-commit"}}}},
  };
  Exposition e = Scrape(m);
  size_t checked = 0;
  for (const Sample& s : e.samples) {
    std::string family = e.FamilyOf(s);
    auto fam = allowed.find(family);
    for (const auto& [label, value] : s.labels) {
      if (label == "le" && e.type[family] == "histogram") continue;
      ASSERT_NE(fam, allowed.end()) << family << " has label " << label;
      auto vals = fam->second.find(label);
      ASSERT_NE(vals, fam->second.end()) << family << " has unexpected label " << label;
      EXPECT_TRUE(vals->second.count(value)) << family << "{" << label << "=\"" << value << "\"}";
      ++checked;
    }
  }
  EXPECT_GT(checked, 20u);
  // The escaped values read back byte for byte.
  EXPECT_EQ(ValueOr(e, "vaultsync_secret_last_sync_timestamp_seconds",
                    {{"namespace", ns}, {"name", name}}),
            5);
  EXPECT_EQ(
      ValueOr(e, "vaultsync_secret_refresh_interval_seconds", {{"namespace", ns}, {"name", name}}),
      60);
}

TEST(OperatorMetricsTest, ConcurrentCallsAreAllCounted) {
  OperatorMetrics m;
  constexpr int kThreads = 4;
  constexpr int kCalls = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&m, t] {
      const std::string own = "ns-" + std::to_string(t);
      for (int i = 0; i < kCalls; ++i) {
        m.workqueue().IncAdds(i % 2 ? "odd" : "even");
        m.ObserveReconcile("vss", ReconcileResult::kSuccess, 0.001);
        m.ObserveSecretSync(SyncResult::kUnchanged);
        // Set and remove churn on private and shared series, against concurrent scrapes.
        m.SetLastSync(own, "s", TimePoint(std::chrono::seconds(i)), std::chrono::seconds(60));
        m.SetLastSync("shared", "s", TimePoint(std::chrono::seconds(i)), std::chrono::seconds(60));
        if (i % 3 == 0) m.RemoveSecret("shared", "s");
        if (i % 100 == 0) (void)m.ExpositionText();
      }
      m.RemoveSecret(own, "s");
    });
  }
  for (auto& th : threads) th.join();
  Exposition e = Scrape(m);
  EXPECT_EQ(ValueOr(e, "workqueue_adds_total", {{"name", "odd"}}), kThreads * kCalls / 2);
  EXPECT_EQ(ValueOr(e, "workqueue_adds_total", {{"name", "even"}}), kThreads * kCalls / 2);
  EXPECT_EQ(ValueOr(e, "controller_runtime_reconcile_total",
                    {{"controller", "vss"}, {"result", "success"}}),
            kThreads * kCalls);
  EXPECT_EQ(ValueOr(e, "vaultsync_secret_syncs_total", {{"result", "unchanged"}}),
            kThreads * kCalls);
  for (const char* family : {"vaultsync_secret_last_sync_timestamp_seconds",
                             "vaultsync_secret_refresh_interval_seconds"}) {
    for (const Sample& s : e.Of(family)) {
      EXPECT_EQ(s.labels.at("namespace"), "shared");  // every private series was removed
    }
  }
}

}  // namespace
}  // namespace vaultsync::metrics
