// Token store behaviour through the API: create, lookup-self, renew-self with the max TTL
// cap and its warning, revoke-self, expiry by advancing the clock.
#include <gtest/gtest.h>

#include "emulator_test_util.h"

namespace vaultsync::vaultemu {
namespace {

using testing::EmulatorHarness;
using testing::FirstError;

std::string CreateChild(EmulatorHarness& h, const std::string& body) {
  auto doc = h.SendJson("POST", "/v1/auth/token/create", body);
  return doc["auth"]["client_token"].GetString();
}

TEST(TokenTest, CreateLookupRenewCappedRevoke) {
  EmulatorHarness h;
  auto created = h.SendJson(
      "POST", "/v1/auth/token/create",
      R"({"ttl":"60s","explicit_max_ttl":"120s","renewable":true,"policies":["default"],"display_name":"child","meta":{"purpose":"reference"}})");
  EXPECT_EQ(created["auth"]["lease_duration"].GetInt(), 60);
  EXPECT_FALSE(created["auth"]["orphan"].GetBool());
  std::string child = created["auth"]["client_token"].GetString();
  EXPECT_EQ(child.rfind("s.", 0), 0u);

  auto self = h.SendJson("GET", "/v1/auth/token/lookup-self", "", child);
  EXPECT_EQ(self["data"]["ttl"].GetInt(), 60);
  EXPECT_EQ(self["data"]["explicit_max_ttl"].GetInt(), 120);
  EXPECT_STREQ(self["data"]["display_name"].GetString(), "token-child");
  EXPECT_STREQ(self["data"]["path"].GetString(), "auth/token/create");

  h.clock.Advance(std::chrono::seconds(2));
  auto renewed = h.SendJson("POST", "/v1/auth/token/renew-self", R"({"increment":"30s"})", child);
  EXPECT_EQ(renewed["auth"]["lease_duration"].GetInt(), 30);
  auto capped = h.SendJson("POST", "/v1/auth/token/renew-self", R"({"increment":"300s"})", child);
  EXPECT_EQ(capped["auth"]["lease_duration"].GetInt(), 118);
  ASSERT_TRUE(capped["warnings"].IsArray());
  EXPECT_STREQ(capped["warnings"][0].GetString(),
               "TTL of \"5m\" exceeded the effective max_ttl of \"1m58s\"; TTL value is capped "
               "accordingly");

  EXPECT_EQ(h.Send("POST", "/v1/auth/token/revoke-self", "", child).status, 204);
  auto dead = h.Send("GET", "/v1/auth/token/lookup-self", "", child);
  EXPECT_EQ(dead.status, 403);
  EXPECT_EQ(FirstError(dead.body), "permission denied");
}

TEST(TokenTest, ExpiresWhenTimeAdvances) {
  EmulatorHarness h;
  std::string t = CreateChild(h, R"({"ttl":"60s"})");
  EXPECT_EQ(h.Send("GET", "/v1/auth/token/lookup-self", "", t).status, 200);
  h.clock.Advance(std::chrono::seconds(61));
  EXPECT_EQ(h.Send("GET", "/v1/auth/token/lookup-self", "", t).status, 403);
}

TEST(TokenTest, RenewCannotPassExplicitMaxTtl) {
  EmulatorHarness h;
  std::string t = CreateChild(h, R"({"ttl":"60s","explicit_max_ttl":"90s"})");
  h.clock.Advance(std::chrono::seconds(50));
  auto r = h.SendJson("POST", "/v1/auth/token/renew-self", "{}", t);
  EXPECT_EQ(r["auth"]["lease_duration"].GetInt(), 40);
  h.clock.Advance(std::chrono::seconds(41));
  EXPECT_EQ(h.Send("GET", "/v1/auth/token/lookup-self", "", t).status, 403);
}

TEST(TokenTest, RevokingParentRevokesChildrenButNotOrphans) {
  EmulatorHarness h;
  std::string parent = CreateChild(h, R"({"ttl":"1h"})");
  // The parent inherited root's policies, so it may create a child of its own.
  auto sub = h.SendJson("POST", "/v1/auth/token/create", R"({"ttl":"1h"})", parent);
  std::string grandchild = sub["auth"]["client_token"].GetString();
  std::string orphan = CreateChild(h, R"({"ttl":"1h","no_parent":true})");
  EXPECT_EQ(h.Send("POST", "/v1/auth/token/revoke-self", "", parent).status, 204);
  EXPECT_EQ(h.Send("GET", "/v1/auth/token/lookup-self", "", grandchild).status, 403);
  EXPECT_EQ(h.Send("GET", "/v1/auth/token/lookup-self", "", orphan).status, 200);
}

TEST(TokenTest, NonRootParentCannotGrantOtherPolicies) {
  EmulatorHarness h;
  std::string parent = CreateChild(h, R"({"ttl":"1h","policies":["default"]})");
  auto r = h.Send("POST", "/v1/auth/token/create", R"({"policies":["admin"]})", parent);
  EXPECT_EQ(r.status, 403);  // default policy has no access to auth/token/create
}

TEST(TokenTest, RootTokenNeverExpires) {
  EmulatorHarness h;
  h.clock.Advance(std::chrono::hours(24 * 365));
  auto self = h.SendJson("GET", "/v1/auth/token/lookup-self");
  EXPECT_TRUE(self["data"]["expire_time"].IsNull());
  EXPECT_STREQ(self["data"]["policies"][0].GetString(), "root");
}

}  // namespace
}  // namespace vaultsync::vaultemu
