// Tests for controller/source_merge.h and kv_discovery.h: the merge order path -> sources[] ->
// find[], key prefixes, optional sources, KeyConflict / LastWins, the two find key formats,
// recursive discovery with nameRegex and maxSecrets, and what the reads ask of the shared
// source (cache age, ttl, force, missing answers).
#include "controller/source_merge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes.h"

namespace vaultsync::controller {
namespace {
using namespace std::chrono_literals;
using testing::FakeSource;
using ::testing::HasSubstr;
using Entries = std::map<std::string, std::string>;

VaultStaticSecretSpec Spec(const std::string& spec_json) {
  auto doc = json::Parse(R"({"metadata":{"name":"x","namespace":"demo","uid":"u"},"spec":)" +
                         spec_json + "}");
  EXPECT_TRUE(doc.ok());
  auto v = DecodeVaultStaticSecret(*doc);
  EXPECT_TRUE(v.ok());
  EXPECT_TRUE(v->spec_error.ok()) << v->spec_error.ToString();
  return v->spec;
}

class SourceMergeTest : public ::testing::Test {
 protected:
  SourceMergeTest() {
    source_.clock = &clock_;
    identity_.key = "id-1";
    source_.Set("secret/app/db", {{"password", true, "p"}, {"username", true, "u"}}, 3);
    source_.Set("secret/shared/common", {{"region", true, "eu"}}, 7);
  }

  Result<GatheredData> Gather(const std::string& spec_json, GatherFailure* failure = nullptr,
                              ReadPolicy policy = {30s, false, false}) {
    spec_ = Spec(spec_json);
    auto compiled = CompiledFinds::Compile(spec_.More().finds);
    EXPECT_TRUE(compiled.ok());
    GatherFailure ignored;
    return GatherSecretData(source_, identity_, spec_, *compiled, policy,
                            failure ? failure : &ignored);
  }

  static Entries Map(const GatheredData& d) {
    Entries m;
    for (const auto& e : d.entries) m[e.key] = e.text;
    return m;
  }

  FakeClock clock_;
  FakeSource source_;
  VaultIdentity identity_;
  VaultStaticSecretSpec spec_;
};

TEST_F(SourceMergeTest, PathThenSourcesWithPrefixes) {
  auto got = Gather(R"({"mount":"secret","path":"app/db","destination":{"name":"d"},
      "sources":[{"path":"shared/common"},{"path":"app/db","keyPrefix":"DB_"}]})");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(Map(*got), (Entries{{"DB_password", "p"},
                                {"DB_username", "u"},
                                {"password", "p"},
                                {"region", "eu"},
                                {"username", "u"}}));
  EXPECT_EQ(got->path_version, 3);
  // One stamp per read; the two reads of app/db share one key (and so one schedule).
  ASSERT_EQ(got->stamps.size(), 3u);
  EXPECT_EQ(got->stamps[0].share_key, got->stamps[2].share_key);
  EXPECT_NE(got->stamps[0].share_key, got->stamps[1].share_key);
  EXPECT_EQ(DescribeSources(spec_, got->path_version),
            "secret/app/db (version 3) and 2 more sources");
}

TEST_F(SourceMergeTest, SourcesOnlyAndOtherMountsAndTypes) {
  source_.Set("kv/legacy", {{"token", true, "t"}}, std::nullopt, 600s);
  auto got = Gather(R"({"mount":"secret","destination":{"name":"d"},
      "sources":[{"path":"shared/common"},{"mount":"kv","path":"legacy","type":"kv-v1"}]})");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(Map(*got), (Entries{{"region", "eu"}, {"token", "t"}}));
  EXPECT_EQ(got->path_version, std::nullopt);
  ASSERT_EQ(source_.requests.size(), 2u);
  EXPECT_EQ(source_.requests[1].mount, "kv");
  EXPECT_EQ(source_.requests[1].type, KvType::kV1);
  ASSERT_EQ(got->stamps.size(), 2u);
  EXPECT_EQ(got->stamps[0].v1_ttl, std::nullopt);
  EXPECT_EQ(got->stamps[1].v1_ttl, 600s);
  EXPECT_EQ(DescribeSources(spec_), "2 sources");
}

TEST_F(SourceMergeTest, AKeyGivenTwiceIsAConflictNamingTheKeyAndBothSources) {
  source_.Set("secret/other/db", {{"password", true, "CANARY-other"}});
  GatherFailure f;
  auto got = Gather(R"({"mount":"secret","path":"app/db","destination":{"name":"d"},
      "sources":[{"path":"other/db"}]})",
                    &f);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(f.reason, "KeyConflict");
  EXPECT_THAT(f.status.message(), HasSubstr("\"password\""));
  EXPECT_THAT(f.status.message(), HasSubstr("spec.path (secret/app/db)"));
  EXPECT_THAT(f.status.message(), HasSubstr("sources[0] (secret/other/db)"));
  EXPECT_EQ(f.status.message().find("CANARY"), std::string::npos);
  // LastWins keeps the later source's value.
  auto last = Gather(R"({"mount":"secret","path":"app/db","destination":{"name":"d"},
      "onKeyConflict":"LastWins","sources":[{"path":"other/db"}]})");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(Map(*last)["password"], "CANARY-other");
  EXPECT_EQ(Map(*last)["username"], "u");
}

TEST_F(SourceMergeTest, AMissingOptionalSourceContributesNothingAMissingRequiredOneFails) {
  auto got = Gather(R"({"mount":"secret","path":"app/db","destination":{"name":"d"},
      "sources":[{"path":"not/there","optional":true}]})");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(Map(*got), (Entries{{"password", "p"}, {"username", "u"}}));
  ASSERT_EQ(source_.requests.size(), 2u);
  EXPECT_TRUE(source_.requests[1].accept_missing);  // a shared 404 will do for it
  EXPECT_FALSE(source_.requests[0].accept_missing);
  // A deleted version (kFailedPrecondition) is missing too.
  source_.SetError("secret/gone", Status(StatusCode::kFailedPrecondition, "deleted"));
  EXPECT_TRUE(Gather(R"({"mount":"secret","path":"app/db","destination":{"name":"d"},
      "sources":[{"path":"gone","optional":true}]})")
                  .ok());
  // Any other failure of an optional source fails the whole gathering.
  source_.SetError("secret/gone", Status(StatusCode::kPermissionDenied, "denied"));
  GatherFailure f;
  EXPECT_FALSE(Gather(R"({"mount":"secret","path":"app/db","destination":{"name":"d"},
      "sources":[{"path":"gone","optional":true}]})",
                      &f)
                   .ok());
  EXPECT_EQ(f.reason, "");  // a Vault failure: the caller maps it (PermissionDenied)
  EXPECT_EQ(f.status.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(f.status.message(), HasSubstr("reading sources[0] secret/gone from Vault"));
  // Not optional: NotFound fails.
  EXPECT_FALSE(Gather(R"({"mount":"secret","path":"app/db","destination":{"name":"d"},
      "sources":[{"path":"not/there"}]})",
                      &f)
                   .ok());
  EXPECT_EQ(f.status.code(), StatusCode::kNotFound);
}

TEST_F(SourceMergeTest, FindJsonGivesOneKeyPerSecretAsCompactJson) {
  source_.Set("secret/team-a/db", {{"password", true, "p\"1"}, {"port", false, "5432"}});
  source_.Set("secret/team-a/cache/redis", {{"url", true, "redis://r"}});
  source_.Set("secret/team-b/x", {{"k", true, "v"}});
  auto got = Gather(R"({"mount":"secret","destination":{"name":"d"},
      "find":[{"path":"team-a/"}]})");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(Map(*got), (Entries{{"cache_redis", R"({"url":"redis://r"})"},
                                {"db", R"({"password":"p\"1","port":5432})"}}));
  // The walk listed team-a/ and its sub-folder cache/, once each.
  ASSERT_EQ(source_.list_requests.size(), 2u);
  EXPECT_EQ(source_.list_requests[0].path, "team-a");
  EXPECT_EQ(source_.list_requests[1].path, "team-a/cache");
  EXPECT_EQ(source_.list_requests[0].max_age, 30s);
  // Found secrets are read like optional sources: deleted since the LIST, they are skipped.
  for (const auto& r : source_.requests) EXPECT_TRUE(r.accept_missing) << r.path;
  EXPECT_EQ(DescribeSources(spec_), "the secrets under secret/team-a/");
}

TEST_F(SourceMergeTest, FindFlattenAndNameRegexAndTheRoot) {
  source_.Set("secret/team-a/db", {{"password", true, "p"}});
  source_.Set("secret/team-a/cache/redis", {{"url", true, "r"}});
  auto got = Gather(R"({"mount":"secret","destination":{"name":"d"},
      "find":[{"path":"","nameRegex":"^team-a/","keyFormat":"flatten"}]})");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(Map(*got), (Entries{{"team-a_cache_redis_url", "r"}, {"team-a_db_password", "p"}}));
  EXPECT_EQ(source_.list_requests[0].path, "");  // the mount's root
  // Unanchored, like ESO's name.regexp: "db" matches team-a/db only.
  auto db = Gather(R"({"mount":"secret","destination":{"name":"d"},
      "find":[{"path":"team-a","nameRegex":"db$","keyFormat":"flatten"}]})");
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(Map(*db), (Entries{{"db_password", "p"}}));
}

TEST_F(SourceMergeTest, MoreMatchesThanMaxSecretsFailWithTooManySecrets) {
  for (int i = 0; i < 4; ++i) source_.Set("secret/many/s" + std::to_string(i), {{"k", true, "v"}});
  GatherFailure f;
  auto got = Gather(R"({"mount":"secret","destination":{"name":"d"},
      "find":[{"path":"many","maxSecrets":3}]})",
                    &f);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(f.reason, "TooManySecrets");
  EXPECT_THAT(f.status.message(), HasSubstr("find[0]: more than 3 secrets under secret/many/"));
  EXPECT_EQ(source_.reads, 0);  // nothing read before the count is known
  // The regex narrows it below the limit.
  EXPECT_TRUE(Gather(R"({"mount":"secret","destination":{"name":"d"},
      "find":[{"path":"many","maxSecrets":3,"nameRegex":"s[0-2]"}]})")
                  .ok());
}

TEST_F(SourceMergeTest, FoundKeysConflictWithOtherSourcesAndAListFailureFails) {
  source_.Set("secret/team-a/region", {{"x", true, "y"}});
  GatherFailure f;
  auto got = Gather(R"({"mount":"secret","destination":{"name":"d"},
      "sources":[{"path":"shared/common"}],"find":[{"path":"team-a"}]})",
                    &f);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(f.reason, "KeyConflict");
  EXPECT_THAT(f.status.message(), HasSubstr("find[0] (secret/team-a/region)"));
  source_.SetListError("secret/team-a", Status(StatusCode::kPermissionDenied, "no list"));
  got = Gather(R"({"mount":"secret","destination":{"name":"d"},"find":[{"path":"team-a"}]})", &f);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(f.reason, "");
  EXPECT_THAT(f.status.message(), HasSubstr("listing find[0] secret/team-a/ in Vault"));
}

TEST_F(SourceMergeTest, ThePolicyReachesEveryRead) {
  source_.Set("kv/a", {{"a", true, "1"}}, std::nullopt, 60s);
  source_.Set("secret/f/x", {{"b", true, "2"}});
  ASSERT_TRUE(Gather(R"({"mount":"secret","path":"app/db","destination":{"name":"d"},
      "sources":[{"mount":"kv","path":"a","type":"kv-v1"}],"find":[{"path":"f"}]})",
                     nullptr, ReadPolicy{20s, true, true})
                  .ok());
  ASSERT_EQ(source_.requests.size(), 3u);
  for (const auto& r : source_.requests) {
    EXPECT_TRUE(r.force) << r.path;
    EXPECT_EQ(r.max_age, 20s) << r.path;
    EXPECT_EQ(r.follow_ttl, r.type == KvType::kV1) << r.path;  // only kv-v1 follows a ttl
  }
  ASSERT_EQ(source_.list_requests.size(), 1u);
  EXPECT_TRUE(source_.list_requests[0].force);
}

TEST(CompiledFinds, OneRegexPerFind) {
  KvFindSpec all, some;
  some.name_regex = "^db";
  auto c = CompiledFinds::Compile({all, some});
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->name_regexes.size(), 2u);
  EXPECT_FALSE(c->name_regexes[0].has_value());
  EXPECT_TRUE(std::regex_search("db/x", *c->name_regexes[1]));
  some.name_regex = "(";
  auto bad = CompiledFinds::Compile({all, some});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("spec.find[1].nameRegex"));
}

}  // namespace
}  // namespace vaultsync::controller
