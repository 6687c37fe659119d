// TLS between the Vault client and an in-process HTTPS server with certificates made at
// test time: the right CA passes, a wrong CA fails, skip-verify accepts anything, and the
// TLS server name decides which name is verified.
#include <gtest/gtest.h>

#include "http_server.h"
#include "test_pki.h"
#include "vault/sys.h"

namespace vaultsync::vault {
namespace {

using testing::MakeCa;
using testing::MakeServerCert;

constexpr const char* kHealth =
    R"({"initialized":true,"sealed":false,"standby":false,"performance_standby":false,"version":"1.8.0"})";

std::unique_ptr<emu::HttpServer> ServeTls(const testing::TestServerCert& cert) {
  emu::ServerOptions o;
  o.tls_cert_pem = cert.cert_pem;
  o.tls_key_pem = cert.key_pem;
  auto s = emu::HttpServer::Start(o, [](const emu::ServerRequest&) {
    return emu::ServerResponse{.status = 200, .body = kHealth};
  });
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

Result<HealthStatus> HealthOver(const std::string& url, const std::string& ca_pem,
                                const std::string& server_name = "", bool skip_verify = false) {
  ConnectionConfig c;
  c.address = url;
  c.ca_pem = ca_pem;
  c.tls_server_name = server_name;
  c.skip_verify = skip_verify;
  c.timeout = std::chrono::seconds(5);
  ClientOptions o;
  o.retry.max_attempts = 1;
  VS_ASSIGN_OR_RETURN(auto client, Client::Create(c, o));
  return Health(*client);
}

TEST(Tls, GoodCaPassesWrongCaFailsSkipVerifyAccepts) {
  auto ca = MakeCa("vaultsync test CA");
  auto other_ca = MakeCa("some other CA");
  ASSERT_TRUE(ca.ok() && other_ca.ok());
  auto cert = MakeServerCert(*ca, "vault", {"localhost"}, {"127.0.0.1"});
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  auto server = ServeTls(*cert);
  ASSERT_NE(server, nullptr);
  ASSERT_EQ(server->url().rfind("https://", 0), 0u) << server->url();

  auto good = HealthOver(server->url(), ca->cert_pem);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->state, "active");

  auto wrong = HealthOver(server->url(), other_ca->cert_pem);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kUnavailable) << wrong.status().ToString();

  auto system_roots = HealthOver(server->url(), "");
  EXPECT_FALSE(system_roots.ok());

  auto skipped = HealthOver(server->url(), other_ca->cert_pem, "", /*skip_verify=*/true);
  EXPECT_TRUE(skipped.ok()) << skipped.status().ToString();
  server->Stop();
}

TEST(Tls, ServerNameSelectsTheVerifiedName) {
  auto ca = MakeCa("vaultsync test CA");
  ASSERT_TRUE(ca.ok());
  // Only a DNS name: connecting to 127.0.0.1 verifies only when told the name to expect.
  auto cert = MakeServerCert(*ca, "vault.vault.svc", {"vault.vault.svc"}, {});
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  auto server = ServeTls(*cert);
  ASSERT_NE(server, nullptr);

  auto named = HealthOver(server->url(), ca->cert_pem, "vault.vault.svc");
  EXPECT_TRUE(named.ok()) << named.status().ToString();
  auto unnamed = HealthOver(server->url(), ca->cert_pem);
  EXPECT_FALSE(unnamed.ok());
  auto misnamed = HealthOver(server->url(), ca->cert_pem, "other.example");
  EXPECT_FALSE(misnamed.ok());
  server->Stop();
}

}  // namespace
}  // namespace vaultsync::vault
