// The Grafana dashboard and the PrometheusRule shipped with the chart: both parse, have the
// shape Grafana / the Prometheus Operator expect, and every metric they query is one the
// operator exports (so a renamed metric cannot silently blank a panel or mute an alert).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

#include "exposition_parser.h"
#include "metrics/push_counters.h"
#include "metrics_test_util.h"
#include "util/json.h"

namespace vaultsync::metrics {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every sample name the operator's registry can produce (histograms with their
// _bucket/_sum/_count series), read from a scrape with every hook exercised.
std::set<std::string> ExportedSampleNames() {
  OperatorMetrics m;
  PushCounters pushes(m.registry());  // registered by the VaultPushSecret controller
  testing::ExerciseEverything(m);
  auto e = testing::ParseExposition(m.ExpositionText());
  EXPECT_TRUE(e.ok());
  std::set<std::string> names;
  if (e.ok()) {
    for (const auto& s : e->samples) names.insert(s.name);
  }
  return names;
}

// The metric names a PromQL expression reads: identifiers with one of the operator's metric
// prefixes, outside string literals.
std::set<std::string> MetricsIn(const std::string& expr) {
  static const std::regex strings("\"([^\"\\\\]|\\\\.)*\"");
  static const std::regex ident(
      "(vaultsync|controller_runtime|workqueue|rest_client|leader_election|process)_[A-Za-z0-9_]+");
  std::string code = std::regex_replace(expr, strings, "\"\"");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(code.begin(), code.end(), ident);
       it != std::sregex_iterator(); ++it) {
    out.insert(it->str());
  }
  return out;
}

TEST(ChartFilesTest, MetricsInFindsNamesOutsideStrings) {
  EXPECT_EQ(MetricsIn("rate(workqueue_adds_total{job=\"process_x\"}[5m]) / process_open_fds"),
            (std::set<std::string>{"workqueue_adds_total", "process_open_fds"}));
}

TEST(ChartFilesTest, GrafanaDashboardIsWellFormedAndQueriesOnlyExportedMetrics) {
  const std::string text = ReadFile(VAULTSYNC_CHART_DIR "/dashboards/vaultsync.json");
  ASSERT_FALSE(text.empty());
  auto doc = json::Parse(text);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();

  auto schema = json::Int64(*doc, "schemaVersion");
  ASSERT_TRUE(schema.ok());
  EXPECT_GE(*schema, 36);
  EXPECT_TRUE(json::String(*doc, "title").ok());
  EXPECT_TRUE(json::String(*doc, "uid").ok());

  // The data source is a template variable, so the dashboard imports into any Grafana.
  auto templating = json::Object(*doc, "templating");
  ASSERT_TRUE(templating.ok());
  auto vars = json::Array(**templating, "list");
  ASSERT_TRUE(vars.ok());
  bool has_datasource_var = false;
  for (const auto& v : (*vars)->GetArray()) {
    auto name = json::String(v, "name");
    auto type = json::String(v, "type");
    ASSERT_TRUE(name.ok() && type.ok());
    if (*name == "datasource" && *type == "datasource") has_datasource_var = true;
  }
  EXPECT_TRUE(has_datasource_var);

  const std::set<std::string> exported = ExportedSampleNames();
  std::set<std::string> used;
  std::set<int64_t> ids;
  // Each panel's place on Grafana's 24-column grid; no two may share a cell (Grafana would
  // push one of them down, and the layout would not be what this file says).
  struct Placed {
    int64_t id, x, y, w, h;
  };
  std::vector<Placed> placed;
  auto panels = json::Array(*doc, "panels");
  ASSERT_TRUE(panels.ok());
  for (const auto& p : (*panels)->GetArray()) {
    auto id = json::Int64(p, "id");
    auto type = json::String(p, "type");
    auto title = json::String(p, "title");
    ASSERT_TRUE(id.ok() && type.ok() && title.ok());
    SCOPED_TRACE(std::string(*title));
    EXPECT_TRUE(ids.insert(*id).second) << "duplicate panel id " << *id;
    auto grid = json::Object(p, "gridPos");
    ASSERT_TRUE(grid.ok());
    auto x = json::Int64(**grid, "x"), y = json::Int64(**grid, "y");
    auto w = json::Int64(**grid, "w"), h = json::Int64(**grid, "h");
    ASSERT_TRUE(x.ok() && y.ok() && w.ok() && h.ok());
    EXPECT_GE(*x, 0);
    EXPECT_GE(*y, 0);
    EXPECT_GE(*w, 1);
    EXPECT_GE(*h, 1);
    EXPECT_LE(*x + *w, 24) << "panel " << *id << " is wider than the grid";
    for (const Placed& q : placed) {
      bool overlap = *x < q.x + q.w && q.x < *x + *w && *y < q.y + q.h && q.y < *y + *h;
      EXPECT_FALSE(overlap) << "panel " << *id << " (x" << *x << " y" << *y << " w" << *w << " h"
                            << *h << ") overlaps panel " << q.id << " (x" << q.x << " y" << q.y
                            << " w" << q.w << " h" << q.h << ")";
    }
    placed.push_back(Placed{*id, *x, *y, *w, *h});
    if (*type == "row") continue;
    auto ds = json::Object(p, "datasource");
    ASSERT_TRUE(ds.ok());
    auto uid = json::String(**ds, "uid");
    ASSERT_TRUE(uid.ok());
    EXPECT_EQ(*uid, "${datasource}");
    auto targets = json::Array(p, "targets");
    ASSERT_TRUE(targets.ok());
    EXPECT_FALSE((*targets)->GetArray().Empty());
    for (const auto& t : (*targets)->GetArray()) {
      auto expr = json::String(t, "expr");
      ASSERT_TRUE(expr.ok());
      std::set<std::string> names = MetricsIn(std::string(*expr));
      EXPECT_FALSE(names.empty()) << *expr;
      for (const auto& n : names) {
        EXPECT_TRUE(exported.count(n)) << n << " in " << *expr;
        used.insert(n);
      }
    }
  }
  // The panels the dashboard promises.
  for (const char* n :
       {"vaultsync_secret_syncs_total", "controller_runtime_reconcile_errors_total",
        "controller_runtime_reconcile_time_seconds_bucket", "workqueue_depth",
        "vaultsync_vault_requests_total", "vaultsync_vault_request_duration_seconds_bucket",
        "vaultsync_vault_token_ttl_seconds", "vaultsync_secret_last_sync_timestamp_seconds",
        "vaultsync_secret_refresh_interval_seconds", "vaultsync_managed_secrets",
        "vaultsync_rollout_restarts_total", "vaultsync_pushes_total",
        "process_resident_memory_bytes", "vaultsync_lease_expiry_timestamp_seconds",
        "vaultsync_lease_duration_seconds", "vaultsync_certificate_expiry_timestamp_seconds"}) {
    EXPECT_TRUE(used.count(n)) << "no panel uses " << n;
  }
}

TEST(ChartFilesTest, PrometheusRuleIsWellFormedAndQueriesOnlyExportedMetrics) {
  YAML::Node doc;
  try {
    doc = YAML::LoadFile(VAULTSYNC_CHART_DIR "/prometheus/prometheusrule.yaml");
  } catch (const YAML::Exception& e) {
    FAIL() << e.what();
  }
  EXPECT_EQ(doc["apiVersion"].as<std::string>(""), "monitoring.coreos.com/v1");
  EXPECT_EQ(doc["kind"].as<std::string>(""), "PrometheusRule");
  EXPECT_FALSE(doc["metadata"]["name"].as<std::string>("").empty());
  const YAML::Node groups = doc["spec"]["groups"];
  ASSERT_TRUE(groups.IsSequence());

  const std::set<std::string> exported = ExportedSampleNames();
  std::set<std::string> alerts;
  std::string stale_expr;
  for (const auto& g : groups) {
    ASSERT_TRUE(g["rules"].IsSequence());
    for (const auto& r : g["rules"]) {
      const std::string alert = r["alert"].as<std::string>("");
      SCOPED_TRACE(alert);
      ASSERT_FALSE(alert.empty());
      EXPECT_TRUE(alerts.insert(alert).second) << "duplicate alert";
      const std::string expr = r["expr"].as<std::string>("");
      if (alert == "VaultsyncSecretStale") stale_expr = expr;
      std::set<std::string> names = MetricsIn(expr);
      EXPECT_FALSE(names.empty()) << expr;
      for (const auto& n : names) EXPECT_TRUE(exported.count(n)) << n << " in " << expr;
      EXPECT_TRUE(std::regex_match(r["for"].as<std::string>(""), std::regex("[0-9]+[smh]")));
      EXPECT_FALSE(r["labels"]["severity"].as<std::string>("").empty());
      EXPECT_FALSE(r["annotations"]["summary"].as<std::string>("").empty());
    }
  }
  for (const char* a :
       {"VaultsyncSyncFailing", "VaultsyncSecretStale", "VaultsyncVaultTokenTTLLow",
        "VaultsyncVaultUnavailable", "VaultsyncVaultSealed", "VaultsyncRolloutRestartFailing",
        "VaultsyncLeaseExpiring", "VaultsyncCertificateRenewalOverdue"}) {
    EXPECT_TRUE(alerts.count(a)) << a;
  }
  // Staleness is judged against each secret's own refresh interval, not a fixed threshold.
  EXPECT_EQ(MetricsIn(stale_expr),
            (std::set<std::string>{"vaultsync_secret_last_sync_timestamp_seconds",
                                   "vaultsync_secret_refresh_interval_seconds"}));
}

}  // namespace
}  // namespace vaultsync::metrics
