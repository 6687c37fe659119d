// The queue of object keys between informer handlers and reconcile workers (client-go's
// rate-limited delaying work queue). Its guarantees are what make level-based reconciling
// safe with many workers:
//  - a key is handed to at most one worker at a time: a key added while it is being
//    processed is parked and handed out again after Done();
//  - duplicates collapse: a key waiting in the queue is there once however often it was
//    added;
//  - AddAfter schedules (refreshes), AddRateLimited retries with per-key exponential
//    backoff plus an overall token bucket, Forget clears a key's backoff on success;
//  - ShutDown stops handing out work; ShutDownWithDrain also waits for in-flight work.
// Time comes from a Clock so tests can step over long delays without sleeping.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "kube/rate_limiter.h"
#include "metrics/hooks.h"
#include "util/clock.h"

namespace vaultsync::kube {

struct WorkQueueOptions {
  std::string name;  // the metrics label (controller-runtime: the controller's name)
  const Clock* clock = &SystemClock::Instance();
  std::unique_ptr<RateLimiter> rate_limiter;  // nullptr = NewControllerRateLimiter(*clock)
  metrics::WorkQueueHooks* hooks = nullptr;   // optional
  // Delayed keys are released by a timer thread that sleeps until the earliest is due but
  // at most this long, so that a FakeClock moved forward is noticed within it.
  std::chrono::milliseconds max_timer_sleep{1000};
  // ...and sleeps this much past the earliest due time, releasing together every key due by
  // then (a delayed key is at most this late).
  std::chrono::milliseconds timer_slack{10};
  // A delay of at least coalesce_from ends on the next multiple of coalesce_slot (counted from
  // the clock's epoch), so that the refreshes of 10,000 resources spread over a minute fall due
  // in one batch per second instead of one by one: each batch wakes the timer thread and the
  // workers once, and a worker takes key after key without sleeping between them. That more
  // than halves the operator's CPU per steady refresh on a 2-core machine, and makes such a
  // delay at most one slot (a tenth of it at the threshold) late. Shorter delays — retries,
  // backoff — stay exact. A zero slot turns it off.
  std::chrono::milliseconds coalesce_from{10000};
  std::chrono::milliseconds coalesce_slot{1000};
};

// Thread-safe.
class WorkQueue {
 public:
  explicit WorkQueue(WorkQueueOptions options = {});
  ~WorkQueue();  // ShutDown()
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues key unless it is already queued (collapsed) or being processed (parked until
  // Done). Ignored after shutdown.
  void Add(const std::string& key);
  // Queues key once `delay` has passed (at once when <= 0; a delay of coalesce_from or more
  // on the next coalesce_slot boundary after it). A key already waiting keeps the earlier of
  // its two times.
  void AddAfter(const std::string& key, std::chrono::nanoseconds delay);
  // Counts a retry. Without `at_least`: AddAfter(key, the rate limiter's When(key)), which
  // grows the key's backoff. With `at_least` (a server's Retry-After): AddAfter(key,
  // at_least, plus up to a quarter as jitter) and the key's backoff does not grow — a throttled
  // server is not this key's failure (client-go's REST client waits out such an answer without
  // counting it), and a backoff grown by a burst of 429s would leave keys waiting minutes once the
  // server is idle again.
  void AddRateLimited(const std::string& key,
                      std::chrono::nanoseconds at_least = std::chrono::nanoseconds(0));
  // The key succeeded: clear its backoff history. Does not remove a queued key.
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key);

  // Blocks until a key is ready (and marks it in process) or the queue shuts down
  // (std::nullopt; keys still queued are not handed out then). Every key returned must be
  // given back with Done().
  std::optional<std::string> Get();
  // Like Get but gives up after `timeout` (std::nullopt).
  std::optional<std::string> GetFor(std::chrono::milliseconds timeout);
  // Processing of key ended; if it was re-added meanwhile it is queued again now.
  void Done(const std::string& key);

  // Stops handing out keys and accepting new ones; wakes blocked Get()s.
  void ShutDown();
  // ShutDown, then waits up to `timeout` for every key in process to be Done(). Returns
  // true when none was left in process.
  bool ShutDownWithDrain(std::chrono::milliseconds timeout);
  bool ShuttingDown() const;

  size_t Len() const;      // keys queued (not in process, not waiting for a delay)
  size_t Waiting() const;  // keys waiting for their delay

  // Reports workqueue_unfinished_work_seconds and workqueue_longest_running_processor_seconds
  // for the items in process now. Called by the queue's timer thread at least every
  // max_timer_sleep (1 s by default); public for tests with a fake clock.
  void ReportUnfinishedWork();

 private:
  // Everything the queue knows of one key, in one node: the key string is stored once and
  // queue_ and timers_ point at it (node keys are stable until the node is erased, which
  // happens only once the key is neither dirty, in process, nor waiting). With 10,000
  // resources this halves the queue's memory against one container per state.
  struct Item {
    bool dirty = false;       // needs processing (queued, or parked while in process)
    bool processing = false;  // handed out, not yet Done
    bool waiting = false;     // has a timer in timers_
    uint64_t seq = 0;         // the timer's tie-break among equal due times
    TimePoint queued_at{};    // while dirty
    TimePoint started_at{};   // while processing
    TimePoint due{};          // while waiting
  };
  using Items = std::unordered_map<std::string, Item>;

  // A waiting key in due order; seq keeps insertion order among equal times.
  struct Timer {
    TimePoint ready;
    uint64_t seq;
    const std::string* key;
    bool operator<(const Timer& o) const {
      return ready != o.ready ? ready < o.ready : seq < o.seq;
    }
  };

  void AddLocked(const std::string& key);  // mu_ held
  void EraseIfIdle(Items::iterator it);    // mu_ held
  void TimerLoop();
  void ReportDepth();  // mu_ held

  const std::string name_;
  const Clock& clock_;
  std::unique_ptr<RateLimiter> limiter_;
  metrics::WorkQueueHooks* const hooks_;
  const std::chrono::milliseconds max_timer_sleep_;
  const std::chrono::milliseconds timer_slack_;
  const std::chrono::milliseconds coalesce_from_;
  const std::chrono::milliseconds coalesce_slot_;

  mutable std::mutex mu_;
  std::condition_variable ready_cv_;    // a key was queued, or shutdown
  std::condition_variable timer_cv_;    // the earliest timer changed, or shutdown
  std::condition_variable drained_cv_;  // processing_ became empty
  Items items_;
  std::deque<const std::string*> queue_;  // keys of items_, ready to hand out
  std::set<Timer> timers_;                // one per waiting item
  size_t processing_count_ = 0;
  std::multiset<TimePoint> processing_started_;  // started_at of each item in process
  uint64_t seq_ = 0;
  std::minstd_rand rng_{std::random_device{}()};  // Retry-After jitter
  bool shutting_down_ = false;
  std::thread timer_thread_;
};

}  // namespace vaultsync::kube
