// End-to-end: the real vaultsync-operator binary against the kube-apiserver and Vault
// emulators over loopback. Each test builds its own bench and stops every process.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdio>

#include "e2e_env.h"
#include "kubernetes_auth_setup.h"
#include "util/json.h"
#include "util/time_format.h"

namespace vaultsync::e2e {
namespace {
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using Data = std::map<std::string, std::string>;

constexpr const char* kDbSpec =
    R"({"mount":"secret","path":"app/db","refreshAfter":"2s","destination":{"name":"db-creds"}})";

// Leader election on a short lease, so a takeover happens within seconds.
const std::vector<std::string> kFastLeaderElection = {"--leader-elect",
                                                      "--leader-election-lease-duration",
                                                      "3s",
                                                      "--leader-election-renew-deadline",
                                                      "2s",
                                                      "--leader-election-retry-period",
                                                      "500ms"};

// Waits (bounded) until the operator's /readyz answers 200.
bool BecomesReady(const Env::Operator& op) {
  return WaitFor(
      [&] {
        int status = 0;
        Env::HttpGet(op.probe_port, "/readyz", &status);
        return status == 200;
      },
      15s);
}

int64_t Writes(const std::map<std::string, int64_t>& counters) {
  int64_t n = 0;
  for (const auto& [k, v] : counters) {
    if (k.rfind("CREATE", 0) == 0 || k.rfind("UPDATE", 0) == 0 || k.rfind("PATCH", 0) == 0 ||
        k.rfind("DELETE", 0) == 0) {
      n += v;
    }
  }
  return n;
}

std::string Dump(const std::map<std::string, int64_t>& counters) {
  std::string s;
  for (const auto& [k, v] : counters) s += k + "=" + std::to_string(v) + " ";
  return s;
}

TEST(OperatorE2E, SyncsFollowsVaultRestoresDriftAndSurvivesVaultOutage) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  env->VaultPut("app/db", R"({"username":"admin","password":"s3cr3t","port":5432})");
  auto op = env->StartOperator();
  ASSERT_NE(op.process, nullptr);
  env->CreateVss("db", kDbSpec);

  // Created with the right data and owner.
  ASSERT_TRUE(WaitFor([&] { return env->SecretData("demo", "db-creds").has_value(); }, 15s))
      << op.process->Stderr();
  EXPECT_EQ(*env->SecretData("demo", "db-creds"),
            (Data{{"password", "s3cr3t"}, {"port", "5432"}, {"username", "admin"}}));
  auto secret = env->Kube("GET", "/api/v1/namespaces/demo/secrets/db-creds").body;
  EXPECT_THAT(secret, HasSubstr(R"("kind":"VaultStaticSecret")"));
  EXPECT_THAT(secret, HasSubstr(R"("app.kubernetes.io/managed-by":"vaultsync")"));
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "db") == "True/Synced"; }, 15s));
  // The sync's log line names the object and its reconcile (the bench runs --log-format
  // text; JSON is covered by the logger's unit tests).
  {
    std::string log = op.process->Stderr();
    size_t at = log.find(" info secret created ");
    ASSERT_NE(at, std::string::npos) << log;
    std::string line = log.substr(at, log.find('\n', at) - at);
    EXPECT_THAT(line, HasSubstr(" controller=vaultstaticsecret"));
    EXPECT_THAT(line, HasSubstr(" namespace=demo"));
    EXPECT_THAT(line, HasSubstr(" name=db"));
    size_t id = line.find(" reconcileID=");
    ASSERT_NE(id, std::string::npos) << line;
    EXPECT_GE(line.size() - (id + 13), 36u) << "a UUID: " << line;
  }

  // Vault value changed -> Secret updated at the next refresh (2 s; bounded generously, as
  // an ASan build on a loaded machine is slow).
  env->VaultPut("app/db", R"({"username":"admin","password":"rotated","port":5432})");
  EXPECT_TRUE(WaitFor(
      [&] { return (*env->SecretData("demo", "db-creds"))["password"] == "rotated"; }, 15s));

  // Edited or deleted by hand -> restored through the watch: this resource's refresh is an
  // hour away, so nothing else can bring the restore within the bounded waits.
  env->VaultPut("app/watched", R"({"password":"kept"})");
  env->CreateVss(
      "watched",
      R"({"mount":"secret","path":"app/watched","refreshAfter":"1h","destination":{"name":"watched-creds"}})");
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "watched") == "True/Synced"; }, 15s))
      << op.process->Stderr();
  auto patch = env->Kube("PATCH", "/api/v1/namespaces/demo/secrets/watched-creds",
                         R"({"data":{"password":"aGFja2Vk"}})", "application/merge-patch+json");
  ASSERT_EQ(patch.status, 200) << patch.body;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto d = env->SecretData("demo", "watched-creds");
        return d && (*d)["password"] == "kept";
      },
      15s));
  ASSERT_EQ(env->Kube("DELETE", "/api/v1/namespaces/demo/secrets/watched-creds").status, 200);
  EXPECT_TRUE(WaitFor(
      [&] {
        auto d = env->SecretData("demo", "watched-creds");
        return d && (*d)["password"] == "kept";
      },
      15s));

  // Vault down (sealed answers) -> Secret unchanged, condition says why; recovers after.
  Data before = *env->SecretData("demo", "db-creds");
  auto fault = env->Vault(
      "POST", "/__emulator/faults",
      R"({"method":"GET","path_prefix":"/v1/secret/","status":503,"body":"{\"errors\":[\"Vault is sealed\"]}\n"})");
  ASSERT_EQ(fault.status, 200);
  EXPECT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "db") == "False/VaultUnavailable"; },
      15s));
  EXPECT_EQ(*env->SecretData("demo", "db-creds"), before);
  env->VaultPut(
      "app/db",
      R"({"username":"admin","password":"after-outage","port":5432})");  // only reads fail
  ASSERT_EQ(env->Vault("DELETE", "/__emulator/faults").status, 200);
  EXPECT_TRUE(
      WaitFor([&] { return env->Ready("vaultstaticsecrets", "demo", "db") == "True/Synced"; }, 15s))
      << op.process->Stderr();
  EXPECT_TRUE(WaitFor(
      [&] { return (*env->SecretData("demo", "db-creds"))["password"] == "after-outage"; }, 15s));

  // Resource deleted -> Secret deleted (ownerReference, garbage collection).
  ASSERT_EQ(env->Kube("DELETE", "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultstaticsecrets/db")
                .status,
            200);
  EXPECT_TRUE(WaitFor([&] { return !env->SecretData("demo", "db-creds").has_value(); }, 15s))
      << env->Kube("GET", "/api/v1/namespaces/demo/secrets/db-creds").body << "\n"
      << op.process->Stderr();
  EXPECT_EQ(op.process->Stop(), 0) << op.process->Stderr();
}

// Three resources whose sources overlap on two paths: two Vault reads per refresh period
// between them, and not one Kubernetes write while nothing changes. The window measured is
// bounded by positive events (reads that must happen), never by a sleep.
TEST(OperatorE2E, SteadyStateWritesNothingAndSharesVaultReads) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  env->VaultPut("app/db", R"({"password":"a"})");
  env->VaultPut("app/other", R"({"token":"b"})");
  auto op = env->StartOperator();
  env->CreateVss("one", R"({"mount":"secret","path":"app/db","refreshAfter":"2s",
      "destination":{"name":"s1"},"sources":[{"path":"app/other"}]})");
  env->CreateVss("two", R"({"mount":"secret","path":"app/other","refreshAfter":"2s",
      "destination":{"name":"s2"},"sources":[{"path":"app/db"}]})");
  env->CreateVss("three", R"({"mount":"secret","refreshAfter":"2s","destination":{"name":"s3"},
      "sources":[{"path":"app/db"},{"path":"app/other"}]})");
  ASSERT_TRUE(WaitFor(
      [&] {
        return env->Ready("vaultstaticsecrets", "demo", "one") == "True/Synced" &&
               env->Ready("vaultstaticsecrets", "demo", "two") == "True/Synced" &&
               env->Ready("vaultstaticsecrets", "demo", "three") == "True/Synced";
      },
      15s))
      << op.process->Stderr();
  const std::string db = "GET /v1/secret/data/app/db";
  const std::string other = "GET /v1/secret/data/app/other";
  // Let a full refresh settle the schedules and flush the first sync's Events: two more
  // reads of each path.
  env->ResetCounters();
  ASSERT_TRUE(WaitFor(
      [&] {
        auto v = env->VaultCounters();
        return v[db] >= 2 && v[other] >= 2;
      },
      15s));
  int64_t since = 0;
  for (const auto& r : env->VaultRequests()) since = std::max(since, r.seq);
  env->ResetCounters();
  // The measured window: until each path has been read four more times.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto v = env->VaultCounters();
        return v[db] >= 4 && v[other] >= 4;
      },
      20s));
  auto kube = env->KubeCounters();
  auto vault = env->VaultCounters();
  EXPECT_EQ(Writes(kube), 0) << Dump(kube);
  // Token auth: no login at all; nothing but the two KV reads.
  EXPECT_EQ(vault.size(), 2u) << Dump(vault);
  EXPECT_LE(std::abs(vault[db] - vault[other]), 1) << Dump(vault);
  // One read per path per refresh period for the three resources together: consecutive reads
  // of a path are more than a sharing window (refreshAfter / 2) apart. Were each resource
  // reading for itself, three reads would come within milliseconds.
  std::map<std::string, std::vector<TimePoint>> reads;
  for (const auto& r : env->VaultRequests()) {
    if (r.seq <= since || r.method != "GET") continue;
    auto t = ParseRfc3339(r.time);
    ASSERT_TRUE(t.ok()) << r.time;
    reads[r.path].push_back(*t);
  }
  ASSERT_EQ(reads.size(), 2u);
  for (const auto& [path, times] : reads) {
    ASSERT_GE(times.size(), 4u) << path;
    for (size_t i = 1; i < times.size(); ++i) {
      EXPECT_GT(times[i] - times[i - 1], 1s)
          << path << " read twice in one refresh period (read " << i << ")";
    }
  }
  EXPECT_EQ(op.process->Stop(), 0);
}

TEST(OperatorE2E, OnlyTheLeaderWritesAndAStandbyTakesOver) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  env->VaultPut("app/db", R"({"password":"v1"})");
  auto first = env->StartOperator(kFastLeaderElection);
  ASSERT_TRUE(first.process->WaitForOutput("became leader", 45s)) << first.process->Stderr();
  auto second = env->StartOperator(kFastLeaderElection);
  env->CreateVss("db", kDbSpec);
  ASSERT_TRUE(WaitFor([&] { return env->SecretData("demo", "db-creds").has_value(); }, 15s));
  EXPECT_TRUE(first.process->WaitForOutput("secret created", 5s)) << first.process->Stderr();
  // The standby is ready too (it can take over at once): its caches are synced, so a standby
  // that wrongly reconciled would act on what follows.
  ASSERT_TRUE(BecomesReady(second)) << second.process->Stderr();
  // A hand edit, which both replicas' caches see and only the leader restores.
  ASSERT_EQ(env->Kube("PATCH", "/api/v1/namespaces/demo/secrets/db-creds",
                      R"({"data":{"password":"aGFja2Vk"}})", "application/merge-patch+json")
                .status,
            200);
  EXPECT_TRUE(
      WaitFor([&] { return (*env->SecretData("demo", "db-creds"))["password"] == "v1"; }, 5s));
  EXPECT_THAT(second.process->Stderr(), ::testing::Not(HasSubstr("became leader")));

  EXPECT_EQ(first.process->Stop(), 0) << first.process->Stderr();  // releases the Lease
  ASSERT_TRUE(second.process->WaitForOutput("became leader", 30s)) << second.process->Stderr();
  // Everything the second replica logged as the standby — from its start, through the sync,
  // the edit and the leader's exit, to the moment it took over — shows no sync of its own.
  {
    std::string log = second.process->Stderr();
    std::string standby = log.substr(0, log.find("became leader"));
    EXPECT_THAT(standby, ::testing::Not(HasSubstr("secret "))) << standby;
  }
  env->VaultPut("app/db", R"({"password":"v2"})");
  EXPECT_TRUE(
      WaitFor([&] { return (*env->SecretData("demo", "db-creds"))["password"] == "v2"; }, 6s))
      << second.process->Stderr();
  EXPECT_EQ(second.process->Stop(), 0);
}

// The leader killed (SIGKILL: no release of the Lease): the standby takes over once the Lease
// has expired, never before, and then syncs. Measured on the Lease object's own times: the
// last renewal of the dead leader and the successor's acquireTime.
TEST(OperatorE2E, AKilledLeadersStandbyTakesOverWhenItsLeaseExpires) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  env->VaultPut("app/db", R"({"password":"v1"})");
  auto first = env->StartOperator(kFastLeaderElection);
  ASSERT_TRUE(first.process->WaitForOutput("became leader", 45s)) << first.process->Stderr();
  auto second = env->StartOperator(kFastLeaderElection);
  env->CreateVss("db", kDbSpec);
  ASSERT_TRUE(WaitFor([&] { return env->SecretData("demo", "db-creds").has_value(); }, 15s));
  ASSERT_TRUE(BecomesReady(second));
  const std::string lease =
      "/apis/coordination.k8s.io/v1/namespaces/default/leases/vaultsync-leader";
  const std::string holder = env->ObjectString(lease, {"spec", "holderIdentity"}).value_or("");
  ASSERT_FALSE(holder.empty());
  first.process->Signal(SIGKILL);
  EXPECT_NE(first.process->Wait(10s), -1);
  // The last renewal the dead leader made (it can no longer change).
  const auto renewed = ParseRfc3339(env->ObjectString(lease, {"spec", "renewTime"}).value_or(""));
  ASSERT_TRUE(renewed.ok());
  ASSERT_TRUE(second.process->WaitForOutput("became leader", 30s)) << second.process->Stderr();
  EXPECT_NE(env->ObjectString(lease, {"spec", "holderIdentity"}).value_or(""), holder);
  const auto acquired =
      ParseRfc3339(env->ObjectString(lease, {"spec", "acquireTime"}).value_or(""));
  ASSERT_TRUE(acquired.ok());
  const double gap = std::chrono::duration<double>(*acquired - *renewed).count();
  std::printf("standby took over %.2f s after the dead leader's last renewal (lease 3 s)\n", gap);
  EXPECT_GE(gap, 3.0) << "taken over before the lease expired";
  // Liveness, not speed: the standby acts on its own observation of the Lease (it must see
  // it unchanged for a whole lease), so a loaded machine (the sanitizer run) adds seconds;
  // a standby that waited for a release that never comes would not take over at all.
  EXPECT_LE(gap, 3.0 + 15.0) << "the standby waited far beyond the lease";
  env->VaultPut("app/db", R"({"password":"v2"})");
  EXPECT_TRUE(
      WaitFor([&] { return (*env->SecretData("demo", "db-creds"))["password"] == "v2"; }, 10s))
      << second.process->Stderr();
  EXPECT_EQ(second.process->Stop(), 0);
}

TEST(OperatorE2E, ExportsMetricsAndProbes) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  env->VaultPut("app/db", R"({"password":"v1"})");
  auto op = env->StartOperator();
  ASSERT_TRUE(BecomesReady(op));
  int status = 0;
  Env::HttpGet(op.probe_port, "/healthz", &status);
  EXPECT_EQ(status, 200);
  env->CreateVss("db", kDbSpec);
  auto metric = [&](const std::string& line_prefix) {
    std::string text = Env::HttpGet(op.metrics_port, "/metrics");
    size_t pos = text.find("\n" + line_prefix + " ");
    if (pos == std::string::npos) return -1.0;
    return std::stod(text.substr(pos + line_prefix.size() + 2));
  };
  EXPECT_TRUE(WaitFor(
      [&] { return metric(R"(vaultsync_secret_syncs_total{result="created"})") == 1; }, 15s));
  EXPECT_TRUE(WaitFor(
      [&] { return metric(R"(vaultsync_secret_syncs_total{result="unchanged"})") >= 1; }, 5s));
  env->VaultPut("app/db", R"({"password":"v2"})");
  EXPECT_TRUE(WaitFor(
      [&] { return metric(R"(vaultsync_secret_syncs_total{result="updated"})") == 1; }, 5s));
  env->Vault("POST", "/__emulator/faults",
             R"({"method":"GET","path_prefix":"/v1/secret/","status":503})");
  EXPECT_TRUE(
      WaitFor([&] { return metric(R"(vaultsync_secret_syncs_total{result="error"})") >= 1; }, 8s));
  // The error is counted before the key is re-queued: wait for the retry too.
  EXPECT_TRUE(WaitFor(
      [&] { return metric(R"(workqueue_retries_total{name="vaultstaticsecret"})") >= 1; }, 5s));
  std::string text = Env::HttpGet(op.metrics_port, "/metrics");
  for (const char* name :
       {"controller_runtime_reconcile_total{controller=\"vaultstaticsecret\",result=\"success\"}",
        "controller_runtime_reconcile_errors_total{controller=\"vaultstaticsecret\"}",
        "controller_runtime_reconcile_time_seconds_bucket{controller=\"vaultstaticsecret\"",
        "workqueue_depth{name=\"vaultstaticsecret\"}",
        "workqueue_adds_total{name=\"vaultstaticsecret\"}",
        "workqueue_retries_total{name=\"vaultstaticsecret\"}",
        "workqueue_queue_duration_seconds_bucket{name=",
        "workqueue_work_duration_seconds_bucket{name=",
        "rest_client_requests_total{code=\"200\",host=",
        "vaultsync_vault_requests_total{code=\"200\",operation=\"kv_read\"}",
        "vaultsync_vault_requests_total{code=\"503\",operation=\"kv_read\"}",
        "vaultsync_vault_request_duration_seconds_bucket{operation=\"kv_read\"",
        "vaultsync_secret_last_sync_timestamp_seconds{name=\"db\",namespace=\"demo\"}",
        // kDbSpec's refreshAfter of 2s.
        "vaultsync_secret_refresh_interval_seconds{name=\"db\",namespace=\"demo\"} 2\n",
        "vaultsync_managed_secrets 1", "vaultsync_build_info{", "process_resident_memory_bytes",
        "process_cpu_seconds_total", "process_open_fds", "process_start_time_seconds"}) {
    EXPECT_THAT(text, HasSubstr(name));
  }
  // Deleting the resource removes both of its staleness series.
  env->Vault("DELETE", "/__emulator/faults");
  ASSERT_EQ(env->Kube("DELETE", "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultstaticsecrets/db")
                .status,
            200);
  EXPECT_TRUE(WaitFor(
      [&] {
        return Env::HttpGet(op.metrics_port, "/metrics")
                   .find("vaultsync_secret_last_sync_timestamp_seconds{") == std::string::npos;
      },
      5s));
  EXPECT_THAT(Env::HttpGet(op.metrics_port, "/metrics"),
              ::testing::Not(HasSubstr("vaultsync_secret_refresh_interval_seconds{")));
  EXPECT_EQ(op.process->Stop(), 0);
}

// The identity path of a real install: Vault's kubernetes auth validates the tenant
// ServiceAccount token (minted by the operator with TokenRequest) through a TokenReview
// against the API server.
TEST(OperatorE2E, KubernetesAuthWithTenantIdentity) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  ASSERT_NO_FATAL_FAILURE(SetUpKubernetesAuth(*env, R"("token_ttl":3600)"));
  env->VaultPut("app/db", R"({"password":"p1"})");
  env->VaultPut("app/web", R"({"key":"k1"})");
  env->VaultPut("other/x", R"({"nope":"n"})");
  ASSERT_EQ(env->Kubectl({"create", "namespace", "other"}).exit_code, 0);

  auto op = env->StartOperator({"--allow-operator-identity=false"});
  env->CreateVss("db",
                 R"({"vaultAuthRef":"app","mount":"secret","path":"app/db","refreshAfter":"2s",
                           "destination":{"name":"db"}})");
  env->CreateVss("web",
                 R"({"vaultAuthRef":"app","mount":"secret","path":"app/web","refreshAfter":"2s",
                            "destination":{"name":"web"}})");
  env->CreateVss(
      "denied",
      R"({"vaultAuthRef":"app","mount":"secret","path":"other/x","destination":{"name":"x"}})");
  env->CreateVss(
      "foreign",
      R"({"vaultAuthRef":"demo/app","mount":"secret","path":"app/db","destination":{"name":"f"}})",
      "other");
  env->CreateVss("operator", R"({"mount":"secret","path":"app/db","destination":{"name":"o"}})");
  ASSERT_TRUE(WaitFor(
      [&] { return env->SecretData("demo", "db").has_value() && env->SecretData("demo", "web"); },
      20s))
      << op.process->Stderr();
  EXPECT_EQ((*env->SecretData("demo", "db"))["password"], "p1");
  EXPECT_TRUE(WaitFor(
      [&] {
        return env->Ready("vaultstaticsecrets", "demo", "denied") == "False/PermissionDenied";
      },
      10s))
      << env->Ready("vaultstaticsecrets", "demo", "denied");
  EXPECT_TRUE(WaitFor(
      [&] {
        return env->Ready("vaultstaticsecrets", "other", "foreign") == "False/NamespaceNotAllowed";
      },
      10s));
  EXPECT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "operator") == "False/InvalidSpec"; },
      10s));
  EXPECT_FALSE(env->SecretData("other", "f").has_value());
  EXPECT_FALSE(env->SecretData("demo", "x").has_value());
  EXPECT_TRUE(
      WaitFor([&] { return env->Ready("vaultauths", "demo", "app") == "True/Valid"; }, 10s));
  // One identity, one login, however many resources and refreshes: wait for several refreshes
  // of app/db (a count, reached however slow the machine), then count the logins.
  EXPECT_TRUE(WaitFor([&] { return env->VaultCounters()["GET /v1/secret/data/app/db"] >= 3; }, 30s))
      << Dump(env->VaultCounters());
  auto vault = env->VaultCounters();
  EXPECT_EQ(vault["POST /v1/auth/kubernetes/login"], 1) << Dump(vault);
  EXPECT_EQ(op.process->Stop(), 0) << op.process->Stderr();
  // Shutdown revoked the token it logged in for.
  EXPECT_EQ(env->VaultCounters()["POST /v1/auth/token/revoke-self"], 1)
      << Dump(env->VaultCounters());
}

// The token behind a tenant identity dies behind the operator's back: revoked by an
// administrator, then past its max TTL (Vault's clock moved on). Each time the first refused
// read is checked with lookup-self, ONE new login replaces the token, the read is repeated,
// and the Secret goes on following Vault; nothing is reported as denied.
TEST(OperatorE2E, ARevokedTokenAndOnePastItsMaxTtlAreEachReplacedByOneLogin) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  ASSERT_NO_FATAL_FAILURE(SetUpKubernetesAuth(*env, R"("token_ttl":3600,"token_max_ttl":7200)"));
  env->VaultPut("app/db", R"({"password":"p1"})");
  auto op = env->StartOperator({"--allow-operator-identity=false"});
  env->CreateVss("db", R"({"vaultAuthRef":"app","mount":"secret","path":"app/db",
      "refreshAfter":"1s","destination":{"name":"db"}})");
  auto password_is = [&](const std::string& want) {
    return WaitFor(
        [&] {
          auto d = env->SecretData("demo", "db");
          return d && (*d)["password"] == want;
        },
        20s);
  };
  ASSERT_TRUE(password_is("p1")) << op.process->Stderr();
  auto logins = [&] { return env->VaultCounters()["POST /v1/auth/kubernetes/login"]; };
  EXPECT_EQ(logins(), 1);

  // Revoked by an administrator.
  ASSERT_EQ(RevokeTokensWithPolicy(*env, "app-read"), 1);
  env->VaultPut("app/db", R"({"password":"p2"})");
  ASSERT_TRUE(password_is("p2")) << op.process->Stderr();
  EXPECT_EQ(logins(), 2) << Dump(env->VaultCounters());

  // Past its max TTL: two hours and more go by on Vault's clock.
  ASSERT_EQ(env->Vault("POST", "/__emulator/time", R"({"advance_seconds":7300})").status, 200);
  env->VaultPut("app/db", R"({"password":"p3"})");
  ASSERT_TRUE(password_is("p3")) << op.process->Stderr();
  EXPECT_EQ(logins(), 3) << Dump(env->VaultCounters());

  // Settled: further refreshes (a count, reached however slow the machine) log in no more,
  // and the resource never left Synced for a refusal.
  const int64_t reads = env->VaultCounters()["GET /v1/secret/data/app/db"];
  ASSERT_TRUE(WaitFor(
      [&] { return env->VaultCounters()["GET /v1/secret/data/app/db"] >= reads + 3; }, 15s));
  auto vault = env->VaultCounters();
  EXPECT_EQ(vault["POST /v1/auth/kubernetes/login"], 3) << Dump(vault);
  EXPECT_LE(vault["GET /v1/auth/token/lookup-self"], 2) << Dump(vault);
  EXPECT_EQ(env->Ready("vaultstaticsecrets", "demo", "db"), "True/Synced");
  for (const auto& e : env->Events("demo", "VaultStaticSecret", "db")) {
    EXPECT_NE(e.type, "Warning") << e.reason << ": " << e.message;
  }
  EXPECT_EQ(op.process->Stop(), 0) << op.process->Stderr();
}

TEST(OperatorE2E, SecretValuesAppearNowhereButTheSecret) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  const std::string canary = "CANARY-9d1e-s3cr3t";
  env->VaultPut("app/db", R"({"password":")" + canary + R"(","bad key":")" + canary + R"("})");
  auto op = env->StartOperator({"--log-level", "debug"});
  // A failing sync first (a key that is not a valid Secret key), then a good one, then Vault down.
  env->CreateVss("db", kDbSpec);
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "db") == "False/InvalidSpec"; }, 15s))
      << op.process->Stderr();
  env->VaultPut("app/db", R"({"password":")" + canary + R"("})");
  ASSERT_TRUE(
      WaitFor([&] { return env->Ready("vaultstaticsecrets", "demo", "db") == "True/Synced"; }, 8s));
  EXPECT_EQ((*env->SecretData("demo", "db-creds"))["password"], canary);  // it did get through
  env->Vault("POST", "/__emulator/faults",
             R"({"method":"GET","path_prefix":"/v1/secret/","status":500})");
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "db") == "False/VaultUnavailable"; },
      8s));

  std::string metrics = Env::HttpGet(op.metrics_port, "/metrics");
  std::string vss =
      env->Kube("GET", "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultstaticsecrets/db").body;
  std::string events = env->Kube("GET", "/api/v1/namespaces/demo/events").body;
  EXPECT_EQ(op.process->Stop(), 0);
  std::string logs = op.process->Stdout() + op.process->Stderr();
  EXPECT_THAT(events, HasSubstr("VaultStaticSecret"));  // events were written...
  EXPECT_THAT(logs, HasSubstr("sync failed"));          // ...and logs too
  for (const auto& [what, text] : std::map<std::string, std::string>{
           {"logs", logs}, {"metrics", metrics}, {"status", vss}, {"events", events}}) {
    EXPECT_EQ(text.find(canary), std::string::npos) << what << " leaks the secret value";
    EXPECT_EQ(text.find(kRootToken + std::string("\"")), std::string::npos)
        << what << " leaks the token";
  }
}

}  // namespace
}  // namespace vaultsync::e2e
