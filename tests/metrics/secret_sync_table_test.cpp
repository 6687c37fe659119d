// SecretSyncTable on its own: namespace/name pairs that would collide under a naive
// "namespace/name" key stay apart, long and empty label values round-trip, both families
// come out sorted and in step, and an empty table produces no family at all.
#include "metrics/secret_sync_table.h"

#include <gtest/gtest.h>

#include <prometheus/text_serializer.h>

#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace vaultsync::metrics {
namespace {

using prometheus::MetricFamily;

// {namespace, name, value} of every series of one family, in output order.
struct Row {
  std::string ns;
  std::string name;
  double value;
  bool operator==(const Row&) const = default;
};
std::vector<Row> Rows(const MetricFamily& f) {
  std::vector<Row> out;
  for (const auto& m : f.metric) {
    EXPECT_EQ(m.label.size(), 2u);
    if (m.label.size() != 2) continue;
    EXPECT_EQ(m.label[0].name, "name");
    EXPECT_EQ(m.label[1].name, "namespace");
    out.push_back({m.label[1].value, m.label[0].value, m.gauge.value});
  }
  return out;
}

TEST(SecretSyncTableTest, EmptyTableCollectsNothing) {
  SecretSyncTable t;
  EXPECT_TRUE(t.Collect().empty());
  t.Set("a", "b", 1, 2);
  t.Remove("a", "b");
  EXPECT_EQ(t.size(), 0u);
  EXPECT_TRUE(t.Collect().empty());
}

TEST(SecretSyncTableTest, BothFamiliesAreGaugesWithHelpAndTheSameSortedSeries) {
  SecretSyncTable t;
  t.Set("b", "x", 30, 3);
  t.Set("a", "z", 20, 2);
  t.Set("a", "y", 10, 1);
  auto families = t.Collect();
  ASSERT_EQ(families.size(), 2u);
  EXPECT_EQ(families[0].name, "vaultsync_secret_last_sync_timestamp_seconds");
  EXPECT_EQ(families[1].name, "vaultsync_secret_refresh_interval_seconds");
  for (const auto& f : families) {
    EXPECT_EQ(f.type, prometheus::MetricType::Gauge);
    EXPECT_FALSE(f.help.empty());
  }
  EXPECT_EQ(Rows(families[0]), (std::vector<Row>{{"a", "y", 10}, {"a", "z", 20}, {"b", "x", 30}}));
  EXPECT_EQ(Rows(families[1]), (std::vector<Row>{{"a", "y", 1}, {"a", "z", 2}, {"b", "x", 3}}));
}

TEST(SecretSyncTableTest, PairsThatConcatenateAlikeStayApart) {
  SecretSyncTable t;
  t.Set("a/b", "c", 1, 10);
  t.Set("a", "b/c", 2, 20);
  t.Set("ab", "c", 3, 30);
  t.Set("", "abc", 4, 40);
  t.Set("abc", "", 5, 50);
  EXPECT_EQ(t.size(), 5u);
  t.Remove("a", "b/c");
  auto families = t.Collect();
  ASSERT_EQ(families.size(), 2u);
  EXPECT_EQ(Rows(families[0]),
            (std::vector<Row>{{"", "abc", 4}, {"a/b", "c", 1}, {"ab", "c", 3}, {"abc", "", 5}}));
}

TEST(SecretSyncTableTest, LongAndBinaryLabelValuesRoundTrip) {
  SecretSyncTable t;
  const std::string long_ns(300, 'n');  // a namespace length needing two length bytes
  const std::string binary_ns("a\0b\x80\xff", 5);
  const std::string name = "name-\xc3\xbc";
  t.Set(long_ns, name, 1, 2);
  t.Set(binary_ns, name, 3, 4);
  t.Set(long_ns, name, 5, 6);  // overwrite
  EXPECT_EQ(t.size(), 2u);
  auto families = t.Collect();
  ASSERT_EQ(families.size(), 2u);
  std::vector<Row> want = {{binary_ns, name, 3}, {long_ns, name, 5}};
  if (long_ns < binary_ns) std::swap(want[0], want[1]);
  EXPECT_EQ(Rows(families[0]), want);
  t.Remove(long_ns, name);
  t.Remove(binary_ns, name);
  EXPECT_EQ(t.size(), 0u);
}

TEST(SecretSyncTableTest, ConcurrentSetRemoveAndCollect) {
  SecretSyncTable t;
  constexpr int kThreads = 4;
  constexpr int kCalls = 2000;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&t, i] {
      const std::string ns = "ns-" + std::to_string(i);
      for (int j = 0; j < kCalls; ++j) {
        t.Set(ns, std::to_string(j % 10), j, 1);
        t.Set("shared", "s", j, 1);
        if (j % 7 == 0) t.Remove(ns, std::to_string((j + 3) % 10));
        if (j % 200 == 0) {
          auto families = t.Collect();
          if (!families.empty()) {
            EXPECT_EQ(families[0].metric.size(), families[1].metric.size());
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(t.size(), static_cast<size_t>(kThreads * 10 + 1));
  auto families = t.Collect();
  ASSERT_EQ(families.size(), 2u);
  EXPECT_EQ(families[0].metric.size(), t.size());
}

}  // namespace
}  // namespace vaultsync::metrics

namespace vaultsync::metrics {
namespace {

// The text a scrape gets is written without MetricFamily objects; it must be byte for byte
// what prometheus-cpp's serializer writes for Collect(), whatever the labels and values.
TEST(SecretSyncTableTest, AppendTextIsWhatTheSerializerWritesForCollect) {
  SecretSyncTable t;
  std::string out;
  t.AppendText(&out);
  EXPECT_EQ(out, "");  // empty table, no families
  t.Set("b", "x", 1764849600.123456789, 60);
  t.Set("a", "quote\"back\\slash\nnewline", 0.5, 3600.25);
  t.Set("ns\xc3\xa9", "", std::numeric_limits<double>::quiet_NaN(),
        std::numeric_limits<double>::infinity());
  t.Set("z", "neg", -1e-300, -std::numeric_limits<double>::infinity());
  t.Set("m", "big", 1e21, 123456789012345678.0);
  std::ostringstream want;
  prometheus::TextSerializer().Serialize(want, t.Collect());
  out = "prefix\n";
  t.AppendText(&out);
  EXPECT_EQ(out, "prefix\n" + want.str());
}

}  // namespace
}  // namespace vaultsync::metrics
