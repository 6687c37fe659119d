// A tiny stateful stand-in for Vault's token endpoints, for TokenManager and Session unit
// tests: logins mint tokens with a TTL and optional max TTL on a FakeClock, renew-self
// extends (capped), lookup-self and revoke-self behave as Vault's do, and any other path
// answers 200 for a live token unless it is listed as forbidden. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "fake_vault.h"
#include "util/json.h"

namespace vaultsync::vault::testing {

class MiniVault {
 public:
  explicit MiniVault(FakeClock* clock) : clock_(clock) {}

  // Settings (set before use, or under test control between calls).
  int ttl_seconds = 60;
  int max_ttl_seconds = 0;  // 0 = no max
  bool renewable = true;
  std::atomic<bool> fail_login{false};
  std::atomic<bool> fail_renew{false};
  std::function<void()> on_login;  // runs inside each login (e.g. to hold it in flight)
  std::set<std::string> forbidden_paths;

  std::atomic<int> logins{0}, renewals{0}, lookups{0}, revokes{0};

  void Revoke(const std::string& token) {
    std::lock_guard<std::mutex> lock(mu_);
    tokens_.erase(token);
  }
  bool Alive(const std::string& token) {
    std::lock_guard<std::mutex> lock(mu_);
    return AliveLocked(token);
  }

  Result<http::Response> Handle(const http::Request& r) {
    std::string token(http::FindHeader(r.headers, "X-Vault-Token"));
    std::string key = r.method + " " + r.target;
    if (key == "POST /v1/auth/kubernetes/login") {
      int n = ++logins;
      if (on_login) on_login();
      if (fail_login) return JsonResponse(400, R"({"errors":["invalid role name \"app\""]})");
      std::string tok = "s.token" + std::to_string(n);
      {
        std::lock_guard<std::mutex> lock(mu_);
        TimePoint now = clock_->Now();
        tokens_[tok] = {
            now + std::chrono::seconds(ttl_seconds),
            max_ttl_seconds > 0 ? now + std::chrono::seconds(max_ttl_seconds) : TimePoint::max()};
      }
      return Auth(tok, ttl_seconds);
    }
    if (key == "POST /v1/auth/token/renew-self") ++renewals;
    if (key == "GET /v1/auth/token/lookup-self") ++lookups;
    if (key == "POST /v1/auth/token/revoke-self") ++revokes;
    std::lock_guard<std::mutex> lock(mu_);
    if (!AliveLocked(token)) return JsonResponse(403, R"({"errors":["permission denied"]})");
    TimePoint now = clock_->Now();
    if (key == "POST /v1/auth/token/renew-self") {
      if (fail_renew) return JsonResponse(500, R"({"errors":["renewal failed"]})");
      auto doc = json::Parse(r.body);
      std::string inc(*json::String(*doc, "increment"));
      int secs = std::stoi(inc);
      auto& t = tokens_[token];
      t.expires = std::min(now + std::chrono::seconds(secs), t.max);
      return Auth(token,
                  static_cast<int>(
                      std::chrono::duration_cast<std::chrono::seconds>(t.expires - now).count()));
    }
    if (key == "GET /v1/auth/token/lookup-self") {
      auto left = std::chrono::duration_cast<std::chrono::seconds>(tokens_[token].expires - now);
      return JsonResponse(
          200,
          R"({"data":{"id":")" + token +
              R"(","display_name":"kubernetes-demo-default","policies":["app-read","default"],"ttl":)" +
              std::to_string(left.count()) + R"(,"renewable":true,"type":"service"}})");
    }
    if (key == "POST /v1/auth/token/revoke-self") {
      tokens_.erase(token);
      return JsonResponse(204, "");
    }
    if (forbidden_paths.count(r.target)) {
      return JsonResponse(403, R"({"errors":["permission denied"]})");
    }
    return JsonResponse(200, R"({"data":{"keys":["ok"]}})");
  }

 private:
  struct Tok {
    TimePoint expires;
    TimePoint max;
  };
  bool AliveLocked(const std::string& token) {
    auto it = tokens_.find(token);
    return it != tokens_.end() && clock_->Now() < it->second.expires;
  }
  http::Response Auth(const std::string& token, int lease) {
    return JsonResponse(200, R"({"auth":{"client_token":")" + token +
                                 R"(","policies":["app-read","default"],"lease_duration":)" +
                                 std::to_string(lease) + R"(,"renewable":)" +
                                 (renewable ? "true" : "false") + "}}");
  }

  FakeClock* clock_;
  std::mutex mu_;
  std::map<std::string, Tok> tokens_;
};

}  // namespace vaultsync::vault::testing
