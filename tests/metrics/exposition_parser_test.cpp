// The test-side exposition reader must reject what Prometheus would reject, or the scrape
// tests could pass on broken output.
#include "exposition_parser.h"

#include <gtest/gtest.h>

namespace vaultsync::metrics::testing {
namespace {

TEST(ExpositionParserTest, ReadsFamiliesSamplesAndEscapes) {
  auto e = ParseExposition(
      "# HELP a_total Things\\nmore\n"
      "# TYPE a_total counter\n"
      "a_total{x=\"q\\\"uote\\\\d\\n\",y=\"\"} 3\n"
      "# TYPE h histogram\n"
      "h_bucket{le=\"0.5\"} 1\n"
      "h_bucket{le=\"+Inf\"} 2\n"
      "h_sum 1.5\n"
      "h_count 2 1700000000000\n");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->help["a_total"], "Things\nmore");
  EXPECT_EQ(e->Value("a_total", {{"x", "q\"uote\\d\n"}, {"y", ""}}), 3);
  EXPECT_EQ(e->Of("h").size(), 4u);
  EXPECT_EQ(e->LabelNames("h"), std::set<std::string>{});
  EXPECT_EQ(e->Value("h_bucket", {{"le", "+Inf"}}), 2);
  EXPECT_EQ(e->Value("h_count", {}), 2);
}

TEST(ExpositionParserTest, RejectsMalformedInput) {
  for (const char* bad : {
           "a 1\n",                                     // no TYPE
           "# TYPE a counter\na{x=\"1} 1\n",            // unterminated value
           "# TYPE a counter\na{x=1} 1\n",              // unquoted value
           "# TYPE a counter\na{x=\"\\t\"} 1\n",        // bad escape
           "# TYPE a counter\na one\n",                 // bad number
           "# TYPE a counter\n# TYPE a gauge\n",        // two TYPE lines
           "# TYPE a countr\n",                         // unknown type
           "# TYPE a counter\na{x=\"1\",x=\"2\"} 1\n",  // label twice
       }) {
    EXPECT_FALSE(ParseExposition(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace vaultsync::metrics::testing
