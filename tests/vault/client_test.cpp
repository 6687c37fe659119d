// Client::Send over a scripted transport: headers, retries (what, how often, how long),
// error mapping, metrics per attempt, and tokens kept out of messages.
#include "vault/client.h"

#include <gtest/gtest.h>

#include <atomic>

#include "fake_vault.h"
#include "reference_bodies.h"

namespace vaultsync::vault {
namespace {

using namespace std::chrono_literals;
using testing::FakeVault;
using testing::JsonResponse;

TEST(Client, SendsVaultHeadersAndBody) {
  ConnectionConfig config = FakeVault::DefaultConfig();
  config.namespace_ = "team-a/sub";
  config.headers["X-Custom"] = "yes";
  FakeVault v([](const http::Request&) { return JsonResponse(200, "{}"); }, {}, config);
  Call call{.op = Operation::kKvWrite, .method = "POST", .path = "secret/data/a%20b"};
  call.query = "x=1";
  call.body = R"({"data":{}})";
  call.token = "s.token";
  auto resp = v.client->Send(call);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  auto reqs = v.transport->requests();
  ASSERT_EQ(reqs.size(), 1u);
  const http::Request& r = reqs[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/v1/secret/data/a%20b?x=1");
  EXPECT_EQ(http::FindHeader(r.headers, "X-Vault-Token"), "s.token");
  EXPECT_EQ(http::FindHeader(r.headers, "X-Vault-Namespace"), "team-a/sub");
  EXPECT_EQ(http::FindHeader(r.headers, "X-Custom"), "yes");
  EXPECT_EQ(http::FindHeader(r.headers, "X-Vault-Request"), "true");
  EXPECT_EQ(http::FindHeader(r.headers, "Content-Type"), "application/json");
  EXPECT_EQ(r.body, R"({"data":{}})");
}

TEST(Client, NoTokenOrNamespaceHeaderWhenUnset) {
  FakeVault v([](const http::Request&) { return JsonResponse(200, "{}"); });
  ASSERT_TRUE(v.client->Send(Call{.op = Operation::kSysHealth, .path = "sys/health"}).ok());
  auto r = v.transport->requests().at(0);
  EXPECT_EQ(http::FindHeader(r.headers, "X-Vault-Token"), "");
  EXPECT_EQ(http::FindHeader(r.headers, "X-Vault-Namespace"), "");
  EXPECT_EQ(r.body, "");
}

TEST(Client, RetriesTransientStatusesThenSucceeds) {
  for (int status : {429, 500, 502, 503, 504}) {
    std::atomic<int> n{0};
    FakeVault v([&](const http::Request&) {
      return ++n <= 2 ? JsonResponse(status, R"({"errors":["try later"]})")
                      : JsonResponse(200, R"({"data":{}})");
    });
    auto resp = v.client->Send(Call{.op = Operation::kKvRead, .path = "secret/data/a"});
    ASSERT_TRUE(resp.ok()) << status << " " << resp.status().ToString();
    EXPECT_EQ(v.transport->requests().size(), 3u) << status;
    EXPECT_EQ(v.hooks.Requests("kv_read " + std::to_string(status)), 2);
    EXPECT_EQ(v.hooks.Requests("kv_read 200"), 1);
    ASSERT_EQ(v.sleeps.size(), 2u);
    // Equal jitter at 0.5: 75% of 250ms, then of 500ms.
    EXPECT_EQ(v.sleeps[0], 187ms);
    EXPECT_EQ(v.sleeps[1], 375ms);
  }
}

TEST(Client, RetriesTransportErrors) {
  std::atomic<int> n{0};
  FakeVault v([&](const http::Request&) -> Result<http::Response> {
    if (++n == 1) return Status(StatusCode::kUnavailable, "connection refused");
    if (n == 2) return Status(StatusCode::kDeadlineExceeded, "timed out");
    return JsonResponse(204, "");
  });
  auto resp = v.client->Send(Call{.op = Operation::kKvDelete, .method = "DELETE", .path = "a/b"});
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 204);
  EXPECT_EQ(v.hooks.Requests("kv_delete error"), 2);
}

TEST(Client, NeverRetriesOtherClientErrors) {
  for (int status : {400, 403, 404, 405, 409, 412}) {
    FakeVault v([&](const http::Request&) { return JsonResponse(status, R"({"errors":["no"]})"); });
    auto resp = v.client->Send(Call{.op = Operation::kKvRead, .path = "secret/data/a"});
    ASSERT_FALSE(resp.ok());
    EXPECT_EQ(resp.status().http_status(), status);
    EXPECT_EQ(v.transport->requests().size(), 1u) << status;
    EXPECT_TRUE(v.sleeps.empty());
    EXPECT_EQ(resp.status().message().find("attempts"), std::string::npos);
  }
}

TEST(Client, GivesUpAfterMaxAttempts) {
  RetryPolicy p;
  p.max_attempts = 3;
  FakeVault v([](const http::Request&) { return JsonResponse(503, testing::kSealedWithToken); }, p);
  auto resp = v.client->Send(Call{.op = Operation::kKvRead, .path = "secret/data/a"});
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(v.transport->requests().size(), 3u);
  EXPECT_NE(resp.status().message().find("Vault is sealed (HTTP 503) after 3 attempts"),
            std::string::npos)
      << resp.status().message();
}

TEST(Client, GivesUpWhenTheTotalTimeBudgetIsSpent) {
  RetryPolicy p;
  p.max_attempts = 100;
  p.initial_backoff = 1000ms;
  p.max_backoff = 1000ms;
  p.max_total = 3500ms;
  FakeVault* self = nullptr;
  FakeVault v(
      [&](const http::Request&) {
        self->clock.Advance(200ms);  // each attempt takes a while
        return JsonResponse(500, "{}");
      },
      p);
  self = &v;
  auto resp = v.client->Send(Call{.op = Operation::kKvRead, .path = "secret/data/a"});
  ASSERT_FALSE(resp.ok());
  // 200 + 750 + 200 + 750 + 200 + 750 + 200 = 3050ms; one more wait would pass 3500ms.
  EXPECT_EQ(v.transport->requests().size(), 4u);
}

TEST(Client, HonoursRetryAfterOn429) {
  std::atomic<int> n{0};
  FakeVault v([&](const http::Request&) {
    if (++n == 1) {
      auto r = JsonResponse(429, testing::kRateLimited);
      r.headers.emplace_back("Retry-After", "2");
      return r;
    }
    return JsonResponse(200, "{}");
  });
  ASSERT_TRUE(v.client->Send(Call{.op = Operation::kKvRead, .path = "secret/data/a"}).ok());
  ASSERT_EQ(v.sleeps.size(), 1u);
  EXPECT_EQ(v.sleeps[0], 2000ms);
}

TEST(Client, AcceptedStatusesAreAnswersNotErrors) {
  FakeVault v([](const http::Request&) { return JsonResponse(503, testing::kHealthSealed); });
  Call call{.op = Operation::kSysHealth, .path = "sys/health"};
  call.accept = [](const http::Response& r) { return r.status == 503; };
  auto resp = v.client->Send(call);
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->status, 503);
  EXPECT_EQ(v.transport->requests().size(), 1u);
}

TEST(Client, TokenAndSensitiveValuesNeverReachTheMessage) {
  const std::string token = "s.CANARYTOKEN123";
  const std::string jwt = "eyJCANARYJWT.payload.sig";
  FakeVault v([&](const http::Request&) -> Result<http::Response> {
    // A misbehaving proxy that echoes what it got.
    return JsonResponse(400, R"({"errors":["bad token )" + token + " and jwt " + jwt + R"("]})");
  });
  Call call{.op = Operation::kLogin, .method = "POST", .path = "auth/kubernetes/login"};
  call.token = token;
  call.sensitive = {jwt};
  auto resp = v.client->Send(call);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().message().find(token), std::string::npos) << resp.status().message();
  EXPECT_EQ(resp.status().message().find(jwt), std::string::npos) << resp.status().message();
  EXPECT_NE(resp.status().message().find("<redacted>"), std::string::npos);
}

TEST(Client, CreateRejectsAnInvalidConfig) {
  ConnectionConfig c;
  c.address = "vault:8200";
  EXPECT_EQ(Client::Create(c).status().code(), StatusCode::kInvalidArgument);
  c.address = "https://vault:8200";
  c.ca_pem = "not a pem";
  EXPECT_EQ(Client::Create(c).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vaultsync::vault
