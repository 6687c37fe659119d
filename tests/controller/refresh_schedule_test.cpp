// Unit tests of the refresh slots (refresh_schedule.h): never later than the interval, on the
// slot after at most one extra read, and many secrets read at once spread over the period.
#include "controller/refresh_schedule.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace vaultsync::controller {
namespace {
using namespace std::chrono_literals;

// Milliseconds of `t` within a period of `interval` (the phase a slot is compared with).
int64_t PhaseOf(TimePoint t, std::chrono::milliseconds interval) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() %
         interval.count();
}

TEST(RefreshSchedule, TheSlotIsStableAndWithinThePeriod) {
  for (int i = 0; i < 1000; ++i) {
    std::string key = "identity|secret|app/p" + std::to_string(i);
    auto slot = RefreshSlot(key, 60s);
    EXPECT_GE(slot.count(), 0);
    EXPECT_LT(slot.count(), 60000);
    EXPECT_EQ(slot, RefreshSlot(key, 60s));
  }
  EXPECT_EQ(RefreshSlot("k", 0ms).count(), 0);
}

TEST(RefreshSchedule, NeverLaterThanTheIntervalAndOnTheSlotAfterAtMostOneExtraRead) {
  const auto interval = 60s;
  const TimePoint base{std::chrono::milliseconds(1'700'000'000'000)};
  for (int i = 0; i < 200; ++i) {
    const std::string key = "k" + std::to_string(i);
    const int64_t slot = RefreshSlot(key, interval).count();
    // First reads at many phases of the period (a cold start or a recovery).
    TimePoint read = base + std::chrono::milliseconds(i * 997);
    int off_slot_reads = 0;
    for (int n = 0; n < 6; ++n) {
      TimePoint due = NextRefreshAt(read, key, interval);
      EXPECT_GE(due - read, std::chrono::milliseconds(interval) / 2) << key;
      EXPECT_LE(due - read, std::chrono::milliseconds(interval)) << key;
      if (PhaseOf(due, interval) != slot) ++off_slot_reads;
      read = due + 3ms;  // the read happens a little after it is due
    }
    EXPECT_LE(off_slot_reads, 1) << key;
  }
}

TEST(RefreshSchedule, SecretsReadAtOnceSpreadEvenlyOverThePeriod) {
  const auto interval = 60s;
  const TimePoint herd{std::chrono::milliseconds(1'700'000'000'000)};
  constexpr int kSecrets = 5000;
  std::vector<int> per_tenth(10, 0);
  for (int i = 0; i < kSecrets; ++i) {
    const std::string key = "operator|secret|bench/p" + std::to_string(i);
    TimePoint read = herd;
    for (int n = 0; n < 3; ++n) read = NextRefreshAt(read, key, interval);
    ++per_tenth[size_t(PhaseOf(read, interval) / 6000)];
  }
  const int busiest = *std::max_element(per_tenth.begin(), per_tenth.end());
  EXPECT_LE(busiest, 2 * kSecrets / 10);
  EXPECT_GE(*std::min_element(per_tenth.begin(), per_tenth.end()), kSecrets / 20);
}

}  // namespace
}  // namespace vaultsync::controller
