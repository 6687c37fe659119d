// The rate-limited delaying work queue.
#include "kube/workqueue.h"

#include <algorithm>

namespace vaultsync::kube {

namespace {
double SecondsBetween(TimePoint from, TimePoint to) {
  return std::max(0.0, std::chrono::duration<double>(to - from).count());
}
}  // namespace

WorkQueue::WorkQueue(WorkQueueOptions options)
    : name_(std::move(options.name)),
      clock_(*options.clock),
      limiter_(options.rate_limiter ? std::move(options.rate_limiter)
                                    : NewControllerRateLimiter(*options.clock)),
      hooks_(options.hooks),
      max_timer_sleep_(std::max(options.max_timer_sleep, std::chrono::milliseconds(1))),
      timer_slack_(std::max(options.timer_slack, std::chrono::milliseconds(0))),
      coalesce_from_(options.coalesce_from),
      coalesce_slot_(std::max(options.coalesce_slot, std::chrono::milliseconds(0))) {
  if (hooks_ != nullptr) hooks_->RegisterQueue(name_);
  timer_thread_ = std::thread([this] { TimerLoop(); });
}

WorkQueue::~WorkQueue() {
  ShutDown();
  if (timer_thread_.joinable()) timer_thread_.join();
}

void WorkQueue::ReportDepth() {
  if (hooks_ != nullptr) hooks_->SetDepth(name_, static_cast<double>(queue_.size()));
}

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_) return;
  auto it = items_.try_emplace(key).first;
  Item& item = it->second;
  if (item.dirty) return;
  item.dirty = true;
  item.queued_at = clock_.Now();
  if (hooks_ != nullptr) hooks_->IncAdds(name_);
  if (item.processing) return;  // parked until Done()
  queue_.push_back(&it->first);
  ReportDepth();
  ready_cv_.notify_one();
}

void WorkQueue::EraseIfIdle(Items::iterator it) {
  const Item& item = it->second;
  if (!item.dirty && !item.processing && !item.waiting) items_.erase(it);
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, std::chrono::nanoseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutting_down_) return;
  if (delay <= std::chrono::nanoseconds(0)) {
    AddLocked(key);
    return;
  }
  TimePoint ready = clock_.Now() + std::chrono::duration_cast<TimePoint::duration>(delay);
  if (coalesce_slot_.count() > 0 && delay >= coalesce_from_) {
    const auto slot = std::chrono::duration_cast<TimePoint::duration>(coalesce_slot_);
    ready = TimePoint(((ready.time_since_epoch() + slot - TimePoint::duration(1)) / slot) * slot);
  }
  auto it = items_.try_emplace(key).first;
  Item& item = it->second;
  if (item.waiting) {
    if (item.due <= ready) return;  // already due no later
    timers_.erase(Timer{item.due, item.seq, &it->first});
  }
  item.waiting = true;
  item.due = ready;
  item.seq = seq_++;
  auto inserted = timers_.insert(Timer{ready, item.seq, &it->first}).first;
  // The timer thread sleeps until the earliest timer: only a new earliest needs it awake.
  if (inserted == timers_.begin()) timer_cv_.notify_one();
}

void WorkQueue::AddRateLimited(const std::string& key, std::chrono::nanoseconds at_least) {
  if (hooks_ != nullptr) hooks_->IncRetries(name_);
  if (at_least > std::chrono::nanoseconds(0)) {
    // Up to a quarter more, so that the keys one overloaded server refused together do not
    // all come back in the same instant and meet the same 429.
    uint64_t r;
    {
      std::lock_guard<std::mutex> lock(mu_);
      r = rng_();
    }
    AddAfter(key, at_least + at_least / 4 * static_cast<int64_t>(r % 1001) / 1000);
    return;
  }
  AddAfter(key, limiter_->When(key));
}

void WorkQueue::Forget(const std::string& key) { limiter_->Forget(key); }

int WorkQueue::NumRequeues(const std::string& key) { return limiter_->NumRequeues(key); }

std::optional<std::string> WorkQueue::Get() { return GetFor(std::chrono::milliseconds::max()); }

std::optional<std::string> WorkQueue::GetFor(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  auto ready = [this] { return shutting_down_ || !queue_.empty(); };
  if (timeout == std::chrono::milliseconds::max()) {
    ready_cv_.wait(lock, ready);
  } else if (!ready_cv_.wait_for(lock, timeout, ready)) {
    return std::nullopt;
  }
  if (shutting_down_) return std::nullopt;
  std::string key = *queue_.front();
  queue_.pop_front();
  Item& item = items_.at(key);
  item.processing = true;
  item.dirty = false;
  ++processing_count_;
  TimePoint now = clock_.Now();
  if (hooks_ != nullptr) hooks_->ObserveQueueDuration(name_, SecondsBetween(item.queued_at, now));
  item.started_at = now;
  processing_started_.insert(now);
  ReportDepth();
  return key;
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = items_.find(key);
  if (it == items_.end() || !it->second.processing) return;
  Item& item = it->second;
  item.processing = false;
  --processing_count_;
  if (auto started = processing_started_.find(item.started_at);
      started != processing_started_.end()) {
    processing_started_.erase(started);
  }
  if (hooks_ != nullptr)
    hooks_->ObserveWorkDuration(name_, SecondsBetween(item.started_at, clock_.Now()));
  if (item.dirty && !shutting_down_) {
    queue_.push_back(&it->first);
    ReportDepth();
    ready_cv_.notify_one();
  }
  EraseIfIdle(it);
  if (processing_count_ == 0) drained_cv_.notify_all();
}

void WorkQueue::ShutDown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutting_down_ = true;
  ready_cv_.notify_all();
  timer_cv_.notify_all();
}

bool WorkQueue::ShutDownWithDrain(std::chrono::milliseconds timeout) {
  ShutDown();
  std::unique_lock<std::mutex> lock(mu_);
  return drained_cv_.wait_for(lock, timeout, [this] { return processing_count_ == 0; });
}

bool WorkQueue::ShuttingDown() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shutting_down_;
}

size_t WorkQueue::Len() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

size_t WorkQueue::Waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return timers_.size();
}

void WorkQueue::ReportUnfinishedWork() {
  if (hooks_ == nullptr) return;
  double total = 0, longest = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    TimePoint now = clock_.Now();
    for (TimePoint t : processing_started_) total += SecondsBetween(t, now);
    if (!processing_started_.empty()) longest = SecondsBetween(*processing_started_.begin(), now);
  }
  hooks_->SetUnfinishedWork(name_, total, longest);
}

void WorkQueue::TimerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  TimePoint last_report{};
  while (!shutting_down_) {
    TimePoint now = clock_.Now();
    if (hooks_ != nullptr && now - last_report >= max_timer_sleep_) {
      last_report = now;
      lock.unlock();
      ReportUnfinishedWork();
      lock.lock();
      if (shutting_down_) break;
      now = clock_.Now();
    }
    while (!timers_.empty() && timers_.begin()->ready <= now) {
      std::string key = *timers_.begin()->key;
      timers_.erase(timers_.begin());
      auto it = items_.find(key);
      it->second.waiting = false;
      AddLocked(key);
      EraseIfIdle(it);
    }
    if (timers_.empty()) {
      // With metrics, wake to report the work in process; without, only for new timers.
      if (hooks_ != nullptr) {
        timer_cv_.wait_for(lock, max_timer_sleep_);
      } else {
        timer_cv_.wait(lock);
      }
    } else {
      auto until =
          std::chrono::duration_cast<std::chrono::nanoseconds>(timers_.begin()->ready - now) +
          timer_slack_;
      timer_cv_.wait_for(lock, std::min<std::chrono::nanoseconds>(until, max_timer_sleep_));
    }
  }
}

}  // namespace vaultsync::kube
