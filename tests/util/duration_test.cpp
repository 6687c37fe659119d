// Tests for util/duration.h.
#include "util/duration.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace vaultsync
