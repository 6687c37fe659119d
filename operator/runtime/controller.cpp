// Worker loop and result handling of a controller.
#include "runtime/controller.h"

#include <atomic>

#include "kube/identity.h"
#include "kube/rate_limiter.h"
#include "kube/resource.h"

namespace vaultsync::runtime {
namespace {

kube::WorkQueueOptions QueueOptions(const ControllerOptions& o) {
  kube::WorkQueueOptions q;
  q.name = o.name;
  q.clock = o.clock;
  q.hooks = o.queue_hooks;
  kube::ControllerRateLimiterOptions rl;
  rl.base_delay = o.backoff_base;
  rl.max_delay = o.backoff_max;
  q.rate_limiter = kube::NewControllerRateLimiter(*o.clock, rl);
  return q;
}

// A random UUID, as controller-runtime's reconcileID: unique across replicas and restarts.
std::string NextReconcileId() { return kube::NewUuid(); }

}  // namespace

Controller::Controller(ControllerOptions options, ReconcileFn reconcile)
    : options_(std::move(options)),
      reconcile_(std::move(reconcile)),
      queue_(QueueOptions(options_)),
      logger_(options_.logger ? options_.logger : &log::Default()) {
  if (options_.metrics != nullptr) {
    options_.metrics->RegisterController(options_.name);
    options_.metrics->SetMaxConcurrentReconciles(options_.name, std::max(1, options_.workers));
  }
}

Controller::~Controller() {
  Stop();
  if (options_.wake_board != nullptr) options_.wake_board->Unpark(&queue_);
}

void Controller::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_ || stopped_) return;
  started_ = true;
  for (int i = 0; i < std::max(1, options_.workers); ++i) workers_.emplace_back([this] { Work(); });
}

void Controller::BeginStop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  queue_.ShutDown();
}

bool Controller::WaitDrained(std::chrono::milliseconds timeout) {
  if (queue_.ShutDownWithDrain(timeout)) return true;
  logger_->Warn("reconciles still running at shutdown deadline", {{"controller", options_.name}});
  return false;
}

void Controller::Join() {
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
}

void Controller::Stop(std::chrono::milliseconds drain) {
  BeginStop();
  WaitDrained(drain);
  Join();
}

void Controller::Work() {
  while (true) {
    // Wake at least every second so the heartbeat shows an idle loop is alive.
    std::optional<std::string> key = queue_.GetFor(std::chrono::seconds(1));
    if (options_.heartbeat != nullptr) options_.heartbeat->Beat();
    if (!key) {
      if (queue_.ShuttingDown()) return;
      continue;
    }
    Handle(*key);
    queue_.Done(*key);
    if (options_.heartbeat != nullptr) options_.heartbeat->Beat();
  }
}

void Controller::Handle(const std::string& key) {
  // Every line this reconcile logs, on this thread and below (Vault, Kubernetes clients),
  // names the object and carries one reconcileID.
  const std::string reconcile_id = NextReconcileId();
  std::string ns, name;
  kube::SplitObjectKey(key, ns, name);
  log::ScopedFields scope({{"controller", options_.name},
                           {"namespace", ns},
                           {"name", name},
                           {"reconcileID", reconcile_id}});
  auto start = std::chrono::steady_clock::now();
  ReconcileResult r;
  if (options_.metrics != nullptr) options_.metrics->AddActiveWorkers(options_.name, 1);
  try {
    r = reconcile_(key);
  } catch (const std::exception& e) {
    // A reconciler must not throw; if one does, treat it as a retryable error, not a crash
    // (controller-runtime recovers a panic the same way, and counts it).
    r = ReconcileResult::Retry(Internal(std::string("reconcile threw: ") + e.what()));
    if (options_.metrics != nullptr) options_.metrics->IncReconcilePanics(options_.name);
    logger_->Error("reconcile threw", {{"error", e.what()}});
  } catch (...) {
    r = ReconcileResult::Retry(Internal("reconcile threw a non-standard exception"));
    if (options_.metrics != nullptr) options_.metrics->IncReconcilePanics(options_.name);
    logger_->Error("reconcile threw", {{"error", "a non-standard exception"}});
  }
  if (options_.metrics != nullptr) options_.metrics->AddActiveWorkers(options_.name, -1);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics::ReconcileResult label = metrics::ReconcileResult::kSuccess;
  if (!r.error.ok()) {
    label = metrics::ReconcileResult::kError;
    if (r.terminal) {
      queue_.Forget(key);
    } else if (r.requeue_after) {
      queue_.Forget(key);
      queue_.AddAfter(key, *r.requeue_after);
    } else {
      // A server that said when to come back (429/503 with Retry-After) is not asked sooner.
      std::chrono::seconds at_least(r.error.retry_after_seconds().value_or(0));
      queue_.AddRateLimited(key, at_least);
    }
    if (!r.terminal && r.error.wake_signal() != 0 && options_.wake_board != nullptr) {
      options_.wake_board->Park(r.error.wake_signal(), &queue_, key);
    }
    logger_->Log(log::Level::kDebug, "reconcile failed", {{"error", r.error.ToString()}});
  } else if (r.requeue_after) {
    label = metrics::ReconcileResult::kRequeueAfter;
    queue_.Forget(key);
    queue_.AddAfter(key, *r.requeue_after);
  } else {
    queue_.Forget(key);
  }
  if (options_.metrics != nullptr)
    options_.metrics->ObserveReconcile(options_.name, label, seconds);
}

}  // namespace vaultsync::runtime
