// Login requests per auth method: bodies, the JWT re-read at every login, error classes,
// and secrets kept out of messages.
#include "vault/auth.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "fake_vault.h"
#include "reference_bodies.h"
#include "util/json.h"
#include "vault/token_api.h"

namespace vaultsync::vault {
namespace {

using testing::FakeVault;
using testing::JsonResponse;
namespace ref = testing;

std::string WriteTemp(const std::string& name, const std::string& content) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::trunc) << content;
  return path;
}

std::string BodyField(const std::string& body, const char* key) {
  auto doc = json::Parse(body);
  auto v = json::String(*doc, key);
  return v.ok() ? std::string(*v) : "<missing>";
}

TEST(Login, KubernetesRereadsTheJwtFileAtEveryLogin) {
  FakeVault v([](const http::Request&) { return JsonResponse(200, std::string(ref::kK8sLogin)); });
  AuthConfig c;
  c.role = "app";
  c.jwt_file = WriteTemp("jwt_reread", "jwt-one\n");
  auto first = Login(*v.client, c);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->token, "s.o8aGM6oM2ts4BYqhUdv6lRSO");
  EXPECT_EQ(first->ttl, std::chrono::seconds(60));
  EXPECT_TRUE(first->renewable);
  EXPECT_EQ(first->policies, (std::vector<std::string>{"app-read", "default"}));
  WriteTemp("jwt_reread", "jwt-two");  // the kubelet rotated the projected token
  ASSERT_TRUE(Login(*v.client, c).ok());
  auto reqs = v.transport->requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/v1/auth/kubernetes/login");
  EXPECT_EQ(BodyField(reqs[0].body, "role"), "app");
  EXPECT_EQ(BodyField(reqs[0].body, "jwt"), "jwt-one");
  EXPECT_EQ(BodyField(reqs[1].body, "jwt"), "jwt-two");
  EXPECT_EQ(http::FindHeader(reqs[0].headers, "X-Vault-Token"), "");
}

TEST(Login, KubernetesAsksTheJwtSourceEveryTime) {
  FakeVault v([](const http::Request&) { return JsonResponse(200, std::string(ref::kK8sLogin)); });
  int minted = 0;
  AuthConfig c;
  c.role = "app";
  c.mount = "/k8s-prod/";
  c.jwt_source = [&]() -> Result<std::string> { return "minted-" + std::to_string(++minted); };
  ASSERT_TRUE(Login(*v.client, c).ok());
  ASSERT_TRUE(Login(*v.client, c).ok());
  auto reqs = v.transport->requests();
  EXPECT_EQ(reqs[0].target, "/v1/auth/k8s-prod/login");
  EXPECT_EQ(BodyField(reqs[1].body, "jwt"), "minted-2");
}

TEST(Login, JwtSourceFailureKeepsItsCode) {
  FakeVault v([](const http::Request&) { return JsonResponse(200, "{}"); });
  AuthConfig c;
  c.role = "app";
  c.jwt_source = []() -> Result<std::string> {
    return Status(StatusCode::kPermissionDenied, "tokenrequest forbidden");
  };
  auto r = Login(*v.client, c);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(v.transport->requests().empty());
  c.jwt_source = nullptr;
  c.jwt_file = "/nonexistent/token";
  EXPECT_EQ(Login(*v.client, c).status().code(), StatusCode::kUnauthenticated);
}

TEST(Login, AppRoleSendsRoleAndSecretId) {
  FakeVault v(
      [](const http::Request&) { return JsonResponse(200, std::string(ref::kAppRoleLogin)); });
  AuthConfig c;
  c.method = AuthConfig::kAppRole;
  c.role_id = "role-123";
  c.secret_id = "secret-456";
  auto r = Login(*v.client, c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto req = v.transport->requests().at(0);
  EXPECT_EQ(req.target, "/v1/auth/approle/login");
  EXPECT_EQ(BodyField(req.body, "role_id"), "role-123");
  EXPECT_EQ(BodyField(req.body, "secret_id"), "secret-456");
}

TEST(Login, RefusalsAreUnauthenticatedAndTransientFailuresKeepTheirCode) {
  struct Case {
    int status;
    std::string body;
    StatusCode code;
  };
  std::vector<Case> cases = {
      {400, std::string(ref::kK8sLoginUnknownRole), StatusCode::kUnauthenticated},
      {500, std::string(ref::kK8sLoginWrongNamespace), StatusCode::kUnauthenticated},
      {403, std::string(ref::kPermissionDenied), StatusCode::kUnauthenticated},
      {503, std::string(ref::kSealedWithToken), StatusCode::kUnavailable},
      {429, std::string(ref::kRateLimited), StatusCode::kRateLimited},
  };
  const std::string jwt = "eyJhbGciOi.CANARYJWTBODY.sig";
  for (const auto& c : cases) {
    FakeVault v([&](const http::Request&) { return JsonResponse(c.status, c.body); });
    AuthConfig a;
    a.role = "app";
    a.jwt_source = [&]() -> Result<std::string> { return jwt; };
    auto r = Login(*v.client, a);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), c.code) << c.status;
    EXPECT_NE(r.status().message().find("kubernetes, auth/kubernetes, role \"app\""),
              std::string::npos)
        << r.status().message();
    EXPECT_EQ(r.status().message().find(jwt), std::string::npos);
    // A 500 is Vault refusing the login: asking again cannot help. Transient ones retry.
    size_t attempts = c.status == 500 || c.status == 400 || c.status == 403 ? 1u : 4u;
    EXPECT_EQ(v.transport->requests().size(), attempts) << c.status;
  }
}

TEST(Login, ValidatesTheConfig) {
  FakeVault v([](const http::Request&) { return JsonResponse(200, "{}"); });
  AuthConfig k8s;
  EXPECT_EQ(Login(*v.client, k8s).status().code(), StatusCode::kInvalidArgument);
  AuthConfig approle;
  approle.method = AuthConfig::kAppRole;
  EXPECT_EQ(Login(*v.client, approle).status().code(), StatusCode::kInvalidArgument);
  AuthConfig token;
  token.method = AuthConfig::kToken;
  EXPECT_EQ(Login(*v.client, token).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(v.transport->requests().empty());
}

TEST(AuthConfig, NamesAndDefaultMounts) {
  EXPECT_EQ(ParseMethod("approle"), AuthConfig::kAppRole);
  EXPECT_EQ(ParseMethod("appRole"), AuthConfig::kAppRole);
  EXPECT_EQ(ParseMethod("kubernetes"), AuthConfig::kKubernetes);
  EXPECT_EQ(ParseMethod("token"), AuthConfig::kToken);
  EXPECT_EQ(ParseMethod("ldap"), std::nullopt);
  AuthConfig c;
  EXPECT_EQ(EffectiveMount(c), "kubernetes");
  c.method = AuthConfig::kAppRole;
  EXPECT_EQ(EffectiveMount(c), "approle");
  EXPECT_EQ(MethodName(c.method), "appRole");
}

TEST(StaticToken, GivenThenFile) {
  AuthConfig c;
  c.method = AuthConfig::kToken;
  c.token = "s.given\n";
  EXPECT_EQ(*ResolveStaticToken(c), "s.given");
  c.token.clear();
  c.token_file = WriteTemp("static_token", "  s.fromfile\n");
  EXPECT_EQ(*ResolveStaticToken(c), "s.fromfile");
  c.token_file = WriteTemp("static_token_empty", "\n");
  EXPECT_EQ(ResolveStaticToken(c).status().code(), StatusCode::kUnauthenticated);
}

TEST(StaticToken, EnvironmentOnlyWhenAskedFor) {
  // The operator's VAULT_TOKEN must never stand in for a tenant's missing token.
  ASSERT_EQ(setenv("VAULT_TOKEN", "s.fromenvironment", 1), 0);
  AuthConfig c;
  c.method = AuthConfig::kToken;
  EXPECT_EQ(ResolveStaticToken(c).status().code(), StatusCode::kUnauthenticated);
  c.token_from_env = true;
  auto t = ResolveStaticToken(c);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "s.fromenvironment");
  unsetenv("VAULT_TOKEN");
  EXPECT_EQ(ResolveStaticToken(c).status().code(), StatusCode::kUnauthenticated);
}

TEST(ParseAuthBlock, RejectsAnswersWithoutAuth) {
  EXPECT_EQ(ParseAuthBlock(ref::kKv2Read).status().code(), StatusCode::kInternal);
  EXPECT_EQ(ParseAuthBlock("not json").status().code(), StatusCode::kInternal);
  auto r = ParseAuthBlock(ref::kTokenCreate);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ttl, std::chrono::seconds(60));
}

// Found by tests/fuzz/vault_responses_fuzzer.cpp: the raw lookup-self body shown by `-o json`
// dropped only the first data.id, so an answer repeating the member kept the token.
TEST(LookupSelf, RawBodyDropsEveryCopyOfTheToken) {
  FakeVault v([](const http::Request&) -> Result<http::Response> {
    return JsonResponse(200, R"({"data":{"id":"s.TheToken1","ttl":60,"id":"s.TheToken1"}})");
  });
  std::string raw;
  auto info = LookupSelf(*v.client, "s.TheToken1", &raw);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(raw.find("s.TheToken1"), std::string::npos) << raw;
  EXPECT_EQ(info->ttl, std::chrono::seconds(60));
}

}  // namespace
}  // namespace vaultsync::vault
