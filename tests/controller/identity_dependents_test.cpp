// Tests for controller/identity_dependents.h: a change to a VaultAuth, a VaultConnection or
// a Secret they name reaches exactly the resources that use it, through the indexes.
#include "controller/identity_dependents.h"

#include <gtest/gtest.h>

#include "fakes.h"

namespace vaultsync::controller {
namespace {

using testing::FakeLister;
using Keys = std::vector<std::string>;

template <typename T>
T Decode(const std::string& json, Result<T> (*decode)(const json::Value&)) {
  auto doc = json::Parse(json);
  EXPECT_TRUE(doc.ok());
  return *decode(*doc);
}

std::string Meta(const std::string& ns, const std::string& name) {
  return R"("metadata":{"name":")" + name + R"(","namespace":")" + ns + R"(","uid":"u-)" + name +
         R"(","generation":1})";
}

class DependentsTest : public ::testing::Test {
 protected:
  DependentsTest() {
    vss_.AddIndex(kIndexVaultAuthRef,
                  [](const VaultStaticSecret& v) { return AuthRefIndexValues(v.spec.auth_ref); });
    auths_.AddIndex(kIndexVaultConnectionRef, ConnectionRefIndexValues);
    auths_.AddIndex(kIndexCredentialSecret, CredentialSecretIndexValues);
    conns_.AddIndex(kIndexCaCertSecret, CaCertSecretIndexValues);
    Vss("a", "x", R"("vaultAuthRef":"ka",)");
    Vss("a", "y", R"("vaultAuthRef":"ka",)");
    Vss("b", "z", R"("vaultAuthRef":"a/ka",)");
    Vss("b", "w", R"("vaultAuthRef":"kb",)");
    Vss("c", "noref", "");
    Auth("a", "ka",
         R"({"vaultConnectionRef":"conn","kubernetes":{"role":"r"},"allowedNamespaces":["*"]})");
    Auth("b", "kb", R"({"method":"appRole","appRole":{"roleId":"r","secretRef":"sid"}})");
    Auth("ops", "default", R"({"kubernetes":{"role":"r"},"allowedNamespaces":["*"]})");
    Conn("a", "conn", R"({"address":"https://v:8200","caCertSecretRef":"vault-ca"})");
    Conn("ops", "default", R"({"address":"https://v:8200"})");
  }
  void Vss(const std::string& ns, const std::string& name, const std::string& ref) {
    vss_.Put(ns + "/" + name, Decode<VaultStaticSecret>(
                                  "{" + Meta(ns, name) + R"(,"spec":{)" + ref +
                                      R"("mount":"secret","path":"p","destination":{"name":"d"}}})",
                                  DecodeVaultStaticSecret));
  }
  void Auth(const std::string& ns, const std::string& name, const std::string& spec) {
    auths_.Put(ns + "/" + name, Decode<VaultAuth>("{" + Meta(ns, name) + R"(,"spec":)" + spec + "}",
                                                  DecodeVaultAuth));
  }
  void Conn(const std::string& ns, const std::string& name, const std::string& spec) {
    conns_.Put(ns + "/" + name,
               Decode<VaultConnection>("{" + Meta(ns, name) + R"(,"spec":)" + spec + "}",
                                       DecodeVaultConnection));
  }
  IdentityDependents<VaultStaticSecret> Users() {
    return IdentityDependents<VaultStaticSecret>(
        vss_, auths_, conns_, "ops",
        [](const VaultStaticSecret& v) -> const AuthRef& { return v.spec.auth_ref; });
  }

  FakeLister<VaultStaticSecret> vss_;
  FakeLister<VaultAuth> auths_;
  FakeLister<VaultConnection> conns_;
};

TEST_F(DependentsTest, AVaultAuthReachesTheResourcesNamingIt) {
  EXPECT_EQ(Users().OfAuth("a/ka"), (Keys{"a/x", "a/y", "b/z"}));
  EXPECT_EQ(Users().OfAuth("b/kb"), (Keys{"b/w"}));
  EXPECT_EQ(Users().OfAuth("b/nobody"), Keys{});
}

TEST_F(DependentsTest, TheDefaultVaultAuthReachesTheResourcesNamingNone) {
  EXPECT_EQ(Users().OfAuth("ops/default"), (Keys{"c/noref"}));
}

TEST_F(DependentsTest, AVaultConnectionReachesTheUsersOfItsVaultAuths) {
  EXPECT_EQ(Users().OfConnection("a/conn"), (Keys{"a/x", "a/y", "b/z"}));
  EXPECT_EQ(AuthsUsingConnection(auths_, "a/conn", "ops"), (Keys{"a/ka"}));
  // The default connection: VaultAuths naming none, and resources on the flags identity.
  EXPECT_EQ(AuthsUsingConnection(auths_, "ops/default", "ops"), (Keys{"b/kb", "ops/default"}));
  EXPECT_EQ(Users().OfConnection("ops/default"), (Keys{"b/w", "c/noref"}));
}

TEST_F(DependentsTest, ASecretReachesWhateverWasBuiltOnIt) {
  EXPECT_EQ(Users().OfSecret("a/vault-ca"), (Keys{"a/x", "a/y", "b/z"}));  // a CA
  EXPECT_EQ(Users().OfSecret("b/sid"), (Keys{"b/w"}));                     // a secret ID
  EXPECT_EQ(Users().OfSecret("b/unrelated"), Keys{});
}

TEST_F(DependentsTest, NamedChangesUseTheIndexNotAScan) {
  // A named VaultAuth is found with one index lookup and no listing of the resources.
  int before = vss_.index_lookups;
  (void)Users().OfAuth("a/ka");
  EXPECT_EQ(vss_.index_lookups, before + 1);
}

}  // namespace
}  // namespace vaultsync::controller
