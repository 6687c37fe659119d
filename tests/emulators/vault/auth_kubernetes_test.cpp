// kubernetes auth: config and role shapes, the local checks with Vault 1.8's recorded
// error answers, TokenReview handling (through a scripted reviewer) and the pem_keys
// fallback with JWTs signed by emu::jwt.
#include <gtest/gtest.h>

#include <future>

#include "emulator_test_util.h"
#include "jwt.h"
#include "k8s_jwt.h"
#include "token_reviewer.h"

namespace vaultsync::vaultemu {
namespace {

using testing::EmulatorHarness;
using testing::FirstError;

constexpr int64_t kIat = 1800000000;  // FakeClock's default start

class ScriptedReviewer : public TokenReviewer {
 public:
  Result<TokenReviewResult> Review(const TokenReviewRequest& req) override {
    ++calls;
    last = req;
    return answer;
  }
  int calls = 0;
  TokenReviewRequest last;
  Result<TokenReviewResult> answer = TokenReviewResult{};
};

std::string Claims(const std::string& ns, const std::string& sa, const std::string& aud,
                   int64_t exp = kIat + 600) {
  return "{\"aud\":[\"" + aud + "\"],\"exp\":" + std::to_string(exp) +
         ",\"iat\":" + std::to_string(kIat) +
         ",\"iss\":\"https://kubernetes.default.svc.cluster.local\",\"kubernetes.io\":{"
         "\"namespace\":\"" +
         ns + "\",\"serviceaccount\":{\"name\":\"" + sa + "\",\"uid\":\"uid-" + ns + "-" + sa +
         "\"}},\"nbf\":" + std::to_string(kIat) + ",\"sub\":\"system:serviceaccount:" + ns + ":" +
         sa + "\"}";
}

class KubernetesAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = emu::jwt::RsaKey::Generate();
    ASSERT_TRUE(k.ok());
    key = *k;
    ASSERT_EQ(h.Send("POST", "/v1/sys/auth/kubernetes", R"({"type":"kubernetes"})").status, 204);
    ASSERT_EQ(
        h.Send(
             "POST", "/v1/auth/kubernetes/role/app",
             R"({"bound_service_account_names":["default"],"bound_service_account_namespaces":["demo"],"token_policies":["app-read"],"token_ttl":60,"audience":"vault"})")
            .status,
        204);
  }

  std::string Jwt(const std::string& claims) {
    auto t =
        emu::jwt::SignRs256(key, "{\"alg\":\"RS256\",\"kid\":\"" + key.KeyId() + "\"}", claims);
    EXPECT_TRUE(t.ok());
    return t.ok() ? *t : "";
  }

  void ConfigureHost() {
    ASSERT_EQ(
        h.Send(
             "POST", "/v1/auth/kubernetes/config",
             R"({"kubernetes_host":"https://127.0.0.1:1","kubernetes_ca_cert":"","token_reviewer_jwt":"reviewer-jwt","issuer":"https://kubernetes.default.svc.cluster.local"})")
            .status,
        204);
  }

  emu::ServerResponse Login(const std::string& role, const std::string& jwt) {
    return h.Send("POST", "/v1/auth/kubernetes/login",
                  "{\"role\":\"" + role + "\",\"jwt\":\"" + jwt + "\"}", "");
  }

  ScriptedReviewer reviewer;
  EmulatorHarness h{&reviewer};
  emu::jwt::RsaKey key;
};

TEST_F(KubernetesAuthTest, ConfigReadNeverShowsReviewerJwt) {
  ConfigureHost();
  auto r = h.Send("GET", "/v1/auth/kubernetes/config");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("reviewer-jwt"), std::string::npos);
  auto doc = json::Parse(r.body);
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE((*doc)["data"]["pem_keys"].IsArray());
  EXPECT_FALSE((*doc)["data"]["disable_iss_validation"].GetBool());
  auto role = h.SendJson("GET", "/v1/auth/kubernetes/role/app");
  EXPECT_STREQ(role["data"]["audience"].GetString(), "vault");
  EXPECT_STREQ(role["data"]["token_type"].GetString(), "default");
  EXPECT_FALSE(role["data"].HasMember("policies"));
}

TEST_F(KubernetesAuthTest, LoginWithTokenReview) {
  ConfigureHost();
  reviewer.answer =
      TokenReviewResult{true, "", "system:serviceaccount:demo:default", "uid-demo-default"};
  std::string jwt = Jwt(Claims("demo", "default", "vault"));
  auto r = Login("app", jwt);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(reviewer.calls, 1);
  EXPECT_EQ(reviewer.last.bearer, "reviewer-jwt");
  EXPECT_EQ(reviewer.last.jwt, jwt);
  ASSERT_EQ(reviewer.last.audiences.size(), 1u);
  EXPECT_EQ(reviewer.last.audiences[0], "vault");
  auto doc = json::Parse(r.body);
  ASSERT_TRUE(doc.ok());
  const auto& auth = (*doc)["auth"];
  EXPECT_EQ(auth["lease_duration"].GetInt(), 60);
  EXPECT_STREQ(auth["metadata"]["service_account_namespace"].GetString(), "demo");
  EXPECT_STREQ(auth["metadata"]["service_account_uid"].GetString(), "uid-demo-default");
  EXPECT_STREQ(auth["metadata"]["service_account_secret_name"].GetString(), "");
  EXPECT_STREQ(auth["metadata"]["role"].GetString(), "app");
  EXPECT_STRNE(auth["entity_id"].GetString(), "");
}

TEST_F(KubernetesAuthTest, LocalChecksAnswerAsRecorded) {
  ConfigureHost();
  EXPECT_EQ(FirstError(Login("app", Jwt(Claims("other", "default", "vault"))).body),
            "namespace not authorized");
  EXPECT_EQ(FirstError(Login("app", Jwt(Claims("demo", "no-secrets", "vault"))).body),
            "service account name not authorized");
  auto aud = Login("app", Jwt(Claims("demo", "default", "not-vault")));
  EXPECT_EQ(aud.status, 500);
  EXPECT_EQ(FirstError(aud.body), "claim \"aud\" is invalid");
  auto garbage = Login("app", "not.a.jwt");
  EXPECT_EQ(garbage.status, 500);
  EXPECT_EQ(garbage.body,
            "{\"errors\":[\"invalid character '\\\\u009e' looking for beginning of value\"]}\n");
  EXPECT_EQ(FirstError(Login("app", "garbage").body), "not a compact JWS");
  auto unknown = Login("nope", Jwt(Claims("demo", "default", "vault")));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(FirstError(unknown.body), "invalid role name \"nope\"");
  auto missing = h.Send("POST", "/v1/auth/kubernetes/login", "{\"jwt\":\"x.y.z\"}", "");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(FirstError(missing.body), "missing role");
  EXPECT_EQ(reviewer.calls, 0);  // none of these reached the API server
}

TEST_F(KubernetesAuthTest, FailedReviewIsPermissionDenied) {
  ConfigureHost();
  reviewer.answer =
      TokenReviewResult{false, "[invalid bearer token, service account token has expired]", "", ""};
  auto r = Login("app", Jwt(Claims("demo", "default", "vault")));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(FirstError(r.body), "permission denied");
  reviewer.answer = Status(StatusCode::kUnavailable, "connection refused");
  EXPECT_EQ(Login("app", Jwt(Claims("demo", "default", "vault"))).status, 403);
  // A review for another ServiceAccount than the JWT claims is refused too.
  reviewer.answer = TokenReviewResult{true, "", "system:serviceaccount:demo:other", ""};
  EXPECT_EQ(Login("app", Jwt(Claims("demo", "default", "vault"))).status, 403);
}

TEST_F(KubernetesAuthTest, ReviewUsesTheJwtItselfWithoutReviewerJwt) {
  ASSERT_EQ(h.Send("POST", "/v1/auth/kubernetes/config",
                   R"({"kubernetes_host":"https://127.0.0.1:1","disable_iss_validation":true})")
                .status,
            204);
  reviewer.answer = TokenReviewResult{true, "", "system:serviceaccount:demo:default", ""};
  std::string jwt = Jwt(Claims("demo", "default", "vault"));
  ASSERT_EQ(Login("app", jwt).status, 200);
  EXPECT_EQ(reviewer.last.bearer, jwt);
}

TEST_F(KubernetesAuthTest, IssuerIsCheckedAgainstVaultDefault) {
  ASSERT_EQ(
      h.Send("POST", "/v1/auth/kubernetes/config", R"({"kubernetes_host":"https://127.0.0.1:1"})")
          .status,
      204);
  EXPECT_EQ(FirstError(Login("app", Jwt(Claims("demo", "default", "vault"))).body),
            "claim \"iss\" is invalid");
}

TEST_F(KubernetesAuthTest, PemKeysFallbackWithoutHost) {
  ASSERT_EQ(h.Send("POST", "/v1/auth/kubernetes/config",
                   "{\"pem_keys\":[" + json::Quote(key.PublicPem()) +
                       "],\"issuer\":\"https://kubernetes.default.svc.cluster.local\"}")
                .status,
            204);
  EXPECT_EQ(Login("app", Jwt(Claims("demo", "default", "vault"))).status, 200);
  EXPECT_EQ(reviewer.calls, 0);

  auto other = emu::jwt::RsaKey::Generate();
  ASSERT_TRUE(other.ok());
  auto forged =
      emu::jwt::SignRs256(*other, R"({"alg":"RS256"})", Claims("demo", "default", "vault"));
  ASSERT_TRUE(forged.ok());
  auto r = Login("app", *forged);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(FirstError(r.body), "1 error occurred:\n\t* crypto/rsa: verification error\n\n");

  h.clock.Advance(std::chrono::seconds(601));
  EXPECT_EQ(FirstError(Login("app", Jwt(Claims("demo", "default", "vault"))).body),
            "token is expired");
  EXPECT_EQ(h.Send("POST", "/v1/auth/kubernetes/config", R"({"pem_keys":["nope"]})").status, 400);
}

// While a login waits for its TokenReview, other requests are answered.
class ReentrantReviewer : public TokenReviewer {
 public:
  Result<TokenReviewResult> Review(const TokenReviewRequest&) override {
    auto other = std::async(std::launch::async, [this] {
      return harness->Send("GET", "/v1/sys/health", "", "").status;
    });
    answered_meanwhile =
        other.wait_for(std::chrono::seconds(5)) == std::future_status::ready && other.get() == 200;
    return TokenReviewResult{true, "", "system:serviceaccount:demo:default", ""};
  }
  EmulatorHarness* harness = nullptr;
  bool answered_meanwhile = false;
};

TEST(KubernetesAuthLockTest, LockIsReleasedDuringTokenReview) {
  ReentrantReviewer reviewer;
  EmulatorHarness h(&reviewer);
  reviewer.harness = &h;
  ASSERT_EQ(h.Send("POST", "/v1/sys/auth/kubernetes", R"({"type":"kubernetes"})").status, 204);
  ASSERT_EQ(h.Send("POST", "/v1/auth/kubernetes/config",
                   R"({"kubernetes_host":"https://127.0.0.1:1","disable_iss_validation":true})")
                .status,
            204);
  ASSERT_EQ(h.Send("POST", "/v1/auth/kubernetes/role/app",
                   R"({"bound_service_account_names":"*","bound_service_account_namespaces":"*"})")
                .status,
            204);
  auto key = emu::jwt::RsaKey::Generate();
  ASSERT_TRUE(key.ok());
  auto jwt = emu::jwt::SignRs256(*key, R"({"alg":"RS256"})", Claims("demo", "default", "vault"));
  ASSERT_TRUE(jwt.ok());
  auto r = h.Send("POST", "/v1/auth/kubernetes/login",
                  "{\"role\":\"app\",\"jwt\":\"" + *jwt + "\"}", "");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(reviewer.answered_meanwhile);
}

TEST(K8sJwtTest, GoJsonErrorTexts) {
  EXPECT_EQ(GoJsonError(""), "unexpected end of JSON input");
  EXPECT_EQ(GoJsonError("{\"a\":"), "unexpected end of JSON input");
  EXPECT_EQ(GoJsonError("x"), "invalid character 'x' looking for beginning of value");
  EXPECT_EQ(GoJsonError("\x9e\x8b"), "invalid character '\\u009e' looking for beginning of value");
}

}  // namespace
}  // namespace vaultsync::vaultemu
