// sys/health (every documented status is an answer, not an error, and is not retried),
// seal-status, ACL policies.
#include "vault/sys.h"

#include <gtest/gtest.h>

#include "fake_vault.h"
#include "reference_bodies.h"

namespace vaultsync::vault {
namespace {

using testing::FakeVault;
using testing::JsonResponse;
namespace ref = testing;

TEST(Health, InterpretsEveryDocumentedStatus) {
  struct Case {
    int status;
    std::string body;
    std::string state;
  };
  const std::string standby =
      R"({"initialized":true,"sealed":false,"standby":true,"performance_standby":false,"version":"1.8.0"})";
  std::vector<Case> cases = {
      {200, std::string(ref::kHealthActive), "active"},
      {429, standby, "standby"},
      {472, standby, "dr secondary"},
      {473, standby, "performance standby"},
      {501, R"({"initialized":false,"sealed":true,"standby":true})", "not initialized"},
      {503, std::string(ref::kHealthSealed), "sealed"},
  };
  for (const auto& c : cases) {
    FakeVault v([&](const http::Request&) { return JsonResponse(c.status, c.body); });
    std::string raw;
    auto h = Health(*v.client, &raw);
    ASSERT_TRUE(h.ok()) << c.status << " " << h.status().ToString();
    EXPECT_EQ(h->http_status, c.status);
    EXPECT_EQ(h->state, c.state);
    EXPECT_EQ(h->active(), c.status == 200);
    EXPECT_EQ(raw, c.body);
    EXPECT_EQ(v.transport->requests().size(), 1u) << "health answers are not retried";
    EXPECT_EQ(v.transport->requests()[0].target, "/v1/sys/health");
  }
}

TEST(Health, ReadsTheFields) {
  FakeVault v(
      [](const http::Request&) { return JsonResponse(503, std::string(ref::kHealthSealed)); });
  auto h = Health(*v.client);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->initialized);
  EXPECT_TRUE(h->sealed);
  EXPECT_TRUE(h->standby);
  EXPECT_EQ(h->version, "1.8.0-dev");
  EXPECT_EQ(h->cluster_name, "");
  EXPECT_EQ(h->replication_dr_mode, "unknown");
  EXPECT_EQ(h->server_time_utc, 1795427296);
}

TEST(Health, AnErrorBodyIsStillAnErrorAndRetried) {
  // A proxy's 503 without a health body: an outage, not a sealed Vault.
  FakeVault v(
      [](const http::Request&) { return JsonResponse(503, R"({"errors":["upstream down"]})"); });
  auto h = Health(*v.client);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(v.transport->requests().size(), 4u);
}

TEST(SealStatus, Parses) {
  FakeVault v(
      [](const http::Request&) { return JsonResponse(200, std::string(ref::kSealStatus)); });
  auto s = GetSealStatus(*v.client);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->sealed);
  EXPECT_EQ(s->type, "shamir");
  EXPECT_EQ(s->t, 1);
  EXPECT_EQ(s->n, 1);
  EXPECT_EQ(s->storage_type, "inmem");
  EXPECT_EQ(v.transport->requests()[0].target, "/v1/sys/seal-status");
}

TEST(Policies, ListAndRead) {
  FakeVault v([](const http::Request& r) {
    if (r.method == "LIST" && r.target == "/v1/sys/policies/acl") {
      return JsonResponse(200, std::string(ref::kPolicyList));
    }
    if (r.method == "GET" && r.target == "/v1/sys/policies/acl/app-read") {
      return JsonResponse(200, std::string(ref::kPolicyRead));
    }
    return JsonResponse(404, std::string(ref::kNotFoundEmpty));
  });
  AuthConfig auth;
  auth.method = AuthConfig::kToken;
  auth.token = "s.root";
  Session s(std::make_shared<TokenManager>(v.client, auth));
  auto names = ListPolicies(s);
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(*names, (std::vector<std::string>{"app-read", "default", "root"}));
  auto p = ReadPolicy(s, "app-read");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->name, "app-read");
  EXPECT_EQ(p->rules, "path \"secret/data/app/*\" {\n  capabilities = [\"read\"]\n}\n");
  EXPECT_EQ(ReadPolicy(s, "nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ReadPolicy(s, "../x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(v.hooks.Requests("sys_policy 200"), 2);
}

}  // namespace
}  // namespace vaultsync::vault
