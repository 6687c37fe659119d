// vaultsync_pushes_total{result}: registered in the operator's registry with every result at
// zero from the start (a baseline for rate() and alerts), a counter with the one label SPEC.md
// names, moved by ObservePush.
#include "metrics/push_counters.h"

#include <gtest/gtest.h>

#include "exposition_parser.h"
#include "metrics/operator_metrics.h"

namespace vaultsync::metrics {
namespace {

TEST(PushCountersTest, EveryResultFromZeroThenCounted) {
  OperatorMetrics m;
  PushCounters pushes(m.registry());
  auto before = testing::ParseExposition(m.ExpositionText());
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->type.at("vaultsync_pushes_total"), "counter");
  EXPECT_EQ(before->LabelNames("vaultsync_pushes_total"), (std::set<std::string>{"result"}));
  for (const char* r : {"created", "updated", "unchanged", "conflict", "error"}) {
    EXPECT_EQ(before->Value("vaultsync_pushes_total", {{"result", r}}), 0.0) << r;
  }
  pushes.ObservePush(PushResult::kCreated);
  pushes.ObservePush(PushResult::kConflict);
  pushes.ObservePush(PushResult::kConflict);
  auto after = testing::ParseExposition(m.ExpositionText());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->Value("vaultsync_pushes_total", {{"result", "created"}}), 1.0);
  EXPECT_EQ(after->Value("vaultsync_pushes_total", {{"result", "conflict"}}), 2.0);
  EXPECT_EQ(after->Value("vaultsync_pushes_total", {{"result", "updated"}}), 0.0);
}

TEST(PushCountersTest, LabelValues) {
  EXPECT_EQ(PushResultLabel(PushResult::kCreated), "created");
  EXPECT_EQ(PushResultLabel(PushResult::kUpdated), "updated");
  EXPECT_EQ(PushResultLabel(PushResult::kUnchanged), "unchanged");
  EXPECT_EQ(PushResultLabel(PushResult::kConflict), "conflict");
  EXPECT_EQ(PushResultLabel(PushResult::kError), "error");
}

}  // namespace
}  // namespace vaultsync::metrics
