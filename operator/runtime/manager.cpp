// The manager's clients, start-up and the order of shutdown.
#include "runtime/manager.h"

#include <future>

#include "kube/identity.h"

namespace vaultsync::runtime {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::chrono::milliseconds Remaining(Clock::time_point deadline) {
  return std::max(0ms,
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

}  // namespace

Manager::Manager(ManagerOptions options)
    : options_(std::move(options)), heartbeat_(SystemClock::Instance()) {}

Manager::~Manager() {
  // Run() normally stops everything; this covers a manager built but never run.
  runnables_stop_.Cancel();
  for (auto& t : runnable_threads_) t.join();
  for (auto& c : controllers_) c.Stop(0ms);
  if (elector_) elector_->Stop();
  if (recorder_) recorder_->Stop(0ms);
  if (informers_) informers_->Stop();
}

Result<std::unique_ptr<Manager>> Manager::New(ManagerOptions options) {
  if (options.identity.empty()) options.identity = kube::HostName() + "_" + kube::NewUuid();
  std::unique_ptr<Manager> m(new Manager(std::move(options)));
  VS_RETURN_IF_ERROR(m->Init());
  return m;
}

Status Manager::Init() {
  const ManagerOptions& o = options_;
  if (o.metrics != nullptr) {
    metrics_ = o.metrics;
  } else {
    owned_metrics_ = std::make_unique<metrics::OperatorMetrics>();
    metrics_ = owned_metrics_.get();
  }
  kube::LeaderElectionConfig lc;
  if (o.leader_elect) {
    lc.lease_namespace = o.leader_election_namespace;
    lc.lease_name = o.leader_election_id;
    lc.identity = o.identity;
    lc.lease_duration = o.lease_duration;
    lc.renew_deadline = o.renew_deadline;
    lc.retry_period = o.retry_period;
    VS_RETURN_IF_ERROR(kube::ValidateLeaderElectionConfig(lc));
  }

  (void)probes_.AddHealthzCheck("ping", metrics::PingCheck());
  (void)probes_.AddHealthzCheck("workloop", heartbeat_.Checker(2min));
  (void)probes_.AddReadyzCheck("informers-synced", [this]() -> Status {
    return synced_ ? Status::Ok() : Unavailable("informer caches have not synced yet");
  });
  VS_ASSIGN_OR_RETURN(metrics_server_, metrics::ServeMetrics(o.metrics_bind_address, [this] {
                        return metrics_->ExpositionText();
                      }));
  VS_ASSIGN_OR_RETURN(probe_server_, metrics::ServeProbes(o.health_probe_bind_address, probes_));

  // The lease client has a transport of its own: its requests have a shorter timeout and
  // must never wait behind reconcile traffic.
  auto transport = [&](std::chrono::milliseconds timeout,
                       const http::CancelFlag* cancel) -> Result<std::shared_ptr<http::Transport>> {
    http::TransportConfig tc;
    tc.base_url = kube::SplitServerUrl(o.kube.server).first;
    tc.tls = o.kube.tls;
    tc.timeout = timeout;
    tc.user_agent = o.user_agent + " (" + o.identity + ")";
    tc.cancel = cancel;
    auto t = http::NewTransport(tc);
    if (!t.ok()) {
      // "the CA PEM holds no certificate" alone does not say which CA (Vault has its own).
      return t.status().WithPrefix("cannot connect to the Kubernetes API server " + o.kube.server +
                                   ": ");
    }
    return std::shared_ptr<http::Transport>(std::move(*t));
  };
  kube::RestClientOptions ro;
  ro.hooks = &metrics_->rest_client();
  // The caches and the reconciles share one connection pool; only the reconciles' requests
  // are cancelled with abort_ (per request), so the watches go on until the caches stop.
  VS_ASSIGN_OR_RETURN(auto shared_transport, transport(o.kube.timeout, nullptr));
  cache_client_ = std::make_unique<kube::RestClient>(shared_transport, o.kube, ro);
  kube::RestClientOptions wo = ro;
  wo.cancel = &abort_;
  work_client_ = std::make_unique<kube::RestClient>(shared_transport, o.kube, wo);
  fenced_client_ = std::make_unique<kube::FencedClient>(*work_client_, fence_);

  informers_ = std::make_unique<kube::InformerFactory>(*cache_client_);
  kube::EventRecorderOptions eo;
  eo.instance = o.identity;
  recorder_ = std::make_unique<kube::EventRecorder>(*fenced_client_, eo);

  if (o.leader_elect) {
    // No request may outlast half the renew deadline (client-go's rule for the lease
    // client), the lease has its own rate limit, and it never waits out a Retry-After.
    kube::Config lease_config = o.kube;
    lease_config.timeout = std::min(o.kube.timeout, o.renew_deadline / 2);
    kube::RestClientOptions lo = ro;
    lo.cancel = &lease_abort_;
    VS_ASSIGN_OR_RETURN(auto lease_transport, transport(lease_config.timeout, &lease_abort_));
    lease_client_ = std::make_unique<kube::RestClient>(lease_transport, lease_config, lo);
    lc.hooks = &metrics_->leader_election();
    lc.on_started_leading = [this] {
      log::Default().Info("became leader", {{"identity", options_.identity}});
      StartWork();
    };
    lc.on_stopped_leading = [this] { OnLeadershipLost(); };
    elector_ = std::make_unique<kube::LeaderElector>(*lease_client_, lc);
  }
  return Status::Ok();
}

Controller& Manager::NewController(ControllerOptions options, ReconcileFn reconcile) {
  options.metrics = metrics_;
  options.queue_hooks = &metrics_->workqueue();
  options.heartbeat = &heartbeat_;
  options.wake_board = &wake_board_;
  std::lock_guard<std::mutex> lock(mu_);
  return controllers_.emplace_back(std::move(options), std::move(reconcile));
}

void Manager::AddRunnable(std::string name, std::function<void(const http::CancelFlag& stop)> run) {
  std::lock_guard<std::mutex> lock(mu_);
  runnables_.push_back(Runnable{std::move(name), std::move(run)});
}

void Manager::AddShutdownHook(std::string name,
                              std::function<void(std::chrono::milliseconds budget)> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  hooks_.push_back(Hook{std::move(name), std::move(fn)});
}

void Manager::StartWork() {
  std::lock_guard<std::mutex> lock(mu_);
  if (working_ || lost_) return;
  working_ = true;
  for (auto& c : controllers_) c.Start();
  for (auto& r : runnables_) {
    runnable_threads_.emplace_back([this, &r] { r.run(runnables_stop_); });
  }
}

void Manager::OnLeadershipLost() {
  // First of all: no write of ours may reach the API server from now on.
  fence_.Close();
  abort_.Cancel();
  lease_abort_.Cancel();
  std::lock_guard<std::mutex> lock(mu_);
  lost_ = true;
  cv_.notify_all();
}

Status Manager::Run(http::CancelFlag& stop) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ran_) return Status(StatusCode::kFailedPrecondition, "a manager runs once");
    ran_ = true;
  }
  log::Logger& logger = log::Default();
  informers_->Start();
  while (!informers_->WaitForCacheSync(1s)) {
    heartbeat_.Beat();
    if (stop.cancelled()) {
      Shutdown(false);
      return Status::Ok();
    }
  }
  synced_ = true;
  logger.Info("caches synced");

  if (elector_) {
    VS_RETURN_IF_ERROR(elector_->Start());
  } else {
    StartWork();
  }
  int reg = stop.Register([this] {
    std::lock_guard<std::mutex> lock(mu_);
    cv_.notify_all();
  });
  bool lost;
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return stop.cancelled() || lost_; });
    lost = lost_ && !stop.cancelled();
  }
  stop.Unregister(reg);
  logger.Info(lost ? "leadership lost, shutting down" : "shutting down");
  Shutdown(lost);
  if (lost) return Status(StatusCode::kUnavailable, "leader election lost");
  return Status::Ok();
}

void Manager::Shutdown(bool lost) {
  log::Logger& logger = log::Default();
  const auto deadline = Clock::now() + options_.shutdown_timeout;
  // Reconciles in flight get most of the time; what follows needs little.
  const auto drain_deadline = Clock::now() + options_.shutdown_timeout * 6 / 10;

  runnables_stop_.Cancel();
  for (auto& c : controllers_) c.BeginStop();
  bool drained = true;
  for (auto& c : controllers_) drained = c.WaitDrained(Remaining(drain_deadline)) && drained;
  if (!drained) {
    logger.Warn("cancelling requests still in flight at the drain deadline");
    abort_.Cancel();
  }
  for (auto& c : controllers_) c.Join();
  for (auto& t : runnable_threads_) t.join();
  runnable_threads_.clear();

  for (auto& h : hooks_) {
    // Each hook runs against its budget; one that overruns has its requests cancelled.
    auto budget = std::min(Remaining(deadline), options_.shutdown_timeout / 4);
    std::promise<void> done;
    auto finished = done.get_future();
    std::thread t([&] {
      h.fn(budget);
      done.set_value();
    });
    if (finished.wait_for(budget) != std::future_status::ready) {
      logger.Warn("shutdown step overran its time; cancelling its requests", {{"step", h.name}});
      abort_.Cancel();
    }
    t.join();
  }
  if (!lost) recorder_->Flush(std::min(Remaining(deadline), 2000ms));
  fence_.Close();
  recorder_->Stop(0ms);
  abort_.Cancel();
  if (elector_) elector_->Stop();  // a leader releases the Lease (not after losing it)
  informers_->Stop();
  logger.Info("stopped");
}

}  // namespace vaultsync::runtime
