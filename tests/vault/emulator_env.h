// Integration-test support: a vault-emulator process started for one test (dev mode, root
// token "root", KV v2 at secret/), raw access to it for setup through the same API calls a
// real Vault takes, and its /__emulator/ controls (faults, counters, time).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "http/transport.h"
#include "process.h"
#include "util/clock.h"
#include "util/json.h"
#include "vault/client.h"
#include "vault/session.h"
#include "vault/token_manager.h"

namespace vaultsync::vault::testing {

// Fast retries so failing paths do not slow the suite; the policy's shape is unchanged.
inline RetryPolicy FastRetry() {
  RetryPolicy p;
  p.initial_backoff = std::chrono::milliseconds(5);
  p.max_backoff = std::chrono::milliseconds(20);
  p.max_total = std::chrono::milliseconds(5000);
  return p;
}

class EmulatorEnv {
 public:
  // Starts the emulator; on failure the test fails (check ok()).
  EmulatorEnv() {
    auto emu = vaultsync::testing::StartEmulator("vault-emulator", {"--dev-root-token", "root"});
    if (!emu.ok()) {
      ADD_FAILURE() << "cannot start vault-emulator: " << emu.status().ToString();
      return;
    }
    running_ = std::move(emu).value();
    http::TransportConfig tc;
    tc.base_url = running_.url;
    tc.timeout = std::chrono::seconds(10);
    auto t = http::NewTransport(tc);
    if (!t.ok()) {
      ADD_FAILURE() << t.status().ToString();
      return;
    }
    raw_ = std::move(t).value();
  }
  ~EmulatorEnv() {
    if (running_.process) running_.process->Stop();
  }

  bool ok() const { return raw_ != nullptr; }
  const std::string& url() const { return running_.url; }

  // A client of the emulator (fast retries; `clock` when given, e.g. to follow emulator
  // time in step).
  std::shared_ptr<Client> NewClient(const Clock* clock = nullptr,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                    metrics::VaultHooks* hooks = nullptr) {
    ConnectionConfig c;
    c.address = url();
    c.timeout = timeout;
    ClientOptions o;
    o.retry = FastRetry();
    o.clock = clock;
    o.hooks = hooks;
    auto client = Client::Create(c, std::move(o));
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? *client : nullptr;
  }

  // A session acting with a fixed token (root by default).
  Session TokenSession(const std::shared_ptr<Client>& client, const std::string& token = "root") {
    AuthConfig a;
    a.method = AuthConfig::kToken;
    a.token = token;
    return Session(std::make_shared<TokenManager>(client, a));
  }

  // One raw API call (setup and inspection), as `token`.
  http::Response Api(const std::string& method, const std::string& path,
                     const std::string& body = "", const std::string& token = "root") {
    http::Request r;
    r.method = method;
    r.target = "/v1/" + path;
    if (!token.empty()) r.headers.emplace_back("X-Vault-Token", token);
    r.body = body;
    auto resp = raw_->Send(r);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    return resp.ok() ? *resp : http::Response{};
  }
  // As Api, expecting a 2xx answer.
  std::string Setup(const std::string& method, const std::string& path,
                    const std::string& body = "") {
    auto r = Api(method, path, body);
    EXPECT_GE(r.status, 200) << method << " " << path << ": " << r.body;
    EXPECT_LT(r.status, 300) << method << " " << path << ": " << r.body;
    return r.body;
  }

  // A field of the `data` or `auth` object of a JSON answer.
  static std::string Field(const std::string& body, const char* object, const char* key) {
    auto doc = json::Parse(body);
    if (!doc.ok()) return "";
    auto obj = json::Object(*doc, object);
    if (!obj.ok()) return "";
    auto v = json::String(**obj, key);
    return v.ok() ? std::string(*v) : "";
  }

  // POST /__emulator/faults with one rule (JSON).
  void AddFault(const std::string& rule_json) { Control("POST", "faults", rule_json); }
  void ClearFaults() { Control("DELETE", "faults", ""); }
  // Counts per "METHOD /v1/path".
  std::map<std::string, int64_t> Counters() {
    std::map<std::string, int64_t> out;
    auto doc = json::Parse(Control("GET", "counters", ""));
    if (!doc.ok()) return out;
    auto counts = json::Object(*doc, "counts");
    if (!counts.ok()) return out;
    for (const auto& m : (*counts)->GetObject()) {
      if (m.value.IsInt64()) out[std::string(json::View(m.name))] = m.value.GetInt64();
    }
    return out;
  }
  int64_t Count(const std::string& key) {
    auto c = Counters();
    auto it = c.find(key);
    return it == c.end() ? 0 : it->second;
  }
  void ResetCounters() { Control("DELETE", "counters", ""); }
  // Moves the emulator's clock forward.
  void AdvanceTime(std::chrono::seconds s) {
    Control("POST", "time", "{\"advance_seconds\":" + std::to_string(s.count()) + "}");
  }

 private:
  std::string Control(const std::string& method, const std::string& name, const std::string& body) {
    http::Request r;
    r.method = method;
    r.target = "/__emulator/" + name;
    r.body = body;
    auto resp = raw_->Send(r);
    EXPECT_TRUE(resp.ok() && resp->status < 300)
        << name << ": " << (resp.ok() ? resp->body : resp.status().ToString());
    return resp.ok() ? resp->body : "";
  }

  vaultsync::testing::RunningEmulator running_;
  std::unique_ptr<http::Transport> raw_;
};

}  // namespace vaultsync::vault::testing
