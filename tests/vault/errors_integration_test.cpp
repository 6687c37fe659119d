// Each error class against the vault-emulator over loopback, what is retried and what is
// not (checked with the emulator's request counters), sealed Vault and sys/health.
#include <gtest/gtest.h>

#include "emulator_env.h"
#include "http_server.h"
#include "vault/kv.h"
#include "vault/sys.h"

namespace vaultsync::vault {
namespace {

using namespace std::chrono_literals;
using testing::EmulatorEnv;

constexpr const char* kRead = "GET /v1/secret/data/app/config";

struct Env : EmulatorEnv {
  Env() {
    if (!ok()) return;
    Setup("POST", "secret/data/app/config", R"({"data":{"user":"svc"}})");
    ResetCounters();
    client = NewClient();
  }
  Session Root() { return TokenSession(client); }
  std::shared_ptr<Client> client;
};

TEST(ErrorsIntegration, RetriesThenSucceeds) {
  Env env;
  ASSERT_TRUE(env.ok());
  env.AddFault(R"({"path_prefix":"/v1/secret/","status":503,"remaining":2})");
  Session s = env.Root();
  auto read = KvV2Read(s, "secret", "app/config");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(env.Count(kRead), 3);
}

TEST(ErrorsIntegration, NotFoundIsNotRetried) {
  Env env;
  ASSERT_TRUE(env.ok());
  Session s = env.Root();
  auto missing = KvV2Read(s, "secret", "app/missing");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().http_status(), 404);
  EXPECT_EQ(env.Count("GET /v1/secret/data/app/missing"), 1);
}

TEST(ErrorsIntegration, ForbiddenIsNotRetried) {
  Env env;
  ASSERT_TRUE(env.ok());
  std::string token = EmulatorEnv::Field(
      env.Setup("POST", "auth/token/create", R"({"policies":["default"],"ttl":"10m"})"), "auth",
      "client_token");
  ASSERT_FALSE(token.empty());
  Session s = env.TokenSession(env.client, token);
  auto denied = KvV2Read(s, "secret", "app/config");
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(env.Count(kRead), 1);
  EXPECT_EQ(env.Count("GET /v1/auth/token/lookup-self"), 1);  // token alive: 403 stands
  EXPECT_EQ(denied.status().message().find(token), std::string::npos);
}

TEST(ErrorsIntegration, MissingTokenAndBadRequest) {
  Env env;
  ASSERT_TRUE(env.ok());
  auto no_token =
      env.client->Send(Call{.op = Operation::kKvRead, .path = "secret/data/app/config"});
  EXPECT_EQ(no_token.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(no_token.status().message().find("missing client token"), std::string::npos);
  Call nowrap{.op = Operation::kKvWrite, .method = "POST", .path = "secret/data/app/x"};
  nowrap.token = "root";
  nowrap.body = R"({"user":"svc"})";
  auto bad = env.client->Send(nowrap);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument) << bad.status().ToString();
  EXPECT_EQ(bad.status().http_status(), 400);
  EXPECT_EQ(env.Count("POST /v1/secret/data/app/x"), 1);
}

TEST(ErrorsIntegration, RateLimitedAndServerErrorsAreRetriedThenReported) {
  Env env;
  ASSERT_TRUE(env.ok());
  Session s = env.Root();
  env.AddFault(R"({"path_prefix":"/v1/secret/data/app/config","status":429})");
  auto limited = KvV2Read(s, "secret", "app/config");
  EXPECT_EQ(limited.status().code(), StatusCode::kRateLimited);
  EXPECT_NE(limited.status().message().find("after 4 attempts"), std::string::npos);
  EXPECT_EQ(env.Count(kRead), 4);
  env.ClearFaults();
  env.ResetCounters();
  env.AddFault(R"({"path_prefix":"/v1/secret/data/app/config","status":500})");
  EXPECT_EQ(KvV2Read(s, "secret", "app/config").status().code(), StatusCode::kInternal);
  EXPECT_EQ(env.Count(kRead), 4);
}

TEST(ErrorsIntegration, TimeoutIsDeadlineExceeded) {
  Env env;
  ASSERT_TRUE(env.ok());
  auto slow_client = env.NewClient(nullptr, 200ms);
  Session s = env.TokenSession(slow_client);
  env.AddFault(R"({"path_prefix":"/v1/secret/data/app/config","latency_ms":1000})");
  auto slow = KvV2Read(s, "secret", "app/config");
  EXPECT_EQ(slow.status().code(), StatusCode::kDeadlineExceeded) << slow.status().ToString();
}

TEST(ErrorsIntegration, DroppedConnectionAndRefusedAreUnavailable) {
  Env env;
  ASSERT_TRUE(env.ok());
  Session s = env.Root();
  env.AddFault(R"({"path_prefix":"/v1/secret/data/app/config","drop":true})");
  EXPECT_EQ(KvV2Read(s, "secret", "app/config").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(env.Count(kRead), 4);

  auto port = emu::PickFreePort("127.0.0.1");
  ASSERT_TRUE(port.ok());
  ConnectionConfig c;
  c.address = "http://127.0.0.1:" + std::to_string(*port);
  ClientOptions o;
  o.retry = testing::FastRetry();
  auto nowhere = Client::Create(c, o);
  ASSERT_TRUE(nowhere.ok());
  auto h = Health(**nowhere);
  EXPECT_EQ(h.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(h.status().http_status(), 0);
}

TEST(ErrorsIntegration, SealedVault) {
  Env env;
  ASSERT_TRUE(env.ok());
  auto healthy = Health(*env.client);
  ASSERT_TRUE(healthy.ok()) << healthy.status().ToString();
  EXPECT_EQ(healthy->state, "active");
  EXPECT_TRUE(healthy->active());
  auto seal = GetSealStatus(*env.client);
  ASSERT_TRUE(seal.ok()) << seal.status().ToString();
  EXPECT_FALSE(seal->sealed);

  env.Setup("PUT", "sys/seal");
  env.ResetCounters();
  Session s = env.Root();
  auto sealed = KvV2Read(s, "secret", "app/config");
  EXPECT_EQ(sealed.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(sealed.status().message().find("Vault is sealed"), std::string::npos);
  auto h = Health(*env.client);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->state, "sealed");
  EXPECT_EQ(h->http_status, 503);
  EXPECT_TRUE(h->sealed);
  EXPECT_EQ(env.Count("GET /v1/sys/health"), 1);  // a health answer is not retried
  seal = GetSealStatus(*env.client);
  ASSERT_TRUE(seal.ok());
  EXPECT_TRUE(seal->sealed);
}

TEST(ErrorsIntegration, PoliciesAreListedAndRead) {
  Env env;
  ASSERT_TRUE(env.ok());
  env.Setup("PUT", "sys/policies/acl/app-read",
            R"({"policy":"path \"secret/data/app/*\" {\n  capabilities = [\"read\"]\n}\n"})");
  Session s = env.Root();
  auto names = ListPolicies(s);
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_NE(std::find(names->begin(), names->end(), "app-read"), names->end());
  auto p = ReadPolicy(s, "app-read");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_NE(p->rules.find("secret/data/app/*"), std::string::npos);
  EXPECT_EQ(ReadPolicy(s, "nope").status().code(), StatusCode::kNotFound);
}

// The emulator ignores namespaces, so a recording server checks what goes on the wire.
TEST(TransportIntegration, SendsNamespaceAndExtraHeaders) {
  std::mutex mu;
  std::vector<emu::ServerRequest> seen;
  auto server = emu::HttpServer::Start(emu::ServerOptions{}, [&](const emu::ServerRequest& r) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(r);
    return emu::ServerResponse{
        .status = 200,
        .body = R"({"data":{"data":{"k":"v"},"metadata":{"version":1,"created_time":"t"}}})"};
  });
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ConnectionConfig c;
  c.address = (*server)->url();
  c.namespace_ = "team-a";
  c.headers["X-Request-Source"] = "vaultsync-test";
  auto client = Client::Create(c);
  ASSERT_TRUE(client.ok());
  AuthConfig a{.method = AuthConfig::kToken, .token = "s.tok"};
  Session s(std::make_shared<TokenManager>(*client, a));
  ASSERT_TRUE(KvV2Read(s, "secret", "app/config").ok());
  ASSERT_TRUE(KvV2Read(s, "secret", "app/config").ok());
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(seen.size(), 2u);
  for (const auto& r : seen) {
    EXPECT_EQ(r.Header("X-Vault-Namespace"), "team-a");
    EXPECT_EQ(r.Header("X-Request-Source"), "vaultsync-test");
    EXPECT_EQ(r.Header("X-Vault-Token"), "s.tok");
    EXPECT_EQ(r.path, "/v1/secret/data/app/config");
  }
  (*server)->Stop();
}

}  // namespace
}  // namespace vaultsync::vault
