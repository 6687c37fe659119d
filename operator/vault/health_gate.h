// The breaker of one Vault address. When a call fails in a way that says the server itself is
// out (connection refused or timed out, sealed, 502/503/504, rate-limited with 429), every
// resource using that address would otherwise keep calling it on its own backoff: with
// 10,000 resources, thousands of doomed requests against a sealed Vault, and a recovery that
// waits for each resource's backoff. Instead the gate opens: calls get an immediate
// kUnavailable without a request (carrying the gate's wake signal, on which the runtime parks
// their keys), ONE sys/health probe is made at a time with backoff (never sooner than the
// Retry-After of a 429 the probe itself got), and the first healthy answer closes the gate — its
// owner then fires the signal and every parked resource is queued again at once.
//
// This class is the decision logic only (no I/O, time from a Clock): HealthGates runs the
// probes, vault::Client asks Admit before and reports Observe after each request.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "metrics/hooks.h"
#include "util/clock.h"
#include "util/status.h"

namespace vaultsync::vault {

class HealthGate;

struct HealthGateOptions {
  const Clock* clock = nullptr;  // default: the system clock
  // The first probe comes this long after the gate opens; later ones back off doubling up to
  // max_probe_interval (which bounds the delay between a recovery and its detection).
  std::chrono::milliseconds first_probe{500};
  std::chrono::milliseconds max_probe_interval{2000};
  metrics::VaultHooks* hooks = nullptr;  // vaultsync_vault_sealed{address}
  // Called (without the gate's lock) each time the gate opens.
  std::function<void(const HealthGate&)> on_open;
};

// What a sys/health probe found.
struct HealthProbe {
  bool serving = false;  // initialized, unsealed, and active or a standby that forwards
  bool sealed = false;   // the answer said sealed
  std::optional<int> retry_after_seconds;  // a 429 that was not a health answer
  std::string what;                        // for the log: "sealed", "HTTP 502", ...
};

// Thread-safe.
class HealthGate {
 public:
  HealthGate(std::string address, HealthGateOptions options);

  const std::string& address() const { return address_; }
  // The wake signal of this address (Status::wake_signal).
  uint32_t signal() const { return signal_; }

  // Before a request: OK while closed; while open, the failure to return instead of sending.
  Status Admit() const;
  // After a request: opens the gate on a failure that says the server is out (returns true
  // when it is open afterwards). Successes and other failures change nothing.
  bool Observe(const Status& result);
  // Whether a failure says the server itself is out (not a TLS, auth, path or 500 error).
  static bool SaysServerIsOut(const Status& result);

  bool open() const;
  // What callers are told, in a few words ("sealed", "unreachable", ...).
  std::string State() const;
  // When the next probe is due; std::nullopt while closed.
  std::optional<TimePoint> NextProbeAt() const;
  // The answer of a probe. Closes the gate when the server serves. Returns true when the
  // callers held back should be woken (fire the signal): only after an outage some probe
  // confirmed. When the first probe already finds the server serving, the failure was not
  // the server's (a proxy's 503 on one path, a 429 quota on one path): the gate closes
  // quietly and those callers keep their own backoff — waking them would only repeat the
  // failure, in step, every probe interval.
  bool OnProbe(const HealthProbe& probe);

 private:
  enum class Why { kDown, kTimedOut, kSealed, kOverloaded, kUnavailable };
  void SetSealedLocked(bool sealed);
  std::string StateLocked() const;

  const std::string address_;
  const HealthGateOptions options_;
  const Clock* clock_;
  const uint32_t signal_;
  mutable std::mutex mu_;
  bool open_ = false;
  Why why_ = Why::kDown;
  int why_http_ = 0;
  std::chrono::milliseconds interval_{0};
  TimePoint next_probe_{};
  bool sealed_reported_ = false;
  bool confirmed_ = false;  // a probe of this open period found the server out
};

}  // namespace vaultsync::vault
