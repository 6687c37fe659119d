// A sealed Vault with 1,000 VaultStaticSecrets, end to end with the real operator binary:
// once the resources have found Vault sealed, not one KV, login or token request reaches it —
// only the breaker's sys/health probe — the Secrets keep their data, the gauge
// vaultsync_vault_sealed{address} says 1; after the unseal every resource is Synced again,
// brought back by the probe's wake-up rather than by each resource's own backoff.
#include <gtest/gtest.h>

#include <map>

#include "e2e_env.h"
#include "util/json.h"

namespace vaultsync::e2e {
namespace {

using namespace std::chrono_literals;

constexpr int kResources = 1000;

// Ready "status/reason" of every VaultStaticSecret in `demo`, counted (one LIST).
std::map<std::string, int> ReadyCounts(Env& env) {
  std::map<std::string, int> out;
  auto r = env.Kube("GET", "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultstaticsecrets");
  auto doc = json::Parse(r.body);
  if (!doc.ok()) return out;
  const json::Value* items = json::Find(*doc, "items");
  if (items == nullptr || !items->IsArray()) return out;
  for (const auto& item : items->GetArray()) {
    std::string ready = "none";
    const json::Value* status = json::Find(item, "status");
    const json::Value* conds = status ? json::Find(*status, "conditions") : nullptr;
    if (conds != nullptr && conds->IsArray()) {
      for (const auto& c : conds->GetArray()) {
        if (*json::String(c, "type") == "Ready") {
          ready = std::string(*json::String(c, "status")) + "/" +
                  std::string(*json::String(c, "reason"));
        }
      }
    }
    ++out[ready];
  }
  return out;
}

std::string Describe(const std::map<std::string, int>& counts) {
  std::string s;
  for (const auto& [k, n] : counts) s += k + "=" + std::to_string(n) + " ";
  return s;
}

// The operator's Vault requests after request number `after_seq`: health probes apart.
struct VaultTraffic {
  int health = 0;
  int other = 0;
  int64_t last_seq = 0;
  std::map<std::string, int> other_paths;
};
VaultTraffic TrafficSince(Env& env, int64_t after_seq) {
  VaultTraffic t;
  for (const auto& r : env.VaultRequests()) {
    t.last_seq = std::max(t.last_seq, r.seq);
    if (r.seq <= after_seq || r.path.rfind("/v1/", 0) != 0) continue;
    if (r.path == "/v1/sys/health") {
      ++t.health;
    } else {
      ++t.other;
      ++t.other_paths[r.method + " " + r.path];
    }
  }
  return t;
}

TEST(VaultOutageE2E, ASealedVaultGetsOneHealthProbeNotARequestPerResource) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  for (int i = 0; i < kResources; ++i) {
    env->VaultPut("app/s" + std::to_string(i), R"({"v":"one"})");
  }
  for (int i = 0; i < kResources; ++i) {
    auto r = env->Kube(
        "POST", "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultstaticsecrets",
        R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultStaticSecret","metadata":{"name":"s)" +
            std::to_string(i) + R"(","namespace":"demo"},"spec":{"mount":"secret","path":"app/s)" +
            std::to_string(i) + R"(","refreshAfter":"3s","destination":{"name":"s)" +
            std::to_string(i) + R"("}}})");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  auto op = env->StartOperator({});
  ASSERT_NE(op.process, nullptr);
  std::map<std::string, int> counts;
  ASSERT_TRUE(WaitFor(
      [&] {
        counts = ReadyCounts(*env);
        return counts["True/Synced"] == kResources;
      },
      240s))
      << Describe(counts) << op.process->Stderr();

  // Sealed: each resource's next refresh (within 3 s) finds out; the first failure opens the
  // breaker and every later one is answered by it.
  ASSERT_EQ(env->Vault("PUT", "/v1/sys/seal", "").status, 204);
  const std::string gauge = "vaultsync_vault_sealed{address=\"" + env->vault_url() + "\"} 1";
  ASSERT_TRUE(WaitFor(
      [&] { return Env::HttpGet(op.metrics_port, "/metrics").find(gauge) != std::string::npos; },
      60s))
      << Env::HttpGet(op.metrics_port, "/metrics") << op.process->Stderr();
  ASSERT_TRUE(WaitFor(
      [&] {
        counts = ReadyCounts(*env);
        return counts["False/VaultUnavailable"] == kResources;
      },
      120s))
      << Describe(counts);
  auto sample =
      env->Kube("GET", "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultstaticsecrets/s7");
  EXPECT_NE(sample.body.find("is sealed; no request is sent until its health check"),
            std::string::npos)
      << sample.body;

  // From now on, while sealed: probes only. Wait for ten of them (about 20 s at one per 2 s);
  // in that time 1,000 resources on their own backoff would have sent thousands of requests.
  const int64_t start_seq = TrafficSince(*env, 0).last_seq;
  VaultTraffic sealed;
  ASSERT_TRUE(WaitFor(
      [&] {
        sealed = TrafficSince(*env, start_seq);
        return sealed.health >= 10;
      },
      120s));
  EXPECT_EQ(sealed.other, 0) << "requests that reached a sealed Vault: "
                             << Describe(sealed.other_paths);
  std::printf("sealed window: %d health probes, %d other requests for %d resources\n",
              sealed.health, sealed.other, kResources);
  for (int i = 0; i < kResources; i += 97) {
    auto d = env->SecretData("demo", "s" + std::to_string(i));
    ASSERT_TRUE(d.has_value()) << i;
    EXPECT_EQ((*d)["v"], "one") << i;  // kept, never blanked
  }

  // Unsealed: the next probe (at most 2 s away) wakes every parked resource, spread over 1 s;
  // each resource's own backoff has grown past 10 s by now, so only the wake-up brings them
  // back this fast.
  auto key = json::Parse(env->Vault("GET", "/__emulator/unseal-key").body);
  ASSERT_TRUE(key.ok());
  auto unsealed_at = std::chrono::steady_clock::now();
  ASSERT_EQ(env->Vault("PUT", "/v1/sys/unseal",
                       "{\"key\":" + json::Quote(json::View((*key)["key"])) + "}")
                .status,
            200);
  ASSERT_TRUE(WaitFor(
      [&] {
        counts = ReadyCounts(*env);
        return counts["True/Synced"] == kResources;
      },
      120s))
      << Describe(counts);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - unsealed_at).count();
  std::printf("all %d resources Synced again %.1f s after the unseal\n", kResources, seconds);
  const std::string unsealed_gauge =
      "vaultsync_vault_sealed{address=\"" + env->vault_url() + "\"} 0";
  EXPECT_NE(Env::HttpGet(op.metrics_port, "/metrics").find(unsealed_gauge), std::string::npos);
  EXPECT_NE(op.process->Stderr().find("Vault is serving again"), std::string::npos);
  EXPECT_EQ(op.process->Stop(), 0) << op.process->Stderr();
}

}  // namespace
}  // namespace vaultsync::e2e
