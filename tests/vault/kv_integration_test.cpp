// The KV functions against the vault-emulator over loopback: kv-v2 versions, cas, soft
// delete and destroy, metadata, listing; kv-v1 with its ttl; mount detection.
#include <gtest/gtest.h>

#include "emulator_env.h"
#include "vault/kv.h"

namespace vaultsync::vault {
namespace {

using testing::EmulatorEnv;

KvData Data(std::initializer_list<std::pair<const char*, const char*>> kv) {
  KvData d;
  for (auto [k, v] : kv) d.emplace_back(k, KvValue::String(v));
  return d;
}

TEST(KvV2Integration, VersionsCasSoftDeleteAndDestroy) {
  EmulatorEnv env;
  ASSERT_TRUE(env.ok());
  auto client = env.NewClient();
  Session s = env.TokenSession(client);

  auto w1 = KvV2Write(s, "secret", "app/db", Data({{"username", "admin"}, {"password", "one"}}));
  ASSERT_TRUE(w1.ok()) << w1.status().ToString();
  EXPECT_EQ(w1->version, 1);
  auto w2 = KvV2Write(s, "secret", "app/db", Data({{"username", "admin"}, {"password", "two"}}), 1);
  ASSERT_TRUE(w2.ok()) << w2.status().ToString();
  EXPECT_EQ(w2->version, 2);
  auto stale = KvV2Write(s, "secret", "app/db", Data({{"password", "lost"}}), 1);
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict) << stale.status().ToString();
  EXPECT_EQ(KvV2Write(s, "secret", "app/db", Data({{"k", "v"}}), 0).status().code(),
            StatusCode::kConflict);

  auto latest = KvV2Read(s, "secret", "app/db");
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ(latest->version, 2);
  EXPECT_EQ(latest->data, Data({{"password", "two"}, {"username", "admin"}}));
  EXPECT_FALSE(latest->created_time.empty());
  auto v1 = KvV2Read(s, "secret", "app/db", 1);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->data, Data({{"password", "one"}, {"username", "admin"}}));

  auto md = KvV2ReadMetadata(s, "secret", "app/db");
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  EXPECT_EQ(md->current_version, 2);
  ASSERT_EQ(md->versions.size(), 2u);

  // Soft delete of the latest version (what `vault kv delete` does).
  ASSERT_EQ(env.Api("DELETE", "secret/data/app/db").status, 204);
  auto deleted = KvV2Read(s, "secret", "app/db");
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(deleted.status().message().find("version 2 of secret/app/db was deleted at "),
            std::string::npos)
      << deleted.status().message();
  // Older versions stay readable.
  EXPECT_TRUE(KvV2Read(s, "secret", "app/db", 1).ok());

  env.Setup("POST", "secret/destroy/app/db", R"({"versions":[1]})");
  auto destroyed = KvV2Read(s, "secret", "app/db", 1);
  EXPECT_EQ(destroyed.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(destroyed.status().message().find("version 1 of secret/app/db was destroyed"),
            std::string::npos)
      << destroyed.status().message();
  md = KvV2ReadMetadata(s, "secret", "app/db");
  ASSERT_TRUE(md.ok());
  EXPECT_TRUE(md->versions[0].destroyed);
  EXPECT_FALSE(md->versions[1].deletion_time.empty());

  ASSERT_TRUE(KvV2Delete(s, "secret", "app/db").ok());
  EXPECT_EQ(KvV2Read(s, "secret", "app/db").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(KvV2ReadMetadata(s, "secret", "app/db").status().code(), StatusCode::kNotFound);
}

TEST(KvV2Integration, TypedValuesAndListing) {
  EmulatorEnv env;
  ASSERT_TRUE(env.ok());
  auto client = env.NewClient();
  Session s = env.TokenSession(client);
  env.Setup("POST", "secret/data/app/typed",
            R"({"data":{"port":5432,"enabled":true,"list":["a",1],"nothing":null,"s":"x<y"}})");
  ASSERT_TRUE(KvV2Write(s, "secret", "app/nested/deep", Data({{"k", "v"}})).ok());
  auto typed = KvV2Read(s, "secret", "app/typed");
  ASSERT_TRUE(typed.ok()) << typed.status().ToString();
  KvData want = {{"enabled", KvValue::Json("true")},
                 {"list", KvValue::Json(R"(["a",1])")},
                 {"nothing", KvValue::Json("null")},
                 {"port", KvValue::Json("5432")},
                 {"s", KvValue::String("x<y")}};
  EXPECT_EQ(typed->data, want);

  auto keys = KvV2List(s, "secret", "app");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(*keys, (std::vector<std::string>{"nested/", "typed"}));
  auto root = KvV2List(s, "secret", "");
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(*root, (std::vector<std::string>{"app/"}));
  EXPECT_EQ(KvV2List(s, "secret", "nothing-here").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env.Count("LIST /v1/secret/metadata/app"), 1);
}

TEST(KvV1Integration, TtlListWriteDelete) {
  EmulatorEnv env;
  ASSERT_TRUE(env.ok());
  env.Setup("POST", "sys/mounts/kv1", R"({"type":"kv","options":{"version":"1"}})");
  auto client = env.NewClient();
  Session s = env.TokenSession(client);

  ASSERT_TRUE(
      KvV1Write(s, "kv1", "app/config", Data({{"user", "svc"}, {"password", "pw"}, {"ttl", "30m"}}))
          .ok());
  ASSERT_TRUE(KvV1Write(s, "kv1", "app/other", Data({{"k", "v"}})).ok());
  auto secret = KvV1Read(s, "kv1", "app/config");
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_EQ(secret->lease_duration, std::chrono::seconds(1800));
  EXPECT_EQ(secret->data, Data({{"password", "pw"}, {"ttl", "30m"}, {"user", "svc"}}));
  auto plain = KvV1Read(s, "kv1", "app/other");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->lease_duration.has_value());

  auto keys = KvV1List(s, "kv1", "app");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(*keys, (std::vector<std::string>{"config", "other"}));
  ASSERT_TRUE(KvV1Delete(s, "kv1", "app/config").ok());
  EXPECT_EQ(KvV1Read(s, "kv1", "app/config").status().code(), StatusCode::kNotFound);
}

TEST(MountIntegration, DetectsKvVersions) {
  EmulatorEnv env;
  ASSERT_TRUE(env.ok());
  env.Setup("POST", "sys/mounts/kv1", R"({"type":"kv","options":{"version":"1"}})");
  auto client = env.NewClient();
  Session s = env.TokenSession(client);
  auto v2 = DetectMount(s, "secret", "app/db");
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(v2->version, KvVersion::kV2);
  EXPECT_EQ(v2->path, "secret");
  auto v1 = DetectMount(s, "kv1", "app/config");
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(v1->version, KvVersion::kV1);
  auto none = DetectMount(s, "nomount", "foo");
  EXPECT_EQ(none.status().code(), StatusCode::kPermissionDenied) << none.status().ToString();
  EXPECT_NE(none.status().message().find("--kv-version"), std::string::npos);
}

}  // namespace
}  // namespace vaultsync::vault
