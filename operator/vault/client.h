// One connection to one Vault server: every Vault request of the operator and the CLI goes
// through Client::Send, which owns what all of them need the same way — the /v1/ prefix,
// X-Vault-Namespace and extra headers, bounded retries with jittered backoff on transient
// failures only, error mapping (errors.h), per-attempt metrics, keeping tokens out of
// messages, and the address's breaker (health_gate.h). It knows nothing about auth or KV; those
// build Calls on top of it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "http/transport.h"
#include "metrics/hooks.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/status.h"
#include "vault/connection.h"
#include "vault/health_gate.h"
#include "vault/operation.h"
#include "vault/retry.h"

namespace vaultsync::vault {

// One logical request (retries are attempts of the same Call).
struct Call {
  Operation op = Operation::kKvRead;
  std::string method = "GET";  // GET, POST, PUT, DELETE, LIST
  std::string path;            // API path after "/v1/", already escaped (path.h EscapePath)
  std::string query;           // without '?', already escaped; empty = none
  std::string body;            // JSON; empty = no body
  std::string token;           // sent as X-Vault-Token; empty = none
  // Values that must never appear in a message (the token is always added). Secret values
  // written, JWTs and secret IDs go here.
  std::vector<std::string> sensitive;
  // For calls whose non-2xx answers can be data (sys/health): when it returns true for a
  // response, that response is returned as success and never retried.
  std::function<bool(const http::Response&)> accept;
  // Whether an HTTP 500 is worth another attempt. Logins turn this off: Vault's kubernetes
  // auth answers refusals ("namespace not authorized", a malformed JWT) with 500, and
  // repeating a refused login only hammers the server.
  bool retry_internal_errors = true;
};

struct ClientOptions {
  RetryPolicy retry;
  const Clock* clock = nullptr;          // default: the system clock
  metrics::VaultHooks* hooks = nullptr;  // nullptr: report nothing
  log::Logger* logger = nullptr;         // default: log::Default()
  // How to wait between attempts; default std::this_thread::sleep_for. Tests pass one that
  // advances a FakeClock; a caller that must stop promptly passes an interruptible one.
  std::function<void(std::chrono::milliseconds)> sleep;
  // Jitter source in [0, 1); default a per-client PRNG.
  std::function<double()> jitter;
  // When cancelled, requests in flight end at once with kCancelled (operator shutdown).
  // Not owned; may be null.
  const http::CancelFlag* cancel = nullptr;
  // The breaker of this client's address (shared by every client of it): while open, calls
  // fail at once without a request; sys/health and sys/seal-status always go through.
  // Optional.
  std::shared_ptr<HealthGate> gate;
};

// Thread-safe: one Client is shared by every caller of a connection (the transport pools
// keep-alive connections).
class Client {
 public:
  // Validates `config` and opens the real transport. kInvalidArgument on a bad config, CA or
  // address.
  static Result<std::shared_ptr<Client>> Create(const ConnectionConfig& config,
                                                ClientOptions options = {});
  // The policy of a caller that must never wait inside a request: one attempt, so a
  // transient failure goes back at once (the operator requeues instead of sleeping).
  static RetryPolicy NoRetries() {
    RetryPolicy p;
    p.max_attempts = 1;
    return p;
  }
  // Same over a given transport (tests inject a scripted fake).
  static Result<std::shared_ptr<Client>> Create(const ConnectionConfig& config,
                                                std::unique_ptr<http::Transport> transport,
                                                ClientOptions options = {});

  // Sends `call`, retrying per the policy when IsRetryable (errors.h). Returns the response
  // of the first 2xx (or accepted) answer; otherwise the Status of the last attempt, mapped
  // by ErrorFromResponse / ErrorFromTransport, with " after N attempts" appended when more
  // than one was made.
  Result<http::Response> Send(const Call& call) const;

  const ConnectionConfig& config() const { return config_; }
  const Clock& clock() const { return *clock_; }
  metrics::VaultHooks* hooks() const { return hooks_; }
  const std::shared_ptr<HealthGate>& gate() const { return gate_; }
  log::Logger& logger() const { return *logger_; }

  Client(ConnectionConfig config, std::unique_ptr<http::Transport> transport,
         ClientOptions options);  // use Create

 private:
  http::Request BuildRequest(const Call& call) const;
  double NextJitter() const;

  ConnectionConfig config_;
  std::unique_ptr<http::Transport> transport_;
  RetryPolicy retry_;
  const Clock* clock_;
  metrics::VaultHooks* hooks_;
  log::Logger* logger_;
  std::function<void(std::chrono::milliseconds)> sleep_;
  std::function<double()> jitter_;
  std::shared_ptr<HealthGate> gate_;
  mutable std::mutex rng_mu_;
  mutable std::minstd_rand rng_;
};

}  // namespace vaultsync::vault
