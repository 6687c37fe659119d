// The lease and PKI calls (vault/leases.h, vault/pki.h) against the vault-emulator over
// loopback: a database credential's lease looked up, renewed (capped at the max TTL, then
// refused), revoked and gone; a certificate issued for a role (names it allows and refuses,
// key formats, no ca_chain from a root) and revoked. The emulator's clock is moved instead of
// sleeping.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emulator_env.h"
#include "vault/leases.h"
#include "vault/pki.h"

namespace vaultsync::vault {
namespace {

using testing::EmulatorEnv;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

void SetUpDatabase(EmulatorEnv& env) {
  env.Setup("POST", "sys/mounts/database", R"({"type":"database"})");
  env.Setup("POST", "database/config/pg",
            R"({"plugin_name":"postgresql-database-plugin","allowed_roles":"app",
                "connection_url":"postgresql://{{username}}:{{password}}@db:5432/app"})");
  env.Setup("POST", "database/roles/app", R"({"db_name":"pg","default_ttl":"1h","max_ttl":"90m"})");
}

TEST(LeasesIntegration, ReadLookupRenewCappedThenRefusedRevokeGone) {
  EmulatorEnv env;
  ASSERT_TRUE(env.ok());
  SetUpDatabase(env);
  auto client = env.NewClient();
  Session s = env.TokenSession(client);

  auto creds = ReadLeased(s, "database", "creds/app");
  ASSERT_TRUE(creds.ok()) << creds.status().ToString();
  EXPECT_THAT(creds->lease_id, ::testing::StartsWith("database/creds/app/"));
  EXPECT_EQ(creds->lease_duration, 3600s);
  EXPECT_TRUE(creds->renewable);
  ASSERT_EQ(creds->data.size(), 2u);
  EXPECT_EQ(creds->data[0].first, "password");
  EXPECT_EQ(creds->data[1].first, "username");

  auto info = LookupLease(s, creds->lease_id);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->id, creds->lease_id);
  // Seconds of real time may pass between the read and the lookup on a loaded machine.
  EXPECT_GE(info->ttl, 3540s);
  EXPECT_LE(info->ttl, 3600s);
  EXPECT_TRUE(info->renewable);
  EXPECT_FALSE(info->expire_time.empty());
  EXPECT_TRUE(info->last_renewal.empty());

  env.AdvanceTime(40min);
  auto renewed = RenewLease(s, creds->lease_id, 3600s);
  ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
  // 90 minutes max: 50 minutes are left (less the real seconds the test took), so Vault
  // caps the hour asked for.
  EXPECT_GE(renewed->lease_duration, 2940s);
  EXPECT_LE(renewed->lease_duration, 3000s);
  EXPECT_FALSE(renewed->warnings.empty());
  env.AdvanceTime(50min);
  auto past = RenewLease(s, creds->lease_id, 3600s);
  EXPECT_TRUE(past.status().code() == StatusCode::kNotFound ||
              past.status().code() == StatusCode::kFailedPrecondition)
      << past.status().ToString();

  // A fresh lease, revoked, is gone; revoking it again is no error.
  auto second = ReadLeased(s, "database", "creds/app");
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->lease_id, creds->lease_id);
  EXPECT_TRUE(RevokeLease(s, second->lease_id).ok());
  auto gone = LookupLease(s, second->lease_id);
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound) << gone.status().ToString();
  EXPECT_THAT(gone.status().message(), HasSubstr("expired or revoked"));
  EXPECT_TRUE(RevokeLease(s, second->lease_id).ok());
  auto renew_gone = RenewLease(s, second->lease_id, 60s);
  EXPECT_EQ(renew_gone.status().code(), StatusCode::kNotFound);

  // A role the connection does not allow is refused with Vault's words.
  env.Setup("POST", "database/roles/other", R"({"db_name":"pg"})");
  auto refused = ReadLeased(s, "database", "creds/other");
  EXPECT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("is not an allowed role"));
}

void SetUpPki(EmulatorEnv& env) {
  env.Setup("POST", "sys/mounts/pki", R"({"type":"pki","config":{"max_lease_ttl":"87600h"}})");
  env.Setup("POST", "pki/root/generate/internal", R"({"common_name":"root","ttl":"87600h"})");
  env.Setup("POST", "pki/roles/web",
            R"({"allowed_domains":"demo.svc","allow_subdomains":true,"max_ttl":"72h",
                "allowed_uri_sans":"spiffe://*"})");
}

TEST(PkiIntegration, IssueWithNamesAndKeyFormatsThenRevoke) {
  EmulatorEnv env;
  ASSERT_TRUE(env.ok());
  SetUpPki(env);
  auto client = env.NewClient();
  Session s = env.TokenSession(client);

  CertificateRequest req;
  req.common_name = "web.demo.svc";
  req.alt_names = {"api.demo.svc", "admin.demo.svc"};
  req.ip_sans = {"127.0.0.1"};
  req.uri_sans = {"spiffe://cluster.local/web"};
  req.ttl = 24h;
  req.private_key_format = "pkcs8";
  auto cert = IssueCertificate(s, "pki", "web", req);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_THAT(cert->certificate, ::testing::StartsWith("-----BEGIN CERTIFICATE-----"));
  EXPECT_THAT(cert->issuing_ca, ::testing::StartsWith("-----BEGIN CERTIFICATE-----"));
  EXPECT_THAT(cert->private_key, ::testing::StartsWith("-----BEGIN PRIVATE KEY-----"));
  EXPECT_TRUE(cert->ca_chain.empty());  // issued by the root itself
  EXPECT_FALSE(cert->serial_number.empty());
  EXPECT_GT(cert->expiration, 0);

  req.private_key_format = "der";  // Vault's default: PKCS #1 in PEM
  auto pkcs1 = IssueCertificate(s, "pki", "web", req);
  ASSERT_TRUE(pkcs1.ok()) << pkcs1.status().ToString();
  EXPECT_THAT(pkcs1->private_key, ::testing::StartsWith("-----BEGIN RSA PRIVATE KEY-----"));

  CertificateRequest bad;
  bad.common_name = "web.other.org";
  auto refused = IssueCertificate(s, "pki", "web", bad);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("not allowed by this role"));

  EXPECT_TRUE(RevokeCertificate(s, "pki", cert->serial_number).ok());
  auto revoked = env.Api("GET", "pki/cert/" + cert->serial_number);
  EXPECT_THAT(revoked.body, ::testing::Not(HasSubstr("\"revocation_time\":0")));
  EXPECT_EQ(RevokeCertificate(s, "pki", "00:11:22").code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace vaultsync::vault
