// The manager (controller-runtime's): what every controller of the operator shares and the
// order in which it all starts and stops. It owns three Kubernetes clients — one for the
// informer caches, one for reconcile writes behind a write fence, one of its own for the
// leader-election Lease (short timeout, no retries, so a throttled API server cannot starve
// renewals) — the shared informer caches, the Event recorder, metrics and probe servers,
// leader election, and the controllers and runnables registered on it.
//
// Life of a Run(): start the caches and wait for them to sync; then (once leader, if
// leader election is on) start every controller and runnable; wait for the stop signal or
// the loss of the lease; then shut down within shutdown_timeout: stop handing out work,
// let reconciles in flight finish until the drain deadline, cancel the requests still in
// flight, run the shutdown hooks (revoke Vault tokens), flush Events, close the write
// fence, release the Lease, stop caches and servers.
//
// Losing the lease is handled before anything else: the write fence closes and requests in
// flight are cancelled at once (from the elector's watchdog, at the renew deadline), so
// this replica has stopped writing before the lease can expire for a standby.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/transport.h"
#include "kube/config.h"
#include "kube/events.h"
#include "kube/fenced_client.h"
#include "kube/informer_factory.h"
#include "kube/leaderelection.h"
#include "kube/rest_client.h"
#include "metrics/health.h"
#include "metrics/operator_metrics.h"
#include "metrics/servers.h"
#include "runtime/controller.h"
#include "runtime/wake_board.h"

namespace vaultsync::runtime {

struct ManagerOptions {
  kube::Config kube;  // server, credentials, qps/burst, timeout
  // This replica's name: the Lease holder identity and the suffix of every request's
  // User-Agent (so an API server's audit log says which replica wrote). Empty =
  // "<hostname>_<uuid>".
  std::string identity;
  std::string user_agent = "vaultsync-operator";  // the identity is appended
  std::string metrics_bind_address = ":8080";     // "0" disables
  std::string health_probe_bind_address = ":8081";
  bool leader_elect = false;
  std::string leader_election_namespace;  // required when leader_elect
  std::string leader_election_id = "vaultsync-leader";
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  // The whole shutdown (drain, hooks, Event flush, Lease release) fits in this.
  std::chrono::milliseconds shutdown_timeout{20000};
  // The metrics registry to serve; nullptr = a registry of the manager's own.
  metrics::OperatorMetrics* metrics = nullptr;
};

// Not copyable. Register controllers, runnables and hooks before Run(); Run() once.
class Manager {
 public:
  // Builds the clients, caches, recorder and servers (the servers listen at once, so a
  // taken port fails here). kInvalidArgument for a bad configuration.
  static Result<std::unique_ptr<Manager>> New(ManagerOptions options);
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Reconcile traffic: fenced (writes refused once leadership is lost or shutdown ends)
  // and cancelled in flight at the drain deadline. Thread-safe.
  kube::Client& client() { return *fenced_client_; }
  // For reads that must not be cancelled with reconcile traffic (start-up reads). Thread-safe.
  kube::Client& reader() { return *cache_client_; }
  kube::InformerFactory& informers() { return *informers_; }
  kube::EventRecorder& recorder() { return *recorder_; }
  metrics::OperatorMetrics& metrics() { return *metrics_; }
  metrics::Heartbeat& heartbeat() { return heartbeat_; }
  // Fired when work must end at once: the drain deadline passed, or leadership was lost.
  // Give it to every client whose requests reconciles wait on (Vault clients).
  const http::CancelFlag& abort() const { return abort_; }
  const ManagerOptions& options() const { return options_; }
  // Where every controller's keys wait for wake signals (a Vault healthy again); fire
  // signals on it. Thread-safe.
  WakeBoard& wake_board() { return wake_board_; }
  const std::string& identity() const { return options_.identity; }

  // A controller started with the manager (once leader). Use ControllerBuilder.
  Controller& NewController(ControllerOptions options, ReconcileFn reconcile);
  // A function run on a thread of its own while this replica does work (once leader), until
  // its stop flag fires at shutdown. It must return promptly then.
  void AddRunnable(std::string name, std::function<void(const http::CancelFlag& stop)> run);
  // Runs at shutdown after the controllers have stopped, before Events are flushed and the
  // Lease released (e.g. revoking Vault tokens). Each must respect the remaining time it
  // is told it has.
  void AddShutdownHook(std::string name, std::function<void(std::chrono::milliseconds budget)> fn);

  // Blocks until `stop` fires or leadership is lost, then shuts down (see above). OK after a
  // requested stop; kUnavailable when the lease was lost (exit non-zero and be restarted, as
  // controller-runtime does); the error when start-up failed.
  Status Run(http::CancelFlag& stop);

 private:
  explicit Manager(ManagerOptions options);
  Status Init();
  void StartWork();
  void OnLeadershipLost();
  void Shutdown(bool lost);

  ManagerOptions options_;
  std::unique_ptr<metrics::OperatorMetrics> owned_metrics_;
  metrics::OperatorMetrics* metrics_ = nullptr;
  metrics::Heartbeat heartbeat_;
  metrics::Probes probes_;
  std::atomic<bool> synced_{false};
  std::unique_ptr<metrics::HttpEndpoint> metrics_server_;
  std::unique_ptr<metrics::HttpEndpoint> probe_server_;

  http::CancelFlag abort_;        // reconcile requests in flight end now
  http::CancelFlag lease_abort_;  // the elector's request in flight ends now (lost lease)
  kube::WriteFence fence_;
  std::unique_ptr<kube::RestClient> cache_client_;
  std::unique_ptr<kube::RestClient> work_client_;
  std::unique_ptr<kube::FencedClient> fenced_client_;
  std::unique_ptr<kube::RestClient> lease_client_;
  std::unique_ptr<kube::InformerFactory> informers_;
  std::unique_ptr<kube::EventRecorder> recorder_;
  std::unique_ptr<kube::LeaderElector> elector_;

  WakeBoard wake_board_;               // before controllers_: it outlives them
  std::list<Controller> controllers_;  // a list: references stay valid
  struct Runnable {
    std::string name;
    std::function<void(const http::CancelFlag&)> run;
  };
  std::vector<Runnable> runnables_;
  struct Hook {
    std::string name;
    std::function<void(std::chrono::milliseconds)> fn;
  };
  std::vector<Hook> hooks_;
  http::CancelFlag runnables_stop_;
  std::vector<std::thread> runnable_threads_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool working_ = false;
  bool lost_ = false;
  bool ran_ = false;
};

}  // namespace vaultsync::runtime
