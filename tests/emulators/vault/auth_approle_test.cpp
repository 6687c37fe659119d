// approle auth: role, role-id, secret-id, login and the recorded error answers.
#include <gtest/gtest.h>

#include "emulator_test_util.h"

namespace vaultsync::vaultemu {
namespace {

using testing::EmulatorHarness;
using testing::FirstError;

class AppRoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(h.Send("POST", "/v1/sys/auth/approle", R"({"type":"approle"})").status, 204);
    ASSERT_EQ(h.Send("PUT", "/v1/sys/policies/acl/app-read",
                     R"({"policy":"path \"secret/data/app/*\" { capabilities = [\"read\"] }"})")
                  .status,
              204);
    ASSERT_EQ(h.Send("POST", "/v1/auth/approle/role/sync",
                     R"({"token_policies":["app-read"],"token_ttl":"60s","secret_id_ttl":"10m"})")
                  .status,
              204);
    role_id =
        h.SendJson("GET", "/v1/auth/approle/role/sync/role-id")["data"]["role_id"].GetString();
    auto sid = h.SendJson("POST", "/v1/auth/approle/role/sync/secret-id");
    secret_id = sid["data"]["secret_id"].GetString();
    EXPECT_EQ(sid["data"]["secret_id_ttl"].GetInt(), 600);
  }

  emu::ServerResponse Login(const std::string& rid, const std::string& sid) {
    return h.Send("POST", "/v1/auth/approle/login",
                  "{\"role_id\":\"" + rid + "\",\"secret_id\":\"" + sid + "\"}", "");
  }

  EmulatorHarness h;
  std::string role_id, secret_id;
};

TEST_F(AppRoleTest, LoginIssuesTokenWithRolePolicies) {
  auto r = Login(role_id, secret_id);
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = json::Parse(r.body);
  ASSERT_TRUE(doc.ok());
  const auto& auth = (*doc)["auth"];
  EXPECT_EQ(auth["lease_duration"].GetInt(), 60);
  EXPECT_TRUE(auth["orphan"].GetBool());
  EXPECT_STREQ(auth["metadata"]["role_name"].GetString(), "sync");
  EXPECT_EQ(auth["policies"].Size(), 2u);
  std::string token = auth["client_token"].GetString();
  ASSERT_EQ(h.Send("POST", "/v1/secret/data/app/x", R"({"data":{"a":"b"}})").status, 200);
  EXPECT_EQ(h.Send("GET", "/v1/secret/data/app/x", "", token).status, 200);
}

TEST_F(AppRoleTest, WrongIdsAreRejectedAsRecorded) {
  auto bad_secret = Login(role_id, "00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(bad_secret.status, 400);
  EXPECT_EQ(FirstError(bad_secret.body), "invalid secret id");
  auto bad_role = Login("00000000-0000-0000-0000-000000000000", secret_id);
  EXPECT_EQ(bad_role.status, 400);
  EXPECT_EQ(FirstError(bad_role.body), "invalid role ID");
  EXPECT_EQ(FirstError(h.Send("POST", "/v1/auth/approle/login", "{}", "").body), "missing role_id");
}

TEST_F(AppRoleTest, SecretIdExpires) {
  h.clock.Advance(std::chrono::minutes(11));
  EXPECT_EQ(FirstError(Login(role_id, secret_id).body), "invalid secret id");
}

TEST_F(AppRoleTest, ADestroyedSecretIdNoLongerLogsIn) {
  ASSERT_EQ(Login(role_id, secret_id).status, 200);
  EXPECT_EQ(h.Send("POST", "/v1/auth/approle/role/sync/secret-id/destroy",
                   "{\"secret_id\":\"" + secret_id + "\"}")
                .status,
            204);
  EXPECT_EQ(FirstError(Login(role_id, secret_id).body), "invalid secret id");
  // Destroying an unknown one is not an error (Vault answers 204 as well); a missing one is.
  EXPECT_EQ(h.Send("POST", "/v1/auth/approle/role/sync/secret-id/destroy",
                   R"({"secret_id":"00000000-0000-0000-0000-000000000000"})")
                .status,
            204);
  EXPECT_EQ(FirstError(h.Send("POST", "/v1/auth/approle/role/sync/secret-id/destroy", "{}").body),
            "missing secret_id");
}

TEST_F(AppRoleTest, RoleReadAndList) {
  auto role = h.SendJson("GET", "/v1/auth/approle/role/sync");
  EXPECT_EQ(role["data"]["token_ttl"].GetInt(), 60);
  EXPECT_EQ(role["data"]["secret_id_ttl"].GetInt(), 600);
  EXPECT_TRUE(role["data"]["bind_secret_id"].GetBool());
  auto list = h.SendJson("LIST", "/v1/auth/approle/role");
  EXPECT_STREQ(list["data"]["keys"][0].GetString(), "sync");
  auto mounts = h.SendJson("GET", "/v1/sys/auth");
  EXPECT_TRUE(mounts["data"].HasMember("approle/"));
  EXPECT_TRUE(mounts["data"].HasMember("token/"));
}

}  // namespace
}  // namespace vaultsync::vaultemu
