// The shared trust store (operator/http/trust_store.h): what it accepts as CA material, what
// it refuses with a clear message, and that a connection context takes it in place of its own.
#include "http/trust_store.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <fstream>

#include "test_pki.h"

namespace vaultsync::http {
namespace {

int CertificatesIn(X509_STORE* store) { return sk_X509_OBJECT_num(X509_STORE_get0_objects(store)); }

TEST(TrustStore, HoldsExactlyTheConfiguredCertificates) {
  auto a = vault::testing::MakeCa("ca-a");
  auto b = vault::testing::MakeCa("ca-b");
  ASSERT_TRUE(a.ok() && b.ok());
  auto one = NewTrustStore(a->cert_pem);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(CertificatesIn(one->get()), 1);
  // A bundle, with a certificate repeated (harmless, as in many real bundles).
  auto two = NewTrustStore(a->cert_pem + b->cert_pem + a->cert_pem);
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  EXPECT_EQ(CertificatesIn(two->get()), 2);
}

TEST(TrustStore, RefusesMaterialWithoutACertificate) {
  for (const std::string pem :
       {"not a pem",
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"}) {
    auto s = NewTrustStore(pem);
    ASSERT_FALSE(s.ok()) << pem;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << s.status().ToString();
    EXPECT_NE(s.status().message().find("CA"), std::string::npos) << s.status().ToString();
  }
}

TEST(TrustStore, EmptyMeansTheSystemRootsAndContextsShareOneStore) {
  auto system = NewTrustStore("");
  ASSERT_TRUE(system.ok()) << system.status().ToString();
  SSL_CTX* c1 = SSL_CTX_new(TLS_client_method());
  SSL_CTX* c2 = SSL_CTX_new(TLS_client_method());
  UseTrustStore(c1, *system);
  UseTrustStore(c2, *system);
  EXPECT_EQ(SSL_CTX_get_cert_store(c1), system->get());
  EXPECT_EQ(SSL_CTX_get_cert_store(c2), system->get());
  SSL_CTX_free(c1);
  SSL_CTX_free(c2);  // each dropped its own reference; ASan reports a double free otherwise
}

// The system's roots cost about 1 MiB: one copy for every transport while any holds it.
TEST(TrustStore, TheSystemRootsAreLoadedOnceWhileInUse) {
  auto a = NewTrustStore("");
  auto b = NewTrustStore("");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->get(), b->get());
  // A configured CA is a store of its own, holding only that CA.
  auto ca = vault::testing::MakeCa("ca-own");
  ASSERT_TRUE(ca.ok());
  auto own = NewTrustStore(ca->cert_pem);
  ASSERT_TRUE(own.ok());
  EXPECT_NE(own->get(), a->get());
  EXPECT_EQ(CertificatesIn(own->get()), 1);
}

// cpprestsdk loads the default verify paths into every new connection's context before our
// store replaces it. After SkipPerConnectionSystemRoots that load finds nothing, while the
// system roots themselves (NewTrustStore("")) still hold the whole bundle.
TEST(TrustStore, ConnectionsNoLongerParseTheSystemBundle) {
  const char* env = std::getenv(X509_get_default_cert_file_env());
  const std::string bundle = env != nullptr ? env : X509_get_default_cert_file();
  if (!std::ifstream(bundle).good()) GTEST_SKIP() << "no system CA bundle at " << bundle;
  auto per_connection = [] {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    EXPECT_EQ(SSL_CTX_set_default_verify_paths(ctx), 1);
    int n = CertificatesIn(SSL_CTX_get_cert_store(ctx));
    SSL_CTX_free(ctx);
    return n;
  };
  const int before = per_connection();
  EXPECT_GT(before, 10) << "the bundle is loaded into every context";
  SkipPerConnectionSystemRoots();
  EXPECT_EQ(per_connection(), 0);
  auto system = NewTrustStore("");
  ASSERT_TRUE(system.ok()) << system.status().ToString();
  EXPECT_EQ(CertificatesIn(system->get()), before);
}

}  // namespace
}  // namespace vaultsync::http
