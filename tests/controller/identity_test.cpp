// Tests for controller/identity.h: which VaultAuth and VaultConnection a resource uses —
// named, the "default" ones in the operator's namespace, or the operator's flags — and the
// identity-safety rules on each path.
#include "controller/identity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes.h"

namespace vaultsync::controller {
namespace {

using testing::FakeLister;
using ::testing::HasSubstr;

VaultAuth Auth(const std::string& ns, const std::string& name, const std::string& spec) {
  auto doc = json::Parse(R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns +
                         R"(","uid":"uid-)" + name + R"(","generation":1},"spec":)" + spec + "}");
  EXPECT_TRUE(doc.ok());
  return *DecodeVaultAuth(*doc);
}

VaultConnection Conn(const std::string& ns, const std::string& name, const std::string& address) {
  auto doc = json::Parse(R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns +
                         R"(","uid":"uid-)" + name + R"(","generation":1},"spec":{"address":")" +
                         address + R"("}})");
  EXPECT_TRUE(doc.ok());
  return *DecodeVaultConnection(*doc);
}

class IdentityTest : public ::testing::Test {
 protected:
  IdentityTest() {
    defaults_.operator_namespace = "vaultsync";
    defaults_.vault_address = "http://flags:8200";
    defaults_.auth_role = "operator";
    defaults_.jwt_file = "/sa/token";
  }
  Result<VaultIdentity> Resolve(const std::string& ns, AuthRef ref, IdentityError* e = nullptr) {
    return ResolveIdentity(ns, ref, auths_, conns_, defaults_, e);
  }
  void PutAuth(const VaultAuth& a) { auths_.Put(a.meta.Key(), a); }
  void PutConn(const VaultConnection& c) { conns_.Put(c.meta.Key(), c); }

  FakeLister<VaultAuth> auths_;
  FakeLister<VaultConnection> conns_;
  OperatorDefaults defaults_;
};

TEST_F(IdentityTest, NoRefAndNoDefaultObjectsUsesTheFlags) {
  auto id = Resolve("team-a", {});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->address, "http://flags:8200");
  EXPECT_EQ(id->role, "operator");
  EXPECT_EQ(id->jwt_file, "/sa/token");
  EXPECT_EQ(id->metrics_label, "default");
}

TEST_F(IdentityTest, TheDefaultVaultAuthInTheOperatorNamespaceComesBeforeTheFlags) {
  PutAuth(Auth(
      "vaultsync", "default",
      R"({"kubernetes":{"role":"shared","serviceAccount":"sync"},"allowedNamespaces":["*"]})"));
  auto id = Resolve("team-a", {});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->role, "shared");
  EXPECT_EQ(id->token_sa_namespace, "team-a");  // a tenant identity stays in team-a
  EXPECT_EQ(id->metrics_label, "vaultsync/default");
  EXPECT_EQ(id->address, "http://flags:8200");  // no default VaultConnection: the flags
}

TEST_F(IdentityTest, TheDefaultVaultAuthObeysItsAllowedNamespaces) {
  PutAuth(Auth("vaultsync", "default", R"({"kubernetes":{"role":"shared"}})"));
  IdentityError e;
  auto id = Resolve("team-a", {}, &e);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(e.reason, kReasonNamespaceNotAllowed);
  EXPECT_TRUE(e.terminal);
  EXPECT_THAT(id.status().message(), HasSubstr("the default VaultAuth vaultsync/default"));
  // In the operator's own namespace it applies.
  EXPECT_TRUE(Resolve("vaultsync", {}).ok());
}

TEST_F(IdentityTest, TheDefaultVaultConnectionComesBeforeTheFlagsAddress) {
  PutConn(Conn("vaultsync", "default", "https://vault.internal:8200"));
  auto flags_auth = Resolve("team-a", {});
  ASSERT_TRUE(flags_auth.ok());
  EXPECT_EQ(flags_auth->address, "https://vault.internal:8200");
  PutAuth(Auth("team-a", "mine", R"({"kubernetes":{"role":"r"}})"));
  auto named = Resolve("team-a", {"team-a", "mine"});
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->address, "https://vault.internal:8200");
  EXPECT_NE(flags_auth->key, named->key);
}

TEST_F(IdentityTest, AVaultConnectionRefMayNameAnotherNamespace) {
  PutConn(Conn("platform", "vault", "https://platform-vault:8200"));
  PutAuth(Auth("team-a", "mine",
               R"({"vaultConnectionRef":"platform/vault","kubernetes":{"role":"r"}})"));
  auto id = Resolve("team-a", {"team-a", "mine"});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->address, "https://platform-vault:8200");
  PutAuth(Auth("team-a", "broken",
               R"({"vaultConnectionRef":"platform/missing","kubernetes":{"role":"r"}})"));
  IdentityError e;
  EXPECT_FALSE(Resolve("team-a", {"team-a", "broken"}, &e).ok());
  EXPECT_EQ(e.reason, kReasonConnectionNotFound);
  EXPECT_FALSE(e.terminal);  // it may be created
}

TEST_F(IdentityTest, NoAddressAnywhereIsAnInvalidSpecNamingTheWaysOut) {
  defaults_.vault_address.clear();
  IdentityError e;
  auto id = Resolve("team-a", {}, &e);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(e.reason, kReasonInvalidSpec);
  EXPECT_THAT(id.status().message(), HasSubstr("VaultConnection \"default\""));
  EXPECT_THAT(id.status().message(), HasSubstr("--default-vault-address"));
}

TEST_F(IdentityTest, CredentialSecretsAreInTheVaultAuthsNamespace) {
  PutAuth(Auth(
      "platform", "ar",
      R"({"method":"appRole","appRole":{"roleId":"rid","secretRef":"ar-secret"},"allowedNamespaces":["*"]})"));
  auto id = Resolve("team-a", {"platform", "ar"});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->auth_secret_namespace, "platform");
  EXPECT_EQ(id->auth_secret_name, "ar-secret");
  EXPECT_EQ(id->auth_secret_key, "id");
}

TEST_F(IdentityTest, AnAppRoleVaultAuthWithoutSecretRefBlamesOnlyTheSecretRef) {
  auto a = Auth("team-a", "ar", R"({"method":"appRole","appRole":{"roleId":"rid"}})");
  ASSERT_FALSE(a.spec_error.ok());
  EXPECT_THAT(a.spec_error.message(), HasSubstr("spec.appRole.secretRef"));
  EXPECT_THAT(a.spec_error.message(), ::testing::Not(HasSubstr("roleId")));
}

}  // namespace
}  // namespace vaultsync::controller
