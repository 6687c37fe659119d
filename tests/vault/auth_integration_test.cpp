// Auth and token lifecycle against the vault-emulator: appRole and kubernetes logins (the
// JWT file re-read at each login), renewal and re-login as emulator time moves, a token
// revoked behind our back, one login for many concurrent callers, revocation on shutdown.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "emulator_env.h"
#include "fake_vault.h"
#include "jwt.h"
#include "vault/kv.h"
#include "vault/token_manager.h"

namespace vaultsync::vault {
namespace {

using namespace std::chrono_literals;
using testing::EmulatorEnv;
using testing::RecordingHooks;

constexpr const char* kLogin = "POST /v1/auth/approle/login";
constexpr const char* kRenew = "POST /v1/auth/token/renew-self";
constexpr const char* kLookup = "GET /v1/auth/token/lookup-self";

// appRole role "sync" (token_ttl 60s, token_max_ttl 100s, policy app-read) and a secret
// it may read; returns the login config.
AuthConfig SetUpAppRole(EmulatorEnv& env) {
  env.Setup("POST", "sys/auth/approle", R"({"type":"approle"})");
  env.Setup("PUT", "sys/policies/acl/app-read",
            R"({"policy":"path \"secret/data/app/*\" {\n  capabilities = [\"read\"]\n}\n"})");
  env.Setup("POST", "auth/approle/role/sync",
            R"({"token_policies":["app-read"],"token_ttl":"60s","token_max_ttl":"100s"})");
  env.Setup("POST", "secret/data/app/config", R"({"data":{"user":"svc"}})");
  AuthConfig a;
  a.method = AuthConfig::kAppRole;
  a.role_id =
      EmulatorEnv::Field(env.Setup("GET", "auth/approle/role/sync/role-id"), "data", "role_id");
  a.secret_id = EmulatorEnv::Field(env.Setup("POST", "auth/approle/role/sync/secret-id"), "data",
                                   "secret_id");
  a.metrics_label = "default";
  EXPECT_FALSE(a.role_id.empty());
  EXPECT_FALSE(a.secret_id.empty());
  return a;
}

TEST(AuthIntegration, RenewsThenLogsInAgainAsTimeMoves) {
  EmulatorEnv env;
  ASSERT_TRUE(env.ok());
  AuthConfig auth = SetUpAppRole(env);
  FakeClock clock;  // the client's view of time, moved in step with the emulator's
  RecordingHooks hooks;
  auto client = env.NewClient(&clock, 10s, &hooks);
  auto tm = std::make_shared<TokenManager>(client, auth);
  Session s(tm);
  auto advance = [&](std::chrono::seconds d) {
    env.AdvanceTime(d);
    clock.Advance(d);
  };

  auto first = tm->Token();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(env.Count(kLogin), 1);
  EXPECT_EQ(hooks.Logins("appRole success"), 1);
  EXPECT_EQ(hooks.Ttl("default"), 60.0);

  advance(41s);  // past 2/3 of 60s: renew-self, same token
  EXPECT_EQ(*tm->Token(), *first);
  EXPECT_EQ(env.Count(kRenew), 1);
  EXPECT_EQ(env.Count(kLogin), 1);
  ASSERT_TRUE(KvV2Read(s, "secret", "app/config").ok());

  advance(41s);  // the renewal was capped by the 100s max TTL: log in again
  auto second = tm->Token();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(*second, *first);
  EXPECT_EQ(env.Count(kLogin), 2);
  EXPECT_EQ(env.Count(kRenew), 1);
  auto read = KvV2Read(s, "secret", "app/config");
  ASSERT_TRUE(read.ok()) << read.status().ToString();

  advance(300s);  // long idle: the token expired, so no renewal is attempted
  auto third = tm->Token();
  ASSERT_TRUE(third.ok());
  EXPECT_NE(*third, *second);
  EXPECT_EQ(env.Count(kLogin), 3);
  EXPECT_EQ(env.Count(kRenew), 1);
  EXPECT_EQ(hooks.Logins("appRole success"), 3);
}

TEST(AuthIntegration, RevokedTokenIsDetectedAndReplaced) {
  EmulatorEnv env;
  ASSERT_TRUE(env.ok());
  AuthConfig auth = SetUpAppRole(env);
  auto client = env.NewClient();
  auto tm = std::make_shared<TokenManager>(client, auth);
  Session s(tm);
  std::string token = *tm->Token();
  env.Setup("POST", "auth/token/revoke", "{\"token\":\"" + token + "\"}");
  auto read = KvV2Read(s, "secret", "app/config");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(env.Count(kLookup), 1);
  EXPECT_EQ(env.Count(kLogin), 2);
  EXPECT_EQ(env.Count("GET /v1/secret/data/app/config"), 2);
}

TEST(AuthIntegration, PermissionDeniedStandsForALiveToken) {
  EmulatorEnv env;
  ASSERT_TRUE(env.ok());
  AuthConfig auth = SetUpAppRole(env);
  env.Setup("POST", "secret/data/other/secret", R"({"data":{"k":"v"}})");
  auto client = env.NewClient();
  Session s(std::make_shared<TokenManager>(client, auth));
  auto denied = KvV2Read(s, "secret", "other/secret");
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied) << denied.status().ToString();
  EXPECT_EQ(env.Count("GET /v1/secret/data/other/secret"), 1);  // never retried
  EXPECT_EQ(env.Count(kLookup), 1);
  EXPECT_EQ(env.Count(kLogin), 1);
}

TEST(AuthIntegration, ConcurrentCallersCauseExactlyOneLogin) {
  EmulatorEnv env;
  ASSERT_TRUE(env.ok());
  AuthConfig auth = SetUpAppRole(env);
  // Hold the login in flight long enough for every caller to pile up behind it.
  env.AddFault(R"({"path_prefix":"/v1/auth/approle/login","latency_ms":300,"remaining":1})");
  auto client = env.NewClient();
  auto tm = std::make_shared<TokenManager>(client, auth);
  std::vector<std::thread> threads;
  std::vector<std::string> tokens(16);
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      auto t = tm->Token();
      tokens[i] = t.ok() ? *t : "error: " + t.status().ToString();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(env.Count(kLogin), 1);
  for (const auto& t : tokens) EXPECT_EQ(t, tokens[0]);
  EXPECT_EQ(tokens[0].rfind("error", 0), std::string::npos) << tokens[0];
}

TEST(AuthIntegration, RevokeIfOwnedOnShutdown) {
  EmulatorEnv env;
  ASSERT_TRUE(env.ok());
  AuthConfig auth = SetUpAppRole(env);
  auto client = env.NewClient();
  auto tm = std::make_shared<TokenManager>(client, auth);
  std::string token = *tm->Token();
  ASSERT_TRUE(tm->RevokeIfOwned().ok());
  EXPECT_EQ(env.Count("POST /v1/auth/token/revoke-self"), 1);
  EXPECT_EQ(env.Api("GET", "auth/token/lookup-self", "", token).status, 403);
  // The root token given by the user is never revoked.
  auto root = std::make_shared<TokenManager>(
      client, AuthConfig{.method = AuthConfig::kToken, .token = "root"});
  ASSERT_TRUE(root->Token().ok());
  ASSERT_TRUE(root->RevokeIfOwned().ok());
  EXPECT_EQ(env.Count("POST /v1/auth/token/revoke-self"), 1);
  EXPECT_EQ(env.Api("GET", "auth/token/lookup-self").status, 200);
}

std::string ServiceAccountJwt(const emu::jwt::RsaKey& key, const std::string& ns,
                              const std::string& name) {
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  std::string claims =
      R"({"aud":["vault"],"exp":)" + std::to_string(now + 3600) + R"(,"iat":)" +
      std::to_string(now) +
      R"(,"iss":"https://kubernetes.default.svc.cluster.local","kubernetes.io":{"namespace":")" +
      ns + R"(","serviceaccount":{"name":")" + name +
      R"(","uid":"f63236a1-de39-482c-8f4e-96f07ccc2da9"}},"nbf":)" + std::to_string(now) +
      R"(,"sub":"system:serviceaccount:)" + ns + ":" + name + "\"}";
  auto jwt = emu::jwt::SignRs256(key, R"({"alg":"RS256","kid":")" + key.KeyId() + "\"}", claims);
  EXPECT_TRUE(jwt.ok()) << jwt.status().ToString();
  return jwt.ok() ? *jwt : "";
}

TEST(AuthIntegration, KubernetesLoginRereadsTheJwtFile) {
  EmulatorEnv env;
  ASSERT_TRUE(env.ok());
  auto key = emu::jwt::RsaKey::Generate();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  env.Setup("POST", "sys/auth/kubernetes", R"({"type":"kubernetes"})");
  env.Setup("POST", "auth/kubernetes/config",
            R"({"pem_keys":[)" + json::Quote(key->PublicPem()) +
                R"(],"issuer":"https://kubernetes.default.svc.cluster.local"})");
  env.Setup(
      "POST", "auth/kubernetes/role/app",
      R"({"bound_service_account_names":["default"],"bound_service_account_namespaces":["demo"],"audience":"vault","token_policies":["default"],"token_ttl":"60s"})");
  std::string jwt_file = ::testing::TempDir() + "/vault_k8s_jwt";
  std::ofstream(jwt_file, std::ios::trunc) << ServiceAccountJwt(*key, "demo", "default");

  AuthConfig auth;
  auth.role = "app";
  auth.jwt_file = jwt_file;
  auto client = env.NewClient();
  auto tm = std::make_shared<TokenManager>(client, auth);
  auto info = tm->Info();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->display_name, "kubernetes-demo-default");
  ASSERT_TRUE(tm->RevokeIfOwned().ok());

  // The file now holds a token of a ServiceAccount the role does not bind: the next login
  // must use it (and fail), proving the file is read again.
  const std::string other = ServiceAccountJwt(*key, "demo", "intruder");
  std::ofstream(jwt_file, std::ios::trunc) << other;
  auto refused = tm->Token();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(refused.status().message().find("service account name not authorized"),
            std::string::npos)
      << refused.status().message();
  EXPECT_EQ(refused.status().message().find(other), std::string::npos);

  std::ofstream(jwt_file, std::ios::trunc) << ServiceAccountJwt(*key, "demo", "default");
  // A refused login is not repeated within its minimum interval (1 s): the same answer
  // without a request, then a login with the new file once the interval has passed.
  EXPECT_EQ(tm->Token().status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(env.Count("POST /v1/auth/kubernetes/login"), 2);
  bool ok = false;
  for (int i = 0; i < 100 && !ok; ++i) {
    ok = tm->Token().ok();
    if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(ok);
  EXPECT_EQ(env.Count("POST /v1/auth/kubernetes/login"), 3);
}

}  // namespace
}  // namespace vaultsync::vault
