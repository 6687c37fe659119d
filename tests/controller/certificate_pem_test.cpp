// Reading certificates back from a Secret's tls.crt: validity and Vault-style serial of the
// first certificate of a bundle, garbage refused, the key checked against the certificate.
#include "controller/certificate_pem.h"

#include <gtest/gtest.h>

#include "dynamic_fakes.h"

namespace vaultsync::controller {
namespace {
using namespace std::chrono_literals;

TEST(CertificatePemTest, FirstCertificateOfABundle) {
  FakeClock clock;
  testing::FakeCertificateSource pki(&clock);
  CertificateIssueRequest req;
  req.common_name = "web.demo.svc";
  req.ttl = 2h;
  auto a = pki.Issue(VaultIdentity{}, req);
  ASSERT_TRUE(a.ok());
  auto info = ParseFirstCertificate(a->certificate + a->issuing_ca);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->not_after, clock.Now() + 2h);
  EXPECT_EQ(info->not_before, clock.Now() - 30s);
  EXPECT_EQ(info->serial_number, "10:00");  // 4096, as Vault writes serials
  EXPECT_TRUE(KeyMatchesCertificate(a->certificate, a->private_key));
  auto b = pki.Issue(VaultIdentity{}, req);
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(KeyMatchesCertificate(a->certificate, b->private_key));
  EXPECT_FALSE(KeyMatchesCertificate(a->certificate, "not a key"));
}

TEST(CertificatePemTest, GarbageIsRefused) {
  EXPECT_EQ(ParseFirstCertificate("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(
      ParseFirstCertificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").ok());
}

}  // namespace
}  // namespace vaultsync::controller
