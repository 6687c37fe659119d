// The certificate schedule: renewBefore notAfter, a third of the lifetime by default, never
// so early that certificates would be issued in a loop.
#include "controller/certificate_schedule.h"

#include <gtest/gtest.h>

namespace vaultsync::controller {
namespace {
using namespace std::chrono_literals;

TEST(CertificateScheduleTest, DefaultIsAThirdOfTheLifetimeBeforeNotAfter) {
  FakeClock clock;
  TimePoint nb = clock.Now();
  TimePoint na = nb + 72h;
  EXPECT_EQ(na - CertificateRenewalTime(nb, na, std::nullopt), 24h);
}

TEST(CertificateScheduleTest, RenewBeforeWhenGiven) {
  FakeClock clock;
  TimePoint nb = clock.Now();
  TimePoint na = nb + 72h;
  EXPECT_EQ(na - CertificateRenewalTime(nb, na, std::chrono::hours(6)), 6h);
}

TEST(CertificateScheduleTest, RenewBeforeLongerThanTheLifetimeIsBounded) {
  FakeClock clock;
  TimePoint issued = clock.Now();
  TimePoint na = issued + 1h;
  TimePoint at = CertificateRenewalTime(issued, na, std::chrono::hours(24));
  EXPECT_EQ(at - issued, 20min);  // a third of the lifetime after issue
}

TEST(CertificateScheduleTest, ShortLivedCertificateIsNotDueWhenIssued) {
  // Vault backdates notBefore by 30 s: counted from notBefore, a 9 s certificate would be
  // due before it was even issued. Counted from issue: after 6 s.
  FakeClock clock;
  TimePoint issued = clock.Now();
  EXPECT_EQ(CertificateRenewalTime(issued, issued + 9s, std::nullopt) - issued, 6s);
}

}  // namespace
}  // namespace vaultsync::controller
