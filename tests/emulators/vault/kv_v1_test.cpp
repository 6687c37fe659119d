// KV v1 and mount management: enabling kv v1/v2 mounts, the ttl key as lease_duration,
// listing and deleting, and the mount descriptions clients use to detect the version.
#include <gtest/gtest.h>

#include "emulator_test_util.h"

namespace vaultsync::vaultemu {
namespace {

using testing::EmulatorHarness;
using testing::FirstError;

TEST(KvV1Test, TtlKeyBecomesLeaseDuration) {
  EmulatorHarness h;
  ASSERT_EQ(
      h.Send("POST", "/v1/sys/mounts/kv1", R"({"type":"kv","options":{"version":"1"}})").status,
      204);
  EXPECT_EQ(
      h.Send("POST", "/v1/kv1/app/config", R"({"user":"svc","password":"pw","ttl":"30m"})").status,
      204);
  auto read = h.Send("GET", "/v1/kv1/app/config");
  ASSERT_EQ(read.status, 200);
  EXPECT_NE(
      read.body.find(R"("lease_duration":1800,"data":{"password":"pw","ttl":"30m","user":"svc"})"),
      std::string::npos)
      << read.body;
  ASSERT_EQ(h.Send("POST", "/v1/kv1/app/other", R"({"a":"b"})").status, 204);
  auto plain = h.SendJson("GET", "/v1/kv1/app/other");
  EXPECT_EQ(plain["lease_duration"].GetInt(), 2764800);  // 768h, the dev default
  auto list = h.Send("LIST", "/v1/kv1/app");
  EXPECT_NE(list.body.find(R"("keys":["config","other"])"), std::string::npos);
  EXPECT_EQ(h.Send("DELETE", "/v1/kv1/app/config").status, 204);
  EXPECT_EQ(h.Send("GET", "/v1/kv1/app/config").body, "{\"errors\":[]}\n");
  EXPECT_EQ(FirstError(h.Send("POST", "/v1/kv1/app/x", "").body), "no data provided");
}

TEST(MountsTest, EnableDescribeDisable) {
  EmulatorHarness h;
  ASSERT_EQ(h.Send("POST", "/v1/sys/mounts/kv2b", R"({"type":"kv-v2"})").status, 204);
  auto probe = h.SendJson("GET", "/v1/sys/internal/ui/mounts/kv2b/x/y");
  EXPECT_STREQ(probe["data"]["type"].GetString(), "kv");
  EXPECT_STREQ(probe["data"]["options"]["version"].GetString(), "2");
  auto again = h.Send("POST", "/v1/sys/mounts/kv2b", R"({"type":"kv"})");
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(FirstError(again.body), "path is already in use at kv2b/");
  EXPECT_EQ(h.Send("POST", "/v1/sys/mounts/x", R"({"type":"nope"})").status, 400);
  auto mounts = h.SendJson("GET", "/v1/sys/mounts");
  for (const char* m : {"secret/", "kv2b/", "sys/", "identity/", "cubbyhole/"}) {
    EXPECT_TRUE(mounts.HasMember(m)) << m;
    EXPECT_TRUE(mounts["data"].HasMember(m)) << m;
  }
  EXPECT_EQ(h.Send("DELETE", "/v1/sys/mounts/kv2b").status, 204);
  EXPECT_EQ(h.Send("GET", "/v1/kv2b/data/a").status, 404);
  EXPECT_EQ(h.Send("DELETE", "/v1/sys/mounts/sys").status, 400);
}

TEST(MountsTest, SeveralKvMountsAreIndependent) {
  EmulatorHarness h;
  ASSERT_EQ(
      h.Send("POST", "/v1/sys/mounts/team-a", R"({"type":"kv","options":{"version":"2"}})").status,
      204);
  ASSERT_EQ(h.Send("POST", "/v1/team-a/data/s", R"({"data":{"v":"a"}})").status, 200);
  ASSERT_EQ(h.Send("POST", "/v1/secret/data/s", R"({"data":{"v":"s"}})").status, 200);
  EXPECT_STREQ(h.SendJson("GET", "/v1/team-a/data/s")["data"]["data"]["v"].GetString(), "a");
  EXPECT_STREQ(h.SendJson("GET", "/v1/secret/data/s")["data"]["data"]["v"].GetString(), "s");
}

}  // namespace
}  // namespace vaultsync::vaultemu
