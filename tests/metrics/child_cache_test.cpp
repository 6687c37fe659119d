// ChildCache: children are created once per label combination, reused, removed from the
// family, and safe under concurrent use and removal.
#include "metrics/child_cache.h"

#include <gtest/gtest.h>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <thread>

namespace vaultsync::metrics {
namespace {

TEST(ChildCacheTest, CreatesOneChildPerLabelCombination) {
  prometheus::Registry registry;
  auto& family = prometheus::BuildCounter().Name("t_total").Help("h").Register(registry);
  ChildCache<prometheus::Counter, 2> cache(family, {"a", "b"});
  std::string a = "x";  // a non-literal key, to see that the cache copies it
  cache.With({a, "y"}, [](prometheus::Counter& c) { c.Increment(); });
  a = "changed";
  cache.With({"x", "y"}, [](prometheus::Counter& c) { c.Increment(); });
  cache.With({"x", "z"}, [](prometheus::Counter& c) { c.Increment(); });
  // ("xy","") must not collide with ("x","y").
  cache.With({"xy", ""}, [](prometheus::Counter& c) { c.Increment(3); });
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_TRUE(family.Has({{"a", "x"}, {"b", "y"}}));
  double xy = -1;
  cache.With({"x", "y"}, [&xy](prometheus::Counter& c) { xy = c.Value(); });
  EXPECT_EQ(xy, 2);
  double xy_empty = -1;
  cache.With({"xy", ""}, [&](prometheus::Counter& c) { xy_empty = c.Value(); });
  EXPECT_EQ(xy_empty, 3);
}

TEST(ChildCacheTest, RemoveDropsTheChildFromTheFamily) {
  prometheus::Registry registry;
  auto& family = prometheus::BuildGauge().Name("g").Help("h").Register(registry);
  ChildCache<prometheus::Gauge, 1> cache(family, {"k"});
  cache.With({"one"}, [](prometheus::Gauge& g) { g.Set(1); });
  cache.With({"two"}, [](prometheus::Gauge& g) { g.Set(2); });
  cache.Remove({"one"});
  cache.Remove({"absent"});
  EXPECT_FALSE(family.Has({{"k", "one"}}));
  EXPECT_TRUE(family.Has({{"k", "two"}}));
  EXPECT_EQ(cache.size(), 1u);
  double v = -1;
  cache.With({"one"}, [&v](prometheus::Gauge& g) { v = g.Value(); });
  EXPECT_EQ(v, 0);  // a fresh child, not the removed one
}

TEST(ChildCacheTest, ConcurrentUseAndRemovalIsSafe) {
  prometheus::Registry registry;
  auto& family = prometheus::BuildGauge().Name("g").Help("h").Register(registry);
  ChildCache<prometheus::Gauge, 1> cache(family, {"k"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 3000; ++i) {
        const char* key = (i + t) % 3 == 0 ? "a" : (i % 2 ? "b" : "c");
        cache.With({key}, [i](prometheus::Gauge& g) { g.Set(i); });
        if (i % 7 == t) cache.Remove({key});
      }
    });
  }
  std::thread collector([&family] {
    for (int i = 0; i < 200; ++i) (void)family.Collect();
  });
  for (auto& th : threads) th.join();
  collector.join();
  EXPECT_LE(cache.size(), 3u);
}

}  // namespace
}  // namespace vaultsync::metrics
