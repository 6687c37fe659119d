// Tests for util/duration.h.
#include "util/duration.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace vaultsync {
namespace {
using namespace std::chrono_literals;

TEST(Duration, ParsesCrdAndGoForms) {
  EXPECT_EQ(*ParseDuration("30s"), 30s);
  EXPECT_EQ(*ParseDuration("1.5h"), 90min);
  EXPECT_EQ(*ParseDuration("1h30m"), 90min);
  EXPECT_EQ(*ParseDuration("500ms"), 500ms);
  EXPECT_EQ(*ParseDuration("0"), 0s);
}

TEST(Duration, RejectsGarbage) {
  for (const char* bad : {"", "30", "30 seconds", "s", "-5s", "1x", ".s", "1..2s"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

TEST(Duration, FormatsLikeGo) {
  EXPECT_EQ(FormatDuration(90min), "1h30m0s");
  EXPECT_EQ(FormatDuration(1500ms), "1.5s");
  EXPECT_EQ(FormatDuration(0s), "0s");
  EXPECT_EQ(FormatDuration(2ms), "2ms");
}

// Found by tests/fuzz/duration_fuzzer.cpp (regressions/duration/): a digit string too long
// for std::stold threw std::out_of_range out of ParseDuration, which would end the operator on
// a kv-v1 secret whose `ttl` is such a string.
TEST(Duration, LongDigitStringsAreRefusedNotThrown) {
  const std::string whole = "1" + std::string(5000, '0') + "s";
  const std::string frac = "0." + std::string(5000, '0') + "1s";
  auto a = ParseDuration(whole);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument);
  EXPECT_LT(a.status().message().size(), 100u) << "the message quotes a bounded prefix";
  // Fraction digits beyond what can matter are ignored, as Go does.
  EXPECT_EQ(*ParseDuration(frac), 0ns);
  EXPECT_FALSE(ParseDuration("9223372036854775808ns").ok());
  EXPECT_FALSE(ParseDuration("2562048h").ok());
  EXPECT_FALSE(ParseDuration("2562047h47m16.854775808s").ok());
}

// Found by the same target: the sum went through a double, so durations past 2^53 ns (104
// days) lost nanoseconds. Integer arithmetic as in Go's time.ParseDuration is exact.
TEST(Duration, ParsesExactlyToTheNanosecond) {
  EXPECT_EQ(ParseDuration("9007199254740993ns")->count(), 9007199254740993);
  EXPECT_EQ(ParseDuration("2501h59m59.254740993s")->count(), 9007199254740993);
  EXPECT_EQ(ParseDuration("2562047h47m16.854775807s")->count(), INT64_MAX);
  EXPECT_EQ(ParseDuration("9223372036854775807ns")->count(), INT64_MAX);
  EXPECT_EQ(*ParseDuration("1.5s"), 1500ms);
  EXPECT_EQ(*ParseDuration(".5s"), 500ms);
  EXPECT_EQ(*ParseDuration("1.s"), 1s);
  EXPECT_EQ(*ParseDuration("1\xC2\xB5s"), 1us);
  for (int64_t ns : {int64_t{1}, int64_t{999999999}, int64_t{9007199254740993}, INT64_MAX}) {
    EXPECT_EQ(ParseDuration(FormatDuration(Duration(ns)))->count(), ns) << ns;
  }
}

}  // namespace
}  // namespace vaultsync
