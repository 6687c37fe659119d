// The PKI engine in-process: root generation (RSA and EC), roles and their name checks with
// Vault's messages, issued certificates that verify against the CA (OpenSSL's verifier),
// TTL capping by the role and the tuned mount, formats, revocation, the raw CA answers, and
// the ACL in front of it all.
#include <gtest/gtest.h>

#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "emulator_test_util.h"
#include "util/base64.h"
#include "x509.h"

namespace vaultsync::vaultemu {
namespace {

using testing::EmulatorHarness;
using testing::FirstError;

void SetUpPki(EmulatorHarness& h,
              const std::string& root_body = R"({"common_name":"example.com","ttl":"87600h"})") {
  ASSERT_EQ(h.Send("POST", "/v1/sys/mounts/pki", R"({"type":"pki"})").status, 204);
  ASSERT_EQ(h.Send("POST", "/v1/sys/mounts/pki/tune", R"({"max_lease_ttl":"87600h"})").status, 204);
  auto root = h.Send("POST", "/v1/pki/root/generate/internal", root_body);
  ASSERT_EQ(root.status, 200) << root.body;
  ASSERT_EQ(h.Send("POST", "/v1/pki/roles/web",
                   R"({"allowed_domains":"example.com","allow_subdomains":true,"max_ttl":"72h"})")
                .status,
            204);
}

// Whether `leaf_pem` chains to `ca_pem` for TLS server use, per OpenSSL.
bool Verifies(const std::string& ca_pem, const std::string& leaf_pem, TimePoint at) {
  auto ca = x509::ParseCertPem(ca_pem);
  auto leaf = x509::ParseCertPem(leaf_pem);
  if (!ca.ok() || !leaf.ok()) return false;
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca->get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf->get(), nullptr);
  X509_STORE_CTX_set_time(
      ctx, 0,
      static_cast<time_t>(
          std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count()));
  X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
  bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok;
}

TEST(PkiTest, RootIssueVerifyAndCapTtl) {
  EmulatorHarness h;
  SetUpPki(h);
  auto ca_pem = h.Send("GET", "/v1/pki/ca/pem", "", "");
  EXPECT_EQ(ca_pem.status, 200);
  EXPECT_EQ(emu::ServerRequest{.headers = ca_pem.headers}.Header("Content-Type"),
            "application/pkix-cert");
  EXPECT_EQ(ca_pem.body.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  EXPECT_NE(ca_pem.body.back(), '\n');

  auto issued = h.SendJson("POST", "/v1/pki/issue/web",
                           R"({"common_name":"app.example.com","alt_names":"b.example.com",)"
                           R"("ip_sans":"10.0.0.1","ttl":"24h"})");
  const auto& d = issued["data"];
  for (const char* k : {"certificate", "issuing_ca", "private_key", "private_key_type",
                        "serial_number", "expiration"}) {
    EXPECT_TRUE(d.HasMember(k)) << k;
  }
  EXPECT_FALSE(d.HasMember("ca_chain"));  // issued straight from the root (1.8)
  EXPECT_EQ(issued["lease_duration"].GetInt(), 0);
  EXPECT_STREQ(d["private_key_type"].GetString(), "rsa");
  EXPECT_EQ(std::string(d["private_key"].GetString()).rfind("-----BEGIN RSA PRIVATE KEY-----", 0),
            0u);
  EXPECT_EQ(std::string(d["issuing_ca"].GetString()), ca_pem.body);
  EXPECT_TRUE(Verifies(ca_pem.body, d["certificate"].GetString(), h.clock.Now()));
  auto leaf = x509::ParseCertPem(d["certificate"].GetString());
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(x509::SerialText(leaf->get()), d["serial_number"].GetString());
  int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(h.clock.Now().time_since_epoch()).count();
  EXPECT_EQ(d["expiration"].GetInt64(), now + 24 * 3600);
  // A certificate does not verify against another CA.
  EmulatorHarness other;
  SetUpPki(other);
  EXPECT_FALSE(Verifies(other.Send("GET", "/v1/pki/ca/pem", "", "").body,
                        d["certificate"].GetString(), h.clock.Now()));

  // The role's max_ttl (72h) caps a longer request.
  auto capped =
      h.SendJson("POST", "/v1/pki/issue/web", R"({"common_name":"c.example.com","ttl":"8760h"})");
  EXPECT_EQ(capped["data"]["expiration"].GetInt64(), now + 72 * 3600);

  // pkcs8, EC, DER.
  ASSERT_EQ(h.Send("POST", "/v1/pki/roles/ec",
                   R"({"allow_any_name":true,"key_type":"ec","key_bits":256})")
                .status,
            204);
  auto ec = h.SendJson("POST", "/v1/pki/issue/ec",
                       R"({"common_name":"x.test","private_key_format":"pkcs8"})");
  EXPECT_STREQ(ec["data"]["private_key_type"].GetString(), "ec");
  EXPECT_EQ(
      std::string(ec["data"]["private_key"].GetString()).rfind("-----BEGIN PRIVATE KEY-----", 0),
      0u);
  EXPECT_TRUE(Verifies(ca_pem.body, ec["data"]["certificate"].GetString(), h.clock.Now()));
  auto der = h.SendJson("POST", "/v1/pki/issue/ec", R"({"common_name":"y.test","format":"der"})");
  auto der_bytes = base64::Decode(der["data"]["certificate"].GetString());
  ASSERT_TRUE(der_bytes.has_value());
  EXPECT_EQ(static_cast<unsigned char>((*der_bytes)[0]), 0x30);  // a DER SEQUENCE

  auto cert =
      h.SendJson("GET", std::string("/v1/pki/cert/") + d["serial_number"].GetString(), "", "");
  EXPECT_EQ(std::string(cert["data"]["certificate"].GetString()), d["certificate"].GetString());
  EXPECT_EQ(cert["data"]["revocation_time"].GetInt(), 0);
}

TEST(PkiTest, RoleChecksUseVaultMessages) {
  EmulatorHarness h;
  SetUpPki(h);
  auto other = h.Send("POST", "/v1/pki/issue/web", R"({"common_name":"foo.other"})");
  EXPECT_EQ(other.status, 400);
  EXPECT_EQ(FirstError(other.body), "common name foo.other not allowed by this role");
  // Bare domain needs allow_bare_domains.
  EXPECT_EQ(
      FirstError(h.Send("POST", "/v1/pki/issue/web", R"({"common_name":"example.com"})").body),
      "common name example.com not allowed by this role");
  auto alt = h.Send("POST", "/v1/pki/issue/web",
                    R"({"common_name":"a.example.com","alt_names":"evil.com"})");
  EXPECT_EQ(FirstError(alt.body), "subject alternate name evil.com not allowed by this role");
  auto no_cn = h.Send("POST", "/v1/pki/issue/web", "{}");
  EXPECT_EQ(FirstError(no_cn.body),
            "the common_name field is required, or must be provided in a CSR with "
            "\"use_csr_common_name\" set to true, unless \"require_cn\" is set to false");
  auto uri = h.Send("POST", "/v1/pki/issue/web",
                    R"({"common_name":"a.example.com","uri_sans":"spiffe://x/y"})");
  EXPECT_EQ(FirstError(uri.body),
            "URI Subject Alternative Names are not allowed in this role, but were provided via "
            "the API");
  ASSERT_EQ(
      h.Send("POST", "/v1/pki/roles/noip",
             R"({"allowed_domains":"example.com","allow_subdomains":true,"allow_ip_sans":false})")
          .status,
      204);
  auto ip = h.Send("POST", "/v1/pki/issue/noip",
                   R"({"common_name":"a.example.com","ip_sans":"10.0.0.1"})");
  EXPECT_EQ(FirstError(ip.body),
            "IP Subject Alternative Names are not allowed in this role, but was provided "
            "[10.0.0.1]");
  auto unknown = h.Send("POST", "/v1/pki/issue/nope", R"({"common_name":"a.example.com"})");
  EXPECT_EQ(FirstError(unknown.body), "unknown role: nope");
  auto ec_bits = h.Send("POST", "/v1/pki/roles/ec", R"({"key_type":"ec"})");
  EXPECT_EQ(FirstError(ec_bits.body), "unsupported bit length for EC key: 2048");
  auto ttl = h.Send("POST", "/v1/pki/roles/t", R"({"ttl":"2h","max_ttl":"1h"})");
  EXPECT_EQ(FirstError(ttl.body), "\"ttl\" value must be less than \"max_ttl\" value");

  auto role = h.SendJson("GET", "/v1/pki/roles/web");
  EXPECT_EQ(role["data"]["max_ttl"].GetInt(), 72 * 3600);
  EXPECT_EQ(json::Serialize(role["data"]["allowed_domains"]), R"(["example.com"])");
  EXPECT_EQ(json::Serialize(role["data"]["key_usage"]),
            R"(["DigitalSignature","KeyAgreement","KeyEncipherment"])");
  EXPECT_TRUE(role["data"]["enforce_hostnames"].GetBool());
  auto roles = h.SendJson("LIST", "/v1/pki/roles");
  EXPECT_EQ(json::Serialize(roles["data"]["keys"]), R"(["noip","web"])");
}

TEST(PkiTest, RevokeCaAnswersAndNoCa) {
  EmulatorHarness h;
  ASSERT_EQ(h.Send("POST", "/v1/sys/mounts/pki", R"({"type":"pki"})").status, 204);
  ASSERT_EQ(h.Send("POST", "/v1/pki/roles/any", R"({"allow_any_name":true})").status, 204);
  auto no_ca = h.Send("POST", "/v1/pki/issue/any", R"({"common_name":"a.test"})");
  EXPECT_EQ(no_ca.status, 400);
  EXPECT_EQ(FirstError(no_ca.body),
            "could not fetch the CA certificate (was one set?): backend must be configured with "
            "a CA certificate/key");
  auto root = h.SendJson("POST", "/v1/pki/root/generate/exported",
                         R"({"common_name":"Root","key_type":"ec","ttl":"240h"})");
  EXPECT_STREQ(root["data"]["private_key_type"].GetString(), "ec");
  auto again = h.SendJson("POST", "/v1/pki/root/generate/internal", R"({"common_name":"Root2"})");
  EXPECT_TRUE(again["data"].IsNull());
  EXPECT_STREQ(again["warnings"][0].GetString(),
               "Refusing to generate a root certificate over an existing root certificate. If you "
               "really want to destroy the original root certificate, please issue a delete "
               "against pki/root.");
  // The CA outlives 240h only; a longer certificate is refused.
  auto too_long = h.Send("POST", "/v1/pki/issue/any", R"({"common_name":"a.test","ttl":"300h"})");
  EXPECT_EQ(too_long.status, 400);
  EXPECT_EQ(
      FirstError(too_long.body).rfind("cannot satisfy request, as TTL would result in notAfter", 0),
      0u);

  // The mount's default TTL (768h) would outlive the CA: ask for less.
  auto issued = h.SendJson("POST", "/v1/pki/issue/any", R"({"common_name":"a.test","ttl":"24h"})");
  std::string serial = issued["data"]["serial_number"].GetString();
  h.clock.Advance(std::chrono::seconds(5));
  auto revoked = h.SendJson("POST", "/v1/pki/revoke", "{\"serial_number\":\"" + serial + "\"}");
  int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(h.clock.Now().time_since_epoch()).count();
  EXPECT_EQ(revoked["data"]["revocation_time"].GetInt64(), now);
  EXPECT_TRUE(revoked["data"]["revocation_time_rfc3339"].IsString());
  auto cert = h.SendJson("GET", "/v1/pki/cert/" + serial, "", "");
  EXPECT_EQ(cert["data"]["revocation_time"].GetInt64(), now);
  EXPECT_EQ(FirstError(h.Send("POST", "/v1/pki/revoke",
                              "{\"serial_number\":\"" +
                                  std::string(root["data"]["serial_number"].GetString()) + "\"}")
                           .body),
            "adding CA to CRL is not allowed");
  EXPECT_EQ(FirstError(h.Send("POST", "/v1/pki/revoke", R"({"serial_number":"aa:bb"})").body),
            "certificate with serial aa:bb not found");
  auto certs = h.SendJson("LIST", "/v1/pki/certs");
  EXPECT_EQ(certs["data"]["keys"].Size(), 2u);  // the CA and the leaf
  EXPECT_EQ(h.Send("DELETE", "/v1/pki/root").status, 204);
  EXPECT_EQ(h.Send("POST", "/v1/pki/root/generate/internal", R"({"common_name":"New"})").status,
            200);
}

TEST(PkiTest, IssueNeedsUpdateOnTheIssuePath) {
  EmulatorHarness h;
  SetUpPki(h);
  ASSERT_EQ(
      h.Send(
           "PUT", "/v1/sys/policies/acl/reader",
           R"({"policy":"path \"pki/issue/web\" { capabilities = [\"read\"] }\npath \"pki/issue/other\" { capabilities = [\"update\"] }"})")
          .status,
      204);
  auto t = h.SendJson("POST", "/v1/auth/token/create", R"({"policies":["reader"]})");
  std::string token = t["auth"]["client_token"].GetString();
  auto denied = h.Send("POST", "/v1/pki/issue/web", R"({"common_name":"a.example.com"})", token);
  EXPECT_EQ(denied.status, 403);
  ASSERT_EQ(h.Send("PUT", "/v1/sys/policies/acl/reader",
                   R"({"policy":"path \"pki/issue/web\" { capabilities = [\"update\"] }"})")
                .status,
            204);
  EXPECT_EQ(h.Send("POST", "/v1/pki/issue/web", R"({"common_name":"a.example.com"})", token).status,
            200);
}

}  // namespace
}  // namespace vaultsync::vaultemu
