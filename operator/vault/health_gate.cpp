// When a Vault address counts as out, what callers are told meanwhile, and the probe backoff.
#include "vault/health_gate.h"

#include <algorithm>

#include "http/transport.h"
#include "vault/errors.h"

namespace vaultsync::vault {

HealthGate::HealthGate(std::string address, HealthGateOptions options)
    : address_(std::move(address)),
      options_(options),
      clock_(options.clock ? options.clock : &SystemClock::Instance()),
      signal_(NewWakeSignal()) {
  // The series exists from the start (0), as dashboards and absent() alerts expect.
  if (options_.hooks != nullptr) options_.hooks->SetSealed(address_, false);
}

bool HealthGate::SaysServerIsOut(const Status& s) {
  // What the client retries, less a 500 (one request's failure, not the server's) and a TLS
  // failure (a configuration error of one connection, which a probe over the same TLS would
  // not fix).
  return IsRetryable(s) && s.http_status() != 500 && !http::IsTlsFailure(s);
}

std::string HealthGate::StateLocked() const {
  switch (why_) {
    case Why::kDown:
      return "unreachable";
    case Why::kTimedOut:
      return "not answering (requests to it timed out)";
    case Why::kSealed:
      return "sealed";
    case Why::kOverloaded:
      return "rate-limiting requests (HTTP 429)";
    case Why::kUnavailable:
      return "unavailable (HTTP " + std::to_string(why_http_) + ")";
  }
  return "unavailable";
}

std::string HealthGate::State() const {
  std::lock_guard<std::mutex> lock(mu_);
  return StateLocked();
}

Status HealthGate::Admit() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!open_) return Status::Ok();
  // No server words here: this status reaches resources whose own calls never saw them.
  Status st(StatusCode::kUnavailable,
            "Vault at " + address_ + " is " + StateLocked() +
                "; no request is sent until its health check (sys/health) passes",
            why_ == Why::kSealed ? 503 : 0);
  st.set_wake_signal(signal_);
  return st;
}

bool HealthGate::Observe(const Status& result) {
  if (!SaysServerIsOut(result)) {
    std::lock_guard<std::mutex> lock(mu_);
    return open_;
  }
  std::unique_lock<std::mutex> lock(mu_);
  const TimePoint now = clock_->Now();
  Why why = Why::kDown;
  if (result.http_status() == 429) {
    why = Why::kOverloaded;
  } else if (result.http_status() == 503 && result.message().find("sealed") != std::string::npos) {
    why = Why::kSealed;
  } else if (result.http_status() != 0) {
    why = Why::kUnavailable;
  } else if (result.code() == StatusCode::kDeadlineExceeded) {
    why = Why::kTimedOut;
  }
  // The failure's own Retry-After is not the probe's: it belongs to the call (its resource
  // waits it out), and often to one path's quota only — sys/health is exempt from Vault's
  // rate-limit quotas, and a probe that finds the server serving closes the gate at once.
  // Only a probe's own 429 pushes the next probe back (OnProbe).
  const bool opened = !open_;
  if (opened) {
    open_ = true;
    confirmed_ = false;
    interval_ = options_.first_probe;
    next_probe_ = now + options_.first_probe;
  }
  why_ = why;
  why_http_ = result.http_status();
  lock.unlock();
  if (opened && options_.on_open) options_.on_open(*this);
  return true;
}

bool HealthGate::open() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_;
}

std::optional<TimePoint> HealthGate::NextProbeAt() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!open_) return std::nullopt;
  return next_probe_;
}

bool HealthGate::OnProbe(const HealthProbe& probe) {
  std::lock_guard<std::mutex> lock(mu_);
  SetSealedLocked(probe.sealed);
  if (!open_) return false;
  if (probe.serving) {
    open_ = false;
    return confirmed_;
  }
  confirmed_ = true;
  if (probe.sealed) why_ = Why::kSealed;
  interval_ = std::min(options_.max_probe_interval, interval_ * 2);
  std::chrono::milliseconds wait = interval_;
  if (probe.retry_after_seconds) {
    wait = std::max(wait, std::chrono::milliseconds(int64_t{*probe.retry_after_seconds} * 1000));
  }
  next_probe_ = clock_->Now() + wait;
  return false;
}

void HealthGate::SetSealedLocked(bool sealed) {
  if (sealed == sealed_reported_) return;
  sealed_reported_ = sealed;
  if (options_.hooks != nullptr) options_.hooks->SetSealed(address_, sealed);
}

}  // namespace vaultsync::vault
