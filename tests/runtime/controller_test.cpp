// Tests of runtime/controller.h: what a reconcile's result does to its key — and that a
// Retry-After the server sent is a floor for the retry, without any worker sleeping.
#include "runtime/controller.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <thread>

namespace vaultsync::runtime {
namespace {

using namespace std::chrono_literals;

// Counts reconciles per key and lets the test wait (bounded) for a count.
class Calls {
 public:
  void Add(const std::string& key) {
    std::lock_guard<std::mutex> l(mu_);
    ++n_[key];
    cv_.notify_all();
  }
  bool WaitFor(const std::string& key, int n, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, timeout, [&] { return n_[key] >= n; });
  }
  int Of(const std::string& key) {
    std::lock_guard<std::mutex> l(mu_);
    return n_[key];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> n_;
};

TEST(Controller, ARetryAfterIsAFloorForTheRetry) {
  FakeClock clock;
  Calls calls;
  ControllerOptions o;
  o.name = "test";
  o.workers = 2;
  o.clock = &clock;
  Controller c(o, [&](const std::string& key) {
    calls.Add(key);
    if (key == "demo/throttled" && calls.Of(key) == 1) {
      Status s(StatusCode::kRateLimited, "Too many requests", 429);
      s.set_retry_after_seconds(30);
      return ReconcileResult::Retry(s);
    }
    return ReconcileResult::Done();
  });
  c.Start();
  c.Enqueue("demo/throttled");
  ASSERT_TRUE(calls.WaitFor("demo/throttled", 1));
  // The retry is scheduled after the reconcile returns: wait for it (its due time is
  // computed from the clock at that moment, which must not have moved yet).
  for (int i = 0; i < 10000 && c.queue().Waiting() == 0; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(c.queue().Waiting(), 1u);
  // The backoff alone would be 1 s; the server asked for 30. A marker due at 29 s comes
  // back first: when it has, the throttled key must still be waiting.
  c.queue().AddAfter("demo/marker", 29s);
  clock.Advance(29s);
  ASSERT_TRUE(calls.WaitFor("demo/marker", 1));
  EXPECT_EQ(calls.Of("demo/throttled"), 1);
  EXPECT_EQ(c.queue().Waiting(), 1u);
  clock.Advance(9s);  // past 30 s plus at most a quarter (7.5 s) of jitter
  EXPECT_TRUE(calls.WaitFor("demo/throttled", 2));
  c.Stop(1s);
}

// A failure carrying a wake signal parks its key on the board: firing the signal brings the
// key back long before its backoff (the clock never moves here, so only the signal can).
// Keys woken together are spread over the window given to Fire.
TEST(Controller, AKeyParkedOnAWakeSignalComesBackWhenItFires) {
  FakeClock clock;
  Calls calls;
  WakeBoard board;
  const uint32_t signal = NewWakeSignal();
  ControllerOptions o;
  o.name = "test";
  o.workers = 2;
  o.clock = &clock;
  o.wake_board = &board;
  Controller c(o, [&](const std::string& key) {
    calls.Add(key);
    if (calls.Of(key) == 1) {
      Status s(StatusCode::kUnavailable, "Vault at http://v:8200 is sealed", 503);
      s.set_wake_signal(signal);
      return ReconcileResult::Retry(s);
    }
    return ReconcileResult::Done();
  });
  c.Start();
  for (const char* k : {"demo/a", "demo/b", "demo/c"}) c.Enqueue(k);
  for (const char* k : {"demo/a", "demo/b", "demo/c"}) ASSERT_TRUE(calls.WaitFor(k, 1));
  for (int i = 0; i < 10000 && board.Parked(signal) < 3; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(board.Parked(signal), 3u);
  // Spread over 3 s: the first at once, the others at +1 s and +2 s.
  EXPECT_EQ(board.Fire(signal, 3s), 3u);
  EXPECT_EQ(board.Parked(signal), 0u);
  ASSERT_TRUE(calls.WaitFor("demo/a", 2));
  EXPECT_EQ(calls.Of("demo/b") + calls.Of("demo/c"), 2);
  clock.Advance(2s);
  EXPECT_TRUE(calls.WaitFor("demo/b", 2));
  EXPECT_TRUE(calls.WaitFor("demo/c", 2));
  c.Stop(1s);
}

TEST(WakeBoard, SpreadIsOneMillisecondPerKeyUpToTheMaximum) {
  EXPECT_EQ(WakeBoard::SpreadFor(0, 2000ms), 0ms);
  EXPECT_EQ(WakeBoard::SpreadFor(1000, 2000ms), 1000ms);
  EXPECT_EQ(WakeBoard::SpreadFor(10000, 2000ms), 2000ms);
}

TEST(WakeBoard, UnparkForgetsAQueueAndSignalZeroIsNeverParked) {
  WakeBoard board;
  kube::WorkQueue q1, q2;
  board.Park(7, &q1, "a/x");
  board.Park(7, &q1, "a/x");  // once
  board.Park(7, &q2, "a/y");
  board.Park(0, &q1, "a/z");
  EXPECT_EQ(board.Parked(7), 2u);
  EXPECT_EQ(board.Parked(0), 0u);
  board.Unpark(&q1);
  EXPECT_EQ(board.Parked(7), 1u);
  EXPECT_EQ(board.Fire(7, 0ms), 1u);
  EXPECT_EQ(q2.Len(), 1u);
  EXPECT_EQ(q1.Len(), 0u);
}

TEST(Controller, StoppingWaitsForReconcilesInFlightThenJoins) {
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false, release = false;
  ControllerOptions o;
  o.name = "test";
  Controller c(o, [&](const std::string&) {
    std::unique_lock<std::mutex> l(mu);
    entered = true;
    cv.notify_all();
    cv.wait_for(l, 10s, [&] { return release; });
    return ReconcileResult::Done();
  });
  c.Start();
  c.Enqueue("demo/a");
  {
    std::unique_lock<std::mutex> l(mu);
    ASSERT_TRUE(cv.wait_for(l, 10s, [&] { return entered; }));
  }
  c.BeginStop();
  c.Enqueue("demo/b");  // ignored: the queue is shutting down
  EXPECT_FALSE(c.WaitDrained(50ms)) << "a reconcile is still running";
  {
    std::lock_guard<std::mutex> l(mu);
    release = true;
    cv.notify_all();
  }
  EXPECT_TRUE(c.WaitDrained(10s));
  c.Join();
  EXPECT_EQ(c.queue().Len(), 0u);
}

}  // namespace
}  // namespace vaultsync::runtime
