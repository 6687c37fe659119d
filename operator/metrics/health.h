// Health and readiness checks, served controller-runtime style on /healthz and /readyz.
//
// The operator registers named checks; an endpoint answers 200 "ok" when every check passes
// and 500 listing each check as "[+]name ok" / "[-]name failed: reason withheld" otherwise
// (the reason stays in the operator's log: the endpoint is unauthenticated). `?verbose` lists
// the checks on success too, `?exclude=name` skips one, and /healthz/<name> runs one check
// and does show its reason.
//
// What the operator registers, and why (see main.cpp):
//   healthz "ping"             the process answers HTTP at all.
//   healthz "workloop"         a Heartbeat (below) the work loop beats; stale = stuck, and the
//                              kubelet restarting the pod is the right cure.
//   readyz  "informers-synced" the informer caches have listed once. A standby replica (not
//                              the leader) passes too: it is ready to take over.
// Vault being down, sealed or refusing us is deliberately NOT a check: a restart cannot fix
// Vault, and failing readiness would only take every replica out of rotation at once. Vault
// trouble shows in the Ready condition of each resource and in vaultsync_vault_requests_total.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metrics/http_endpoint.h"
#include "util/clock.h"
#include "util/status.h"

namespace vaultsync::metrics {

// A check returns OK when healthy; its message says why not (never a secret). It runs on an
// HTTP thread while the probe waits, so it must be quick and must not block on the network.
using CheckFn = std::function<Status()>;

// One endpoint's checks. Thread-safe: checks may be added while requests are served.
class HealthChecks {
 public:
  // InvalidArgument when `name` is empty, contains '/', or is already registered.
  Status Add(std::string_view name, CheckFn fn);

  // The aggregate answer (see the file comment). With no check registered it behaves as if
  // "ping" were the only one, as controller-runtime does. Checks run in the order added.
  EndpointResponse Aggregate(bool verbose, const std::vector<std::string>& exclude) const;
  // One check: 200 "ok", 500 "internal server error: <message>", 404 when unknown.
  EndpointResponse Single(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, CheckFn>> Snapshot() const;

  mutable std::mutex mu_;
  std::vector<std::pair<std::string, CheckFn>> checks_;
};

// The /healthz and /readyz checks of one process, and the handler that serves both paths
// (plus /healthz/<name>, /readyz/<name>). Thread-safe.
class Probes {
 public:
  Status AddHealthzCheck(std::string_view name, CheckFn fn) {
    return healthz_.Add(name, std::move(fn));
  }
  Status AddReadyzCheck(std::string_view name, CheckFn fn) {
    return readyz_.Add(name, std::move(fn));
  }
  // 404 for other paths, 405 for methods other than GET and HEAD.
  EndpointResponse Handle(const EndpointRequest& req) const;

 private:
  HealthChecks healthz_;
  HealthChecks readyz_;
};

// Always passes: "the process answers".
CheckFn PingCheck();

// The work loop's sign of life: it calls Beat() each time it finishes an item AND at least
// every max_age/2 while idle (e.g. by waiting on its queue with a timeout), so a quiet
// operator is not mistaken for a stuck one. Thread-safe, lock-free.
class Heartbeat {
 public:
  // Counts as a beat at construction, so a fresh process is healthy.
  explicit Heartbeat(const Clock& clock);

  void Beat();
  TimePoint last() const;
  // OK when the last beat is at most max_age ago; Unavailable saying how long ago it was
  // otherwise.
  Status Check(std::chrono::nanoseconds max_age) const;
  // A CheckFn for Probes; `this` must outlive the Probes it is registered with.
  CheckFn Checker(std::chrono::nanoseconds max_age) const;

 private:
  const Clock& clock_;
  std::atomic<TimePoint::rep> last_;
};

}  // namespace vaultsync::metrics
