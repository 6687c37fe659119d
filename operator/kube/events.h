// Kubernetes Events about our objects ("Synced", "VaultUnavailable", ...) as `kubectl
// describe` shows them, written the way client-go's EventRecorder writes them: a core/v1
// Event named "<object>.<hex nanotime>", and a repeat of the same (object, type, reason,
// message) within the aggregation window bumps that Event's count and lastTimestamp with a
// strategic merge patch instead of creating another. Recording is asynchronous and
// bounded: a reconcile never waits for the API server, and a full queue drops the event
// (with a log line) rather than block. Messages must never carry a secret value: callers'
// duty, nothing here can tell.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "kube/client.h"
#include "kube/object.h"
#include "util/log.h"

namespace vaultsync::kube {

inline constexpr std::string_view kEventNormal = "Normal";
inline constexpr std::string_view kEventWarning = "Warning";

struct EventRecorderOptions {
  std::string component = "vaultsync-operator";  // source.component, reportingComponent
  std::string instance;                          // reportingInstance; empty = host name
  size_t queue_size = 1000;                      // events waiting to be written
  std::chrono::seconds aggregation_window{600};  // repeats within this bump the count
  size_t cache_size = 4096;                      // remembered events (LRU), as client-go
  const Clock* clock = &SystemClock::Instance();
  log::Logger* logger = nullptr;  // nullptr = log::Default()
};

// Thread-safe.
class EventRecorder {
 public:
  explicit EventRecorder(Client& client, EventRecorderOptions options = {});
  ~EventRecorder();  // Stop()
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // Queues an Event about `object` (its namespace is the Event's; "default" for a
  // cluster-scoped object). `type` is kEventNormal or kEventWarning; `reason` is
  // UpperCamelCase; `message` is cut to 1024 bytes. Returns false when the event was
  // dropped (queue full, or stopped).
  bool Event(const ObjectReference& object, std::string_view type, std::string_view reason,
             std::string_view message);

  // Waits up to `timeout` until every queued event has been written (or failed). True when
  // the queue emptied.
  bool Flush(std::chrono::milliseconds timeout);

  // Writes what is queued (for at most `grace`), then stops the writer. Idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(2));

 private:
  struct Pending {
    ObjectReference object;
    std::string type, reason, message;
    TimePoint at;
  };
  // An Event already written, for aggregation. Its name is "<object name>.<created, hex
  // nanoseconds>" in the object's namespace, and the correlation key includes the object: an
  // event that matches it names the same object, so only the creation time is kept, not the
  // name and namespace (4,096 of them: about 0.4 MiB instead of 1).
  struct Seen {
    TimePoint created;
    int64_t count = 1;
    TimePoint last_seen;
    std::list<uint64_t>::iterator lru;
  };
  // Events are remembered by a 64-bit digest of client-go's correlation key (object, type,
  // reason, message), not the key itself: the key would cost about 1.5 MiB more. A digest
  // collision (about 1 in 10^12 at this size) would only fold two different events into one
  // count.
  using EventDigest = uint64_t;

  void Run();
  void Write(const Pending& p);
  Status CreateNew(const Pending& p, const std::string& ns, EventDigest key);
  void Remember(EventDigest key, Seen seen);

  Client& client_;
  const EventRecorderOptions options_;
  const std::string instance_;
  log::Logger& log_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<Pending> queue_;
  bool writing_ = false;
  bool stopping_ = false;
  std::thread worker_;

  // Touched by the worker thread only.
  std::unordered_map<EventDigest, Seen> seen_;
  std::list<EventDigest> lru_;  // most recent first
};

}  // namespace vaultsync::kube
