// Rollout restarts for every kind that writes a Secret workloads read (VaultStaticSecret,
// VaultDynamicSecret, VaultPKISecret): one service the kinds share, so that the changes of
// several resources that target one workload give that workload ONE restart.
//
// How a kind uses it (level-based, like everything else):
//  1. When a sync is about to change the data a workload reads (not on a first sync), the
//     reconciler first records the owed restart in its status (`status.rolloutRestartMAC` =
//     the MAC of the new data) — BEFORE writing the Secret, so that an operator killed
//     between the Secret write and the restart owes it still when it (or a new leader)
//     starts again — then writes the Secret.
//  2. While its status says a restart is owed, every reconcile calls
//     Request(owner, targets, data_mac). The first call for a workload starts its coalescing
//     window (--rollout-restart-coalesce); requests of other owners for the same workload
//     within the window join it; when the window ends the workload is patched once.
//  3. When every target of the owner has been handled, Request answers kDone and the
//     restarter has published the owner's key on Done(kind) so that it is reconciled at once;
//     the reconciler then clears `status.rolloutRestartMAC`. Nothing else restarts anything:
//     a restart only ever follows a data change, so there is no restart loop.
//
// A restart sets the pod-template annotation `vaultsync.io/restartedAt` (RFC 3339 with nine
// fractional digits, so two restarts in one second are two different values) with a
// strategic-merge patch, as `kubectl rollout restart` does; an `argoproj.io/Rollout` gets
// `spec.restartAt` with a JSON merge patch, as Argo's own `kubectl argo rollouts restart`
// does, in whole seconds rounded up (Argo compares it at second precision and waits for a
// time in the future). Outcomes per target:
//   success  - a Normal Event RolloutRestarted on each owner;
//   retry    - the API server was unavailable, throttled, or the patch conflicted: a Warning
//              RolloutRestartFailed, and the workload is tried again (1 s doubling to 1 min,
//              never sooner than a Retry-After), for every owner still waiting;
//   error    - missing, forbidden or invalid: a Warning RolloutRestartFailed, not retried;
//   skipped  - an Argo Rollout in a cluster without the Rollout CRD: a Warning
//              RolloutRestartSkipped, not retried.
// Every outcome counts in vaultsync_rollout_restarts_total{kind,result}.
//
// The work is done by RunDue(), from a manager runnable (operator.cpp) that waits with
// WaitForWork() between rounds — never by a reconcile worker. Unit tests drive RunDue() with a
// FakeClock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "controller/ports.h"
#include "controller/secret_object.h"
#include "metrics/rollout_metrics.h"
#include "runtime/key_events.h"
#include "util/clock.h"
#include "util/log.h"

namespace vaultsync::controller {

// The Event reasons the restarter writes on the owners.
inline constexpr const char* kReasonRolloutRestarted = "RolloutRestarted";
inline constexpr const char* kReasonRolloutRestartFailed = "RolloutRestartFailed";
inline constexpr const char* kReasonRolloutRestartSkipped = "RolloutRestartSkipped";

// True when `s` (a failed patch or get of object `name`) says that object does not exist, as
// opposed to its type not being served at all (a 404 for a custom resource whose CRD is not
// installed: the real API server answers "404 page not found", which names no object).
bool IsObjectNotFound(const Status& s, std::string_view name);

struct RolloutRestarterOptions {
  // Changes within this window of the first one give one restart per workload (0: restart
  // at the next RunDue).
  std::chrono::milliseconds coalesce{5000};
  std::chrono::milliseconds retry_base{1000};
  std::chrono::milliseconds retry_max{60000};
};

enum class RestartProgress { kPending, kDone };

// Thread-safe.
class RolloutRestarter {
 public:
  // `cluster` patches the workloads, `events` reports on the owners; `metrics` and `logger`
  // may be null. All must outlive the restarter.
  RolloutRestarter(Cluster& cluster, EventSink& events, const Clock& clock,
                   RolloutRestarterOptions options,
                   metrics::RolloutRestartMetrics* metrics = nullptr,
                   log::Logger* logger = nullptr);

  // `owner` (kind and metadata) owes a restart of `targets` (workloads in its namespace) for
  // the data whose MAC is `data_mac` — given as the MAC, or as its ShortDigest (what a status
  // cache keeps: resources.h). Idempotent: calling again with the same MAC joins what is
  // already under way; a different MAC replaces the owner's request (the restart still to
  // come covers the newer data). kDone once each target was restarted (or given up on, see
  // above) for this MAC — at once when `targets` is empty — and from then on for the same
  // MAC until the owner asks with another one or is forgotten.
  RestartProgress Request(const SecretOwner& owner, const std::vector<RolloutTarget>& targets,
                          uint32_t data_mac_digest);
  RestartProgress Request(const SecretOwner& owner, const std::vector<RolloutTarget>& targets,
                          std::string_view data_mac) {
    return Request(owner, targets, ShortDigest(data_mac));
  }
  // The owner is gone: drop what it asked for.
  void Forget(std::string_view kind, const std::string& key);

  // Keys ("namespace/name") of owners of `kind` whose restart is done. Subscribe during
  // setup (ControllerBuilder::WatchesKeys).
  runtime::KeyEvents& Done(std::string_view kind);

  // Patches every workload whose window has ended (or whose retry is due). Returns when the
  // next one is due (nullopt: nothing waits).
  std::optional<TimePoint> RunDue();
  // Blocks until a workload is due, a request arrives or Wake() is called, or `max_wait`.
  void WaitForWork(std::chrono::milliseconds max_wait);
  void Wake();

  // For tests and the owners' bookkeeping: workloads waiting for their patch.
  size_t pending() const;

 private:
  struct Owed {
    std::string kind;
    ObjectMeta meta;  // of the owner, for Events
    uint32_t mac = 0;
    std::set<RolloutTarget> remaining;
  };
  // One workload waiting for its patch, and the owners (with the MAC they asked for) it is
  // for.
  struct Workload {
    std::string namespace_;
    RolloutTarget target;
    TimePoint due;
    int attempts = 0;
    std::map<std::string, uint32_t> owners;  // owner key -> MAC digest
  };

  static std::string OwnerKey(std::string_view kind, const std::string& key);
  void RemoveFromWorkloadLocked(const std::string& owner, const std::string& ns,
                                const RolloutTarget& t);
  // The outcome of one patch, applied to the owners it was for.
  void Settle(const Workload& w, const Status& result, TimePoint now);

  Cluster& cluster_;
  EventSink& events_;
  const Clock& clock_;
  RolloutRestarterOptions options_;
  metrics::RolloutRestartMetrics* metrics_;
  log::Logger* logger_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool woken_ = false;
  std::map<std::string, Owed> owed_;         // owner key -> what it waits for
  std::map<std::string, uint32_t> done_;     // owner key -> MAC digest whose restart is done
  std::map<std::string, Workload> pending_;  // "ns/kind/name" -> workload
  std::map<std::string, std::unique_ptr<runtime::KeyEvents>, std::less<>> done_events_;
};

}  // namespace vaultsync::controller
