// A source of "this object changed" notifications that is not an informer: something that
// notices changes by other means (re-reading a Secret the operator was given by name)
// publishes the object's key here, and controllers subscribe with a map function
// (ControllerBuilder::WatchesKeys), just as they would to an informer's events.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace vaultsync::runtime {

// Thread-safe. Subscribers run on the publisher's thread and must not block.
class KeyEvents {
 public:
  using Handler = std::function<void(const std::string& key)>;
  void Subscribe(Handler h) {
    std::lock_guard<std::mutex> lock(mu_);
    handlers_.push_back(std::move(h));
  }
  void Publish(const std::string& key) const {
    std::vector<Handler> handlers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      handlers = handlers_;
    }
    for (const auto& h : handlers) h(key);
  }

 private:
  mutable std::mutex mu_;
  std::vector<Handler> handlers_;
};

}  // namespace vaultsync::runtime
