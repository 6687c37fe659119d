// Tests for util/time_format.h.
#include "util/time_format.h"

#include <gtest/gtest.h>

namespace vaultsync {
namespace {

TEST(TimeFormat, RoundTripsKubernetesAndVaultForms) {
  auto t = ParseRfc3339("2026-11-23T09:48:12.384635017Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatRfc3339(*t, 9), "2026-11-23T09:48:12.384635017Z");
  EXPECT_EQ(FormatRfc3339(*t, 6), "2026-11-23T09:48:12.384635Z");
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-23T09:48:12Z");
  EXPECT_EQ(FormatRfc3339Nano(*ParseRfc3339("2026-11-23T09:48:12.5Z")), "2026-11-23T09:48:12.5Z");
  EXPECT_EQ(*ParseRfc3339("2026-11-23T10:48:12+01:00"), *ParseRfc3339("2026-11-23T09:48:12Z"));
}

TEST(TimeFormat, Rejects) {
  for (const char* bad :
       {"", "2026-11-23", "2026-11-23T09:48:12", "2026-13-01T00:00:00Z", "x026-11-23T09:48:12Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
  EXPECT_EQ(Rfc3339FractionDigits("2026-11-23T09:48:12.123456Z"), 6);
  EXPECT_EQ(Rfc3339FractionDigits("2026-11-23T09:48:12Z"), 0);
}

}  // namespace
}  // namespace vaultsync
