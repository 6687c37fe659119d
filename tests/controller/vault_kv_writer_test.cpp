// Tests of VaultKvWriter (the KvWriter port over VaultSecretSource's shared sessions) against
// a scripted Vault transport: the requests it sends for each KV version, how it reads a
// deleted current version, check-and-set, deletes, and that no write or delete starts once
// the stop flag (the manager's abort on a lost lease) has fired.
#include "controller/vault_kv_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "fake_vault.h"
#include "fakes.h"

namespace vaultsync::controller {
namespace {
using ::testing::HasSubstr;
using vault::testing::FakeTransport;
using vault::testing::JsonResponse;

class KvWriterTest : public ::testing::Test {
 protected:
  KvWriterTest() {
    VaultSecretSourceOptions o;
    o.make_client = [this](const vault::ConnectionConfig& cfg, vault::ClientOptions opts) {
      auto t = std::make_unique<FakeTransport>([this](const http::Request& r) {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = answers_.find(r.method + " " + r.target);
        if (it == answers_.end())
          return Result<http::Response>(JsonResponse(404, R"({"errors":[]})"));
        return Result<http::Response>(it->second);
      });
      transport_ = t.get();
      return vault::Client::Create(cfg, std::move(t), std::move(opts));
    };
    source_ = std::make_unique<VaultSecretSource>(cluster_, o);
    writer_ = std::make_unique<VaultKvWriter>(*source_, &stop_);
    id_.key = "default";
    id_.address = "http://vault.test:8200";
    id_.method = AuthMethod::kToken;
    id_.literal_token = "root-token";
    // The token is alive: a 403 is the policy speaking (the session checks with lookup-self).
    Answer(
        "GET /v1/auth/token/lookup-self", 200,
        R"({"data":{"id":"root-token","display_name":"token","policies":["app"],"ttl":3600,"renewable":true,"type":"service"}})");
  }
  void Answer(const std::string& request, int status, const std::string& body) {
    std::lock_guard<std::mutex> lock(mu_);
    answers_[request] = JsonResponse(status, body);
  }
  std::vector<http::Request> Requests() {
    return transport_ ? transport_->requests() : std::vector<http::Request>{};
  }

  testing::FakeCluster cluster_;
  std::mutex mu_;
  std::map<std::string, http::Response> answers_;
  FakeTransport* transport_ = nullptr;
  http::CancelFlag stop_;
  std::unique_ptr<VaultSecretSource> source_;
  std::unique_ptr<VaultKvWriter> writer_;
  VaultIdentity id_;
};

constexpr const char* kV2Read =
    R"({"request_id":"r","lease_id":"","renewable":false,"lease_duration":0,"data":{"data":{"a":"1","n":5},
"metadata":{"created_time":"2026-01-01T00:00:00Z","custom_metadata":null,"deletion_time":"","destroyed":false,"version":3}},
"wrap_info":null,"warnings":null,"auth":null})";

TEST_F(KvWriterTest, ReadsTheCurrentKvV2Version) {
  Answer("GET /v1/secret/data/app/x", 200, kV2Read);
  auto state = writer_->ReadCurrent(id_, {"secret", "app/x", KvType::kV2});
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_TRUE(state->exists);
  EXPECT_EQ(state->current_version, 3);
  ASSERT_EQ(state->entries.size(), 2u);
  EXPECT_EQ(state->entries[0].key, "a");
  EXPECT_TRUE(state->entries[0].is_string);
  EXPECT_FALSE(state->entries[1].is_string) << "5 is a number, not the string \"5\"";
  ASSERT_EQ(Requests().size(), 1u);
  EXPECT_EQ(http::FindHeader(Requests()[0].headers, "X-Vault-Token"), "root-token");
}

TEST_F(KvWriterTest, ADeletedCurrentVersionIsAbsentWithItsNumber) {
  // Vault 1.8 answers a read of a soft-deleted latest version with a 404 carrying its metadata.
  Answer(
      "GET /v1/secret/data/app/x", 404,
      R"({"request_id":"r","lease_id":"","renewable":false,"lease_duration":0,"data":{"data":null,
"metadata":{"created_time":"2026-01-01T00:00:00Z","custom_metadata":null,"deletion_time":"2026-01-02T00:00:00Z","destroyed":false,"version":4}},
"wrap_info":null,"warnings":null,"auth":null})");
  Answer("GET /v1/secret/metadata/app/x", 200,
         R"({"data":{"cas_required":false,"created_time":"2026-01-01T00:00:00Z","current_version":4,
"delete_version_after":"0s","max_versions":0,"oldest_version":0,"updated_time":"2026-01-02T00:00:00Z",
"versions":{"4":{"created_time":"2026-01-01T00:00:00Z","deletion_time":"2026-01-02T00:00:00Z","destroyed":false}}}})");
  auto state = writer_->ReadCurrent(id_, {"secret", "app/x", KvType::kV2});
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_FALSE(state->exists);
  EXPECT_EQ(state->current_version, 4) << "a check-and-set must name it";
  // Nothing at all there.
  auto none = writer_->ReadCurrent(id_, {"secret", "app/none", KvType::kV2});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->exists);
  EXPECT_EQ(none->current_version, 0);
  auto v1 = writer_->ReadCurrent(id_, {"kv", "app/none", KvType::kV1});
  ASSERT_TRUE(v1.ok());
  EXPECT_FALSE(v1->exists);
}

TEST_F(KvWriterTest, WritesStringsWithCheckAndSet) {
  Answer(
      "POST /v1/secret/data/app/x", 200,
      R"({"data":{"created_time":"2026-01-01T00:00:00Z","custom_metadata":null,"deletion_time":"","destroyed":false,"version":4}})");
  auto v = writer_->Write(id_, {"secret", "app/x", KvType::kV2}, {{"a", "1"}, {"b", "x\"y"}}, 3);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, 4);
  ASSERT_EQ(Requests().size(), 1u);
  EXPECT_EQ(Requests()[0].body, R"({"options":{"cas":3},"data":{"a":"1","b":"x\"y"}})");
  Answer("POST /v1/secret/data/app/x", 400,
         R"({"errors":["check-and-set parameter did not match the current version"]})");
  auto lost = writer_->Write(id_, {"secret", "app/x", KvType::kV2}, {{"a", "s3cr3t-value"}}, 3);
  EXPECT_EQ(lost.status().code(), StatusCode::kConflict);
  EXPECT_THAT(lost.status().message(), ::testing::Not(HasSubstr("s3cr3t-value")));
}

TEST_F(KvWriterTest, KvV1WritesAndDeletesThePathItself) {
  Answer("POST /v1/kv/app/x", 204, "");
  Answer("DELETE /v1/kv/app/x", 204, "");
  auto v = writer_->Write(id_, {"kv", "app/x", KvType::kV1}, {{"a", "1"}}, std::nullopt);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, 0);
  EXPECT_TRUE(writer_->Delete(id_, {"kv", "app/x", KvType::kV1}).ok());
  auto reqs = Requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].method + " " + reqs[0].target + " " + reqs[0].body,
            R"(POST /v1/kv/app/x {"a":"1"})");
  EXPECT_EQ(reqs[1].method + " " + reqs[1].target, "DELETE /v1/kv/app/x");
}

TEST_F(KvWriterTest, KvV2DeleteRemovesMetadataAndEveryVersion) {
  Answer("DELETE /v1/secret/metadata/app/x", 204, "");
  EXPECT_TRUE(writer_->Delete(id_, {"secret", "app/x", KvType::kV2}).ok());
  EXPECT_EQ(Requests().back().method + " " + Requests().back().target,
            "DELETE /v1/secret/metadata/app/x");
  Answer("DELETE /v1/secret/metadata/app/x", 403,
         R"({"errors":["1 error occurred:\n\t* permission denied\n\n"]})");
  Status refused = writer_->Delete(id_, {"secret", "app/x", KvType::kV2});
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.message(), HasSubstr("permission denied"));
}

TEST_F(KvWriterTest, NoWriteOrDeleteStartsAfterTheStopFlag) {
  Answer("GET /v1/secret/data/app/x", 200, kV2Read);
  Answer("POST /v1/secret/data/app/x", 200, R"({"data":{"version":4}})");
  Answer("DELETE /v1/secret/metadata/app/x", 204, "");
  stop_.Cancel();  // the lease was lost
  auto w = writer_->Write(id_, {"secret", "app/x", KvType::kV2}, {{"a", "1"}}, 3);
  EXPECT_EQ(w.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(writer_->Delete(id_, {"secret", "app/x", KvType::kV2}).code(), StatusCode::kCancelled);
  for (const auto& r : Requests()) EXPECT_EQ(r.method, "GET") << r.method << " " << r.target;
  EXPECT_EQ(Requests().size(), 0u) << "not even a session was needed";
}

// skipTLSVerify is said once per connection, at the moment its client is built — not at
// every read, and not for connections that verify.
TEST(VaultSecretSourceTls, SkipTlsVerifyIsWarnedOncePerConnection) {
  testing::FakeCluster cluster;
  std::ostringstream out;
  log::Logger logger(&out, log::Level::kInfo, log::Format::kText);
  VaultSecretSourceOptions o;
  o.logger = &logger;
  o.make_client = [](const vault::ConnectionConfig& cfg, vault::ClientOptions opts) {
    auto t = std::make_unique<FakeTransport>(
        [](const http::Request&) { return Result<http::Response>(JsonResponse(200, "{}")); });
    return vault::Client::Create(cfg, std::move(t), std::move(opts));
  };
  VaultSecretSource source(cluster, o);
  auto identity = [](std::string key, std::string address, bool skip) {
    VaultIdentity id;
    id.key = std::move(key);
    id.address = std::move(address);
    id.method = AuthMethod::kToken;
    id.literal_token = "root-token";
    id.skip_tls_verify = skip;
    return id;
  };
  auto warnings = [&] {
    std::string text = out.str();
    size_t n = 0;
    for (size_t at = 0; (at = text.find("TLS verification is off", at)) != std::string::npos;
         ++at) {
      ++n;
    }
    return n;
  };
  ASSERT_TRUE(source.SessionFor(identity("a", "https://vault.test:8200", true)).ok());
  ASSERT_TRUE(source.SessionFor(identity("a", "https://vault.test:8200", true)).ok());
  ASSERT_TRUE(source.SessionFor(identity("b", "https://vault.test:8200", true)).ok());
  EXPECT_EQ(warnings(), 1u) << out.str();
  ASSERT_TRUE(source.SessionFor(identity("c", "https://other.test:8200", true)).ok());
  ASSERT_TRUE(source.SessionFor(identity("d", "https://vault.test:8200", false)).ok());
  EXPECT_EQ(warnings(), 2u) << out.str();
  EXPECT_NE(out.str().find("other.test"), std::string::npos);
  EXPECT_EQ(out.str().find("root-token"), std::string::npos);
}

}  // namespace
}  // namespace vaultsync::controller
