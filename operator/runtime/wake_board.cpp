// Parking keys on wake signals and waking them spread over a window.
#include "runtime/wake_board.h"

#include <vector>

namespace vaultsync::runtime {

void WakeBoard::Park(uint32_t signal, kube::WorkQueue* queue, const std::string& key) {
  if (signal == 0 || queue == nullptr) return;
  std::lock_guard<std::mutex> lock(mu_);
  parked_[signal].emplace(queue, key);
}

size_t WakeBoard::Fire(uint32_t signal, std::chrono::milliseconds spread) {
  std::set<Entry> woken;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = parked_.find(signal);
    if (it == parked_.end()) return 0;
    woken.swap(it->second);
    parked_.erase(it);
  }
  // Queues are not called under mu_: a queue's lock is never taken inside the board's.
  const size_t n = woken.size();
  size_t i = 0;
  for (const auto& [queue, key] : woken) {
    auto delay = std::chrono::duration_cast<std::chrono::nanoseconds>(spread) *
                 static_cast<int64_t>(i) / static_cast<int64_t>(n);
    queue->AddAfter(key, delay);
    ++i;
  }
  return n;
}

void WakeBoard::Unpark(kube::WorkQueue* queue) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = parked_.begin(); it != parked_.end();) {
    auto& keys = it->second;
    for (auto k = keys.begin(); k != keys.end();) {
      k = k->first == queue ? keys.erase(k) : std::next(k);
    }
    it = keys.empty() ? parked_.erase(it) : std::next(it);
  }
}

size_t WakeBoard::Parked(uint32_t signal) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = parked_.find(signal);
  return it == parked_.end() ? 0 : it->second.size();
}

std::chrono::milliseconds WakeBoard::SpreadFor(size_t n, std::chrono::milliseconds max) {
  return std::min(max, std::chrono::milliseconds(static_cast<int64_t>(n)));
}

}  // namespace vaultsync::runtime
