// The per-address breaker: which failures open it, that an open gate sends nothing but the
// health probe (O(1) requests however many callers), the probe backoff and Retry-After, the
// sealed gauge, and closing again on a healthy answer — over a scripted transport and a
// FakeClock, with the probe run by hand (HealthGates::ProbeDue), never by a sleeping thread.
#include "vault/health_gate.h"

#include <gtest/gtest.h>

#include <atomic>

#include "fake_vault.h"
#include "reference_bodies.h"
#include "vault/health_gates.h"
#include "vault/kv.h"

namespace vaultsync::vault {
namespace {

using namespace std::chrono_literals;
using testing::FakeTransport;
using testing::JsonResponse;
using testing::RecordingHooks;
namespace ref = testing;

constexpr const char* kAddress = "http://vault.test:8200";

TEST(HealthGate, OpensOnlyOnFailuresThatSayTheServerIsOut) {
  struct Case {
    Status status;
    bool out;
  };
  std::vector<Case> cases = {
      {Status(StatusCode::kUnavailable, "connection refused"), true},
      {Status(StatusCode::kDeadlineExceeded, "timed out"), true},
      {Status(StatusCode::kUnavailable, "Vault is sealed", 503), true},
      {Status(StatusCode::kRateLimited, "rate limit quota exceeded", 429), true},
      {Status(StatusCode::kUnavailable, "bad gateway", 502), true},
      {Status(StatusCode::kUnavailable, "gateway timeout", 504), true},
      {Status(StatusCode::kPermissionDenied, "permission denied", 403), false},
      {Status(StatusCode::kNotFound, "", 404), false},
      {Status(StatusCode::kInternal, "namespace not authorized", 500), false},
      {Status(StatusCode::kCancelled, "shutting down"), false},
      // A wrong CA is this connection's configuration, not the server being out.
      {Status(StatusCode::kUnavailable, "TLS handshake with vault.test:8200 failed"), false},
      {Status::Ok(), false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(HealthGate::SaysServerIsOut(c.status), c.out) << c.status.ToString();
  }
}

TEST(HealthGate, TheRefusalSaysWhatOpenedTheGate) {
  // A resource refused by the gate never saw the failure itself: the message says it.
  struct Case {
    Status failure;
    std::string says;
  };
  std::vector<Case> cases = {
      {Status(StatusCode::kUnavailable, "connection refused"), "is unreachable;"},
      {Status(StatusCode::kDeadlineExceeded, "request timed out after 1s"),
       "is not answering (requests to it timed out);"},
      {Status(StatusCode::kUnavailable, "Vault is sealed", 503), "is sealed;"},
      {Status(StatusCode::kRateLimited, "quota", 429), "is rate-limiting requests (HTTP 429);"},
      {Status(StatusCode::kUnavailable, "bad gateway", 502), "is unavailable (HTTP 502);"},
  };
  for (const auto& c : cases) {
    FakeClock clock;
    HealthGateOptions o;
    o.clock = &clock;
    HealthGate g(kAddress, o);
    ASSERT_TRUE(g.Observe(c.failure));
    Status refused = g.Admit();
    EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
    EXPECT_NE(refused.message().find(std::string("Vault at ") + kAddress + " " + c.says),
              std::string::npos)
        << refused.message();
  }
}

TEST(HealthGate, OpenGateRefusesWithItsWakeSignalAndBacksOffItsProbes) {
  FakeClock clock;
  RecordingHooks hooks;
  HealthGateOptions o;
  o.clock = &clock;
  o.hooks = &hooks;
  HealthGate g(kAddress, o);
  EXPECT_FALSE(hooks.sealed.at(kAddress));  // the series exists from the start, at 0
  EXPECT_TRUE(g.Admit().ok());
  EXPECT_FALSE(g.NextProbeAt().has_value());

  const TimePoint t0 = clock.Now();
  EXPECT_TRUE(g.Observe(Status(StatusCode::kUnavailable, "Vault is sealed", 503)));
  Status refused = g.Admit();
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_EQ(refused.wake_signal(), g.signal());
  EXPECT_NE(g.signal(), 0u);
  EXPECT_EQ(refused.message(), std::string("Vault at ") + kAddress +
                                   " is sealed; no request is sent until its health check "
                                   "(sys/health) passes");
  EXPECT_EQ(*g.NextProbeAt(), t0 + 500ms);

  // Probes double their interval up to 2 s.
  HealthProbe sealed;
  sealed.sealed = true;
  std::vector<std::chrono::milliseconds> gaps;
  for (int i = 0; i < 4; ++i) {
    clock.Set(*g.NextProbeAt());
    const TimePoint at = clock.Now();
    EXPECT_FALSE(g.OnProbe(sealed));
    gaps.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(*g.NextProbeAt() - at));
  }
  EXPECT_EQ(gaps, (std::vector<std::chrono::milliseconds>{1000ms, 2000ms, 2000ms, 2000ms}));
  EXPECT_TRUE(hooks.sealed.at(kAddress));

  // A 429 from a proxy in front of the probe: its Retry-After is a floor.
  HealthProbe throttled;
  throttled.retry_after_seconds = 7;
  clock.Set(*g.NextProbeAt());
  const TimePoint at = clock.Now();
  EXPECT_FALSE(g.OnProbe(throttled));
  EXPECT_EQ(*g.NextProbeAt(), at + 7s);
  EXPECT_FALSE(hooks.sealed.at(kAddress));  // that answer did not say sealed

  HealthProbe serving;
  serving.serving = true;
  EXPECT_TRUE(g.OnProbe(serving));
  EXPECT_TRUE(g.Admit().ok());
  EXPECT_FALSE(g.open());
  EXPECT_FALSE(g.OnProbe(serving));  // closed already: nothing to report twice
}

// A call's 429 Retry-After (often one path's quota) is for that call's resource to wait out;
// the probe still comes after 500 ms (sys/health is exempt from quotas), so a gate opened by
// a one-hour Retry-After does not hold every other resource for an hour.
TEST(HealthGate, TheFailuresRetryAfterIsNotTheProbes) {
  FakeClock clock;
  HealthGateOptions o;
  o.clock = &clock;
  HealthGate g(kAddress, o);
  Status st(StatusCode::kRateLimited, "rate limit quota exceeded", 429);
  st.set_retry_after_seconds(3600);
  const TimePoint t0 = clock.Now();
  EXPECT_TRUE(g.Observe(st));
  EXPECT_EQ(*g.NextProbeAt(), t0 + 500ms);
  EXPECT_NE(g.Admit().message().find("rate-limiting requests (HTTP 429)"), std::string::npos);
}

// A sealed Vault behind one address and many callers (the reconciles of 1,000 resources):
// once the first call has opened the gate, nothing but sys/health reaches the server, one
// probe at a time; when it answers healthy the gate closes, the wake signal is reported
// with the address, and calls go through again.
TEST(HealthGates, ASealedVaultGetsOneProbeNotOneRequestPerCaller) {
  FakeClock clock;
  RecordingHooks hooks;
  std::atomic<bool> sealed{true};
  auto handler = [&](const http::Request& r) -> Result<http::Response> {
    if (r.target.rfind("/v1/sys/health", 0) == 0) {
      return sealed ? JsonResponse(503, ref::kHealthSealed) : JsonResponse(200, ref::kHealthActive);
    }
    if (sealed) return JsonResponse(503, ref::kSealedWithToken);
    return JsonResponse(200, ref::kKv2Read);
  };
  std::vector<std::pair<uint32_t, std::string>> recovered;
  HealthGatesOptions go;
  go.gate.clock = &clock;
  go.gate.hooks = &hooks;
  go.start_thread = false;
  go.on_recovered = [&](uint32_t signal, const std::string& address) {
    recovered.emplace_back(signal, address);
  };
  HealthGates gates(go);
  auto transport = std::make_unique<FakeTransport>(handler);
  FakeTransport* t = transport.get();
  ClientOptions co;
  co.clock = &clock;
  co.hooks = &hooks;
  co.retry = Client::NoRetries();
  co.gate = gates.For(kAddress);
  ConnectionConfig cc;
  cc.address = kAddress;
  std::shared_ptr<const Client> client = *Client::Create(cc, std::move(transport), co);
  gates.Attach(client);
  AuthConfig auth;
  auth.method = AuthConfig::kToken;
  auth.token = "s.roottoken";
  Session s(std::make_shared<TokenManager>(client, auth));

  const uint32_t signal = gates.For(kAddress)->signal();
  for (int i = 0; i < 1000; ++i) {
    auto r = KvV2Read(s, "secret", "app/" + std::to_string(i));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().wake_signal(), signal) << i;  // the first one too: it opened the gate
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  }
  EXPECT_EQ(t->Count("GET /v1/secret/"), 1);  // the call that found it sealed

  // A minute of probing while sealed: 500 ms, then 1 s, then every 2 s — about 30 probes,
  // however many callers there are.
  const TimePoint end = clock.Now() + 60s;
  while (clock.Now() < end) {
    clock.Set(std::min(end, *gates.For(kAddress)->NextProbeAt()));
    gates.ProbeDue();
    (void)KvV2Read(s, "secret", "app/0");  // callers keep coming: still nothing sent
  }
  EXPECT_EQ(t->Count("GET /v1/secret/"), 1);
  EXPECT_GE(t->Count("GET /v1/sys/health"), 28);
  EXPECT_LE(t->Count("GET /v1/sys/health"), 32);
  EXPECT_TRUE(hooks.sealed.at(kAddress));
  EXPECT_TRUE(recovered.empty());

  sealed = false;
  clock.Set(*gates.For(kAddress)->NextProbeAt());
  EXPECT_EQ(gates.ProbeDue(), 1);
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0], std::make_pair(signal, std::string(kAddress)));
  EXPECT_FALSE(hooks.sealed.at(kAddress));
  auto r = KvV2Read(s, "secret", "app/db");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
}

// With no client left to probe with (its connection was dropped), the gate lets calls
// through again rather than holding them forever; nothing confirmed an outage, so nothing
// is woken.
TEST(HealthGates, AGateWithNoClientLeftOpensTheWayAgain) {
  FakeClock clock;
  HealthGatesOptions go;
  go.gate.clock = &clock;
  go.start_thread = false;
  int recovered = 0;
  go.on_recovered = [&](uint32_t, const std::string&) { ++recovered; };
  HealthGates gates(go);
  auto gate = gates.For(kAddress);
  EXPECT_TRUE(gate->Observe(Status(StatusCode::kUnavailable, "connection refused")));
  clock.Advance(1s);
  EXPECT_EQ(gates.ProbeDue(), 0);
  EXPECT_EQ(recovered, 0);
  EXPECT_TRUE(gate->Admit().ok());
}

// A failure on one path while the server is healthy (a proxy's 503, a 429 quota): the first
// probe finds it serving, the gate closes quietly and the callers keep their own backoff —
// waking them would repeat the failure in step at every probe.
TEST(HealthGate, AFailureTheFirstProbeDoesNotConfirmWakesNobody) {
  FakeClock clock;
  HealthGateOptions o;
  o.clock = &clock;
  HealthGate g(kAddress, o);
  HealthProbe serving;
  serving.serving = true;
  EXPECT_TRUE(g.Observe(Status(StatusCode::kUnavailable, "bad gateway", 502)));
  EXPECT_FALSE(g.OnProbe(serving));
  EXPECT_FALSE(g.open());
  // Opened again and confirmed down this time: the recovery wakes.
  EXPECT_TRUE(g.Observe(Status(StatusCode::kUnavailable, "connection refused")));
  EXPECT_FALSE(g.OnProbe(HealthProbe{}));
  EXPECT_TRUE(g.OnProbe(serving));
}

// The probe thread: a gate opened by a call is probed without anyone calling ProbeDue, and
// its recovery is reported (bounded wait for that positive event).
TEST(HealthGates, TheProbeThreadClosesARecoveredGate) {
  std::atomic<bool> up{false};
  auto handler = [&](const http::Request& r) -> Result<http::Response> {
    if (r.target.rfind("/v1/sys/health", 0) == 0 && up)
      return JsonResponse(200, ref::kHealthActive);
    return Status(StatusCode::kUnavailable, "connection refused");
  };
  std::mutex mu;
  std::condition_variable cv;
  int recovered = 0;
  HealthGatesOptions go;
  go.gate.first_probe = 10ms;
  go.gate.max_probe_interval = 20ms;
  go.on_recovered = [&](uint32_t, const std::string&) {
    std::lock_guard<std::mutex> lock(mu);
    ++recovered;
    cv.notify_all();
  };
  HealthGates gates(go);
  ClientOptions co;
  co.retry = Client::NoRetries();
  co.gate = gates.For(kAddress);
  ConnectionConfig cc;
  cc.address = kAddress;
  auto transport = std::make_unique<FakeTransport>(handler);
  FakeTransport* t = transport.get();
  std::shared_ptr<const Client> client = *Client::Create(cc, std::move(transport), co);
  gates.Attach(client);
  Call call{.op = Operation::kKvRead, .method = "GET", .path = "secret/data/x"};
  EXPECT_FALSE(client->Send(call).ok());
  // Wait for a probe to have failed at least once, then bring the server back.
  for (int i = 0; i < 5000 && t->Count("GET /v1/sys/health") == 0; ++i) {
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_GE(t->Count("GET /v1/sys/health"), 1);
  up = true;
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return recovered == 1; }));
  EXPECT_TRUE(co.gate->Admit().ok());
}

}  // namespace
}  // namespace vaultsync::vault
