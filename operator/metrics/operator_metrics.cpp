// OperatorMetrics: registration of the reconciler-facing families, the ReconcilerMetrics
// updates, and collection/serialization of the whole registry.
#include "metrics/operator_metrics.h"

#include <chrono>
#include <sstream>

#include <prometheus/text_serializer.h>

#include "metrics/buckets.h"

#ifndef VAULTSYNC_METRICS_VERSION
#define VAULTSYNC_METRICS_VERSION "unknown"
#endif
#ifndef VAULTSYNC_METRICS_COMMIT
#define VAULTSYNC_METRICS_COMMIT "unknown"
#endif

namespace vaultsync::metrics {

BuildInfo CompiledBuildInfo() { return {VAULTSYNC_METRICS_VERSION, VAULTSYNC_METRICS_COMMIT}; }

namespace {

// The registry is created before the members that register into it; this helper lets the
// constructor's initializer list reach it.
prometheus::Registry& Reg(const std::unique_ptr<prometheus::Registry>& r) { return *r; }

}  // namespace

OperatorMetrics::OperatorMetrics(const BuildInfo& build, std::string proc_root)
    : registry_(std::make_unique<prometheus::Registry>()),
      workqueue_(Reg(registry_)),
      rest_client_(Reg(registry_)),
      leader_election_(Reg(registry_)),
      vault_(Reg(registry_)),
      expiry_(Reg(registry_)),
      reconcile_total_(prometheus::BuildCounter()
                           .Name("controller_runtime_reconcile_total")
                           .Help("Reconciles per controller, by result")
                           .Register(Reg(registry_)),
                       {"controller", "result"}),
      reconcile_errors_(prometheus::BuildCounter()
                            .Name("controller_runtime_reconcile_errors_total")
                            .Help("Reconciles per controller that returned an error")
                            .Register(Reg(registry_)),
                        {"controller"}),
      reconcile_time_(prometheus::BuildHistogram()
                          .Name("controller_runtime_reconcile_time_seconds")
                          .Help("Seconds per reconcile, per controller")
                          .Register(Reg(registry_)),
                      {"controller"}, ReconcileTimeBuckets()),
      active_workers_(prometheus::BuildGauge()
                          .Name("controller_runtime_active_workers")
                          .Help("Workers of a controller busy with a reconcile now")
                          .Register(Reg(registry_)),
                      {"controller"}),
      max_concurrent_(prometheus::BuildGauge()
                          .Name("controller_runtime_max_concurrent_reconciles")
                          .Help("Workers of a controller (reconciles it may run at once)")
                          .Register(Reg(registry_)),
                      {"controller"}),
      reconcile_panics_(prometheus::BuildCounter()
                            .Name("controller_runtime_reconcile_panics_total")
                            .Help("Reconciles that threw (caught, counted as errors, retried)")
                            .Register(Reg(registry_)),
                        {"controller"}),
      rollout_restarts_(prometheus::BuildCounter()
                            .Name("vaultsync_rollout_restarts_total")
                            .Help("Rollout restarts of workloads, by target kind and result")
                            .Register(Reg(registry_)),
                        {"kind", "result"}),
      process_(std::move(proc_root)) {
  auto& syncs = prometheus::BuildCounter()
                    .Name("vaultsync_secret_syncs_total")
                    .Help("Secret syncs by what they did to the Secret")
                    .Register(*registry_);
  for (SyncResult r :
       {SyncResult::kCreated, SyncResult::kUpdated, SyncResult::kUnchanged, SyncResult::kError}) {
    syncs_[static_cast<size_t>(r)] = &syncs.Add({{"result", std::string(SyncResultLabel(r))}});
  }
  managed_secrets_ = &prometheus::BuildGauge()
                          .Name("vaultsync_managed_secrets")
                          .Help("VaultStaticSecrets this replica currently manages")
                          .Register(*registry_)
                          .Add({});
  prometheus::BuildGauge()
      .Name("vaultsync_build_info")
      .Help("Always 1; the labels say which vaultsync build is running")
      .Register(*registry_)
      .Add({{"version", build.version}, {"commit", build.commit}})
      .Set(1);
}

void OperatorMetrics::RegisterController(std::string_view controller) {
  for (ReconcileResult r : {ReconcileResult::kSuccess, ReconcileResult::kError,
                            ReconcileResult::kRequeue, ReconcileResult::kRequeueAfter}) {
    reconcile_total_.With({controller, ReconcileResultLabel(r)}, [](prometheus::Counter&) {});
  }
  reconcile_errors_.With({controller}, [](prometheus::Counter&) {});
  reconcile_time_.With({controller}, [](prometheus::Histogram&) {});
  active_workers_.With({controller}, [](prometheus::Gauge&) {});
  max_concurrent_.With({controller}, [](prometheus::Gauge&) {});
  reconcile_panics_.With({controller}, [](prometheus::Counter&) {});
}

void OperatorMetrics::SetMaxConcurrentReconciles(std::string_view controller, int workers) {
  max_concurrent_.With({controller}, [workers](prometheus::Gauge& g) { g.Set(workers); });
}

void OperatorMetrics::AddActiveWorkers(std::string_view controller, int delta) {
  active_workers_.With({controller}, [delta](prometheus::Gauge& g) { g.Increment(delta); });
}

void OperatorMetrics::IncReconcilePanics(std::string_view controller) {
  reconcile_panics_.With({controller}, [](prometheus::Counter& c) { c.Increment(); });
}

void OperatorMetrics::ObserveReconcile(std::string_view controller, ReconcileResult result,
                                       double seconds) {
  reconcile_total_.With({controller, ReconcileResultLabel(result)},
                        [](prometheus::Counter& c) { c.Increment(); });
  if (result == ReconcileResult::kError) {
    reconcile_errors_.With({controller}, [](prometheus::Counter& c) { c.Increment(); });
  }
  reconcile_time_.With({controller}, [seconds](prometheus::Histogram& h) { h.Observe(seconds); });
}

void OperatorMetrics::ObserveSecretSync(SyncResult result) {
  syncs_[static_cast<size_t>(result)]->Increment();
}

void OperatorMetrics::SetLastSync(std::string_view ns, std::string_view name, TimePoint when,
                                  std::chrono::milliseconds refresh_interval) {
  secrets_.Set(ns, name, std::chrono::duration<double>(when.time_since_epoch()).count(),
               std::chrono::duration<double>(refresh_interval).count());
}

void OperatorMetrics::RemoveSecret(std::string_view ns, std::string_view name) {
  secrets_.Remove(ns, name);
}

void OperatorMetrics::SetManagedSecrets(int64_t n) {
  managed_secrets_->Set(static_cast<double>(n));
}

void OperatorMetrics::ObserveRolloutRestart(std::string_view kind, std::string_view result) {
  rollout_restarts_.With({kind, result}, [](prometheus::Counter& c) { c.Increment(); });
}

std::vector<prometheus::MetricFamily> OperatorMetrics::Collect() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (const prometheus::Collectable* c :
       {static_cast<const prometheus::Collectable*>(&secrets_),
        static_cast<const prometheus::Collectable*>(&process_)}) {
    std::vector<prometheus::MetricFamily> more = c->Collect();
    families.insert(families.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
  }
  return families;
}

std::string OperatorMetrics::ExpositionText() const {
  // The per-secret table is written straight to text (SecretSyncTable::AppendText): through
  // MetricFamily objects a scrape of 10,000 resources held ~10 MB at once.
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  std::vector<prometheus::MetricFamily> process = process_.Collect();
  families.insert(families.end(), std::make_move_iterator(process.begin()),
                  std::make_move_iterator(process.end()));
  std::ostringstream head;
  prometheus::TextSerializer().Serialize(head, families);
  std::string out = std::move(head).str();
  secrets_.AppendText(&out);
  return out;
}

}  // namespace vaultsync::metrics
