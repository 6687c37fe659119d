// TokenManager and Session against MiniVault on a fake clock: one login shared by all,
// renewal at 2/3 of the TTL, re-login when renewal fails or the max TTL caps the token, the
// 403 check, revocation, static tokens, metrics.
#include "vault/token_manager.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "mini_vault.h"
#include "vault/session.h"

namespace vaultsync::vault {
namespace {

using namespace std::chrono_literals;
using testing::FakeVault;
using testing::MiniVault;

struct Env {
  Env() : v([this](const http::Request& r) { return mini->Handle(r); }) {
    mini = std::make_unique<MiniVault>(&v.clock);
  }
  std::shared_ptr<TokenManager> Manager(std::string label = "demo/auth") {
    AuthConfig c;
    c.role = "app";
    c.jwt_source = []() -> Result<std::string> { return std::string("jwt"); };
    c.metrics_label = std::move(label);
    return std::make_shared<TokenManager>(v.client, c);
  }
  FakeVault v;
  std::unique_ptr<MiniVault> mini;
};

// A Clock that remembers which threads read it. TokenManager::Token() reads the clock under
// its lock before deciding to wait, so a thread seen here while the one login is held in flight
// is certain to wait for that login: the positive event the pile-up tests wait for (instead
// of sleeping and hoping every thread got there).
class WatchedClock final : public Clock {
 public:
  explicit WatchedClock(const Clock& inner) : inner_(inner) {}
  TimePoint Now() const override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      seen_.insert(std::this_thread::get_id());
    }
    cv_.notify_all();
    return inner_.Now();
  }
  // Waits (bounded) until every thread of `ids` has read the clock.
  bool WaitUntilSeen(const std::vector<std::thread::id>& ids,
                     std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] {
      for (const auto& id : ids) {
        if (!seen_.count(id)) return false;
      }
      return true;
    });
  }

 private:
  const Clock& inner_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable std::set<std::thread::id> seen_;
};

// A TokenManager like Env::Manager's whose client reads `clock`.
std::shared_ptr<TokenManager> ManagerWithClock(Env& e, const Clock& clock) {
  ClientOptions o;
  o.clock = &clock;
  auto client = Client::Create(FakeVault::DefaultConfig(),
                               std::make_unique<testing::FakeTransport>(
                                   [&e](const http::Request& r) { return e.mini->Handle(r); }),
                               o);
  AuthConfig c;
  c.role = "app";
  c.jwt_source = []() -> Result<std::string> { return std::string("jwt"); };
  return std::make_shared<TokenManager>(std::move(client).value(), c);
}

TEST(TokenManager, LogsInOnceAndSharesTheToken) {
  Env e;
  auto tm = e.Manager();
  auto a = tm->Token();
  auto b = tm->Token();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(e.mini->logins, 1);
  EXPECT_EQ(e.v.hooks.Logins("kubernetes success"), 1);
  EXPECT_EQ(e.v.hooks.Ttl("demo/auth"), 60.0);
  e.v.clock.Advance(30s);
  ASSERT_TRUE(tm->Token().ok());
  EXPECT_EQ(e.v.hooks.Ttl("demo/auth"), 30.0);
}

TEST(TokenManager, RenewsAtTwoThirdsOfTheTtl) {
  Env e;
  auto tm = e.Manager();
  std::string first = *tm->Token();
  e.v.clock.Advance(39s);
  ASSERT_TRUE(tm->Token().ok());
  EXPECT_EQ(e.mini->renewals, 0);
  e.v.clock.Advance(2s);
  EXPECT_EQ(*tm->Token(), first);
  EXPECT_EQ(e.mini->renewals, 1);
  EXPECT_EQ(e.mini->logins, 1);
  // The renewed lease runs 60s from the renewal: still the same token 50s later.
  e.v.clock.Advance(39s);
  EXPECT_EQ(*tm->Token(), first);
  EXPECT_EQ(e.mini->renewals, 1);
  EXPECT_TRUE(e.mini->Alive(first));
}

TEST(TokenManager, LogsInAgainWhenTheMaxTtlCapsRenewal) {
  Env e;
  e.mini->max_ttl_seconds = 90;
  auto tm = e.Manager();
  std::string first = *tm->Token();
  e.v.clock.Advance(41s);
  EXPECT_EQ(*tm->Token(), first);  // renewed, but only to t=90 (49s instead of 60s)
  EXPECT_EQ(e.mini->renewals, 1);
  e.v.clock.Advance(33s);  // past 2/3 of the capped lease
  std::string second = *tm->Token();
  EXPECT_NE(second, first);
  EXPECT_EQ(e.mini->renewals, 1);  // no pointless renewal of a capped token
  EXPECT_EQ(e.mini->logins, 2);
}

TEST(TokenManager, LogsInAgainWhenRenewalFails) {
  Env e;
  e.mini->fail_renew = true;
  auto tm = e.Manager();
  std::string first = *tm->Token();
  e.v.clock.Advance(41s);
  std::string second = *tm->Token();
  EXPECT_NE(second, first);
  EXPECT_GE(e.mini->renewals, 1);
  EXPECT_EQ(e.mini->logins, 2);
}

TEST(TokenManager, NonRenewableTokensAreReplacedByLogin) {
  Env e;
  e.mini->renewable = false;
  auto tm = e.Manager();
  std::string first = *tm->Token();
  e.v.clock.Advance(41s);
  EXPECT_NE(*tm->Token(), first);
  EXPECT_EQ(e.mini->renewals, 0);
  EXPECT_EQ(e.mini->logins, 2);
}

TEST(TokenManager, ExpiredTokenIsNotRenewedButReplaced) {
  Env e;
  auto tm = e.Manager();
  std::string first = *tm->Token();
  e.v.clock.Advance(120s);
  EXPECT_NE(*tm->Token(), first);
  EXPECT_EQ(e.mini->renewals, 0);
}

TEST(TokenManager, MaintainRenewsWhenDue) {
  Env e;
  auto tm = e.Manager();
  ASSERT_TRUE(tm->Maintain().ok());
  EXPECT_EQ(e.mini->logins, 1);
  e.v.clock.Advance(45s);
  ASSERT_TRUE(tm->Maintain().ok());
  EXPECT_EQ(e.mini->renewals, 1);
}

TEST(TokenManager, FailedRefreshKeepsServingAStillValidToken) {
  Env e;
  e.mini->renewable = false;
  auto tm = e.Manager();
  std::string first = *tm->Token();
  e.mini->fail_login = true;
  e.v.clock.Advance(41s);
  EXPECT_EQ(*tm->Token(), first);  // re-login failed, the old token has 19s left
  EXPECT_EQ(e.mini->logins, 2);
  e.v.clock.Advance(1s);
  EXPECT_EQ(*tm->Token(), first);
  EXPECT_EQ(e.mini->logins, 2);  // not retried on every call
  e.v.clock.Advance(5s);
  (void)tm->Token();
  EXPECT_EQ(e.mini->logins, 3);
  EXPECT_EQ(e.v.hooks.Logins("kubernetes failure"), 2);
  e.v.clock.Advance(20s);  // expired now: the error surfaces
  auto r = tm->Token();
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
}

TEST(TokenManager, ConcurrentCallersWaitForOneLogin) {
  Env e;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  e.mini->on_login = [released] { released.wait_for(5s); };
  WatchedClock clock(e.v.clock);
  auto tm = ManagerWithClock(e, clock);
  constexpr int kThreads = 16;
  std::vector<std::thread> threads;
  std::vector<Result<std::string>> results(kThreads, Status(StatusCode::kInternal, "unset"));
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] { results[i] = tm->Token(); });
  }
  std::vector<std::thread::id> ids;
  for (const auto& t : threads) ids.push_back(t.get_id());
  // Every caller is inside Token() behind the login in flight before it may finish.
  const bool piled_up = clock.WaitUntilSeen(ids, 5s);
  release.set_value();
  EXPECT_TRUE(piled_up) << "not every caller reached Token() within 5 s";
  for (auto& t : threads) t.join();
  EXPECT_EQ(e.mini->logins, 1);
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, "s.token1");
  }
}

TEST(TokenManager, WaitersShareAFailedLoginsError) {
  Env e;
  e.mini->fail_login = true;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  e.mini->on_login = [released] { released.wait_for(5s); };
  WatchedClock clock(e.v.clock);
  auto tm = ManagerWithClock(e, clock);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (tm->Token().status().code() == StatusCode::kUnauthenticated) ++failures;
    });
  }
  std::vector<std::thread::id> ids;
  for (const auto& t : threads) ids.push_back(t.get_id());
  const bool piled_up = clock.WaitUntilSeen(ids, 5s);
  release.set_value();
  EXPECT_TRUE(piled_up) << "not every caller reached Token() within 5 s";
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 8);
  EXPECT_EQ(e.mini->logins, 1);
}

TEST(Session, DeadTokenIsReplacedAndTheRequestRetriedOnce) {
  Env e;
  auto tm = e.Manager();
  Session s(tm);
  std::string first = *tm->Token();
  e.mini->Revoke(first);  // e.g. revoked by an operator
  auto resp = s.Send(Call{.op = Operation::kKvRead, .path = "secret/data/app"});
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(e.mini->lookups, 1);
  EXPECT_EQ(e.mini->logins, 2);
  EXPECT_EQ(e.v.transport->Count("GET /v1/secret/data/app"), 2);
}

TEST(Session, ForbiddenWithALiveTokenStandsAndIsCheckedOnce) {
  Env e;
  e.mini->forbidden_paths.insert("/v1/secret/data/other");
  auto tm = e.Manager();
  Session s(tm);
  for (int i = 0; i < 3; ++i) {
    auto resp = s.Send(Call{.op = Operation::kKvRead, .path = "secret/data/other"});
    ASSERT_FALSE(resp.ok());
    EXPECT_EQ(resp.status().code(), StatusCode::kPermissionDenied);
  }
  EXPECT_EQ(e.mini->lookups, 1);  // confirmed alive once, remembered for a while
  EXPECT_EQ(e.mini->logins, 1);
  EXPECT_EQ(e.v.transport->Count("GET /v1/secret/data/other"), 3);
  e.v.clock.Advance(11s);
  (void)s.Send(Call{.op = Operation::kKvRead, .path = "secret/data/other"});
  EXPECT_EQ(e.mini->lookups, 2);
}

TEST(Session, ManyCallersWithADeadTokenCauseOneLookupAndOneLogin) {
  Env e;
  auto tm = e.Manager();
  Session s(tm);
  e.mini->Revoke(*tm->Token());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (s.Send(Call{.op = Operation::kKvRead, .path = "secret/data/app"}).ok()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 8);
  EXPECT_EQ(e.mini->lookups, 1);
  EXPECT_EQ(e.mini->logins, 2);
}

// A refused login is not repeated by every caller: 1,000 callers at one moment cause one
// login; the next comes only once the interval (1 s, 2 s, 4 s, ... up to 30 s) has passed;
// a success resets it.
TEST(TokenManager, AFailedLoginIsRepeatedAtMostOncePerInterval) {
  Env e;
  e.mini->fail_login = true;
  auto tm = e.Manager();
  auto burst = [&] {
    for (int i = 0; i < 1000; ++i) {
      EXPECT_EQ(tm->Token().status().code(), StatusCode::kUnauthenticated);
    }
  };
  burst();
  EXPECT_EQ(e.mini->logins, 1);
  int expected = 1;
  for (auto interval : {1000ms, 2000ms, 4000ms, 8000ms, 16000ms, 30000ms, 30000ms}) {
    e.v.clock.Advance(interval - 1ms);
    burst();
    EXPECT_EQ(e.mini->logins, expected) << interval.count();
    e.v.clock.Advance(1ms);
    burst();
    EXPECT_EQ(e.mini->logins, ++expected) << interval.count();
  }
  e.mini->fail_login = false;
  e.v.clock.Advance(30s);
  ASSERT_TRUE(tm->Token().ok());
  EXPECT_EQ(e.mini->logins, ++expected);
  // Back to 1 s after a success: the token dies, the re-login is refused, then retried 1 s on.
  e.mini->Revoke(*tm->Token());
  e.mini->fail_login = true;
  Session s(tm);
  for (int i = 0; i < 100; ++i) {
    EXPECT_FALSE(s.Send(Call{.op = Operation::kKvRead, .path = "secret/data/app"}).ok());
  }
  EXPECT_EQ(e.mini->logins, ++expected);  // one re-login for 100 refused requests
  EXPECT_EQ(e.mini->lookups, 1);
  e.v.clock.Advance(1s);
  e.mini->fail_login = false;
  EXPECT_TRUE(s.Send(Call{.op = Operation::kKvRead, .path = "secret/data/app"}).ok());
  EXPECT_EQ(e.mini->logins, ++expected);
}

TEST(TokenManager, RevokesOnlyTokensItObtained) {
  Env e;
  auto tm = e.Manager();
  std::string first = *tm->Token();
  ASSERT_TRUE(tm->RevokeIfOwned().ok());
  EXPECT_EQ(e.mini->revokes, 1);
  EXPECT_FALSE(e.mini->Alive(first));
  EXPECT_EQ(e.v.hooks.Ttl("demo/auth"), std::nullopt);
  ASSERT_TRUE(tm->RevokeIfOwned().ok());  // nothing left: no call
  EXPECT_EQ(e.mini->revokes, 1);
  EXPECT_NE(*tm->Token(), first);  // logs in again after a revoke

  AuthConfig st;
  st.method = AuthConfig::kToken;
  st.token = "s.static";
  TokenManager static_tm(e.v.client, st);
  EXPECT_EQ(*static_tm.Token(), "s.static");
  ASSERT_TRUE(static_tm.RevokeIfOwned().ok());
  EXPECT_EQ(e.mini->revokes, 1);
  EXPECT_EQ(e.v.transport->Count("POST /v1/auth/token/revoke-self"), 1);
}

TEST(TokenManager, ARetiredManagerRevokesItsTokenAndNeverLogsInAgain) {
  Env e;
  auto tm = e.Manager();
  Session s(tm);
  std::string first = *tm->Token();
  ASSERT_EQ(e.mini->logins, 1);
  // The credentials were replaced while a request made with `first` was still on its way.
  ASSERT_TRUE(tm->Retire().ok());
  EXPECT_EQ(e.mini->revokes, 1);
  EXPECT_FALSE(e.mini->Alive(first));
  auto again = tm->Token();
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(IsRetiredIdentity(again.status())) << again.status().ToString();
  // That request meets the revoked token's 403: the caller is told to retry, and the retry
  // answers "retired" instead of logging in with the old credentials.
  auto forbidden = tm->OnForbidden(first);
  ASSERT_TRUE(forbidden.ok());
  EXPECT_TRUE(*forbidden);
  auto resp = s.Send(Call{.op = Operation::kKvRead, .path = "secret/data/app"});
  ASSERT_FALSE(resp.ok());
  EXPECT_TRUE(IsRetiredIdentity(resp.status()));
  EXPECT_EQ(e.mini->logins, 1);  // no login after Retire: no token left for no one to revoke
  EXPECT_EQ(e.v.transport->Count("GET /v1/secret/data/app"), 0);
  EXPECT_FALSE(IsRetiredIdentity(Status(StatusCode::kUnavailable, "connection refused")));
}

TEST(TokenManager, StaticTokenFileIsReadAgainWhenTheTokenDies) {
  Env e;
  auto login = e.Manager();
  std::string good = *login->Token();  // a live token minted by the fake
  std::string path = ::testing::TempDir() + "/static_token_reread";
  std::ofstream(path, std::ios::trunc) << "s.dead\n";
  AuthConfig c;
  c.method = AuthConfig::kToken;
  c.token_file = path;
  auto tm = std::make_shared<TokenManager>(e.v.client, c);
  Session s(tm);
  auto dead = s.Send(Call{.op = Operation::kKvRead, .path = "secret/data/app"});
  EXPECT_EQ(dead.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(dead.status().message().find("invalid or expired"), std::string::npos);
  EXPECT_EQ(dead.status().message().find("s.dead"), std::string::npos);
  std::ofstream(path, std::ios::trunc) << good << "\n";  // the user fixed the file
  auto fixed = s.Send(Call{.op = Operation::kKvRead, .path = "secret/data/app"});
  EXPECT_TRUE(fixed.ok()) << fixed.status().ToString();
  EXPECT_EQ(e.v.hooks.Logins("token success"), 0);  // static tokens are not logins
}

TEST(TokenManager, InfoNeverCarriesTheToken) {
  Env e;
  auto tm = e.Manager();
  std::string raw;
  auto info = tm->Info(&raw);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->display_name, "kubernetes-demo-default");
  EXPECT_EQ(info->policies, (std::vector<std::string>{"app-read", "default"}));
  EXPECT_EQ(info->ttl, 60s);
  EXPECT_TRUE(info->renewable);
  EXPECT_EQ(raw.find(*tm->Token()), std::string::npos) << raw;
  EXPECT_EQ(raw.find("\"id\""), std::string::npos);
  EXPECT_NE(raw.find("kubernetes-demo-default"), std::string::npos);
}

TEST(TokenManager, DestructionRemovesTheTtlMetric) {
  Env e;
  {
    auto tm = e.Manager("ns/gone");
    ASSERT_TRUE(tm->Token().ok());
    EXPECT_TRUE(e.v.hooks.Ttl("ns/gone").has_value());
  }
  EXPECT_FALSE(e.v.hooks.Ttl("ns/gone").has_value());
}

}  // namespace
}  // namespace vaultsync::vault
