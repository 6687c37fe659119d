// The database engine and the lease table in-process, on a fake clock: config and role
// checks, credentials with a renewable lease, lookup/renew/revoke with Vault's TTL
// arithmetic and messages, expiry, the issued-credential count, and the ACL.
#include <gtest/gtest.h>

#include "emulator_test_util.h"

namespace vaultsync::vaultemu {
namespace {

using testing::EmulatorHarness;
using testing::FirstError;

void SetUpDatabase(EmulatorHarness& h) {
  ASSERT_EQ(h.Send("POST", "/v1/sys/mounts/database", R"({"type":"database"})").status, 204);
  ASSERT_EQ(h.Send("POST", "/v1/database/config/pg",
                   R"({"plugin_name":"postgresql-database-plugin","allowed_roles":"app",)"
                   R"("connection_url":"postgresql://{{username}}:{{password}}@db:5432/app",)"
                   R"("username":"vault","password":"secret"})")
                .status,
            204);
  ASSERT_EQ(h.Send("POST", "/v1/database/roles/app",
                   R"({"db_name":"pg","creation_statements":["CREATE ROLE x"],)"
                   R"("default_ttl":"1h","max_ttl":"3h"})")
                .status,
            204);
}

std::string Body(const std::string& lease_id, const std::string& extra = "") {
  return "{\"lease_id\":\"" + lease_id + "\"" + extra + "}";
}

TEST(DatabaseTest, CredsCarryARenewableLease) {
  EmulatorHarness h;
  SetUpDatabase(h);
  auto creds = h.SendJson("GET", "/v1/database/creds/app");
  std::string lease = creds["lease_id"].GetString();
  EXPECT_EQ(lease.rfind("database/creds/app/", 0), 0u);
  EXPECT_TRUE(creds["renewable"].GetBool());
  EXPECT_EQ(creds["lease_duration"].GetInt(), 3600);
  EXPECT_TRUE(creds["wrap_info"].IsNull());
  EXPECT_TRUE(creds["warnings"].IsNull());
  EXPECT_TRUE(creds["auth"].IsNull());
  std::string user = creds["data"]["username"].GetString();
  EXPECT_EQ(user.rfind("v-root-app-", 0), 0u) << user;
  EXPECT_EQ(std::string(creds["data"]["password"].GetString()).size(), 20u);
  EXPECT_EQ(creds["data"].MemberCount(), 2u);

  auto looked = h.SendJson("PUT", "/v1/sys/leases/lookup", Body(lease));
  EXPECT_STREQ(looked["data"]["id"].GetString(), lease.c_str());
  EXPECT_EQ(looked["data"]["ttl"].GetInt(), 3600);
  EXPECT_TRUE(looked["data"]["last_renewal"].IsNull());
  EXPECT_TRUE(looked["data"]["renewable"].GetBool());
  EXPECT_EQ(looked["data"].MemberCount(), 6u);

  h.clock.Advance(std::chrono::minutes(30));
  auto renewed = h.SendJson("PUT", "/v1/sys/leases/renew", Body(lease, ",\"increment\":3600"));
  EXPECT_STREQ(renewed["lease_id"].GetString(), lease.c_str());
  EXPECT_EQ(renewed["lease_duration"].GetInt(), 3600);
  EXPECT_TRUE(renewed["warnings"].IsNull());
  EXPECT_TRUE(renewed["data"].IsNull());
  looked = h.SendJson("PUT", "/v1/sys/leases/lookup", Body(lease));
  EXPECT_TRUE(looked["data"]["last_renewal"].IsString());
  EXPECT_EQ(looked["data"]["ttl"].GetInt(), 3600);

  // 1h20m after issue, 1h40m of the 3h max TTL is left: capped, with Vault's warning.
  h.clock.Advance(std::chrono::minutes(50));
  auto capped = h.SendJson("PUT", "/v1/sys/leases/renew", Body(lease, ",\"increment\":\"2h\""));
  EXPECT_EQ(capped["lease_duration"].GetInt(), 6000);
  ASSERT_TRUE(capped["warnings"].IsArray());
  EXPECT_STREQ(capped["warnings"][0].GetString(),
               "TTL of \"2h\" exceeded the effective max_ttl of \"1h40m\"; TTL value is capped "
               "accordingly");

  // Past the max TTL the lease is gone.
  h.clock.Advance(std::chrono::minutes(101));
  auto gone = h.Send("PUT", "/v1/sys/leases/lookup", Body(lease));
  EXPECT_EQ(gone.status, 400);
  EXPECT_EQ(FirstError(gone.body), "invalid lease");
  auto renew_gone = h.Send("PUT", "/v1/sys/leases/renew", Body(lease));
  EXPECT_EQ(renew_gone.status, 400);
  EXPECT_EQ(FirstError(renew_gone.body), "lease not found or lease is not renewable");

  auto counts = json::Parse(h.emulator->HandleLeasesControl({}).body);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)["issued"]["database/creds/app"].GetInt(), 1);
  EXPECT_EQ((*counts)["expired"].GetInt(), 1);
  EXPECT_EQ((*counts)["leases"].Size(), 0u);
}

TEST(DatabaseTest, RevokeDefaultTtlAndCounts) {
  EmulatorHarness h;
  SetUpDatabase(h);
  std::string a = h.SendJson("GET", "/v1/database/creds/app")["lease_id"].GetString();
  std::string b = h.SendJson("GET", "/v1/database/creds/app")["lease_id"].GetString();
  EXPECT_NE(a, b);
  EXPECT_EQ(h.Send("PUT", "/v1/sys/leases/revoke", Body(a)).status, 204);
  EXPECT_EQ(h.Send("PUT", "/v1/sys/leases/revoke", Body(a)).status, 204);  // unknown: no error
  EXPECT_EQ(FirstError(h.Send("PUT", "/v1/sys/leases/lookup", Body(a)).body), "invalid lease");
  EXPECT_EQ(FirstError(h.Send("PUT", "/v1/sys/leases/lookup", "{}").body),
            "lease_id must be specified");
  // Renew without an increment grants the role's default TTL again.
  h.clock.Advance(std::chrono::minutes(10));
  EXPECT_EQ(h.SendJson("PUT", "/v1/sys/leases/renew", Body(b))["lease_duration"].GetInt(), 3600);
  auto counts = json::Parse(h.emulator->HandleLeasesControl({}).body);
  EXPECT_EQ((*counts)["issued"]["database/creds/app"].GetInt(), 2);
  EXPECT_EQ((*counts)["revoked"].GetInt(), 1);
  EXPECT_EQ((*counts)["leases"].Size(), 1u);

  // The mount's tuned max TTL caps a role's default TTL.
  ASSERT_EQ(h.Send("POST", "/v1/sys/mounts/database/tune", R"({"max_lease_ttl":"30m"})").status,
            204);
  auto short_creds = h.SendJson("GET", "/v1/database/creds/app");
  EXPECT_EQ(short_creds["lease_duration"].GetInt(), 1800);
  EXPECT_STREQ(short_creds["warnings"][0].GetString(),
               "TTL of \"1h\" exceeded the effective max_ttl of \"30m\"; TTL value is capped "
               "accordingly");
}

TEST(DatabaseTest, ConfigAndRoleErrors) {
  EmulatorHarness h;
  ASSERT_EQ(h.Send("POST", "/v1/sys/mounts/database", R"({"type":"database"})").status, 204);
  EXPECT_EQ(FirstError(h.Send("POST", "/v1/database/roles/app", R"({"default_ttl":"1h"})").body),
            "database name is required");
  ASSERT_EQ(h.Send("POST", "/v1/database/roles/app", R"({"db_name":"missing"})").status, 204);
  auto no_conn = h.Send("GET", "/v1/database/creds/app");
  EXPECT_EQ(no_conn.status, 500);
  EXPECT_EQ(FirstError(no_conn.body), "failed to find entry for connection with name: \"missing\"");
  ASSERT_EQ(h.Send("POST", "/v1/database/config/missing",
                   R"({"plugin_name":"postgresql-database-plugin","allowed_roles":["other"]})")
                .status,
            204);
  auto not_allowed = h.Send("GET", "/v1/database/creds/app");
  EXPECT_EQ(FirstError(not_allowed.body), "\"app\" is not an allowed role");
  EXPECT_EQ(FirstError(h.Send("GET", "/v1/database/creds/nope").body), "unknown role: nope");
  auto role = h.SendJson("GET", "/v1/database/roles/app");
  EXPECT_EQ(json::Serialize(role["data"]),
            R"({"creation_statements":[],"db_name":"missing","default_ttl":0,"max_ttl":0,)"
            R"("renew_statements":[],"revocation_statements":[],"rollback_statements":[]})");
}

TEST(DatabaseTest, CredsAreBehindTheAcl) {
  EmulatorHarness h;
  SetUpDatabase(h);
  ASSERT_EQ(h.Send("PUT", "/v1/sys/policies/acl/db",
                   R"({"policy":"path \"database/creds/app\" { capabilities = [\"read\"] }"})")
                .status,
            204);
  auto t = h.SendJson("POST", "/v1/auth/token/create", R"({"policies":["db"]})");
  std::string token = t["auth"]["client_token"].GetString();
  auto creds = h.SendJson("GET", "/v1/database/creds/app", "", token);
  std::string lease = creds["lease_id"].GetString();
  // The default policy lets any token look up and renew; revoking needs more.
  EXPECT_EQ(h.Send("PUT", "/v1/sys/leases/lookup", Body(lease), token).status, 200);
  EXPECT_EQ(h.Send("PUT", "/v1/sys/leases/renew", Body(lease), token).status, 200);
  EXPECT_EQ(h.Send("PUT", "/v1/sys/leases/revoke", Body(lease), token).status, 403);
  EXPECT_EQ(h.Send("GET", "/v1/database/roles/app", "", token).status, 403);
}

}  // namespace
}  // namespace vaultsync::vaultemu
