// End-to-end test of spec.rolloutRestartTargets (issue #4): the real vaultsync-operator
// against the kube and Vault emulators restarts the named workloads (pod-template annotation
// vaultsync.io/restartedAt) only when the Secret's data changes: not on the first sync, not
// on a refresh that finds the same data. A target that does not exist gets a Warning Event
// and does not fail the sync. The workloads go in with kubectl apply, as a user's would, and
// kubectl reads them back afterwards.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "e2e_env.h"
#include "util/json.h"
#include "util/time_format.h"

namespace vaultsync::e2e {
namespace {
using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr const char* kAnnotation = "vaultsync.io/restartedAt";
constexpr const char* kVaultRead = "GET /v1/secret/data/app/web";

// What a user applies: three workloads that read the synced Secret, one of each kind the
// rollout targets accept.
constexpr const char* kWorkloads = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: demo
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.25
        envFrom:
        - secretRef:
            name: web-config
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: demo
spec:
  serviceName: db
  replicas: 1
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: db
        image: postgres:16
        envFrom:
        - secretRef:
            name: web-config
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: demo
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: agent
        image: busybox:1.36
        command: ["sleep", "infinity"]
        envFrom:
        - secretRef:
            name: web-config
)";

constexpr const char* kVssSpec = R"({"mount":"secret","path":"app/web","refreshAfter":"2s",
  "destination":{"name":"web-config"},
  "rolloutRestartTargets":[{"kind":"Deployment","name":"web"},
                           {"kind":"StatefulSet","name":"db"},
                           {"kind":"DaemonSet","name":"agent"},
                           {"kind":"Deployment","name":"missing"}]})";

struct Workload {
  const char* kind;
  const char* name;
  std::string path;  // API path of the object
};

const std::vector<Workload>& Workloads() {
  static const std::vector<Workload> w = {
      {"Deployment", "web", "/apis/apps/v1/namespaces/demo/deployments/web"},
      {"StatefulSet", "db", "/apis/apps/v1/namespaces/demo/statefulsets/db"},
      {"DaemonSet", "agent", "/apis/apps/v1/namespaces/demo/daemonsets/agent"},
  };
  return w;
}

std::optional<std::string> RestartedAt(Env& env, const Workload& w) {
  return env.ObjectString(w.path, {"spec", "template", "metadata", "annotations", kAnnotation});
}

int64_t Generation(Env& env, const Workload& w) {
  return env.ObjectInt(w.path, {"metadata", "generation"}).value_or(-1);
}

// Sum of the (aggregated) counts of the VSS's Events with this type, reason and message.
int64_t EventCount(Env& env, const std::string& type, const std::string& reason,
                   const std::string& message_part) {
  int64_t n = 0;
  for (const auto& e : env.Events("demo", "VaultStaticSecret", "web")) {
    if (e.type == type && e.reason == reason && e.message.find(message_part) != std::string::npos)
      n += e.count;
  }
  return n;
}

int64_t RestartEvents(Env& env) {
  int64_t n = 0;
  for (const auto& e : env.Events("demo", "VaultStaticSecret", "web")) {
    if (e.reason == "RolloutRestarted" || e.reason == "RolloutRestartFailed") n += e.count;
  }
  return n;
}

std::string DumpEvents(Env& env) {
  std::string s;
  for (const auto& e : env.Events("demo")) {
    s += e.involved_kind + "/" + e.involved_name + " " + e.type + " " + e.reason + " x" +
         std::to_string(e.count) + ": " + e.message + "\n";
  }
  return s;
}

// Writes to the workload resources since the last counter reset.
int64_t WorkloadWrites(const std::map<std::string, int64_t>& counters) {
  int64_t n = 0;
  for (const auto& [k, v] : counters) {
    bool write = k.rfind("GET", 0) != 0 && k.rfind("LIST", 0) != 0 && k.rfind("WATCH", 0) != 0;
    bool workload = k.find("deployments") != std::string::npos ||
                    k.find("statefulsets") != std::string::npos ||
                    k.find("daemonsets") != std::string::npos;
    if (write && workload) n += v;
  }
  return n;
}

// Waits until the operator has read the Vault path `reads` more times (refreshes), from now.
bool WaitForRefreshes(Env& env, int64_t reads, std::chrono::milliseconds timeout) {
  env.ResetCounters();
  return WaitFor([&] { return env.VaultCounters()[kVaultRead] >= reads; }, timeout);
}

TEST(RolloutE2E, RestartsTargetsOnlyWhenTheSecretDataChanges) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  env->VaultPut("app/web", R"({"greeting":"v1"})");
  auto applied = env->Kubectl({"apply", "-f", "-"}, kWorkloads);
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  std::map<std::string, int64_t> gen0;
  for (const auto& w : Workloads()) {
    gen0[w.name] = Generation(*env, w);
    ASSERT_EQ(gen0[w.name], 1) << w.kind << " " << w.name;
  }
  // A short coalescing window keeps the test quick; coalescing has its own test.
  auto op = env->StartOperator({"--rollout-restart-coalesce", "500ms"});
  ASSERT_NE(op.process, nullptr);
  env->CreateVss("web", kVssSpec);

  // 1. First sync: the Secret is created; nothing is restarted.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto d = env->SecretData("demo", "web-config");
        return d.has_value() && (*d)["greeting"] == "v1";
      },
      20s))
      << op.process->Stderr();
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "web") == "True/Synced"; }, 10s))
      << op.process->Stderr();
  // The recorder writes Events in order and a restart would be reported before SecretCreated
  // (same reconcile), so once SecretCreated is there, a missing restart Event is meaningful.
  ASSERT_TRUE(WaitFor([&] { return EventCount(*env, "Normal", "SecretCreated", "") >= 1; }, 10s))
      << DumpEvents(*env);
  EXPECT_EQ(RestartEvents(*env), 0) << DumpEvents(*env);
  for (const auto& w : Workloads()) {
    EXPECT_EQ(RestartedAt(*env, w), std::nullopt) << w.kind << " " << w.name;
    EXPECT_EQ(Generation(*env, w), gen0[w.name]) << w.kind << " " << w.name;
  }

  // 2. Refreshes that find the same data restart nothing (two reads, so at least one full
  // refresh happened after the first sync settled).
  ASSERT_TRUE(WaitForRefreshes(*env, 2, 20s)) << op.process->Stderr();
  {
    auto kube = env->KubeCounters();
    EXPECT_EQ(WorkloadWrites(kube), 0);
  }
  EXPECT_EQ(RestartEvents(*env), 0) << DumpEvents(*env);
  for (const auto& w : Workloads()) {
    EXPECT_EQ(RestartedAt(*env, w), std::nullopt) << w.kind << " " << w.name;
    EXPECT_EQ(Generation(*env, w), gen0[w.name]) << w.kind << " " << w.name;
  }
  EXPECT_EQ(env->Ready("vaultstaticsecrets", "demo", "web"), "True/Synced");

  // 3. The Vault value changes: the Secret follows within refreshAfter (+ slack for a loaded
  // machine) and every existing target is restarted once.
  TimePoint changed_at = std::chrono::system_clock::now();
  env->VaultPut("app/web", R"({"greeting":"v2"})");
  ASSERT_TRUE(
      WaitFor([&] { return (*env->SecretData("demo", "web-config"))["greeting"] == "v2"; }, 15s))
      << op.process->Stderr();
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& w : Workloads()) {
          if (!RestartedAt(*env, w).has_value()) return false;
        }
        return true;
      },
      10s))
      << op.process->Stderr();
  std::map<std::string, std::string> first;
  for (const auto& w : Workloads()) {
    std::string at = RestartedAt(*env, w).value_or("");
    first[w.name] = at;
    auto parsed = ParseRfc3339(at);
    ASSERT_TRUE(parsed.ok()) << w.kind << " " << w.name << ": " << at;
    // RFC 3339 with nine fractional digits (two restarts in one second differ).
    EXPECT_EQ(Rfc3339FractionDigits(at), 9) << at;
    EXPECT_GE(*parsed, changed_at) << at;
    EXPECT_LE(*parsed, std::chrono::system_clock::now() + 1s) << at;
    EXPECT_EQ(Generation(*env, w), gen0[w.name] + 1) << w.kind << " " << w.name;
  }
  EXPECT_TRUE(WaitFor(
      [&] {
        return EventCount(*env, "Normal", "RolloutRestarted", "Deployment web") == 1 &&
               EventCount(*env, "Normal", "RolloutRestarted", "StatefulSet db") == 1 &&
               EventCount(*env, "Normal", "RolloutRestarted", "DaemonSet agent") == 1 &&
               EventCount(*env, "Warning", "RolloutRestartFailed", "Deployment missing") == 1;
      },
      10s))
      << DumpEvents(*env);
  EXPECT_EQ(RestartEvents(*env), 4) << DumpEvents(*env);
  {
    // One PATCH per target (the missing one answered 404), nothing else written to them.
    auto kube = env->KubeCounters();
    EXPECT_EQ(kube["PATCH deployments"], 2);
    EXPECT_EQ(kube["PATCH statefulsets"], 1);
    EXPECT_EQ(kube["PATCH daemonsets"], 1);
    EXPECT_EQ(WorkloadWrites(kube), 4);
  }
  // The failed target does not fail the sync; it is not created, and not retried by the
  // refreshes that follow (they find the data unchanged), nor are the others restarted again.
  ASSERT_TRUE(WaitForRefreshes(*env, 2, 20s)) << op.process->Stderr();
  EXPECT_EQ(env->Ready("vaultstaticsecrets", "demo", "web"), "True/Synced");
  EXPECT_EQ(env->Kube("GET", "/apis/apps/v1/namespaces/demo/deployments/missing").status, 404);
  EXPECT_EQ(RestartEvents(*env), 4) << DumpEvents(*env);
  for (const auto& w : Workloads()) {
    EXPECT_EQ(RestartedAt(*env, w), first[w.name]) << w.kind << " " << w.name;
    EXPECT_EQ(Generation(*env, w), gen0[w.name] + 1) << w.kind << " " << w.name;
  }

  // kubectl sees what the operator wrote.
  {
    auto got = env->Kubectl(
        {"get", "deploy", "web", "-n", "demo", "-o",
         R"(jsonpath={.spec.template.metadata.annotations.vaultsync\.io/restartedAt})"});
    EXPECT_EQ(got.exit_code, 0) << got.err;
    EXPECT_EQ(got.out, first["web"]) << got.err;
    for (const char* kind : {"deploy/web", "sts/db", "ds/agent"}) {
      auto history = env->Kubectl({"rollout", "history", kind, "-n", "demo"});
      EXPECT_EQ(history.exit_code, 0) << kind << ": " << history.out << history.err;
      std::cout << "kubectl rollout history " << kind << " (exit " << history.exit_code << "):\n"
                << history.out << history.err;
    }
    auto events = env->Kubectl({"get", "events", "-n", "demo", "--field-selector",
                                "involvedObject.kind=VaultStaticSecret,involvedObject.name=web"});
    EXPECT_EQ(events.exit_code, 0) << events.err;
    EXPECT_THAT(events.out, HasSubstr("RolloutRestarted"));
    EXPECT_THAT(events.out, HasSubstr("RolloutRestartFailed"));
  }
  // Re-applying the user's manifests keeps the restart annotation (kubectl's three-way merge
  // leaves fields it did not set), and changes nothing.
  {
    auto again = env->Kubectl({"apply", "-f", "-"}, kWorkloads);
    EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
    for (const auto& w : Workloads()) {
      EXPECT_EQ(RestartedAt(*env, w), first[w.name]) << w.kind << " " << w.name;
      EXPECT_EQ(Generation(*env, w), gen0[w.name] + 1) << w.kind << " " << w.name;
    }
  }

  // 4. Another change: another restart, with a later time.
  env->VaultPut("app/web", R"({"greeting":"v3"})");
  ASSERT_TRUE(
      WaitFor([&] { return (*env->SecretData("demo", "web-config"))["greeting"] == "v3"; }, 15s))
      << op.process->Stderr();
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& w : Workloads()) {
          if (RestartedAt(*env, w).value_or(first[w.name]) == first[w.name]) return false;
        }
        return true;
      },
      10s))
      << op.process->Stderr();
  for (const auto& w : Workloads()) {
    std::string at = RestartedAt(*env, w).value_or("");
    auto parsed = ParseRfc3339(at);
    auto before = ParseRfc3339(first[w.name]);
    ASSERT_TRUE(parsed.ok() && before.ok()) << at;
    EXPECT_GT(*parsed, *before) << at << " after " << first[w.name];
    EXPECT_EQ(Generation(*env, w), gen0[w.name] + 2) << w.kind << " " << w.name;
  }
  // Same reason and message as before: the recorder aggregates them (count 2).
  EXPECT_TRUE(WaitFor(
      [&] {
        return EventCount(*env, "Normal", "RolloutRestarted", "Deployment web") == 2 &&
               EventCount(*env, "Normal", "RolloutRestarted", "StatefulSet db") == 2 &&
               EventCount(*env, "Normal", "RolloutRestarted", "DaemonSet agent") == 2 &&
               EventCount(*env, "Warning", "RolloutRestartFailed", "Deployment missing") == 2;
      },
      10s))
      << DumpEvents(*env);
  EXPECT_EQ(env->Ready("vaultstaticsecrets", "demo", "web"), "True/Synced");
  EXPECT_THAT(op.process->Stderr(), HasSubstr("rollout restart failed"));
  EXPECT_EQ(op.process->Stop(), 0) << op.process->Stderr();
}

constexpr const char* kWebPath = "/apis/apps/v1/namespaces/demo/deployments/web";

constexpr const char* kWebDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: demo
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.25
)";

std::string VssPath(const std::string& name) {
  return "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultstaticsecrets/" + name;
}

// status.rolloutRestartMAC of a resource: set while a restart is owed.
std::optional<std::string> Owed(Env& env, const std::string& name) {
  return env.ObjectString(VssPath(name), {"status", "rolloutRestartMAC"});
}

std::optional<std::string> WebRestartedAt(Env& env) {
  return env.ObjectString(kWebPath, {"spec", "template", "metadata", "annotations", kAnnotation});
}

int64_t WebGeneration(Env& env) {
  return env.ObjectInt(kWebPath, {"metadata", "generation"}).value_or(-1);
}

double Metric(int port, const std::string& series) {
  std::string text = Env::HttpGet(port, "/metrics");
  size_t pos = text.find("\n" + series + " ");
  if (pos == std::string::npos) return -1;
  return std::stod(text.substr(pos + series.size() + 2));
}

// Ten resources changed at once (they read one Vault path) that target one Deployment: with
// the default --rollout-restart-coalesce of 5s, the Deployment is restarted once.
TEST(RolloutE2E, TenResourcesChangedAtOnceGiveTheirWorkloadOneRestart) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  env->VaultPut("app/shared", R"({"v":"1"})");
  ASSERT_EQ(env->Kubectl({"apply", "-f", "-"}, kWebDeployment).exit_code, 0);
  auto op = env->StartOperator();
  ASSERT_NE(op.process, nullptr);
  std::vector<std::string> names;
  for (int i = 0; i < 10; ++i) {
    names.push_back("r" + std::to_string(i));
    env->CreateVss(names.back(),
                   R"({"mount":"secret","path":"app/shared","refreshAfter":"1s",
        "destination":{"name":")" +
                       names.back() +
                       R"("},"rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& n : names) {
          if (env->Ready("vaultstaticsecrets", "demo", n) != "True/Synced") return false;
        }
        return true;
      },
      30s))
      << op.process->Stderr();
  ASSERT_EQ(WebGeneration(*env), 1);
  env->ResetCounters();
  env->VaultPut("app/shared", R"({"v":"2"})");
  // Each resource records the owed restart before it writes its Secret...
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& n : names) {
          auto d = env->SecretData("demo", n);
          if (!d || (*d)["v"] != "2") return false;
        }
        return true;
      },
      15s))
      << op.process->Stderr();
  // ...and forgets it once the restart is done.
  ASSERT_TRUE(WaitFor(
      [&] {
        if (!WebRestartedAt(*env)) return false;
        for (const auto& n : names) {
          if (Owed(*env, n)) return false;
        }
        return true;
      },
      20s))
      << op.process->Stderr();
  EXPECT_EQ(WebGeneration(*env), 2);
  EXPECT_EQ(env->KubeCounters()["PATCH deployments"], 1);
  EXPECT_EQ(Metric(op.metrics_port,
                   R"(vaultsync_rollout_restarts_total{kind="Deployment",result="success"})"),
            1);
  // Every resource is told, on its own Events.
  EXPECT_TRUE(WaitFor(
      [&] {
        int64_t n = 0;
        for (const auto& e : env->Events("demo", "VaultStaticSecret")) {
          if (e.reason == "RolloutRestarted") n += e.count;
        }
        return n == 10;
      },
      10s))
      << DumpEvents(*env);
  EXPECT_EQ(op.process->Stop(), 0) << op.process->Stderr();
}

// The operator is killed between the Secret write and the restart (inside a long coalescing
// window); another replica becomes leader and restarts the Deployment exactly once.
TEST(RolloutE2E, AnOwedRestartSurvivesTheOperatorsDeathAndALeaderChange) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  env->VaultPut("app/web", R"({"v":"1"})");
  ASSERT_EQ(env->Kubectl({"apply", "-f", "-"}, kWebDeployment).exit_code, 0);
  const std::vector<std::string> le = {"--leader-elect",
                                       "--leader-election-lease-duration",
                                       "3s",
                                       "--leader-election-renew-deadline",
                                       "2s",
                                       "--leader-election-retry-period",
                                       "500ms"};
  auto args = le;
  args.insert(args.end(), {"--rollout-restart-coalesce", "60s"});
  auto first = env->StartOperator(args);
  ASSERT_TRUE(first.process->WaitForOutput("became leader", 45s)) << first.process->Stderr();
  env->CreateVss("web", R"({"mount":"secret","path":"app/web","refreshAfter":"1s",
      "destination":{"name":"web-config"},"rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "web") == "True/Synced"; }, 20s))
      << first.process->Stderr();

  const auto changed_at = std::chrono::steady_clock::now();
  env->VaultPut("app/web", R"({"v":"2"})");
  ASSERT_TRUE(WaitFor(
      [&] {
        auto d = env->SecretData("demo", "web-config");
        return d && (*d)["v"] == "2";
      },
      10s));
  // Recorded before the Secret was written, so it is there now.
  ASSERT_TRUE(Owed(*env, "web").has_value());
  first.process->Signal(SIGKILL);
  EXPECT_NE(first.process->Wait(10s), -1);
  // Well inside the 60 s window: the dead leader restarted nothing.
  ASSERT_LT(std::chrono::steady_clock::now() - changed_at, 50s);
  EXPECT_EQ(WebGeneration(*env), 1);
  EXPECT_EQ(WebRestartedAt(*env), std::nullopt);

  env->ResetCounters();
  args = le;
  args.insert(args.end(), {"--rollout-restart-coalesce", "500ms"});
  auto second = env->StartOperator(args);
  ASSERT_TRUE(second.process->WaitForOutput("became leader", 45s)) << second.process->Stderr();
  ASSERT_TRUE(WaitFor([&] { return WebRestartedAt(*env).has_value() && !Owed(*env, "web"); }, 20s))
      << second.process->Stderr();
  EXPECT_EQ(WebGeneration(*env), 2);
  // Refreshes go on (a positive event) and nothing restarts again: exactly once.
  const int64_t reads = env->VaultCounters()["GET /v1/secret/data/app/web"];
  ASSERT_TRUE(WaitFor(
      [&] { return env->VaultCounters()["GET /v1/secret/data/app/web"] >= reads + 3; }, 15s));
  EXPECT_EQ(WebGeneration(*env), 2);
  EXPECT_EQ(env->KubeCounters()["PATCH deployments"], 1);
  EXPECT_EQ(second.process->Stop(), 0) << second.process->Stderr();
}

// Vault's data flips back and forth: one restart per change, and none once it stops changing;
// a hand edit of the Secret undone by the operator restarts nothing.
TEST(RolloutE2E, FlippingDataRestartsOncePerChangeAndNeverLoops) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  env->VaultPut("app/web", R"({"v":"A"})");
  ASSERT_EQ(env->Kubectl({"apply", "-f", "-"}, kWebDeployment).exit_code, 0);
  auto op = env->StartOperator({"--rollout-restart-coalesce", "200ms"});
  env->CreateVss("web", R"({"mount":"secret","path":"app/web","refreshAfter":"1s",
      "destination":{"name":"web-config"},"rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "web") == "True/Synced"; }, 20s))
      << op.process->Stderr();
  const std::vector<std::string> flips = {"B", "A", "B", "A"};
  for (size_t i = 0; i < flips.size(); ++i) {
    env->VaultPut("app/web", R"({"v":")" + flips[i] + R"("})");
    ASSERT_TRUE(WaitFor(
        [&] {
          auto d = env->SecretData("demo", "web-config");
          return d && (*d)["v"] == flips[i];
        },
        10s));
    ASSERT_TRUE(
        WaitFor([&] { return WebGeneration(*env) == int64_t(2 + i) && !Owed(*env, "web"); }, 10s))
        << "flip " << i << ": generation " << WebGeneration(*env) << "\n"
        << op.process->Stderr();
  }
  // A hand edit of the Secret, undone by the operator: the workload never saw the edit's
  // data, so undoing it restarts nothing. An owed restart is recorded in status before the
  // Secret is written, so once the restore is visible either it shows (Owed) or it is done
  // (a new generation): neither may happen.
  auto edit = env->Kube("PATCH", "/api/v1/namespaces/demo/secrets/web-config",
                        R"({"data":{"v":"WA=="}})", "application/merge-patch+json");  // "X"
  ASSERT_EQ(edit.status, 200) << edit.body;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto d = env->SecretData("demo", "web-config");
        return d && (*d)["v"] == flips.back();
      },
      15s))
      << op.process->Stderr();
  EXPECT_FALSE(Owed(*env, "web"));
  EXPECT_EQ(WebGeneration(*env), int64_t(1 + flips.size()));
  env->ResetCounters();
  ASSERT_TRUE(
      WaitFor([&] { return env->VaultCounters()["GET /v1/secret/data/app/web"] >= 4; }, 15s));
  EXPECT_EQ(WebGeneration(*env), int64_t(1 + flips.size()));
  EXPECT_EQ(env->KubeCounters()["PATCH deployments"], 0);
  EXPECT_EQ(op.process->Stop(), 0);
}

// argoproj.io/Rollout targets: skipped with a Warning Event while the cluster has no Rollout
// CRD; patched like `kubectl argo rollouts restart` (spec.restartAt) once it has one.
TEST(RolloutE2E, ArgoRolloutsAreSkippedWithoutTheirCrdAndRestartedWithIt) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  env->VaultPut("app/canary", R"({"v":"1"})");
  auto op = env->StartOperator({"--rollout-restart-coalesce", "200ms"});
  env->CreateVss("canary", R"({"mount":"secret","path":"app/canary","refreshAfter":"1s",
      "destination":{"name":"canary-config"},
      "rolloutRestartTargets":[{"kind":"argoproj.io/Rollout","name":"canary"}]})");
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "canary") == "True/Synced"; }, 20s))
      << op.process->Stderr();
  env->VaultPut("app/canary", R"({"v":"2"})");
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& e : env->Events("demo", "VaultStaticSecret", "canary")) {
          if (e.reason == "RolloutRestartSkipped" && e.type == "Warning") return true;
        }
        return false;
      },
      15s))
      << DumpEvents(*env) << op.process->Stderr();
  EXPECT_TRUE(WaitFor([&] { return !Owed(*env, "canary"); }, 10s));  // given up, not retried
  EXPECT_EQ(env->Ready("vaultstaticsecrets", "demo", "canary"), "True/Synced");
  EXPECT_EQ(
      Metric(op.metrics_port,
             R"(vaultsync_rollout_restarts_total{kind="argoproj.io/Rollout",result="skipped"})"),
      1);

  // Argo Rollouts installed (its CRD, reduced to what this test needs) and a Rollout.
  auto crd = env->Kubectl({"apply", "-f", "-"}, R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: rollouts.argoproj.io
spec:
  group: argoproj.io
  scope: Namespaced
  names:
    kind: Rollout
    listKind: RolloutList
    plural: rollouts
    singular: rollout
    shortNames: [ro]
  versions:
  - name: v1alpha1
    served: true
    storage: true
    subresources:
      status: {}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-preserve-unknown-fields: true
            properties:
              restartAt:
                type: string
                format: date-time
          status:
            type: object
            x-kubernetes-preserve-unknown-fields: true
)");
  ASSERT_EQ(crd.exit_code, 0) << crd.err;
  ASSERT_TRUE(WaitFor(
      [&] {
        return env->Kubectl({"apply", "-f", "-"}, R"(apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: canary
  namespace: demo
spec:
  replicas: 1
  selector:
    matchLabels:
      app: canary
  template:
    metadata:
      labels:
        app: canary
    spec:
      containers:
      - name: canary
        image: nginx:1.25
)")
                   .exit_code == 0;
      },
      10s));
  const std::string rollout = "/apis/argoproj.io/v1alpha1/namespaces/demo/rollouts/canary";
  const auto before = std::chrono::system_clock::now();
  env->VaultPut("app/canary", R"({"v":"3"})");
  ASSERT_TRUE(WaitFor(
      [&] {
        return env->ObjectString(rollout, {"spec", "restartAt"}).has_value();
      },
      15s))
      << op.process->Stderr();
  std::string at = *env->ObjectString(rollout, {"spec", "restartAt"});
  EXPECT_EQ(Rfc3339FractionDigits(at), 0) << at;  // Argo's own form: whole seconds
  auto parsed = ParseRfc3339(at);
  ASSERT_TRUE(parsed.ok()) << at;
  EXPECT_GE(*parsed, before - 1s) << at;
  EXPECT_TRUE(WaitFor([&] { return !Owed(*env, "canary"); }, 10s));
  EXPECT_TRUE(WaitFor(
      [&] {
        for (const auto& e : env->Events("demo", "VaultStaticSecret", "canary")) {
          if (e.reason == "RolloutRestarted" && e.message == "Restarted argoproj.io/Rollout canary")
            return true;
        }
        return false;
      },
      10s))
      << DumpEvents(*env);
  EXPECT_EQ(
      Metric(op.metrics_port,
             R"(vaultsync_rollout_restarts_total{kind="argoproj.io/Rollout",result="success"})"),
      1);
  EXPECT_EQ(op.process->Stop(), 0);
}

}  // namespace
}  // namespace vaultsync::e2e
