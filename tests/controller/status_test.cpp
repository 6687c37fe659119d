// Tests for controller/status.h: when a Ready condition is up to date, and the patch that
// changes it (lastTransitionTime kept unless the condition's status flips).
#include "controller/status.h"

#include <gtest/gtest.h>

#include "util/json.h"

namespace vaultsync::controller {
namespace {

ReadyCondition Decoded(const std::string& condition) {
  auto doc =
      json::Parse(R"({"metadata":{"name":"x"},"status":{"conditions":[)" + condition + "]}}");
  EXPECT_TRUE(doc.ok());
  return DecodeReady(*doc);
}

std::string TransitionIn(const std::string& patch) {
  auto doc = json::Parse(patch);
  EXPECT_TRUE(doc.ok()) << patch;
  return std::string(json::View((*doc)["status"]["conditions"][0]["lastTransitionTime"]));
}

TEST(Status, UpToDateComparesStateReasonMessageAndGeneration) {
  ReadyCondition c = Decoded(
      R"({"type":"Ready","status":"True","reason":"Synced","message":"in sync","observedGeneration":3,)"
      R"("lastTransitionTime":"2026-01-02T03:04:05Z"})");
  EXPECT_TRUE(ReadyUpToDate(c, {true, "Synced", "in sync"}, 3));
  EXPECT_FALSE(ReadyUpToDate(c, {false, "Synced", "in sync"}, 3));
  EXPECT_FALSE(ReadyUpToDate(c, {true, "Other", "in sync"}, 3));
  EXPECT_FALSE(ReadyUpToDate(c, {true, "Synced", "in sync (version 2)"}, 3));
  EXPECT_FALSE(ReadyUpToDate(c, {true, "Synced", "in sync"}, 4));
  EXPECT_FALSE(ReadyUpToDate(ReadyCondition{}, {true, "Synced", ""}, 0));  // no condition yet
  // Other condition types are not the Ready condition.
  EXPECT_EQ(Decoded(R"({"type":"Degraded","status":"True"})").state,
            ReadyCondition::State::kAbsent);
}

TEST(Status, PatchKeepsTheTransitionTimeUnlessTheStatusFlips) {
  ReadyCondition c = Decoded(
      R"({"type":"Ready","status":"True","reason":"Synced","message":"old","observedGeneration":1,)"
      R"("lastTransitionTime":"2026-01-02T03:04:05Z"})");
  TimePoint now = TimePoint(std::chrono::seconds(1800000000));  // 2027-01-15T08:00:00Z
  EXPECT_EQ(TransitionIn(StatusPatch(c, {true, "Synced", "new"}, 2, now)), "2026-01-02T03:04:05Z");
  EXPECT_EQ(TransitionIn(StatusPatch(c, {false, "VaultUnavailable", "down"}, 2, now)),
            "2027-01-15T08:00:00Z");
  EXPECT_EQ(TransitionIn(StatusPatch(ReadyCondition{}, {true, "Synced", "new"}, 1, now)),
            "2027-01-15T08:00:00Z");
  // An unreadable time is replaced rather than copied.
  ReadyCondition bad = Decoded(R"({"type":"Ready","status":"True","lastTransitionTime":"soon"})");
  EXPECT_EQ(TransitionIn(StatusPatch(bad, {true, "Synced", "x"}, 1, now)), "2027-01-15T08:00:00Z");
}

TEST(Status, PatchCarriesTheMessageAndExtraFields) {
  auto doc = json::Parse(StatusPatch(ReadyCondition{}, {false, "", "why \"quoted\""}, 7,
                                     TimePoint(std::chrono::seconds(0)), {{"secretMAC", "null"}}));
  ASSERT_TRUE(doc.ok());
  const auto& cond = (*doc)["status"]["conditions"][0];
  EXPECT_EQ(json::View(cond["message"]), "why \"quoted\"");
  EXPECT_EQ(json::View(cond["reason"]), "Unknown");
  EXPECT_EQ(json::View(cond["status"]), "False");
  EXPECT_EQ(cond["observedGeneration"].GetInt64(), 7);
  EXPECT_TRUE((*doc)["status"]["secretMAC"].IsNull());
}

}  // namespace
}  // namespace vaultsync::controller
