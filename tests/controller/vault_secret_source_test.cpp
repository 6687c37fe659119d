// Tests of VaultSecretSource's shared reads against a scripted Vault transport: callers that
// ask for a path while a read of it is in flight wait for that read and share its answer (one
// request to Vault), while reads of other paths go on and end without disturbing them.
#include "controller/vault_secret_source.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "fake_vault.h"
#include "fakes.h"

namespace vaultsync::controller {
namespace {
using namespace std::chrono_literals;
using vault::testing::FakeTransport;
using vault::testing::JsonResponse;

std::string V2Read(const std::string& value) {
  return R"({"request_id":"r","lease_id":"","renewable":false,"lease_duration":0,"data":{"data":{"a":")" +
         value +
         R"("},"metadata":{"created_time":"2026-01-01T00:00:00Z","custom_metadata":null,"deletion_time":"","destroyed":false,"version":1}},"wrap_info":null,"warnings":null,"auth":null})";
}

class SharedReadTest : public ::testing::Test {
 protected:
  SharedReadTest() {
    VaultSecretSourceOptions o;
    o.make_client = [this](const vault::ConnectionConfig& cfg, vault::ClientOptions opts) {
      auto t = std::make_unique<FakeTransport>([this](const http::Request& r) {
        if (r.target == "/v1/auth/token/lookup-self") {
          return Result<http::Response>(JsonResponse(
              200,
              R"({"data":{"id":"root-token","policies":["app"],"ttl":3600,"renewable":true,"type":"service"}})"));
        }
        if (r.target == "/v1/secret/data/app/held") {
          std::unique_lock<std::mutex> lock(mu_);
          held_started_ = true;
          cv_.notify_all();
          // Bounded: the test releases it, or it answers after 20 s and the test fails.
          cv_.wait_for(lock, 20s, [this] { return released_; });
          return Result<http::Response>(JsonResponse(200, V2Read("held-value")));
        }
        return Result<http::Response>(JsonResponse(200, V2Read("other-value")));
      });
      transport_ = t.get();
      return vault::Client::Create(cfg, std::move(t), std::move(opts));
    };
    source_ = std::make_unique<VaultSecretSource>(cluster_, o);
    id_.key = "default";
    id_.address = "http://vault.test:8200";
    id_.method = AuthMethod::kToken;
    id_.literal_token = "root-token";
  }
  ~SharedReadTest() override { Release(); }

  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  bool WaitForHeldRead() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, 20s, [this] { return held_started_; });
  }
  static std::string FirstValue(const Result<std::shared_ptr<const KvResult>>& r) {
    if (!r.ok()) return "error: " + r.status().ToString();
    if ((*r)->entries.empty()) return "no entries";
    return (*r)->entries[0].text;
  }
  Result<std::shared_ptr<const KvResult>> Read(const std::string& path) {
    return source_->Read(id_, KvRequest{"secret", path, KvType::kV2, std::nullopt, 60s});
  }

  testing::FakeCluster cluster_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool held_started_ = false;
  bool released_ = false;
  FakeTransport* transport_ = nullptr;
  std::unique_ptr<VaultSecretSource> source_;
  VaultIdentity id_;
};

TEST_F(SharedReadTest, CallersOfAPathInFlightShareItsReadAndOtherPathsGoOn) {
  auto first = std::async(std::launch::async, [this] { return FirstValue(Read("app/held")); });
  ASSERT_TRUE(WaitForHeldRead()) << "the first read never reached Vault";
  std::vector<std::future<std::string>> joiners;
  for (int i = 0; i < 3; ++i) {
    joiners.push_back(
        std::async(std::launch::async, [this] { return FirstValue(Read("app/held")); }));
  }
  // Another path is read and answered while app/held is still held.
  EXPECT_EQ(FirstValue(Read("app/other")), "other-value");
  EXPECT_EQ(FirstValue(Read("app/other")), "other-value") << "the second read is shared";
  Release();
  EXPECT_EQ(first.get(), "held-value");
  for (auto& j : joiners) EXPECT_EQ(j.get(), "held-value");
  EXPECT_EQ(transport_->Count("GET /v1/secret/data/app/held"), 1)
      << "callers that came while the read was in flight waited for it";
  EXPECT_EQ(transport_->Count("GET /v1/secret/data/app/other"), 1);
}

}  // namespace
}  // namespace vaultsync::controller
