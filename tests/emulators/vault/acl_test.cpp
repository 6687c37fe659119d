// ACL policies: parsing, Vault's matching priority (exact, glob, `+`), merging of several
// policies, and enforcement through the API with the recorded 403 bodies.
#include "acl.h"

#include <gtest/gtest.h>

#include "emulator_test_util.h"

namespace vaultsync::vaultemu {
namespace {

using testing::EmulatorHarness;
using testing::FirstError;

Policy MustParse(const std::string& text) {
  auto p = ParsePolicy("p", text);
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? std::move(p).value() : Policy{};
}

TEST(AclTest, ParsesHclWithCommentsAndExtraKeys) {
  Policy p = MustParse(R"(
# comment
path "secret/data/app/*" {
  capabilities = ["read", "list"]
  allowed_parameters = { "x" = [] }
}
// another
path "/secret/metadata/+/cfg" { capabilities = ["create","update"] }
path "sys/*" { policy = "deny" }
)");
  ASSERT_EQ(p.rules.size(), 3u);
  EXPECT_EQ(p.rules[0].capabilities, unsigned(kCapRead | kCapList));
  EXPECT_EQ(p.rules[1].path, "secret/metadata/+/cfg");
  EXPECT_EQ(p.rules[2].capabilities, unsigned(kCapDeny));
}

TEST(AclTest, ParsesJsonForm) {
  Policy p = MustParse(R"({"path":{"secret/*":{"capabilities":["read"]}}})");
  ASSERT_EQ(p.rules.size(), 1u);
  EXPECT_EQ(p.rules[0].capabilities, unsigned(kCapRead));
}

TEST(AclTest, RejectsBadPolicies) {
  EXPECT_FALSE(ParsePolicy("p", R"(path "a" { capabilities = ["fly"] })").ok());
  EXPECT_FALSE(ParsePolicy("p", R"(path "a" { capabilities = ["read"] )").ok());
  EXPECT_FALSE(ParsePolicy("p", R"(paths "a" {})").ok());
}

TEST(AclTest, MostSpecificRuleWins) {
  Policy p = MustParse(R"(
path "secret/*" { capabilities = ["read"] }
path "secret/data/*" { capabilities = ["list"] }
path "secret/data/app/exact" { capabilities = ["update"] }
path "secret/data/+/cfg" { capabilities = ["delete"] }
path "secret/data/app/deny*" { capabilities = ["deny"] }
)");
  Acl acl({&p}, false);
  EXPECT_EQ(acl.Capabilities("secret/other"), unsigned(kCapRead));
  EXPECT_EQ(acl.Capabilities("secret/data/x"), unsigned(kCapList));
  EXPECT_EQ(acl.Capabilities("secret/data/app/exact"), unsigned(kCapUpdate));
  // The `+` rule's first wildcard comes later than the `*` of secret/data/*.
  EXPECT_EQ(acl.Capabilities("secret/data/zz/cfg"), unsigned(kCapDelete));
  EXPECT_EQ(acl.Capabilities("secret/data/app/deny-me"), 0u);
  EXPECT_EQ(acl.Capabilities("other/x"), 0u);
  // A list request of "a/b/" also matches an exact rule on "a/b".
  Policy q = MustParse(R"(path "kv/app" { capabilities = ["list"] })");
  EXPECT_EQ(Acl({&q}, false).Capabilities("kv/app/"), unsigned(kCapList));
}

TEST(AclTest, PoliciesMergeAndDenyWins) {
  Policy a = MustParse(R"(path "kv/*" { capabilities = ["read"] })");
  Policy b = MustParse(R"(path "kv/*" { capabilities = ["list"] })");
  Policy c = MustParse(R"(path "kv/secret" { capabilities = ["deny"] })");
  Acl acl({&a, &b, &c}, false);
  EXPECT_EQ(acl.Capabilities("kv/x"), unsigned(kCapRead | kCapList));
  EXPECT_EQ(acl.Capabilities("kv/secret"), 0u);
  EXPECT_TRUE(acl.AnyAccessUnder("kv/"));
  EXPECT_FALSE(acl.AnyAccessUnder("secret/"));
}

TEST(AclTest, EnforcedOnRequestsWithRecordedBodies) {
  EmulatorHarness h;
  ASSERT_EQ(h.Send("PUT", "/v1/sys/policies/acl/app-read",
                   R"({"policy":"path \"secret/data/app/*\" {\n  capabilities = [\"read\"]\n}\n"})")
                .status,
            204);
  auto listed = h.SendJson("LIST", "/v1/sys/policies/acl");
  ASSERT_EQ(listed["data"]["keys"].Size(), 3u);
  EXPECT_STREQ(listed["data"]["keys"][0].GetString(), "app-read");
  auto read = h.SendJson("GET", "/v1/sys/policies/acl/app-read");
  EXPECT_STREQ(read["data"]["policy"].GetString(),
               "path \"secret/data/app/*\" {\n  capabilities = [\"read\"]\n}\n");
  ASSERT_EQ(h.Send("POST", "/v1/secret/data/app/config", R"({"data":{"k":"v"}})").status, 200);

  auto token =
      h.SendJson("POST", "/v1/auth/token/create", R"({"policies":["app-read"],"ttl":"10m"})");
  std::string t = token["auth"]["client_token"].GetString();
  EXPECT_EQ(token["auth"]["policies"].Size(), 2u);
  EXPECT_EQ(h.Send("GET", "/v1/secret/data/app/config", "", t).status, 200);
  const std::string denied = "1 error occurred:\n\t* permission denied\n\n";
  auto other = h.Send("GET", "/v1/secret/data/other/secret", "", t);
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(FirstError(other.body), denied);
  EXPECT_EQ(h.Send("LIST", "/v1/secret/metadata/app", "", t).status, 403);
  EXPECT_EQ(h.Send("POST", "/v1/secret/data/app/config", R"({"data":{"x":"y"}})", t).status, 403);
  // The default policy lets a token look itself up, but not sys/mounts.
  EXPECT_EQ(h.Send("GET", "/v1/auth/token/lookup-self", "", t).status, 200);
  EXPECT_EQ(h.Send("GET", "/v1/sys/mounts", "", t).status, 403);
  // The mount probe answers for a mount the token can reach something under.
  EXPECT_EQ(h.Send("GET", "/v1/sys/internal/ui/mounts/secret/app", "", t).status, 200);
}

TEST(AclTest, CreateVersusUpdateFollowsExistence) {
  EmulatorHarness h;
  ASSERT_EQ(h.Send("PUT", "/v1/sys/policies/acl/creator",
                   R"({"policy":"path \"secret/data/*\" { capabilities = [\"create\"] }"})")
                .status,
            204);
  auto token = h.SendJson("POST", "/v1/auth/token/create", R"({"policies":["creator"]})");
  std::string t = token["auth"]["client_token"].GetString();
  EXPECT_EQ(h.Send("POST", "/v1/secret/data/new", R"({"data":{"a":"b"}})", t).status, 200);
  EXPECT_EQ(h.Send("POST", "/v1/secret/data/new", R"({"data":{"a":"c"}})", t).status, 403);
}

TEST(AclTest, PolicyErrors) {
  EmulatorHarness h;
  EXPECT_EQ(h.Send("PUT", "/v1/sys/policies/acl/bad", R"({"policy":"path \"a\" {"})").status, 400);
  EXPECT_EQ(h.Send("DELETE", "/v1/sys/policies/acl/default").status, 400);
  EXPECT_EQ(h.Send("PUT", "/v1/sys/policies/acl/root", R"({"policy":"path \"a\" {}"})").status,
            400);
  EXPECT_EQ(h.Send("GET", "/v1/sys/policies/acl/nope").status, 404);
}

}  // namespace
}  // namespace vaultsync::vaultemu
