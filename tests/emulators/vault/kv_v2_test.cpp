// KV v2 behaviour of the emulator core, in-process: versions, cas, soft delete, destroy,
// metadata and listing, with the exact status codes and bodies Vault 1.8 gives.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "emulator_test_util.h"

namespace vaultsync::vaultemu {
namespace {

using testing::EmulatorHarness;
using testing::FirstError;

TEST(KvV2Test, WriteReadVersionsAndCas) {
  EmulatorHarness h;
  auto w = h.Send("POST", "/v1/secret/data/app/db", R"({"data":{"user":"a"}})");
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_EQ(w.body.back(), '\n');
  w = h.Send("POST", "/v1/secret/data/app/db", R"({"options":{"cas":1},"data":{"user":"b"}})");
  ASSERT_EQ(w.status, 200) << w.body;
  w = h.Send("POST", "/v1/secret/data/app/db", R"({"options":{"cas":1},"data":{"user":"c"}})");
  EXPECT_EQ(w.status, 400);
  EXPECT_EQ(w.body,
            "{\"errors\":[\"check-and-set parameter did not match the current version\"]}\n");
  w = h.Send("POST", "/v1/secret/data/app/db", R"({"options":{"cas":0},"data":{"user":"c"}})");
  EXPECT_EQ(w.status, 400);

  auto latest = h.SendJson("GET", "/v1/secret/data/app/db");
  EXPECT_STREQ(latest["data"]["data"]["user"].GetString(), "b");
  EXPECT_EQ(latest["data"]["metadata"]["version"].GetInt(), 2);
  auto v1 = h.SendJson("GET", "/v1/secret/data/app/db?version=1");
  EXPECT_STREQ(v1["data"]["data"]["user"].GetString(), "a");
  auto missing = h.Send("GET", "/v1/secret/data/app/db?version=7");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, "{\"errors\":[]}\n");
}

TEST(KvV2Test, SoftDeleteUndeleteDestroy) {
  EmulatorHarness h;
  ASSERT_EQ(h.Send("POST", "/v1/secret/data/a", R"({"data":{"k":"1"}})").status, 200);
  ASSERT_EQ(h.Send("POST", "/v1/secret/data/a", R"({"data":{"k":"2"}})").status, 200);
  h.clock.Advance(std::chrono::seconds(5));
  EXPECT_EQ(h.Send("DELETE", "/v1/secret/data/a").status, 204);
  auto deleted = h.Send("GET", "/v1/secret/data/a");
  EXPECT_EQ(deleted.status, 404);
  EXPECT_NE(deleted.body.back(), '\n');  // Vault writes this one without a newline
  auto doc = json::Parse(deleted.body);
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE((*doc)["data"]["data"].IsNull());
  EXPECT_STRNE((*doc)["data"]["metadata"]["deletion_time"].GetString(), "");

  EXPECT_EQ(h.Send("POST", "/v1/secret/undelete/a", R"({"versions":[2]})").status, 204);
  auto back = h.SendJson("GET", "/v1/secret/data/a");
  EXPECT_STREQ(back["data"]["data"]["k"].GetString(), "2");
  EXPECT_STREQ(back["data"]["metadata"]["deletion_time"].GetString(), "");

  EXPECT_EQ(h.Send("POST", "/v1/secret/destroy/a", R"({"versions":[1]})").status, 204);
  auto destroyed = h.SendJson("GET", "/v1/secret/data/a?version=1");
  EXPECT_TRUE(destroyed["data"]["metadata"]["destroyed"].GetBool());
  auto meta = h.SendJson("GET", "/v1/secret/metadata/a");
  EXPECT_EQ(meta["data"]["current_version"].GetInt(), 2);
  EXPECT_TRUE(meta["data"]["versions"]["1"]["destroyed"].GetBool());
  EXPECT_STREQ(meta["data"]["delete_version_after"].GetString(), "0s");

  EXPECT_EQ(h.Send("DELETE", "/v1/secret/metadata/a").status, 204);
  EXPECT_EQ(h.Send("GET", "/v1/secret/data/a").body, "{\"errors\":[]}\n");
}

TEST(KvV2Test, ListWithVerbAndQueryAndMissingFolder) {
  EmulatorHarness h;
  for (const char* p : {"app/db", "app/web", "app/nested/deep", "other"}) {
    ASSERT_EQ(h.Send("POST", std::string("/v1/secret/data/") + p, R"({"data":{"x":"y"}})").status,
              200);
  }
  auto listed = h.Send("LIST", "/v1/secret/metadata/app");
  ASSERT_EQ(listed.status, 200);
  EXPECT_NE(listed.body.find(R"("keys":["db","nested/","web"])"), std::string::npos);
  EXPECT_EQ(h.Send("GET", "/v1/secret/metadata/app?list=true").status, 200);
  auto root = h.Send("LIST", "/v1/secret/metadata/");
  EXPECT_NE(root.body.find(R"("keys":["app/","other"])"), std::string::npos);
  auto none = h.Send("LIST", "/v1/secret/metadata/nothing-here");
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(none.body, "{\"errors\":[]}\n");
}

TEST(KvV2Test, WriteErrorsAndV1StylePath) {
  EmulatorHarness h;
  auto nowrap = h.Send("POST", "/v1/secret/data/a", R"({"username":"admin"})");
  EXPECT_EQ(nowrap.status, 400);
  EXPECT_EQ(FirstError(nowrap.body), "no data provided");
  auto bad = h.Send("POST", "/v1/secret/data/a", R"({"data": {"a": })");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(FirstError(bad.body), "error parsing JSON");
  auto v1style = h.Send("GET", "/v1/secret/a");
  EXPECT_EQ(v1style.status, 404);
  auto doc = json::Parse(v1style.body);
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE((*doc)["data"].IsNull());
  EXPECT_EQ((*doc)["warnings"].Size(), 1u);
  EXPECT_EQ(h.Send("PATCH", "/v1/secret/data/a", "{}").body, "{\"errors\":[]}\n");
}

TEST(KvV2Test, BigIntegersLoseFloat64PrecisionAndKeysAreSorted) {
  EmulatorHarness h;
  ASSERT_EQ(h.Send("POST", "/v1/secret/data/t",
                   R"({"data":{"z":1,"big":12345678901234567890,"ratio":0.75,"n":null}})")
                .status,
            200);
  auto r = h.Send("GET", "/v1/secret/data/t");
  EXPECT_NE(r.body.find(R"("data":{"big":12345678901234567000,"n":null,"ratio":0.75,"z":1})"),
            std::string::npos)
      << r.body;
}

TEST(KvV2Test, MaxVersionsPrunesOldest) {
  EmulatorHarness h;
  ASSERT_EQ(h.Send("POST", "/v1/secret/metadata/p", R"({"max_versions":2})").status, 204);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(h.Send("POST", "/v1/secret/data/p", R"({"data":{"x":"y"}})").status, 200);
  }
  auto meta = h.SendJson("GET", "/v1/secret/metadata/p");
  EXPECT_EQ(meta["data"]["oldest_version"].GetInt(), 2);
  EXPECT_FALSE(meta["data"]["versions"].HasMember("1"));
  EXPECT_EQ(h.Send("GET", "/v1/secret/data/p?version=1").status, 404);
}

TEST(KvV2Test, ConcurrentWritersGetDistinctVersions) {
  EmulatorHarness h;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (h.Send("POST", "/v1/secret/data/c", R"({"data":{"x":"y"}})").status == 200) ++ok;
        h.Send("GET", "/v1/secret/data/c");
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 200);
  EXPECT_EQ(h.SendJson("GET", "/v1/secret/metadata/c")["data"]["current_version"].GetInt(), 200);
}

}  // namespace
}  // namespace vaultsync::vaultemu
