// Keys waiting for an event rather than for their backoff. A reconcile that failed because a
// shared dependency is down (a sealed Vault: every resource that uses it fails the same way)
// returns a Status carrying a wake signal; its controller parks the key here as well as
// retrying it with backoff. When the dependency is back, whoever watches it fires the signal
// and every parked key is queued again at once, spread over a short window so that thousands
// of resources do not arrive in the same millisecond. The backoff stays as the fallback: a
// signal that never fires delays nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "kube/workqueue.h"

namespace vaultsync::runtime {

// Thread-safe.
class WakeBoard {
 public:
  // `key` of `queue` waits for `signal` (a Status::wake_signal). Parking a key twice keeps
  // one entry. `queue` must stay alive until Unpark(queue).
  void Park(uint32_t signal, kube::WorkQueue* queue, const std::string& key);
  // Every key parked on `signal` is queued again: the i-th of n after spread × i / n, so the
  // whole set arrives within `spread`. Returns how many keys were woken.
  size_t Fire(uint32_t signal, std::chrono::milliseconds spread);
  // Drops every key of `queue` (its controller is going away).
  void Unpark(kube::WorkQueue* queue);
  size_t Parked(uint32_t signal) const;

  // The spread for n keys: 1 ms per key, at least 0 and at most `max`.
  static std::chrono::milliseconds SpreadFor(size_t n, std::chrono::milliseconds max);

 private:
  using Entry = std::pair<kube::WorkQueue*, std::string>;
  mutable std::mutex mu_;
  std::map<uint32_t, std::set<Entry>> parked_;
};

}  // namespace vaultsync::runtime
