// FlatStringMap: lookups, duplicates, order, empty keys/values and binary content.
#include "util/flat_string_map.h"

#include <gtest/gtest.h>

namespace vaultsync {
namespace {

using Entries = std::vector<std::pair<std::string_view, std::string_view>>;

TEST(FlatStringMap, FindsEveryEntryAndNothingElse) {
  FlatStringMap m(Entries{{"app.kubernetes.io/managed-by", "vaultsync"},
                          {"vaultsync.io/owner", "db"},
                          {"", "empty key"},
                          {"empty value", ""}});
  EXPECT_EQ(m.size(), 4u);
  EXPECT_EQ(m.Find("app.kubernetes.io/managed-by"), "vaultsync");
  EXPECT_EQ(m.Find("vaultsync.io/owner"), "db");
  EXPECT_EQ(m.Find(""), "empty key");
  EXPECT_EQ(m.Find("empty value"), "");
  EXPECT_EQ(m.Find("vaultsync.io/own"), std::nullopt);     // a prefix is not a key
  EXPECT_EQ(m.Find("vaultsync.io/owner2"), std::nullopt);  // nor a longer name
  EXPECT_EQ(m.Find("db"), std::nullopt);                   // values are not keys
}

TEST(FlatStringMap, FirstDuplicateWinsAndOrderIsKept) {
  FlatStringMap m(Entries{{"b", "1"}, {"a", "2"}, {"b", "3"}});
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m.Find("b"), "1");
  Entries want{{"b", "1"}, {"a", "2"}};
  EXPECT_EQ(m.Entries(), want);
}

TEST(FlatStringMap, HoldsBinaryAndLongContent) {
  std::string key("k\0ey", 4);
  std::string value(70000, 'v');
  value[5] = '\0';
  FlatStringMap m(Entries{{key, value}, {"after", "x"}});
  EXPECT_EQ(m.Find(key), value);
  EXPECT_EQ(m.Find("after"), "x");
  EXPECT_EQ(m.Find(std::string_view("k", 1)), std::nullopt);
}

TEST(FlatStringMap, FromAStdMapAndEquality) {
  std::map<std::string, std::string> src{{"x", "1"}, {"y", "2"}};
  FlatStringMap a(src);
  FlatStringMap b(Entries{{"x", "1"}, {"y", "2"}});
  FlatStringMap c(Entries{{"x", "1"}, {"y", "3"}});
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a == c);
  EXPECT_TRUE(FlatStringMap().empty());
  EXPECT_EQ(FlatStringMap().Find("x"), std::nullopt);
}

}  // namespace
}  // namespace vaultsync
