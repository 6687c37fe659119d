// End-to-end tests of the controller framework's promises, with the real operator binary:
// credentials and CAs follow their Secrets without a restart; under an API server that
// throttles everything but leases the leader keeps its lease, and a leader whose lease
// requests hang stops writing before a standby takes over; SIGTERM in the middle of a sync
// burst ends within the grace period with nothing half-written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <map>
#include <sstream>

#include "e2e_env.h"
#include "util/base64.h"
#include "util/json.h"
#include "util/time_format.h"

namespace vaultsync::e2e {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string SecretJson(const std::string& name, const std::map<std::string, std::string>& data) {
  std::string d;
  for (const auto& [k, v] : data) {
    if (!d.empty()) d += ",";
    d += json::Quote(k) + ":" + json::Quote(base64::Encode(v));
  }
  return R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":")" + name +
         R"(","namespace":"demo"},"data":{)" + d + "}}";
}

std::string JsonString(const std::string& body, const std::vector<std::string>& keys) {
  auto doc = json::Parse(body);
  if (!doc.ok()) return "";
  const json::Value* v = &*doc;
  for (const auto& k : keys) {
    v = json::Find(*v, k);
    if (v == nullptr) return "";
  }
  return v->IsString() ? std::string(json::View(*v)) : "";
}

std::string Password(Env& env, const std::string& secret, const std::string& key = "password") {
  auto d = env.SecretData("demo", secret);
  if (!d || !d->count(key)) return "";
  return d->at(key);
}

// Vault's policy and a token for it (root creates both).
std::string CreateToken(Env& env) {
  auto r = env.Vault("POST", "/v1/auth/token/create", R"({"policies":["app-read"],"ttl":"1h"})");
  EXPECT_EQ(r.status, 200) << r.body;
  return JsonString(r.body, {"auth", "client_token"});
}

TEST(FrameworkE2E, CredentialsAndCasFollowTheirSecretsWithoutARestart) {
  Env::Options options;
  options.vault_tls = true;
  auto env = Env::Start(options);
  ASSERT_NE(env, nullptr);
  ASSERT_EQ(env->Vault("PUT", "/v1/sys/policies/acl/app-read",
                       R"({"policy":"path \"secret/data/app/*\" { capabilities = [\"read\"] }"})")
                .status,
            204);
  ASSERT_EQ(env->Vault("POST", "/v1/sys/auth/approle", R"({"type":"approle"})").status, 204);
  ASSERT_EQ(env->Vault("POST", "/v1/auth/approle/role/sync",
                       R"({"token_policies":["app-read"],"token_ttl":"1h"})")
                .status,
            204);
  std::string role_id =
      JsonString(env->Vault("GET", "/v1/auth/approle/role/sync/role-id").body, {"data", "role_id"});
  auto new_secret_id = [&] {
    return JsonString(env->Vault("POST", "/v1/auth/approle/role/sync/secret-id").body,
                      {"data", "secret_id"});
  };
  std::string sid1 = new_secret_id();
  ASSERT_FALSE(role_id.empty());
  ASSERT_FALSE(sid1.empty());
  env->VaultPut("app/db", R"({"password":"p1"})");
  env->VaultPut("app/web", R"({"password":"w1"})");
  std::string token1 = CreateToken(*env);

  env->Apply(SecretJson("vault-ca", {{"ca.crt", ReadFile(env->vault_ca_file())}}));
  env->Apply(SecretJson("approle", {{"id", sid1}}));
  env->Apply(SecretJson("vault-token", {{"token", token1}}));
  env->Apply(R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultConnection",
      "metadata":{"name":"vault","namespace":"demo"},
      "spec":{"address":")" +
             env->vault_url() + R"(","caCertSecretRef":"vault-ca"}})");
  env->Apply(R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultAuth",
      "metadata":{"name":"approle","namespace":"demo"},
      "spec":{"vaultConnectionRef":"vault","method":"appRole",
              "appRole":{"roleId":")" +
             role_id + R"(","secretRef":"approle"}}})");
  env->Apply(R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultAuth",
      "metadata":{"name":"token","namespace":"demo"},
      "spec":{"vaultConnectionRef":"vault","method":"token","token":{"secretRef":"vault-token"}}})");
  env->CreateVss("db", R"({"vaultAuthRef":"approle","mount":"secret","path":"app/db",
                           "refreshAfter":"1s","destination":{"name":"db"}})");
  env->CreateVss("web", R"({"vaultAuthRef":"token","mount":"secret","path":"app/web",
                            "refreshAfter":"1s","destination":{"name":"web"}})");
  // A short re-check so the test need not wait the default 30 s for what it checks last.
  auto op = env->StartOperator({"--credential-check-interval", "2s"});
  ASSERT_TRUE(
      WaitFor([&] { return Password(*env, "db") == "p1" && Password(*env, "web") == "w1"; }, 30s))
      << op.process->Stderr();

  // 1. AppRole: a new secret ID in the Secret, the old one destroyed in Vault.
  std::string sid2 = new_secret_id();
  env->Apply(SecretJson("approle", {{"id", sid2}}));
  ASSERT_EQ(env->Vault("POST", "/v1/auth/approle/role/sync/secret-id/destroy",
                       R"({"secret_id":")" + sid1 + R"("})")
                .status,
            204);
  env->VaultPut("app/db", R"({"password":"p2"})");
  // The second login must come (the Secret's change drops the old session); p2 alone is not
  // enough, since the old token still reads it until then.
  int logins = 0, refused = 0;
  auto count_logins = [&] {
    logins = refused = 0;
    for (const auto& r : env->VaultRequests()) {
      if (r.path != "/v1/auth/approle/login") continue;
      ++logins;
      refused += r.status != 200;
    }
    return logins;
  };
  ASSERT_TRUE(WaitFor(
      [&] {
        return op.process->Stderr().find("secret=demo/approle") != std::string::npos &&
               Password(*env, "db") == "p2" && count_logins() >= 2;
      },
      60s))
      << logins << " logins\n"
      << op.process->Stderr();
  EXPECT_EQ(count_logins(), 2) << "one login with each secret ID";
  EXPECT_EQ(refused, 0) << "the destroyed secret ID was never presented";

  // 2. The Vault server's certificate and the CA Secret, rotated together.
  auto rotated = env->Vault("POST", "/__emulator/tls", R"({"regenerate":true})");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  std::string new_ca = JsonString(rotated.body, {"ca_pem"});
  ASSERT_FALSE(new_ca.empty());
  env->Apply(SecretJson("vault-ca", {{"ca.crt", new_ca}}));
  env->VaultPut("app/db", R"({"password":"p3"})");
  env->VaultPut("app/web", R"({"password":"w3"})");
  ASSERT_TRUE(WaitFor(
      [&] {
        return op.process->Stderr().find("secret=demo/vault-ca") != std::string::npos &&
               Password(*env, "db") == "p3" && Password(*env, "web") == "w3";
      },
      60s))
      << op.process->Stderr();

  // 3. The token Secret replaced, and the old token revoked.
  std::string token2 = CreateToken(*env);
  env->Apply(SecretJson("vault-token", {{"token", token2}}));
  ASSERT_EQ(env->Vault("POST", "/v1/auth/token/revoke", R"({"token":")" + token1 + R"("})").status,
            204);
  env->VaultPut("app/web", R"({"password":"w4"})");
  ASSERT_TRUE(WaitFor([&] { return Password(*env, "web") == "w4"; }, 60s)) << op.process->Stderr();
  EXPECT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "web") == "True/Synced"; }, 10s));

  // 4. A VaultConnection's address and headers changed: the next reads go to the new server
  //    with the new header.
  const auto& second = env->StartSecondVault();
  ASSERT_FALSE(second.url.empty());
  ASSERT_EQ(
      env->SecondVault("POST", "/v1/secret/data/app/web", R"({"data":{"password":"B"}})").status,
      200);
  env->Apply(R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultConnection",
      "metadata":{"name":"plain","namespace":"demo"},"spec":{"address":")" +
             env->vault_url() + R"(","caCertSecretRef":"vault-ca"}})");
  env->Apply(SecretJson("root-token", {{"token", kRootToken}}));
  env->Apply(R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultAuth",
      "metadata":{"name":"moving","namespace":"demo"},
      "spec":{"vaultConnectionRef":"plain","method":"token","token":{"secretRef":"root-token"}}})");
  env->CreateVss("moved", R"({"vaultAuthRef":"moving","mount":"secret","path":"app/web",
                              "refreshAfter":"1s","destination":{"name":"moved"}})");
  ASSERT_TRUE(WaitFor([&] { return Password(*env, "moved") == "w4"; }, 30s));
  env->Apply(R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultConnection",
      "metadata":{"name":"plain","namespace":"demo"},"spec":{"address":")" +
             second.url + R"(","headers":{"X-Team":"payments"}}})");
  ASSERT_TRUE(WaitFor([&] { return Password(*env, "moved") == "B"; }, 30s)) << op.process->Stderr();
  bool header_sent = false;
  for (const auto& r : env->SecondVaultRequests()) {
    if (r.path != "/v1/secret/data/app/web") continue;
    for (const auto& h : r.header_names) header_sent |= h == "X-Team";
  }
  EXPECT_TRUE(header_sent) << "the new VaultConnection headers go with every read";
  EXPECT_EQ(op.process->Stop(), 0) << op.process->Stderr();
}

bool IsWrite(const Env::LoggedRequest& r) {
  return (r.method == "POST" || r.method == "PUT" || r.method == "PATCH" || r.method == "DELETE") &&
         r.status >= 200 && r.status < 300;
}

bool IsLease(const Env::LoggedRequest& r) { return r.path.find("/leases/") != std::string::npos; }

// The identity a replica logged when it became leader ("" when it did not).
std::string LeaderIdentity(const Env::Operator& op) {
  std::string log = op.process->Stderr();
  size_t at = log.find("became leader");
  if (at == std::string::npos) return "";
  size_t id = log.find("identity=", at);
  if (id == std::string::npos) return "";
  id += 9;
  return log.substr(id, log.find_first_of(" \n", id) - id);
}

TEST(FrameworkE2E, TheLeaderKeepsItsLeaseUnderThrottlingAndStopsWritingBeforeItsSuccessor) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  for (int i = 0; i < 3; ++i) {
    env->VaultPut("app/s" + std::to_string(i), R"({"v":"0"})");
    env->CreateVss("s" + std::to_string(i),
                   R"({"mount":"secret","path":"app/s)" + std::to_string(i) +
                       R"(","refreshAfter":"1s","destination":{"name":"s)" + std::to_string(i) +
                       R"("}})");
  }
  std::vector<std::string> flags = {"--leader-elect",
                                    "--leader-election-namespace",
                                    "demo",
                                    "--leader-election-lease-duration",
                                    "6s",
                                    "--leader-election-renew-deadline",
                                    "4s",
                                    "--leader-election-retry-period",
                                    "1s"};
  auto a = env->StartOperator(flags);
  ASSERT_TRUE(a.process->WaitForOutput("became leader", 30s)) << a.process->Stderr();
  auto b = env->StartOperator(flags);
  ASSERT_TRUE(WaitFor([&] { return env->SecretData("demo", "s2").has_value(); }, 30s));
  const std::string leader = LeaderIdentity(a);
  ASSERT_FALSE(leader.empty()) << a.process->Stderr();
  const std::string lease = "/apis/coordination.k8s.io/v1/namespaces/demo/leases/vaultsync-leader";

  // 1. Every request but the Lease's is throttled for 30 s: the leader still renews.
  int64_t before = env->KubeRequests().back().seq;
  ASSERT_EQ(env->Kube("POST", "/__emulator/faults",
                      R"({"status":429,"retry_after_seconds":30,)"
                      R"("exclude_path_prefix":["/apis/coordination.k8s.io/"]})")
                .status,
            200);
  int renewals = 0, throttled_by_leader = 0, standby_lease_writes = 0;
  ASSERT_TRUE(WaitFor(
      [&] {
        renewals = throttled_by_leader = standby_lease_writes = 0;
        for (const auto& r : env->KubeRequests()) {
          if (r.seq <= before) continue;
          bool by_leader = r.user_agent.find(leader) != std::string::npos;
          if (IsLease(r) && IsWrite(r)) (by_leader ? renewals : standby_lease_writes)++;
          if (by_leader && r.status == 429) ++throttled_by_leader;
        }
        return renewals >= 9;  // 9 s of renewals: longer than the 6 s lease
      },
      30s));
  EXPECT_EQ(env->ObjectString(lease, {"spec", "holderIdentity"}), leader);
  EXPECT_EQ(standby_lease_writes, 0);
  // Throttled work waits for its Retry-After: no hot loop of refused requests.
  EXPECT_LT(throttled_by_leader, 40) << "requests the leader made into a 30 s Retry-After";
  ASSERT_EQ(env->Kube("DELETE", "/__emulator/faults").status, 200);

  // 2. The leader's lease requests stop being answered. It must stop writing before the
  //    standby takes over; the API server's log shows writes from one holder at a time.
  ASSERT_EQ(env->Kube("POST", "/__emulator/faults",
                      R"({"path_contains":"/leases/","latency_ms":20000,"user_agent":")" + leader +
                          R"("})")
                .status,
            200);
  std::string successor;
  int round = 0;
  ASSERT_TRUE(WaitFor(
      [&] {
        ++round;
        env->VaultPut("app/s" + std::to_string(round % 3),
                      R"({"v":")" + std::to_string(round) + R"("})");
        successor = env->ObjectString(lease, {"spec", "holderIdentity"}).value_or("");
        if (successor.empty() || successor == leader) return false;
        for (const auto& r : env->KubeRequests()) {
          if (IsWrite(r) && !IsLease(r) && r.user_agent.find(successor) != std::string::npos)
            return true;
        }
        return false;
      },
      60s))
      << b.process->Stderr();
  EXPECT_EQ(a.process->Wait(30s), 1) << "a replica that lost its lease exits to be restarted";
  std::string last_by_old, first_by_new;
  for (const auto& r : env->KubeRequests()) {
    if (!IsWrite(r) || IsLease(r)) continue;
    if (r.user_agent.find(leader) != std::string::npos) last_by_old = std::max(last_by_old, r.time);
    if (r.user_agent.find(successor) != std::string::npos &&
        (first_by_new.empty() || r.start_time < first_by_new))
      first_by_new = r.start_time;
  }
  ASSERT_FALSE(last_by_old.empty());
  ASSERT_FALSE(first_by_new.empty());
  EXPECT_LT(last_by_old, first_by_new) << "the old leader wrote after its successor started";
  env->Kube("DELETE", "/__emulator/faults");
  EXPECT_THAT(a.process->Stderr(), HasSubstr("leadership lost"));
}

TEST(FrameworkE2E, SigtermDuringASyncBurstEndsWithinTheGracePeriod) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  constexpr int kResources = 120;
  for (int p = 0; p < 12; ++p)
    env->VaultPut("app/p" + std::to_string(p), R"({"password":"v)" + std::to_string(p) + R"("})");
  std::string list;
  for (int i = 0; i < kResources; ++i) {
    list +=
        std::string(i ? "," : "") +
        R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultStaticSecret","metadata":{"name":"r)" +
        std::to_string(i) + R"(","namespace":"demo"},"spec":{"mount":"secret","path":"app/p)" +
        std::to_string(i % 12) + R"(","destination":{"name":"r)" + std::to_string(i) + R"("}}})";
  }
  env->Apply(R"({"apiVersion":"v1","kind":"List","items":[)" + list + "]}");
  // Every Vault read takes a while, so reads are in flight when the signal comes.
  env->Vault("POST", "/__emulator/faults",
             R"({"method":"GET","path_prefix":"/v1/secret/data/","latency_ms":400})");
  auto op = env->StartOperator({"--shutdown-timeout", "5s"});
  auto existing = [&] {
    auto r = env->Kube(
        "GET",
        "/api/v1/namespaces/demo/secrets?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dvaultsync");
    auto doc = json::Parse(r.body);
    const json::Value* items = doc.ok() ? json::Find(*doc, "items") : nullptr;
    return items && items->IsArray() ? static_cast<int>(items->Size()) : 0;
  };
  ASSERT_TRUE(WaitFor([&] { return existing() >= 5; }, 60s)) << op.process->Stderr();
  auto signalled = std::chrono::steady_clock::now();
  op.process->Signal(SIGTERM);
  int code = op.process->Wait(30s);
  auto took = std::chrono::steady_clock::now() - signalled;
  EXPECT_EQ(code, 0) << op.process->Stderr();
  EXPECT_LE(took, 10s) << "the shutdown overran its grace period";
  int written = existing();
  EXPECT_LT(written, kResources) << "the burst was still going when the signal came";
  // Nothing half-written: each Secret that exists holds its path's whole data.
  for (int i = 0; i < kResources; ++i) {
    auto d = env->SecretData("demo", "r" + std::to_string(i));
    if (!d) continue;
    EXPECT_EQ(*d, (std::map<std::string, std::string>{{"password", "v" + std::to_string(i % 12)}}));
  }
  // A restart finishes the job.
  env->Vault("DELETE", "/__emulator/faults");
  auto again = env->StartOperator();
  EXPECT_TRUE(WaitFor([&] { return existing() == kResources; }, 90s)) << again.process->Stderr();
  EXPECT_EQ(again.process->Stop(), 0);
}

// Issue #14: with the default --kube-qps 0 (no client-side limit) the API server's Priority
// and Fairness is what protects it. Against an emulator that admits only 2 requests in
// flight and answers the rest 429 + Retry-After: 1, a burst of 40 first syncs completes, each
// refused request is asked again no sooner than its Retry-After, and no error is left behind.
TEST(FrameworkE2E, ASyncBurstAgainstAnOverloadedApiServerCompletesHonouringRetryAfter) {
  Env::Options options;
  options.kube_args = {"--max-requests-inflight", "2"};
  auto env = Env::Start(options);
  ASSERT_NE(env, nullptr);
  constexpr int kResources = 40;
  for (int p = 0; p < 6; ++p)
    env->VaultPut("app/p" + std::to_string(p), R"({"password":"v)" + std::to_string(p) + R"("})");
  std::string list;
  for (int i = 0; i < kResources; ++i) {
    list +=
        std::string(i ? "," : "") +
        R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultStaticSecret","metadata":{"name":"r)" +
        std::to_string(i) + R"(","namespace":"demo"},"spec":{"mount":"secret","path":"app/p)" +
        std::to_string(i % 6) + R"(","destination":{"name":"r)" + std::to_string(i) + R"("}}})";
  }
  env->Apply(R"({"apiVersion":"v1","kind":"List","items":[)" + list + "]}");
  // Slow writes hold their seats, so the operator's 4 workers surely overlap.
  env->Kube("POST", "/__emulator/faults", R"({"method":"PATCH","latency_ms":60})");
  auto started = std::chrono::steady_clock::now();
  auto op = env->StartOperator({});  // default flags: --kube-qps 0
  ASSERT_NE(op.process, nullptr);
  auto synced = [&] {
    for (int i = 0; i < kResources; ++i) {
      auto d = env->SecretData("demo", "r" + std::to_string(i));
      if (!d || (*d)["password"] != "v" + std::to_string(i % 6)) return false;
    }
    return true;
  };
  ASSERT_TRUE(WaitFor(synced, 120s)) << op.process->Stderr();
  auto ready = [&] {
    for (int i = 0; i < kResources; ++i) {
      if (env->Ready("vaultstaticsecrets", "demo", "r" + std::to_string(i)) != "True/Synced")
        return false;
    }
    return true;
  };
  EXPECT_TRUE(WaitFor(ready, 60s)) << "an error condition was left behind";

  // The overload was real, and it caused no storm: a refused request is asked again after
  // the Retry-After its reconcile was given (the work queue's floor: runtime's
  // Controller.ARetryAfterIsAFloorForTheRetry) or at the next watch event of the object (as
  // controller-runtime does), so each object sees a handful of attempts, never a hot loop.
  auto burst_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count();
  int refused = 0;
  std::map<std::string, int> attempts;  // "METHOD path" of one object -> requests
  for (const auto& r : env->KubeRequests()) {
    if (r.user_agent.find("vaultsync-operator") == std::string::npos) continue;
    if (r.status == 429) ++refused;
    if (r.method != "POST") ++attempts[r.method + " " + r.path];
  }
  EXPECT_GT(refused, 0) << "the emulator never refused the operator: no overload was tested";
  for (const auto& [what, n] : attempts) {
    // Lists and watches; Events (each aggregation step is a new patch of the Event).
    if (what.rfind("GET", 0) == 0 || what.find("/events/") != std::string::npos) continue;
    // At most one attempt per Retry-After (1 s) of the burst, plus the first.
    EXPECT_LE(n, burst_seconds + 2)
        << what << " was asked " << n << " times in " << burst_seconds << " s";
  }
  EXPECT_EQ(op.process->Stop(), 0) << op.process->Stderr();
}

}  // namespace
}  // namespace vaultsync::e2e
