// A controller in controller-runtime's sense: a work queue of "namespace/name" keys and a
// pool of workers that run one reconcile function on them. It owns what every reconciler
// shares: result handling (success forgets the key's backoff; an error retries it with
// backoff, never sooner than a Retry-After; a terminal error waits for the next change;
// requeue-after schedules it), the reconcile metrics, and the work-loop heartbeat behind
// /healthz. Controllers are made by ControllerBuilder (builder.h) and run by the Manager.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "kube/workqueue.h"
#include "metrics/health.h"
#include "metrics/reconciler_metrics.h"
#include "runtime/reconcile_result.h"
#include "runtime/wake_board.h"
#include "util/log.h"

namespace vaultsync::runtime {

struct ControllerOptions {
  std::string name;  // "vaultstaticsecret": metrics label and queue name
  int workers = 1;
  // Per-key retry backoff: starts at base and doubles up to max (a sealed or unreachable
  // Vault is retried calmly, not hot-looped), plus controller-runtime's overall bucket.
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_max{300000};
  const Clock* clock = &SystemClock::Instance();
  metrics::ReconcilerMetrics* metrics = nullptr;   // optional
  metrics::WorkQueueHooks* queue_hooks = nullptr;  // optional
  metrics::Heartbeat* heartbeat = nullptr;         // optional
  log::Logger* logger = nullptr;                   // default log::Default()
  // Where a key whose failure carries a wake signal (Status::wake_signal) waits for it, on
  // top of its backoff. Optional; must outlive the controller.
  WakeBoard* wake_board = nullptr;
};

using ReconcileFn = std::function<ReconcileResult(const std::string& key)>;

// Thread-safe.
class Controller {
 public:
  Controller(ControllerOptions options, ReconcileFn reconcile);
  ~Controller();  // Stop()

  const std::string& name() const { return options_.name; }
  void Enqueue(const std::string& key) { queue_.Add(key); }
  kube::WorkQueue& queue() { return queue_; }

  // Starts the workers (idempotent). Keys enqueued before are processed then.
  void Start();

  // Stopping, in three steps so that a manager can stop several controllers against one
  // deadline: BeginStop stops handing out keys; WaitDrained waits (up to `timeout`) for
  // reconciles in flight and says whether none is left; Join joins the workers (after the
  // caller has made in-flight requests end, if WaitDrained said some were left).
  void BeginStop();
  bool WaitDrained(std::chrono::milliseconds timeout);
  void Join();
  // All three: stop taking work, wait up to `drain`, join.
  void Stop(std::chrono::milliseconds drain = std::chrono::seconds(10));

 private:
  void Work();
  void Handle(const std::string& key);

  ControllerOptions options_;
  ReconcileFn reconcile_;
  kube::WorkQueue queue_;
  log::Logger* logger_;
  std::mutex mu_;
  bool started_ = false;
  bool stopped_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace vaultsync::runtime
