// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does
// it, so that of several operator replicas exactly one reconciles. A candidate polls the
// Lease every retry period and takes it when it is free or its holder has not renewed it
// for leaseDurationSeconds (measured on our own clock from when we last saw the record
// change, immune to clock skew between replicas). The leader renews every retry period and
// gives up when it could not renew for the renew deadline — measured by a watchdog of its
// own, so a renewal stuck in a slow request cannot hold the term past the deadline: the
// term ends (on_stopped_leading) at the deadline even while that request is in flight,
// which is before the lease can expire for a standby (lease duration > renew deadline).
// On Stop the leader releases the
// Lease (holder cleared, leaseDurationSeconds 1) so a successor need not wait out the
// lease. One LeaderElector runs one term: after losing the lease it does not try again
// (the operator exits and restarts, as controller-runtime's manager does).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "kube/client.h"
#include "metrics/hooks.h"
#include "util/log.h"

namespace vaultsync::kube {

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // empty = "<hostname>_<uuid>"
  // client-go's defaults; must satisfy lease_duration > renew_deadline > 1.2 * retry_period.
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  bool release_on_cancel = true;
  // Called on the elector's thread; must return promptly (start/stop work elsewhere).
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;  // after losing or releasing the lease
  std::function<void(const std::string& holder)> on_new_leader;  // holder seen changing
  metrics::LeaderElectionHooks* hooks = nullptr;
  const Clock* clock = &SystemClock::Instance();
  log::Logger* logger = nullptr;  // nullptr = log::Default()
};

// kInvalidArgument naming the broken rule.
Status ValidateLeaderElectionConfig(const LeaderElectionConfig& config);

// Give it a Client whose request timeout (Config::timeout) is below the renew deadline: a
// renewal stuck in a slow request cannot notice that the deadline passed. Thread-safe.
class LeaderElector {
 public:
  LeaderElector(Client& client, LeaderElectionConfig config);
  ~LeaderElector();  // Stop()
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Validates the config and starts campaigning on a thread of its own.
  Status Start();
  // Ends the campaign or term; a leader releases the Lease (release_on_cancel) and then
  // on_stopped_leading runs. Blocks until done (at most about one request). Idempotent.
  void Stop();

  bool IsLeader() const { return leader_; }
  // True once the term is over (lease lost, or stopped).
  bool Finished() const { return finished_; }
  const std::string& identity() const { return config_.identity; }
  // The holder last seen on the Lease ("" when none or not yet read).
  std::string ObservedLeader() const;

 private:
  struct Record {  // the Lease spec fields that matter
    std::string holder;
    int64_t lease_duration_seconds = 0;
    std::string acquire_time, renew_time;
    int64_t transitions = 0;
    bool operator==(const Record& o) const {
      return holder == o.holder && lease_duration_seconds == o.lease_duration_seconds &&
             acquire_time == o.acquire_time && renew_time == o.renew_time &&
             transitions == o.transitions;
    }
  };

  void Run();
  void Watchdog();
  // Ends the term once (from either thread): leader flag off, on_stopped_leading.
  void EndTerm(bool release);
  bool TryAcquireOrRenew();
  void Release();
  bool Sleep(std::chrono::milliseconds d);  // false when stopped meanwhile
  void Observe(const Record& r);
  void SetLeader(bool leading);

  Client& client_;
  LeaderElectionConfig config_;
  log::Logger& log_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool started_ = false;
  bool leading_ = false;                                // under mu_: the watchdog's cue
  std::chrono::steady_clock::time_point renewed_at_{};  // under mu_: last successful renewal
  std::atomic<bool> term_ended_{false};
  std::thread thread_;
  std::thread watchdog_;
  std::atomic<bool> leader_{false};
  std::atomic<bool> finished_{false};

  // Elector thread only, except observed_.holder (under mu_).
  Record observed_;
  TimePoint observed_at_{};
  std::optional<json::Document> lease_;  // our last successful write, for the next PUT
};

}  // namespace vaultsync::kube
