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

// Found by tests/fuzz (a condition's lastTransitionTime "0141-11-23T09:47:58Z" in
// regressions/kube_object/): a year outside what 64-bit nanoseconds hold overflowed (undefined
// behaviour). Go's zero time is such a year. Now an error.
TEST(TimeFormat, RefusesYearsOutsideTheRepresentableRange) {
  for (const char* t : {"0001-01-01T00:00:00Z", "0141-11-23T09:47:58Z", "1677-09-21T00:12:43Z",
                        "2262-04-11T23:47:17Z", "9999-12-31T23:59:59.999999999Z"}) {
    auto r = ParseRfc3339(t);
    ASSERT_FALSE(r.ok()) << t;
    EXPECT_NE(r.status().message().find("1678 to 2261"), std::string::npos) << t;
  }
  EXPECT_TRUE(ParseRfc3339("1678-01-01T00:00:00Z").ok());
  EXPECT_TRUE(ParseRfc3339("2261-12-31T23:59:59.999999999Z").ok());
  const std::string long_fraction = "2026-11-23T09:48:12." + std::string(100000, '1') + "Z";
  EXPECT_TRUE(ParseRfc3339(long_fraction).ok());
  EXPECT_LT(ParseRfc3339(long_fraction + "x").status().message().size(), 120u);
}

}  // namespace
}  // namespace vaultsync
