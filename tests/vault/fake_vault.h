// Test doubles for unit tests of the Vault client: a scripted Transport (a handler function
// plus a record of every request), a VaultHooks that counts what it is told, and a builder
// for a Client whose clock is fake and whose backoff sleeps only advance that clock.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/transport.h"
#include "metrics/hooks.h"
#include "util/clock.h"
#include "util/log.h"
#include "vault/client.h"

namespace vaultsync::vault::testing {

inline http::Response JsonResponse(int status, std::string_view body) {
  http::Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::string(body);
  return r;
}

// Thread-safe.
class FakeTransport final : public http::Transport {
 public:
  using Handler = std::function<Result<http::Response>(const http::Request&)>;
  explicit FakeTransport(Handler handler) : handler_(std::move(handler)) {}

  Result<http::Response> Send(const http::Request& req) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(req);
    }
    return handler_(req);
  }
  Result<http::Response> Stream(const http::Request&, const std::function<bool(std::string_view)>&,
                                const http::CancelFlag*) override {
    return Status(StatusCode::kInternal, "Stream is not used by the Vault client");
  }

  std::vector<http::Request> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  // Requests whose "METHOD target" starts with `prefix` (e.g. "GET /v1/secret/data/a").
  int Count(const std::string& prefix) const {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (const auto& r : requests_) {
      if ((r.method + " " + r.target).rfind(prefix, 0) == 0) ++n;
    }
    return n;
  }

 private:
  Handler handler_;
  mutable std::mutex mu_;
  std::vector<http::Request> requests_;
};

// Thread-safe.
class RecordingHooks final : public metrics::VaultHooks {
 public:
  void ObserveRequest(std::string_view op, std::string_view code, double) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests[std::string(op) + " " + std::string(code)]++;
  }
  void ObserveLogin(std::string_view method, std::string_view result) override {
    std::lock_guard<std::mutex> lock(mu_);
    logins[std::string(method) + " " + std::string(result)]++;
  }
  // Keyed by the vaultauth label alone when the namespace label is empty, else "label@ns".
  static std::string TtlKey(std::string_view label, std::string_view ns) {
    return ns.empty() ? std::string(label) : std::string(label) + "@" + std::string(ns);
  }
  void SetTokenTtl(std::string_view label, std::string_view ns, double seconds) override {
    std::lock_guard<std::mutex> lock(mu_);
    ttl[TtlKey(label, ns)] = seconds;
  }
  void RemoveTokenTtl(std::string_view label, std::string_view ns) override {
    std::lock_guard<std::mutex> lock(mu_);
    ttl.erase(TtlKey(label, ns));
    removed++;
  }
  void SetSealed(std::string_view address, bool is_sealed) override {
    std::lock_guard<std::mutex> lock(mu_);
    sealed[std::string(address)] = is_sealed;
  }
  int Requests(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    return requests[key];
  }
  int Logins(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    return logins[key];
  }
  std::optional<double> Ttl(const std::string& label) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = ttl.find(label);
    if (it == ttl.end()) return std::nullopt;
    return it->second;
  }

  std::mutex mu_;
  std::map<std::string, int> requests;
  std::map<std::string, int> logins;
  std::map<std::string, double> ttl;
  std::map<std::string, bool> sealed;
  int removed = 0;
};

// A Client over a FakeTransport with a FakeClock; backoff sleeps advance the clock and are
// recorded instead of waiting.
struct FakeVault {
  explicit FakeVault(FakeTransport::Handler handler, RetryPolicy retry = {},
                     ConnectionConfig config = DefaultConfig()) {
    auto t = std::make_unique<FakeTransport>(std::move(handler));
    transport = t.get();
    ClientOptions o;
    o.retry = retry;
    o.clock = &clock;
    o.hooks = &hooks;
    o.logger = &logger;
    o.jitter = [] { return 0.5; };
    o.sleep = [this](std::chrono::milliseconds d) {
      std::lock_guard<std::mutex> lock(sleeps_mu);
      sleeps.push_back(d);
      clock.Advance(d);
    };
    auto c = Client::Create(config, std::move(t), std::move(o));
    client = std::move(c).value();
  }
  static ConnectionConfig DefaultConfig() {
    ConnectionConfig c;
    c.address = "http://vault.test:8200";
    return c;
  }

  FakeClock clock;
  RecordingHooks hooks;
  // Everything the client logs, at debug level, so tests can check it for secrets.
  std::ostringstream log_sink;
  log::Logger logger{&log_sink, log::Level::kDebug};
  FakeTransport* transport = nullptr;  // owned by client
  std::shared_ptr<Client> client;
  std::mutex sleeps_mu;
  std::vector<std::chrono::milliseconds> sleeps;
};

}  // namespace vaultsync::vault::testing
