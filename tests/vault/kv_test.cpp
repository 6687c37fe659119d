// KV v1 and v2 over a scripted transport answering with recorded Vault bodies: paths and
// verbs sent, versions, soft delete and destroy, cas, ttl, mount detection.
#include "vault/kv.h"

#include <gtest/gtest.h>

#include <map>

#include "fake_vault.h"
#include "reference_bodies.h"
#include "util/json.h"

namespace vaultsync::vault {
namespace {

using testing::FakeTransport;
using testing::FakeVault;
using testing::JsonResponse;
namespace ref = testing;

// Answers "METHOD target" from a table; anything else is a 404 with Vault's empty errors.
FakeTransport::Handler Table(std::map<std::string, http::Response> routes) {
  return [routes](const http::Request& r) -> Result<http::Response> {
    auto it = routes.find(r.method + " " + r.target);
    if (it == routes.end()) return JsonResponse(404, std::string(ref::kNotFoundEmpty));
    return it->second;
  };
}

struct Fixture {
  explicit Fixture(std::map<std::string, http::Response> routes) : v(Table(std::move(routes))) {
    AuthConfig auth;
    auth.method = AuthConfig::kToken;
    auth.token = "s.roottoken";
    session.emplace(std::make_shared<TokenManager>(v.client, auth));
  }
  FakeVault v;
  std::optional<Session> session;
};

TEST(KvV2, ReadsLatestWithMetadata) {
  Fixture f({{"GET /v1/secret/data/app/db", JsonResponse(200, std::string(ref::kKv2Read))}});
  std::string raw;
  auto s = KvV2Read(*f.session, "secret", "app/db", std::nullopt, &raw);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  KvData want = {{"password", KvValue::String("n3w-pass")}, {"username", KvValue::String("admin")}};
  EXPECT_EQ(s->data, want);
  EXPECT_EQ(s->version, 2);
  EXPECT_EQ(s->created_time, "2026-11-23T09:48:12.384635017Z");
  EXPECT_FALSE(s->lease_duration.has_value());
  EXPECT_EQ(raw, ref::kKv2Read);
  auto req = f.v.transport->requests().at(0);
  EXPECT_EQ(http::FindHeader(req.headers, "X-Vault-Token"), "s.roottoken");
}

TEST(KvV2, ReadsAGivenVersionAndCleansThePath) {
  Fixture f(
      {{"GET /v1/secret/data/app/db?version=1", JsonResponse(200, std::string(ref::kKv2ReadV1))}});
  auto s = KvV2Read(*f.session, "/secret/", "/app/db/", 1);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->version, 1);
}

TEST(KvV2, EscapesPathCharacters) {
  Fixture f({});
  (void)KvV2Read(*f.session, "secret", "my app/db?x#y");
  EXPECT_EQ(f.v.transport->requests().at(0).target, "/v1/secret/data/my%20app/db%3Fx%23y");
}

TEST(KvV2, RejectsTraversal) {
  Fixture f({});
  for (const char* p : {"../sys/policies", "a/../../b", "a//b", "./a", ""}) {
    EXPECT_EQ(KvV2Read(*f.session, "secret", p).status().code(), StatusCode::kInvalidArgument) << p;
  }
  EXPECT_EQ(KvV2Read(*f.session, "..", "a").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(f.v.transport->requests().empty());
}

TEST(KvV2, SoftDeletedVersionIsReportedNotEmpty) {
  Fixture f({{"GET /v1/secret/data/app/db", JsonResponse(404, std::string(ref::kKv2ReadDeleted))}});
  auto s = KvV2Read(*f.session, "secret", "app/db");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.status().message().find(
                "version 2 of secret/app/db was deleted at 2026-11-23T09:48:12.756721897Z"),
            std::string::npos)
      << s.status().message();
  EXPECT_EQ(f.v.transport->requests().size(), 1u);
}

TEST(KvV2, DestroyedVersionIsReported) {
  Fixture f({{"GET /v1/secret/data/app/db?version=1",
              JsonResponse(404, std::string(ref::kKv2ReadDestroyed))}});
  auto s = KvV2Read(*f.session, "secret", "app/db", 1);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.status().message().find("version 1 of secret/app/db was destroyed"),
            std::string::npos);
}

// Found by the vault_responses fuzzer (tests/fuzz/regressions/vault_responses/
// kv2-404-echoes-token): a 404 whose errors quote the token went around the Client's
// redaction, because KvV2Read took every 404 as an answer to look for deleted metadata.
TEST(KvV2, NotFoundQuotingTheTokenIsRedacted) {
  const std::string body = R"({"errors":["no handler s.roottoken for route 'nomount/foo'"]})";
  Fixture f({{"GET /v1/secret/data/app/db", JsonResponse(404, body)}});
  auto s = KvV2Read(*f.session, "secret", "app/db");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s.status().message().find("s.roottoken"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("<redacted>"), std::string::npos) << s.status().message();
}

// A deletion time that is not a time is not quoted (it could be anything the body carried).
TEST(KvV2, DeletionTimeIsQuotedOnlyWhenItIsATime) {
  const std::string body =
      R"({"data":{"data":null,"metadata":{"version":2,"deletion_time":"s.roottoken",)"
      R"("destroyed":false}},"errors":[]})";
  Fixture f({{"GET /v1/secret/data/app/db", JsonResponse(404, body)}});
  auto s = KvV2Read(*f.session, "secret", "app/db");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.status().message().find("s.roottoken"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("version 2 of secret/app/db was deleted (soft delete"),
            std::string::npos)
      << s.status().message();
}

TEST(KvV2, MissingSecretIsNotFound) {
  Fixture f({});
  auto s = KvV2Read(*f.session, "secret", "app/missing");
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s.status().http_status(), 404);
  EXPECT_NE(s.status().message().find("secret/data/app/missing"), std::string::npos);
}

TEST(KvV2, ReadsMetadata) {
  Fixture f({{"GET /v1/secret/metadata/app/db",
              JsonResponse(200, std::string(ref::kKv2MetadataDestroyed))}});
  auto md = KvV2ReadMetadata(*f.session, "secret", "app/db");
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  EXPECT_EQ(md->current_version, 2);
  EXPECT_EQ(md->delete_version_after, "0s");
  ASSERT_EQ(md->versions.size(), 2u);
  EXPECT_EQ(md->versions[0].version, 1);
  EXPECT_TRUE(md->versions[0].destroyed);
  EXPECT_EQ(md->versions[1].version, 2);
  EXPECT_FALSE(md->versions[1].destroyed);
  EXPECT_EQ(md->versions[1].created_time, "2026-11-23T09:48:12.384635017Z");
}

TEST(KvV2, ListsWithTheListVerb) {
  Fixture f({{"LIST /v1/secret/metadata/app", JsonResponse(200, std::string(ref::kKv2List))},
             {"LIST /v1/secret/metadata/", JsonResponse(200, std::string(ref::kKv2List))}});
  auto keys = KvV2List(*f.session, "secret", "app/");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(*keys, (std::vector<std::string>{"db", "nested/", "web"}));
  EXPECT_TRUE(KvV2List(*f.session, "secret", "").ok());
  EXPECT_EQ(KvV2List(*f.session, "secret", "nothing-here").status().code(), StatusCode::kNotFound);
}

TEST(KvV2, WritesWithAndWithoutCas) {
  Fixture f({{"POST /v1/secret/data/app/db", JsonResponse(200, std::string(ref::kKv2Write))}});
  KvData data = {{"password", KvValue::String("pw")}, {"port", KvValue::Json("5432")}};
  auto w = KvV2Write(*f.session, "secret", "app/db", data);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->version, 1);
  EXPECT_EQ(w->created_time, "2026-11-23T09:48:12.356260116Z");
  ASSERT_TRUE(KvV2Write(*f.session, "secret", "app/db", data, 0).ok());
  auto reqs = f.v.transport->requests();
  EXPECT_EQ(reqs[0].body, R"({"data":{"password":"pw","port":5432}})");
  EXPECT_EQ(reqs[1].body, R"({"options":{"cas":0},"data":{"password":"pw","port":5432}})");
}

TEST(KvV2, CasMismatchIsConflict) {
  Fixture f(
      {{"POST /v1/secret/data/app/db", JsonResponse(400, std::string(ref::kKv2CasMismatch))}});
  auto w = KvV2Write(*f.session, "secret", "app/db", {{"k", KvValue::String("v")}}, 1);
  EXPECT_EQ(w.status().code(), StatusCode::kConflict);
  EXPECT_EQ(f.v.transport->requests().size(), 1u);
}

TEST(KvV2, DeleteRemovesMetadataAndAllVersions) {
  Fixture f({{"DELETE /v1/secret/metadata/app/db", JsonResponse(204, "")}});
  EXPECT_TRUE(KvV2Delete(*f.session, "secret", "app/db").ok());
  EXPECT_EQ(f.v.transport->Count("DELETE /v1/secret/metadata/app/db"), 1);
}

TEST(KvV1, ReadReportsTtlAsLeaseDuration) {
  Fixture f({{"GET /v1/kv1/app/config", JsonResponse(200, std::string(ref::kKv1Read))}});
  std::string raw;
  auto s = KvV1Read(*f.session, "kv1", "app/config", &raw);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->lease_duration, std::chrono::seconds(1800));
  EXPECT_FALSE(s->version.has_value());
  KvData want = {{"password", KvValue::String("pw")},
                 {"ttl", KvValue::String("30m")},
                 {"user", KvValue::String("svc")}};
  EXPECT_EQ(s->data, want);
  EXPECT_EQ(raw, ref::kKv1Read);
}

TEST(KvV1, NoTtlKeyMeansNoLease) {
  // Vault reports the mount's default lease (768h) when there is no ttl key: meaningless.
  Fixture f({{"GET /v1/kv1/app/plain",
              JsonResponse(200, R"({"lease_duration":2764800,"data":{"user":"svc"}})")},
             {"GET /v1/kv1/app/numeric",
              JsonResponse(200, R"({"lease_duration":0,"data":{"ttl":90}})")}});
  auto plain = KvV1Read(*f.session, "kv1", "app/plain");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->lease_duration.has_value());
  auto numeric = KvV1Read(*f.session, "kv1", "app/numeric");
  ASSERT_TRUE(numeric.ok());
  EXPECT_EQ(numeric->lease_duration, std::chrono::seconds(90));
}

TEST(KvV1, ListWriteDelete) {
  Fixture f({{"LIST /v1/kv1/app", JsonResponse(200, std::string(ref::kKv1List))},
             {"POST /v1/kv1/app/config", JsonResponse(204, "")},
             {"DELETE /v1/kv1/app/config", JsonResponse(204, "")}});
  auto keys = KvV1List(*f.session, "kv1", "app");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_FALSE(keys->empty());
  ASSERT_TRUE(KvV1Write(*f.session, "kv1", "app/config",
                        {{"ttl", KvValue::String("30m")}, {"user", KvValue::String("svc")}})
                  .ok());
  EXPECT_EQ(f.v.transport->requests().back().body, R"({"ttl":"30m","user":"svc"})");
  EXPECT_TRUE(KvV1Delete(*f.session, "kv1", "app/config").ok());
  EXPECT_EQ(KvRead(*f.session, KvVersion::kV1, "kv1", "a", 2).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(KvWrite(*f.session, KvVersion::kV1, "kv1", "a", {}, 1).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(DetectMount, ReadsVersionFromUiMounts) {
  Fixture f(
      {{"GET /v1/sys/internal/ui/mounts/secret/foo",
        JsonResponse(200, std::string(ref::kUiMountsSecret))},
       {"GET /v1/sys/internal/ui/mounts/kv1", JsonResponse(200, std::string(ref::kUiMountsKv1))},
       {"GET /v1/sys/internal/ui/mounts/pki",
        JsonResponse(200, R"({"data":{"type":"pki","path":"pki/","options":null}})")}});
  auto v2 = DetectMount(*f.session, "secret", "foo");
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(v2->version, KvVersion::kV2);
  EXPECT_EQ(v2->path, "secret");
  EXPECT_EQ(v2->type, "kv");
  auto v1 = DetectMount(*f.session, "kv1");
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->version, KvVersion::kV1);
  EXPECT_EQ(v1->path, "kv1");
  auto pki = DetectMount(*f.session, "pki");
  EXPECT_EQ(pki.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(pki.status().message().find("\"pki\" secrets engine"), std::string::npos);
}

// What a mount reports is quoted only when it has the shape of an engine type or a version:
// a token (or anything else) in those fields never reaches a condition or a log. Found by the
// vault_responses fuzzer (tests/fuzz/regressions/vault_responses/mount-version-echoes-token).
TEST(DetectMount, ValuesOfTheWrongShapeAreNotQuoted) {
  const std::string token = "hvs.CAESIJ-not-a-real-token";
  Fixture f(
      {{"GET /v1/sys/internal/ui/mounts/a",
        JsonResponse(
            200, R"({"data":{"type":"kv","path":"a/","options":{"version":")" + token + R"("}}})")},
       {"GET /v1/sys/internal/ui/mounts/b",
        JsonResponse(200, R"({"data":{"type":")" + token + R"(","path":")" + token +
                              R"(/","options":null}})")},
       {"GET /v1/sys/internal/ui/mounts/c",
        JsonResponse(200, R"({"data":{"type":"kv","path":"c/","options":{"version":"3"}}})")}});
  auto a = DetectMount(*f.session, "a");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().message().find(token), std::string::npos) << a.status().message();
  EXPECT_NE(a.status().message().find("neither 1 nor 2"), std::string::npos);
  auto b = DetectMount(*f.session, "b");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message().find(token), std::string::npos) << b.status().message();
  EXPECT_NE(b.status().message().find("mount \"b\" is an unknown secrets engine"),
            std::string::npos)
      << b.status().message();
  auto c = DetectMount(*f.session, "c");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("unknown KV version \"3\""), std::string::npos);
}

TEST(DetectMount, PreflightRefusalSuggestsSettingTheVersion) {
  Fixture f({{"GET /v1/sys/internal/ui/mounts/nomount/foo",
              JsonResponse(403, std::string(ref::kUiMountsPreflight403))},
             // the 403 makes the session check the token once: it is alive
             {"GET /v1/auth/token/lookup-self", JsonResponse(200, std::string(ref::kLookupSelf))}});
  auto m = DetectMount(*f.session, "nomount", "foo");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(m.status().message().find("preflight capability check"), std::string::npos);
  EXPECT_NE(m.status().message().find("--kv-version"), std::string::npos);
}

TEST(DetectMount, ARefusedTokenIsReportedAsSuchNotAsADetectionFailure) {
  Fixture f({{"GET /v1/sys/internal/ui/mounts/secret/foo",
              JsonResponse(403, R"({"errors":["permission denied"]})")},
             {"GET /v1/auth/token/lookup-self",
              JsonResponse(403, R"({"errors":["permission denied"]})")}});
  auto m = DetectMount(*f.session, "secret", "foo");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(m.status().message().find("cannot detect the KV version"), std::string::npos)
      << m.status().message();
  EXPECT_EQ(m.status().message().find("--kv-version"), std::string::npos);
}

// A secret value and the token are planted; every failing KV call (Vault refusing, a proxy
// echoing the request body, malformed or mistyped answers containing the value) is checked:
// neither may appear in the Status message nor in anything the client logged.
TEST(KvSecrecy, CanaryValuesNeverAppearInErrorsOrLogs) {
  const std::string canary = "CANARY-SECRET-VALUE-7731";
  const std::string token = "s.CANARYTOKEN0042";
  enum Mode { kEcho, kTruncated, kMistyped, k403, k404, k429, k500, k503 };
  for (Mode mode : {kEcho, kTruncated, kMistyped, k403, k404, k429, k500, k503}) {
    FakeVault v([&](const http::Request& r) -> Result<http::Response> {
      switch (mode) {
        case kEcho:  // a proxy that puts the request (body and headers) into its error
          return JsonResponse(
              400, R"({"errors":[)" + json::Quote(r.body) + "," +
                       json::Quote(std::string(http::FindHeader(r.headers, "X-Vault-Token"))) +
                       "]}");
        case kTruncated:
          return JsonResponse(200, R"({"data":{"data":{"pw":")" + canary + R"(")");
        case kMistyped:
          return JsonResponse(200, R"({"data":{"data":")" + canary + R"(","keys":")" + canary +
                                       R"(","version":")" + canary + R"(","type":[")" + canary +
                                       R"("],"metadata":{"version":")" + canary + R"("}}})");
        case k403:
          return JsonResponse(403, ref::kPermissionDenied);
        case k404:
          return JsonResponse(404, ref::kNotFoundEmpty);
        case k429:
          return JsonResponse(429, ref::kRateLimited);
        case k500:
          return JsonResponse(500, R"({"errors":["internal error"]})");
        case k503:
          return JsonResponse(503, ref::kSealedWithToken);
      }
      return JsonResponse(500, "");
    });
    AuthConfig auth;
    auth.method = AuthConfig::kToken;
    auth.token = token;
    Session s(std::make_shared<TokenManager>(v.client, auth));
    KvData data = {{"pw", KvValue::String(canary)}, {"json", KvValue::Json("\"" + canary + "\"")}};
    std::vector<Status> errors = {
        KvV2Write(s, "secret", "app/db", data, 3).status(),
        KvV1Write(s, "kv1", "app/db", data),
        KvV2Read(s, "secret", "app/db").status(),
        KvV2Read(s, "secret", "app/db", 4).status(),
        KvV2ReadMetadata(s, "secret", "app/db").status(),
        KvV1Read(s, "kv1", "app/db").status(),
        KvV2List(s, "secret", "app").status(),
        KvV1List(s, "kv1", "app").status(),
        KvV2Delete(s, "secret", "app/db"),
        DetectMount(s, "secret", "app").status(),
    };
    int failed = 0;
    for (const Status& st : errors) {
      if (st.ok()) continue;  // a delete or kv-v1 write does not read a 200's body
      ++failed;
      EXPECT_EQ(st.ToString().find(canary), std::string::npos) << st.ToString();
      EXPECT_EQ(st.ToString().find(token), std::string::npos) << st.ToString();
    }
    EXPECT_GE(failed, 7) << mode;
    std::string logs = v.log_sink.str();
    EXPECT_EQ(logs.find(canary), std::string::npos) << logs;
    EXPECT_EQ(logs.find(token), std::string::npos) << logs;
  }
}

}  // namespace
}  // namespace vaultsync::vault
