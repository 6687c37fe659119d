// What the reconcilers report, as an interface in the style of hooks.h: the controller layer
// depends on this header only (no prometheus-cpp), tests hand it NoopReconcilerMetrics or a
// fake that counts calls, and the operator hands it OperatorMetrics (operator_metrics.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "util/clock.h"

namespace vaultsync::metrics {

// The `result` label of controller_runtime_reconcile_total, chosen the way controller-runtime
// chooses it: kError when the reconciler returned an error (terminal or not), else
// kRequeueAfter when it asked to run again after a delay, else kRequeue when it asked to run
// again now (rate-limited), else kSuccess.
enum class ReconcileResult { kSuccess, kError, kRequeue, kRequeueAfter };

// The `result` label of vaultsync_secret_syncs_total: what one sync did to the Secret.
enum class SyncResult { kCreated, kUpdated, kUnchanged, kError };

// "success", "error", "requeue", "requeue_after".
std::string_view ReconcileResultLabel(ReconcileResult r);
// "created", "updated", "unchanged", "error".
std::string_view SyncResultLabel(SyncResult r);

// Implementations are thread-safe. Label values are public: pass resource names, never
// secret data.
class ReconcilerMetrics {
 public:
  virtual ~ReconcilerMetrics() = default;

  // Makes the controller's series exist at zero before its first reconcile (every `result`
  // of controller_runtime_reconcile_total, the errors counter, the latency histogram), as
  // controller-runtime does when a controller starts, so rate() and alerts see a baseline.
  virtual void RegisterController(std::string_view controller) = 0;

  // controller_runtime_max_concurrent_reconciles{controller} = workers (set at start) and
  // controller_runtime_active_workers{controller} += delta (+1 when a reconcile starts, -1
  // when it ends).
  virtual void SetMaxConcurrentReconciles(std::string_view controller, int workers) {
    (void)controller, (void)workers;
  }
  virtual void AddActiveWorkers(std::string_view controller, int delta) {
    (void)controller, (void)delta;
  }
  // controller_runtime_reconcile_panics_total{controller} += 1: a reconciler threw (Go's
  // panic, recovered by controller-runtime; here an exception caught by the worker).
  virtual void IncReconcilePanics(std::string_view controller) { (void)controller; }

  // One finished reconcile: controller_runtime_reconcile_total{controller,result} += 1,
  // controller_runtime_reconcile_time_seconds{controller} observes `seconds`, and for
  // kError also controller_runtime_reconcile_errors_total{controller} += 1.
  virtual void ObserveReconcile(std::string_view controller, ReconcileResult result,
                                double seconds) = 0;

  // vaultsync_secret_syncs_total{result} += 1.
  virtual void ObserveSecretSync(SyncResult result) = 0;

  // vaultsync_secret_last_sync_timestamp_seconds{namespace,name} = when (Unix seconds), and
  // the resource's effective refresh interval (refreshAfter, or the kv-v1 ttl) with it, so a
  // staleness alert can compare against each secret's own interval. Called on every
  // successful sync, whether the data changed or not.
  virtual void SetLastSync(std::string_view ns, std::string_view name, TimePoint when,
                           std::chrono::milliseconds refresh_interval) = 0;

  // Drops every per-secret series of namespace/name (the resource was deleted). No-op when
  // there is none.
  virtual void RemoveSecret(std::string_view ns, std::string_view name) = 0;

  // vaultsync_managed_secrets = n (VaultStaticSecrets this replica currently manages).
  virtual void SetManagedSecrets(int64_t n) = 0;
};

// Records nothing; for unit tests of code that needs a ReconcilerMetrics.
class NoopReconcilerMetrics final : public ReconcilerMetrics {
 public:
  void RegisterController(std::string_view) override {}
  void ObserveReconcile(std::string_view, ReconcileResult, double) override {}
  void ObserveSecretSync(SyncResult) override {}
  void SetLastSync(std::string_view, std::string_view, TimePoint,
                   std::chrono::milliseconds) override {}
  void RemoveSecret(std::string_view, std::string_view) override {}
  void SetManagedSecrets(int64_t) override {}
};

}  // namespace vaultsync::metrics
