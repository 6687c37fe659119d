// The breakers of every Vault address the operator talks to, and the one thread that probes
// the open ones. Clients of one address (several VaultConnections may name it, with other
// headers or CAs) share its gate; the probe asks sys/health through the last client attached
// for the address. When a probe finds the server serving again the gate closes and
// `on_recovered` is told its wake signal, so that everything parked on it is queued again.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "vault/client.h"
#include "vault/health_gate.h"

namespace vaultsync::vault {

struct HealthGatesOptions {
  HealthGateOptions gate;
  // Called (on the probe thread) with a gate's signal when it closes after an outage its
  // probes confirmed (HealthGate::OnProbe).
  std::function<void(uint32_t signal, const std::string& address)> on_recovered;
  log::Logger* logger = nullptr;  // default log::Default()
  // Start the probe thread (the default). Tests with a FakeClock leave it off and call
  // ProbeDue themselves.
  bool start_thread = true;
};

// Thread-safe.
class HealthGates {
 public:
  explicit HealthGates(HealthGatesOptions options);
  ~HealthGates();  // stops the probe thread
  HealthGates(const HealthGates&) = delete;
  HealthGates& operator=(const HealthGates&) = delete;

  // The gate of `address` (made on first use).
  std::shared_ptr<HealthGate> For(const std::string& address);
  // `client` (whose options carry For(its address)) may probe its address from now on.
  void Attach(const std::shared_ptr<const Client>& client);
  // Runs every probe that is due now; returns how many gates closed after an outage a probe
  // had confirmed (those whose signal was fired). The probe thread calls
  // this; tests call it after moving a FakeClock.
  int ProbeDue();
  // Wakes the probe thread to look at the gates again (a gate just opened).
  void Poke();

 private:
  struct Entry {
    std::shared_ptr<HealthGate> gate;
    std::weak_ptr<const Client> prober;
  };
  void Loop();
  static HealthProbe Probe(const Client& client);

  HealthGatesOptions options_;
  const Clock* clock_;
  log::Logger* logger_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Entry> gates_;
  bool stop_ = false;
  bool poked_ = false;
  std::thread thread_;
};

}  // namespace vaultsync::vault
