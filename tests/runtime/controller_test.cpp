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
  clock.Advance(1s);
  EXPECT_TRUE(calls.WaitFor("demo/throttled", 2));
  c.Stop(1s);
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
