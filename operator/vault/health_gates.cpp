// The probe thread of the Vault breakers and what a sys/health answer means for them.
#include "vault/health_gates.h"

#include <vector>

#include "vault/sys.h"

namespace vaultsync::vault {

HealthGates::HealthGates(HealthGatesOptions options)
    : options_(std::move(options)),
      clock_(options_.gate.clock ? options_.gate.clock : &SystemClock::Instance()),
      logger_(options_.logger ? options_.logger : &log::Default()) {
  options_.gate.clock = clock_;
  options_.gate.on_open = [this](const HealthGate& g) {
    logger_->Warn("Vault is out: requests to it are held until its health check passes",
                  {{"address", g.address()}, {"state", g.State()}});
    Poke();
  };
  if (options_.start_thread) thread_ = std::thread([this] { Loop(); });
}

HealthGates::~HealthGates() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<HealthGate> HealthGates::For(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = gates_[address];
  if (e.gate == nullptr) e.gate = std::make_shared<HealthGate>(address, options_.gate);
  return e.gate;
}

void HealthGates::Attach(const std::shared_ptr<const Client>& client) {
  if (client == nullptr) return;
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = gates_[client->config().address];
  if (e.gate == nullptr)
    e.gate = std::make_shared<HealthGate>(client->config().address, options_.gate);
  e.prober = client;
}

void HealthGates::Poke() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

HealthProbe HealthGates::Probe(const Client& client) {
  HealthProbe p;
  auto h = Health(client);
  if (!h.ok()) {
    p.retry_after_seconds = h.status().retry_after_seconds();
    p.what = h.status().http_status() != 0 ? "HTTP " + std::to_string(h.status().http_status())
                                           : std::string(StatusCodeName(h.status().code()));
    return p;
  }
  p.sealed = h->sealed;
  // Active, or a standby that forwards requests to the active node.
  p.serving = h->initialized && !h->sealed &&
              (h->http_status == 200 || h->http_status == 429 || h->http_status == 473);
  p.what = h->state.empty() ? "HTTP " + std::to_string(h->http_status) : h->state;
  return p;
}

int HealthGates::ProbeDue() {
  std::vector<Entry> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const TimePoint now = clock_->Now();
    for (auto& [address, e] : gates_) {
      auto at = e.gate->NextProbeAt();
      if (at && *at <= now) due.push_back(e);
    }
  }
  int closed = 0;
  for (Entry& e : due) {
    std::shared_ptr<const Client> client = e.prober.lock();
    HealthProbe p;
    if (client == nullptr) {
      // Nothing left to ask with (its connections were dropped): let calls through again;
      // the next failure opens the gate anew.
      p.serving = true;
      p.what = "no client left to probe with";
    } else {
      p = Probe(*client);
    }
    if (e.gate->OnProbe(p)) {
      ++closed;
      logger_->Info("Vault is serving again: held requests resume",
                    {{"address", e.gate->address()}, {"health", p.what}});
      if (options_.on_recovered) options_.on_recovered(e.gate->signal(), e.gate->address());
    }
  }
  return closed;
}

void HealthGates::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    std::optional<TimePoint> next;
    for (auto& [address, e] : gates_) {
      auto at = e.gate->NextProbeAt();
      if (at && (!next || *at < *next)) next = at;
    }
    auto woken = [this] { return stop_ || poked_; };
    if (!next) {
      cv_.wait(lock, woken);
    } else {
      auto wait = *next - clock_->Now();
      // At most a second at a time, so that a clock that is not the wall clock still moves.
      if (wait > std::chrono::seconds(1)) wait = std::chrono::seconds(1);
      if (wait > TimePoint::duration::zero()) cv_.wait_for(lock, wait, woken);
    }
    poked_ = false;
    if (stop_) break;
    lock.unlock();
    ProbeDue();
    lock.lock();
  }
}

}  // namespace vaultsync::vault
