// End-to-end test of spec.rolloutRestartTargets (issue #4): the real vaultsync-operator
// against the kube and Vault emulators restarts the named workloads (pod-template annotation
// vaultsync.io/restartedAt) only when the Secret's data changes: not on the first sync, not
// on a refresh that finds the same data. A target that does not exist gets a Warning Event
// and does not fail the sync. The workloads go in with kubectl apply, as a user's would, and
// kubectl reads them back afterwards.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "e2e_env.h"
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
  auto op = env->StartOperator();
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
    // Whole seconds, so the restart may print up to 1 s before `changed_at`.
    EXPECT_GE(*parsed, changed_at - 1s) << at;
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

  // 4. Another change: another restart, with a later time. The annotation has whole seconds;
  // let the clock pass the first restart's second so the two restarts cannot print the same.
  {
    auto t1 = ParseRfc3339(first["web"]);
    ASSERT_TRUE(t1.ok());
    ASSERT_TRUE(WaitFor([&] { return std::chrono::system_clock::now() >= *t1 + 1s; }, 5s));
  }
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

}  // namespace
}  // namespace vaultsync::e2e
