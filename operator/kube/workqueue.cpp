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
      max_timer_sleep_(std::max(options.max_timer_sleep, std::chrono::milliseconds(1))) {
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
  if (shutting_down_ || dirty_.count(key) != 0) return;
  dirty_.insert(key);
  queued_at_.emplace(key, clock_.Now());
  if (hooks_ != nullptr) hooks_->IncAdds(name_);
  if (processing_.count(key) != 0) return;  // parked until Done()
  queue_.push_back(key);
  ReportDepth();
  ready_cv_.notify_one();
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
  auto it = waiting_.find(key);
  if (it != waiting_.end()) {
    if (it->second.ready <= ready) return;  // already due no later
    timers_.erase(Timer{it->second.ready, it->second.seq, &it->first});
    it->second = Due{ready, seq_++};
  } else {
    it = waiting_.emplace(key, Due{ready, seq_++}).first;
  }
  timers_.insert(Timer{ready, it->second.seq, &it->first});
  timer_cv_.notify_one();
}

void WorkQueue::AddRateLimited(const std::string& key) {
  if (hooks_ != nullptr) hooks_->IncRetries(name_);
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
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  processing_.insert(key);
  dirty_.erase(key);
  TimePoint now = clock_.Now();
  if (auto it = queued_at_.find(key); it != queued_at_.end()) {
    if (hooks_ != nullptr) hooks_->ObserveQueueDuration(name_, SecondsBetween(it->second, now));
    queued_at_.erase(it);
  }
  started_at_[key] = now;
  ReportDepth();
  return key;
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (processing_.erase(key) == 0) return;
  if (auto it = started_at_.find(key); it != started_at_.end()) {
    if (hooks_ != nullptr)
      hooks_->ObserveWorkDuration(name_, SecondsBetween(it->second, clock_.Now()));
    started_at_.erase(it);
  }
  if (dirty_.count(key) != 0 && !shutting_down_) {
    queue_.push_back(key);
    ReportDepth();
    ready_cv_.notify_one();
  }
  if (processing_.empty()) drained_cv_.notify_all();
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
  return drained_cv_.wait_for(lock, timeout, [this] { return processing_.empty(); });
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
  return waiting_.size();
}

void WorkQueue::TimerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!shutting_down_) {
    TimePoint now = clock_.Now();
    while (!timers_.empty() && timers_.begin()->ready <= now) {
      std::string key = *timers_.begin()->key;
      timers_.erase(timers_.begin());
      waiting_.erase(key);
      AddLocked(key);
    }
    if (timers_.empty()) {
      timer_cv_.wait(lock);
    } else {
      auto until =
          std::chrono::duration_cast<std::chrono::nanoseconds>(timers_.begin()->ready - now);
      timer_cv_.wait_for(lock, std::min<std::chrono::nanoseconds>(until, max_timer_sleep_));
    }
  }
}

}  // namespace vaultsync::kube
