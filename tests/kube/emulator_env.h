// Shared set-up for the integration tests against the kube-emulator binary: starts one
// emulator per test (admin token "t"), a RestClient on it, a namespace "demo", and access
// to the emulator's control paths (faults, counters, cut watches, watch window).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kube/rest_client.h"
#include "process.h"
#include "util/json.h"

namespace vaultsync::kube::testing {

class RecordingRestHooks : public metrics::RestClientHooks {
 public:
  void ObserveRequest(std::string_view code, std::string_view method, std::string_view) override {
    std::lock_guard<std::mutex> l(mu_);
    calls_.push_back(std::string(code) + " " + std::string(method));
  }
  std::vector<std::string> calls() {
    std::lock_guard<std::mutex> l(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> calls_;
};

class EmulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto emu = vaultsync::testing::StartEmulator("kube-emulator", {"--admin-token", "t"});
    ASSERT_TRUE(emu.ok()) << emu.status().ToString();
    emu_ = std::move(*emu);
    http::TransportConfig tc;
    tc.base_url = emu_.url;
    tc.timeout = std::chrono::seconds(10);
    control_ = std::move(http::NewTransport(tc).value());
    client_ = NewClient();
    auto ns = json::Parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"demo"}})");
    ASSERT_TRUE(client_->Create(resources::Namespace(), *ns).ok());
  }
  void TearDown() override {
    if (emu_.process) emu_.process->Stop();
  }

  Config BaseConfig() const {
    Config c;
    c.server = emu_.url;
    c.bearer_token = "t";
    c.qps = 0;  // the throttle has unit tests; here it would only slow the suite
    c.timeout = std::chrono::seconds(10);
    return c;
  }
  std::unique_ptr<RestClient> NewClient(RestClientOptions o = {}) {
    auto c = NewRestClient(BaseConfig(), std::move(o));
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return std::move(c).value();
  }

  http::Response Control(const std::string& method, const std::string& path,
                         const std::string& body = "") {
    http::Request r;
    r.method = method;
    r.target = "/__emulator/" + path;
    r.body = body;
    if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
    auto resp = control_->Send(r);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    EXPECT_EQ(resp.ok() ? resp->status : 0, 200) << path << ": " << (resp.ok() ? resp->body : "");
    return resp.ok() ? *resp : http::Response{};
  }
  int64_t Counter(const std::string& key) {
    auto doc = json::Parse(Control("GET", "counters").body);
    if (!doc.ok()) return -1;
    const json::Value* counts = json::Find(*doc, "counts");
    const json::Value* v = counts == nullptr ? nullptr : json::Find(*counts, key);
    return v != nullptr && v->IsInt64() ? v->GetInt64() : 0;
  }

  json::Document Secret(const std::string& name, const std::string& value,
                        const std::string& labels = R"({"app":"demo"})") {
    return json::Parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":")" + name +
                       R"(","namespace":"demo","labels":)" + labels +
                       R"(},"type":"Opaque","data":{"k":")" + value + R"("}})")
        .value();
  }

  vaultsync::testing::RunningEmulator emu_;
  std::unique_ptr<http::Transport> control_;
  std::unique_ptr<RestClient> client_;
};

}  // namespace vaultsync::kube::testing
