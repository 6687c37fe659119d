// The operator's metrics registry: every metric SPEC.md lists, in one prometheus-cpp
// Registry plus the scrape-time process collector. main() builds one OperatorMetrics, hands
// its hooks to the kube and vault layers, hands it (as ReconcilerMetrics) to the
// controllers, and serves ExpositionText() on /metrics (servers.h).
//
// Names, label names and types (exactly as SPEC.md writes them):
//   controller_runtime_reconcile_total{controller,result}          counter
//   controller_runtime_reconcile_errors_total{controller}          counter
//   controller_runtime_reconcile_time_seconds{controller}          histogram (controller-runtime
//   buckets) workqueue_depth{name}                                          gauge
//   workqueue_adds_total{name}, workqueue_retries_total{name}      counter
//   workqueue_queue_duration_seconds{name},
//   workqueue_work_duration_seconds{name}                          histogram (1e-8..10, x10)
//   rest_client_requests_total{code,method,host}                   counter
//   leader_election_master_status{name}                            gauge
//   vaultsync_vault_requests_total{operation,code}                 counter
//   vaultsync_vault_request_duration_seconds{operation}            histogram (buckets.h)
//   vaultsync_vault_logins_total{method,result}                    counter
//   vaultsync_vault_token_ttl_seconds{vaultauth}                   gauge
//   vaultsync_secret_syncs_total{result}                           counter (all four results at 0
//   from start)
//   vaultsync_secret_last_sync_timestamp_seconds{namespace,name}   gauge  } secret_sync_table.h
//   vaultsync_secret_refresh_interval_seconds{namespace,name}      gauge  } (the second one is
//                                                                  our addition to SPEC's list)
//   vaultsync_managed_secrets                                      gauge
//   vaultsync_rollout_restarts_total{kind,result}                  counter (rollout_metrics.h)
//   vaultsync_lease_expiry_timestamp_seconds{namespace,name}       gauge  } expiry_gauges.h
//   vaultsync_certificate_expiry_timestamp_seconds{namespace,name} gauge  } (with two
//   vaultsync_lease_duration_seconds, vaultsync_certificate_renewal_timestamp_seconds additions)
//   vaultsync_build_info{version,commit}                           gauge, always 1
//   process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
//   process_open_fds, process_max_fds, process_start_time_seconds  (process_collector.h)
// A labelled family shows in a scrape once it has a child (as in every Prometheus client).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include "metrics/child_cache.h"
#include "metrics/expiry_gauges.h"
#include "metrics/hook_metrics.h"
#include "metrics/process_collector.h"
#include "metrics/reconciler_metrics.h"
#include "metrics/rollout_metrics.h"
#include "metrics/secret_sync_table.h"

namespace vaultsync::metrics {

struct BuildInfo {
  std::string version;  // e.g. "0.1.0"
  std::string commit;   // short git commit, or "unknown"
};

// The version and commit this library was compiled from (CMake's project version and
// `git rev-parse --short HEAD` at configure time).
BuildInfo CompiledBuildInfo();

// Thread-safe; every method may be called from any thread. Not copyable or movable (the
// hooks handed out point into it): keep it alive longer than everything that reports to it.
class OperatorMetrics final : public ReconcilerMetrics, public RolloutRestartMetrics {
 public:
  // `proc_root` is where the process collector reads /proc (tests may point it elsewhere).
  explicit OperatorMetrics(const BuildInfo& build = CompiledBuildInfo(),
                           std::string proc_root = "/proc");
  OperatorMetrics(const OperatorMetrics&) = delete;
  OperatorMetrics& operator=(const OperatorMetrics&) = delete;

  // The hooks for the kube and vault layers.
  WorkQueueHooks& workqueue() { return workqueue_; }
  RestClientHooks& rest_client() { return rest_client_; }
  LeaderElectionHooks& leader_election() { return leader_election_; }
  VaultHooks& vault() { return vault_; }
  // Lease and certificate lifetimes (VaultDynamicSecret, VaultPKISecret).
  ExpiryMetrics& expiry() { return expiry_; }

  // ReconcilerMetrics.
  void RegisterController(std::string_view controller) override;
  void SetMaxConcurrentReconciles(std::string_view controller, int workers) override;
  void AddActiveWorkers(std::string_view controller, int delta) override;
  void IncReconcilePanics(std::string_view controller) override;
  void ObserveReconcile(std::string_view controller, ReconcileResult result,
                        double seconds) override;
  void ObserveSecretSync(SyncResult result) override;
  void SetLastSync(std::string_view ns, std::string_view name, TimePoint when,
                   std::chrono::milliseconds refresh_interval) override;
  void RemoveSecret(std::string_view ns, std::string_view name) override;
  void SetManagedSecrets(int64_t n) override;

  // RolloutRestartMetrics: vaultsync_rollout_restarts_total{kind,result} += 1.
  void ObserveRolloutRestart(std::string_view kind, std::string_view result) override;

  // Every family with its current values: the registry's, the per-secret ones, then the
  // process metrics.
  std::vector<prometheus::MetricFamily> Collect() const;
  // Collect() in the Prometheus text exposition format (version 0.0.4).
  std::string ExpositionText() const;

  // For metrics added outside this class (none today); they are included in Collect().
  prometheus::Registry& registry() { return *registry_; }

 private:
  // Declared first: everything below registers its families in it.
  std::unique_ptr<prometheus::Registry> registry_;
  WorkQueueMetrics workqueue_;
  RestClientMetrics rest_client_;
  LeaderElectionMetrics leader_election_;
  VaultMetrics vault_;
  ExpiryGauges expiry_;
  ChildCache<prometheus::Counter, 2> reconcile_total_;
  ChildCache<prometheus::Counter, 1> reconcile_errors_;
  ChildCache<prometheus::Histogram, 1> reconcile_time_;
  ChildCache<prometheus::Gauge, 1> active_workers_;
  ChildCache<prometheus::Gauge, 1> max_concurrent_;
  ChildCache<prometheus::Counter, 1> reconcile_panics_;
  ChildCache<prometheus::Counter, 2> rollout_restarts_;
  std::array<prometheus::Counter*, 4> syncs_{};  // indexed by SyncResult; never removed
  SecretSyncTable secrets_;  // the per-secret families, one compact entry per resource
  prometheus::Gauge* managed_secrets_ = nullptr;
  ProcessCollector process_;
};

}  // namespace vaultsync::metrics
