// The request loop: build, send, map, retry.
#include "vault/client.h"

#include "util/redact.h"

#include <thread>

#include "vault/errors.h"

namespace vaultsync::vault {

Result<std::shared_ptr<Client>> Client::Create(const ConnectionConfig& config,
                                               ClientOptions options) {
  VS_RETURN_IF_ERROR(config.Validate());
  http::TransportConfig tc = config.ToTransportConfig();
  tc.cancel = options.cancel;
  VS_ASSIGN_OR_RETURN(auto transport, http::NewTransport(tc));
  return Create(config, std::move(transport), std::move(options));
}

Result<std::shared_ptr<Client>> Client::Create(const ConnectionConfig& config,
                                               std::unique_ptr<http::Transport> transport,
                                               ClientOptions options) {
  VS_RETURN_IF_ERROR(config.Validate());
  if (transport == nullptr) return InvalidArgument("no transport");
  return std::make_shared<Client>(config, std::move(transport), std::move(options));
}

Client::Client(ConnectionConfig config, std::unique_ptr<http::Transport> transport,
               ClientOptions options)
    : config_(std::move(config)),
      transport_(std::move(transport)),
      retry_(options.retry),
      clock_(options.clock != nullptr ? options.clock : &SystemClock::Instance()),
      hooks_(options.hooks),
      logger_(options.logger != nullptr ? options.logger : &log::Default()),
      sleep_(std::move(options.sleep)),
      jitter_(std::move(options.jitter)),
      gate_(std::move(options.gate)),
      rng_(std::random_device{}()) {
  if (!sleep_) sleep_ = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

double Client::NextJitter() const {
  if (jitter_) return jitter_();
  std::lock_guard<std::mutex> lock(rng_mu_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

http::Request Client::BuildRequest(const Call& call) const {
  http::Request req;
  req.method = call.method;
  req.target = "/v1/" + call.path;
  if (!call.query.empty()) req.target += "?" + call.query;
  // The vault CLI sends this too; Vault Agent and proxies require it (SSRF protection).
  req.headers.emplace_back("X-Vault-Request", "true");
  if (!call.token.empty()) req.headers.emplace_back("X-Vault-Token", call.token);
  if (!config_.namespace_.empty())
    req.headers.emplace_back("X-Vault-Namespace", config_.namespace_);
  for (const auto& [k, v] : config_.headers) req.headers.emplace_back(k, v);
  if (!call.body.empty()) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = call.body;
  }
  return req;
}

Result<http::Response> Client::Send(const Call& call) const {
  const http::Request req = BuildRequest(call);
  std::vector<std::string> sensitive = call.sensitive;
  if (!call.token.empty()) sensitive.push_back(call.token);
  const std::string_view op = OperationName(call.op);
  // The path as the caller built it; never the query (it may carry a version, not a secret,
  // but keeping labels and messages path-only is simpler to audit).
  const std::string& path = call.path;

  // Health questions are how the gate learns the server is back: never held by it.
  HealthGate* gate = (call.op == Operation::kSysHealth || call.op == Operation::kSysSealStatus)
                         ? nullptr
                         : gate_.get();
  const TimePoint start = clock_->Now();
  Status last;
  int attempt = 0;
  while (true) {
    if (gate != nullptr) {
      Status admitted = gate->Admit();
      if (!admitted.ok()) {
        if (attempt == 0) return admitted;
        break;  // opened by another caller during our retries: end with our own error
      }
    }
    ++attempt;
    const TimePoint t0 = clock_->Now();
    auto res = transport_->Send(req);
    const double secs = std::chrono::duration<double>(clock_->Now() - t0).count();
    if (!res.ok()) {
      if (hooks_ != nullptr) hooks_->ObserveRequest(op, "error", secs);
      last = ErrorFromTransport(call.op, path, res.status());
    } else {
      http::Response& resp = *res;
      if (hooks_ != nullptr) hooks_->ObserveRequest(op, std::to_string(resp.status), secs);
      if ((resp.status >= 200 && resp.status < 300) || (call.accept && call.accept(resp))) {
        return std::move(resp);
      }
      last = ErrorFromResponse(call.op, path, resp);
    }
    if (gate != nullptr && gate->Observe(last)) break;  // the server is out: no retry
    if (!IsRetryable(last) || attempt >= retry_.max_attempts) break;
    if (last.http_status() == 500 && !call.retry_internal_errors) break;
    std::chrono::milliseconds delay = Backoff(retry_, attempt, NextJitter());
    if (auto ra = last.retry_after_seconds(); ra.has_value()) {
      delay = std::max(delay, std::chrono::milliseconds(int64_t{*ra} * 1000));
    }
    if (clock_->Now() - start + delay > retry_.max_total) break;
    if (logger_->Enabled(log::Level::kDebug)) {
      std::string attempt_s = std::to_string(attempt), delay_s = std::to_string(delay.count());
      std::string msg = Redact(last.message(), sensitive);
      logger_->Debug("vault request failed, retrying", {{"operation", op},
                                                        {"path", path},
                                                        {"attempt", attempt_s},
                                                        {"delayMs", delay_s},
                                                        {"error", msg}});
    }
    sleep_(delay);
  }
  std::string msg = Redact(last.message(), sensitive);
  if (attempt > 1) msg += " after " + std::to_string(attempt) + " attempts";
  Status out(last.code(), std::move(msg), last.http_status());
  if (auto ra = last.retry_after_seconds(); ra.has_value()) out.set_retry_after_seconds(*ra);
  if (gate != nullptr && gate->open()) out.set_wake_signal(gate->signal());
  return out;
}

}  // namespace vaultsync::vault
