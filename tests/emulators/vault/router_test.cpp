// The router's order of checks and Vault's answers for them: no token, bad token, sealed,
// unknown path, unsupported verb; and sys/health in its states.
#include <gtest/gtest.h>

#include "emulator_test_util.h"

namespace vaultsync::vaultemu {
namespace {

using testing::EmulatorHarness;
using testing::FirstError;

TEST(RouterTest, MissingAndBadTokens) {
  EmulatorHarness h;
  auto none = h.Send("GET", "/v1/secret/data/app", "", "");
  EXPECT_EQ(none.status, 400);
  EXPECT_EQ(none.body, "{\"errors\":[\"missing client token\"]}\n");
  auto bad = h.Send("GET", "/v1/secret/data/app", "", "s.doesnotexist00000000000");
  EXPECT_EQ(bad.status, 403);
  EXPECT_EQ(bad.body, "{\"errors\":[\"permission denied\"]}\n");
}

TEST(RouterTest, HeadersOnEveryAnswer) {
  EmulatorHarness h;
  auto r = h.Send("DELETE", "/v1/secret/data/x");
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(emu::ServerRequest{.headers = r.headers}.Header("Cache-Control"), "no-store");
  EXPECT_EQ(emu::ServerRequest{.headers = r.headers}.Header("Content-Type"), "application/json");
}

TEST(RouterTest, UnknownMountAndUiMountsProbe) {
  EmulatorHarness h;
  auto r = h.Send("GET", "/v1/nomount/foo");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(FirstError(r.body), "no handler for route 'nomount/foo'");
  auto probe = h.SendJson("GET", "/v1/sys/internal/ui/mounts/secret/foo");
  EXPECT_STREQ(probe["data"]["options"]["version"].GetString(), "2");
  EXPECT_STREQ(probe["data"]["path"].GetString(), "secret/");
  auto unknown = h.Send("GET", "/v1/sys/internal/ui/mounts/nomount/foo");
  EXPECT_EQ(unknown.status, 403);
  EXPECT_EQ(FirstError(unknown.body),
            "preflight capability check returned 403, please ensure client's policies grant "
            "access to path \"nomount/foo/\"");
  EXPECT_EQ(h.Send("GET", "/v1/sys/internal/ui/mounts/secret/foo", "", "").status, 400);
}

TEST(RouterTest, SealedAnswersAndUnseal) {
  EmulatorHarness h;
  std::string key = h.emulator->unseal_key();
  EXPECT_EQ(h.Send("PUT", "/v1/sys/seal").status, 204);
  auto with_token = h.Send("GET", "/v1/secret/data/app");
  EXPECT_EQ(with_token.status, 503);
  EXPECT_EQ(FirstError(with_token.body), "error performing token check: Vault is sealed");
  auto without = h.Send("GET", "/v1/secret/data/app", "", "");
  EXPECT_EQ(FirstError(without.body), "Vault is sealed");
  auto health = h.SendJson("GET", "/v1/sys/health", "", "");
  EXPECT_TRUE(health["sealed"].GetBool());
  EXPECT_FALSE(health.HasMember("cluster_name"));
  EXPECT_EQ(h.Send("GET", "/v1/sys/health?standbyok=true", "", "").status, 503);
  EXPECT_EQ(h.Send("GET", "/v1/sys/health?sealedcode=200", "", "").status, 200);
  auto wrong = h.Send("PUT", "/v1/sys/unseal",
                      R"({"key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="})", "");
  EXPECT_EQ(wrong.status, 500);
  auto ok = h.SendJson("PUT", "/v1/sys/unseal", "{\"key\":\"" + key + "\"}", "");
  EXPECT_FALSE(ok["sealed"].GetBool());
  EXPECT_EQ(h.Send("GET", "/v1/sys/health", "", "").status, 200);
}

TEST(RouterTest, HealthFollowsServerState) {
  EmulatorHarness h;
  auto set = [&](const std::string& body) {
    emu::ServerRequest req;
    req.method = "POST";
    req.body = body;
    ASSERT_EQ(h.emulator->HandleServerStateControl(req).status, 200);
  };
  set(R"({"standby":true})");
  EXPECT_EQ(h.Send("GET", "/v1/sys/health", "", "").status, 429);
  EXPECT_EQ(h.Send("GET", "/v1/sys/health?standbyok=true", "", "").status, 200);
  set(R"({"standby":false,"performance_standby":true})");
  EXPECT_EQ(h.Send("GET", "/v1/sys/health", "", "").status, 473);
  set(R"({"performance_standby":false,"dr_secondary":true})");
  EXPECT_EQ(h.Send("GET", "/v1/sys/health", "", "").status, 472);
  set(R"({"dr_secondary":false,"initialized":false})");
  EXPECT_EQ(h.Send("GET", "/v1/sys/health", "", "").status, 501);
}

}  // namespace
}  // namespace vaultsync::vaultemu
