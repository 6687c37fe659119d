// Tests of the work queue: dedupe, parking of keys in process, delays on a fake clock,
// rate-limited retries, no concurrent processing of a key under many workers, shutdown
// with drain, and metrics.
#include "kube/workqueue.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <map>
#include <random>
#include <thread>

namespace vaultsync::kube {
namespace {

using namespace std::chrono_literals;

class RecordingHooks : public metrics::WorkQueueHooks {
 public:
  void SetDepth(std::string_view q, double d) override {
    std::lock_guard<std::mutex> l(mu);
    name = q;
    depth = d;
  }
  void IncAdds(std::string_view) override { ++adds; }
  void IncRetries(std::string_view) override { ++retries; }
  void ObserveQueueDuration(std::string_view, double s) override {
    std::lock_guard<std::mutex> l(mu);
    queue_durations.push_back(s);
  }
  void ObserveWorkDuration(std::string_view, double s) override {
    std::lock_guard<std::mutex> l(mu);
    work_durations.push_back(s);
  }
  std::mutex mu;
  std::string name;
  double depth = -1;
  std::atomic<int> adds{0}, retries{0};
  std::vector<double> queue_durations, work_durations;
};

WorkQueueOptions FakeTimeOptions(FakeClock& clock, metrics::WorkQueueHooks* hooks = nullptr) {
  WorkQueueOptions o;
  o.name = "test";
  o.clock = &clock;
  o.hooks = hooks;
  o.max_timer_sleep = 2ms;
  return o;
}

TEST(WorkQueueTest, DuplicatesCollapseAndOrderIsFifo) {
  WorkQueue q;
  q.Add("a");
  q.Add("b");
  q.Add("a");
  EXPECT_EQ(q.Len(), 2u);
  EXPECT_EQ(*q.Get(), "a");
  EXPECT_EQ(*q.Get(), "b");
  EXPECT_FALSE(q.GetFor(10ms).has_value());
}

TEST(WorkQueueTest, KeyAddedWhileProcessingIsParkedUntilDone) {
  WorkQueue q;
  q.Add("a");
  ASSERT_EQ(*q.Get(), "a");
  q.Add("a");
  q.Add("a");
  EXPECT_EQ(q.Len(), 0u) << "not handed to another worker while in process";
  EXPECT_FALSE(q.GetFor(10ms).has_value());
  q.Done("a");
  EXPECT_EQ(q.Len(), 1u) << "handed out again once, after Done";
  EXPECT_EQ(*q.Get(), "a");
  q.Done("a");
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueueTest, AddAfterWaitsForTheClock) {
  FakeClock clock;
  WorkQueue q(FakeTimeOptions(clock));
  q.AddAfter("later", 10s);
  q.AddAfter("sooner", 5s);
  q.AddAfter("now", 0s);
  EXPECT_EQ(*q.GetFor(1s), "now");
  EXPECT_EQ(q.Waiting(), 2u);
  EXPECT_FALSE(q.GetFor(30ms).has_value());
  clock.Advance(6s);
  EXPECT_EQ(q.GetFor(2s).value_or(""), "sooner");
  EXPECT_FALSE(q.GetFor(30ms).has_value());
  clock.Advance(5s);
  EXPECT_EQ(q.GetFor(2s).value_or(""), "later");
  EXPECT_EQ(q.Waiting(), 0u);
}

TEST(WorkQueueTest, AddAfterKeepsTheEarlierTime) {
  FakeClock clock;
  WorkQueue q(FakeTimeOptions(clock));
  q.AddAfter("k", 60s);
  q.AddAfter("k", 1s);
  q.AddAfter("k", 30s);
  EXPECT_EQ(q.Waiting(), 1u);
  clock.Advance(2s);
  EXPECT_EQ(q.GetFor(2s).value_or(""), "k");
  q.Done("k");
  clock.Advance(100s);
  EXPECT_FALSE(q.GetFor(30ms).has_value()) << "the superseded times do not fire again";
}

TEST(WorkQueueTest, EqualDueTimesFireInOrderAndAFiredKeyCanWaitAgain) {
  FakeClock clock;
  WorkQueue q(FakeTimeOptions(clock));
  for (const char* k : {"c", "a", "b"}) q.AddAfter(k, 5s);
  q.AddAfter("a", 5s);  // same time again: no second timer, order kept
  EXPECT_EQ(q.Waiting(), 3u);
  clock.Advance(5s);
  for (const char* k : {"c", "a", "b"}) {
    ASSERT_EQ(q.GetFor(2s).value_or(""), k);
    q.Done(k);
  }
  EXPECT_EQ(q.Waiting(), 0u);
  q.AddAfter("a", 1s);
  q.AddAfter("a", 500ms);  // moved earlier: the 1s timer is gone
  EXPECT_EQ(q.Waiting(), 1u);
  clock.Advance(600ms);
  EXPECT_EQ(q.GetFor(2s).value_or(""), "a");
  q.Done("a");
  clock.Advance(2s);
  EXPECT_FALSE(q.GetFor(30ms).has_value());
}

// Long delays (refreshes) end on the next whole second, so that keys due within one
// slot are released together, in the order they were added; short delays (retries) stay exact.
TEST(WorkQueueTest, LongDelaysEndOnTheNextSlotBoundaryShortOnesStayExact) {
  FakeClock clock;  // starts on a whole second
  WorkQueue q(FakeTimeOptions(clock));
  q.AddAfter("added-first-due-later", 10450ms);
  q.AddAfter("added-second-due-sooner", 10050ms);
  q.AddAfter("other-slot", 11050ms);
  clock.Advance(11s);  // the first slot's boundary: both of its keys, nothing of the next
  EXPECT_EQ(q.GetFor(2s).value_or(""), "added-first-due-later")
      << "one batch, in the order added (an exact timer would release the sooner key first)";
  EXPECT_EQ(q.GetFor(2s).value_or(""), "added-second-due-sooner");
  EXPECT_EQ(q.Waiting(), 1u);
  clock.Advance(1s);
  EXPECT_EQ(q.GetFor(2s).value_or(""), "other-slot");
  for (const char* k : {"added-first-due-later", "added-second-due-sooner", "other-slot"}) {
    q.Done(k);
  }

  q.AddAfter("retry-later", 1450ms);  // under coalesce_from: exact
  q.AddAfter("retry-sooner", 1050ms);
  clock.Advance(1500ms);
  EXPECT_EQ(q.GetFor(2s).value_or(""), "retry-sooner");
  EXPECT_EQ(q.GetFor(2s).value_or(""), "retry-later");
}

TEST(WorkQueueTest, ASlotOfZeroKeepsLongDelaysExact) {
  FakeClock clock;
  WorkQueueOptions o = FakeTimeOptions(clock);
  o.coalesce_slot = 0ms;
  WorkQueue q(std::move(o));
  q.AddAfter("later", 10450ms);
  q.AddAfter("sooner", 10050ms);
  clock.Advance(11s);
  EXPECT_EQ(q.GetFor(2s).value_or(""), "sooner");
  EXPECT_EQ(q.GetFor(2s).value_or(""), "later");
}

TEST(WorkQueueTest, RateLimitedRetriesBackOffUntilForgotten) {
  FakeClock clock;
  RecordingHooks hooks;
  WorkQueueOptions o = FakeTimeOptions(clock, &hooks);
  o.rate_limiter = std::make_unique<ItemExponentialFailureRateLimiter>(1s, 1000s);
  WorkQueue q(std::move(o));
  for (int attempt = 0; attempt < 3; ++attempt) {
    q.AddRateLimited("k");
    EXPECT_EQ(q.NumRequeues("k"), attempt + 1);
    std::chrono::seconds wait(1 << attempt);
    clock.Advance(wait - 1ms);
    EXPECT_FALSE(q.GetFor(20ms).has_value()) << "attempt " << attempt;
    clock.Advance(1ms);
    ASSERT_EQ(q.GetFor(2s).value_or(""), "k");
    q.Done("k");
  }
  q.Forget("k");
  EXPECT_EQ(q.NumRequeues("k"), 0);
  EXPECT_EQ(hooks.retries, 3);
}

// A server's Retry-After decides the retry alone: the key's backoff does not grow, so a
// burst of 429s cannot leave it waiting minutes once the server is idle again.
TEST(WorkQueueTest, ARetryAfterReplacesTheBackoffWithoutGrowingIt) {
  FakeClock clock;
  RecordingHooks hooks;
  WorkQueueOptions o = FakeTimeOptions(clock, &hooks);
  o.rate_limiter = std::make_unique<ItemExponentialFailureRateLimiter>(1s, 1000s);
  WorkQueue q(std::move(o));
  for (int attempt = 0; attempt < 3; ++attempt) {
    q.AddRateLimited("k");
    clock.Advance(std::chrono::seconds(1 << attempt));
    ASSERT_EQ(q.GetFor(2s).value_or(""), "k");
    q.Done("k");
  }
  ASSERT_EQ(q.NumRequeues("k"), 3);  // the next plain retry would wait 8 s
  for (int i = 0; i < 5; ++i) {
    q.AddRateLimited("k", 1s);
    EXPECT_EQ(q.NumRequeues("k"), 3) << "a Retry-After grew the backoff";
    EXPECT_EQ(q.Waiting(), 1u);
    clock.Advance(1250ms);  // the Retry-After plus at most a quarter of jitter
    ASSERT_EQ(q.GetFor(2s).value_or(""), "k") << "due after its Retry-After, i=" << i;
    q.Done("k");
  }
  EXPECT_EQ(hooks.retries, 8);
}

TEST(WorkQueueTest, NoKeyIsProcessedByTwoWorkersAndNoAddIsLost) {
  WorkQueue q;
  constexpr int kKeys = 16, kWorkers = 8, kAdders = 4, kAddsPerAdder = 2000;
  std::array<std::atomic<int>, kKeys> in_process{};
  std::array<std::atomic<int>, kKeys> version{};    // bumped before each Add
  std::array<std::atomic<int>, kKeys> processed{};  // version seen at the last start
  std::atomic<int> overlaps{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&] {
      while (auto key = q.Get()) {
        int k = std::stoi(*key);
        if (in_process[k].fetch_add(1) != 0) ++overlaps;
        processed[k] = version[k].load();
        std::this_thread::yield();
        in_process[k].fetch_sub(1);
        q.Done(*key);
      }
    });
  }
  std::vector<std::thread> adders;
  for (int a = 0; a < kAdders; ++a) {
    adders.emplace_back([&, a] {
      std::mt19937 rng(a);
      for (int i = 0; i < kAddsPerAdder; ++i) {
        int k = static_cast<int>(rng() % kKeys);
        version[k].fetch_add(1);
        q.Add(std::to_string(k));
      }
    });
  }
  for (auto& t : adders) t.join();
  // Every key's last Add must be followed by a processing that saw it.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  auto all_seen = [&] {
    for (int k = 0; k < kKeys; ++k)
      if (processed[k].load() != version[k].load()) return false;
    return true;
  };
  while (!all_seen() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  EXPECT_TRUE(all_seen());
  EXPECT_TRUE(q.ShutDownWithDrain(5s));
  for (auto& t : workers) t.join();
  EXPECT_EQ(overlaps, 0);
}

TEST(WorkQueueTest, ShutDownWakesGettersAndStopsHandingOut) {
  WorkQueue q;
  std::optional<std::string> got = "unset";
  std::thread getter([&] { got = q.Get(); });
  std::this_thread::sleep_for(20ms);
  q.ShutDown();
  getter.join();
  EXPECT_FALSE(got.has_value());
  q.Add("x");
  EXPECT_FALSE(q.Get().has_value());
  EXPECT_TRUE(q.ShuttingDown());
}

TEST(WorkQueueTest, ShutDownWithDrainWaitsForInFlightWork) {
  WorkQueue q;
  q.Add("busy");
  ASSERT_EQ(*q.Get(), "busy");
  EXPECT_FALSE(q.ShutDownWithDrain(20ms)) << "still in process";
  // Done only once the drain has begun (ShutDownWithDrain shuts down first, then waits), so
  // the drain must really wait for it, however the threads are scheduled.
  std::thread finisher([&] {
    for (int i = 0; i < 5000 && !q.ShuttingDown(); ++i) std::this_thread::sleep_for(1ms);
    q.Done("busy");
  });
  EXPECT_TRUE(q.ShutDownWithDrain(5s));
  finisher.join();
}

TEST(WorkQueueTest, ReportsMetrics) {
  FakeClock clock;
  RecordingHooks hooks;
  WorkQueue q(FakeTimeOptions(clock, &hooks));
  q.Add("a");
  q.Add("a");
  q.Add("b");
  EXPECT_EQ(hooks.adds, 2) << "a collapsed add is not counted";
  EXPECT_EQ(hooks.depth, 2);
  EXPECT_EQ(hooks.name, "test");
  clock.Advance(3s);
  ASSERT_EQ(*q.Get(), "a");
  EXPECT_EQ(hooks.depth, 1);
  clock.Advance(2s);
  q.Done("a");
  ASSERT_EQ(hooks.queue_durations.size(), 1u);
  EXPECT_DOUBLE_EQ(hooks.queue_durations[0], 3.0);
  ASSERT_EQ(hooks.work_durations.size(), 1u);
  EXPECT_DOUBLE_EQ(hooks.work_durations[0], 2.0);
}

}  // namespace
}  // namespace vaultsync::kube
