// End-to-end tests of VaultPushSecret: the real vaultsync-operator against the kube and Vault
// emulators. A Secret is pushed when the resource is created; an edit of the Secret is pushed
// through the watch (refreshAfter is an hour, so nothing else could bring it), and the time
// from the edit (kube-emulator's request log) to the Vault write (vault-emulator's log) is
// printed; a version written in Vault by someone else is reported (VaultChanged, Warning Event,
// in status) before the push that replaces it, also when the annotation vaultsync.io/force-sync
// makes the operator look; the younger of two resources on one path writes
// nothing; deletion with deletionPolicy Delete removes the Vault secret, a Vault that refuses
// the delete keeps the finalizer (removed by hand as the README says); a policy without write
// gives PermissionDenied, and every Event reason seen is named in the README. kv-v1 too.
// Every wait is bounded and waits for a positive event.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "e2e_env.h"
#include "util/base64.h"
#include "util/json.h"
#include "util/time_format.h"

namespace vaultsync::e2e {
namespace {
using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::string SecretJson(const std::string& name, const std::map<std::string, std::string>& data) {
  std::string d;
  for (const auto& [k, v] : data) {
    if (!d.empty()) d += ",";
    d += json::Quote(k) + ":" + json::Quote(base64::Encode(v));
  }
  return R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":")" + name +
         R"(","namespace":"demo"},"data":{)" + d + "}}";
}

void CreateVps(Env& env, const std::string& name, const std::string& spec) {
  env.Apply(
      R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultPushSecret","metadata":{"name":")" +
      name + R"(","namespace":"demo"},"spec":)" + spec + "}");
}

std::string VpsPath(const std::string& name) {
  return "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultpushsecrets/" + name;
}

// A string field of Vault's answer to GET <path> ("" when missing).
std::string VaultField(Env& env, const std::string& path, const std::vector<std::string>& keys) {
  auto r = env.Vault("GET", path);
  if (r.status != 200) return "";
  auto doc = json::Parse(r.body);
  if (!doc.ok()) return "";
  const json::Value* v = &*doc;
  for (const auto& k : keys) {
    v = json::Find(*v, k);
    if (v == nullptr) return "";
  }
  return v->IsString() ? std::string(json::View(*v)) : json::Serialize(*v);
}

std::string VaultValue(Env& env, const std::string& path, const std::string& key) {
  return VaultField(env, "/v1/secret/data/" + path, {"data", "data", key});
}

std::string Ready(Env& env, const std::string& name) {
  return env.Ready("vaultpushsecrets", "demo", name);
}

int64_t EventCount(Env& env, const std::string& name, const std::string& reason) {
  int64_t n = 0;
  for (const auto& e : env.Events("demo", "VaultPushSecret", name))
    if (e.reason == reason) n += e.count;
  return n;
}

// The value of one sample of a Prometheus text exposition (-1 when the series is absent).
double MetricValue(const std::string& text, const std::string& series) {
  size_t pos = text.find("\n" + series + " ");
  if (pos == std::string::npos) return -1;
  return std::stod(text.substr(pos + series.size() + 2));
}

std::string DumpEvents(Env& env) {
  std::string s;
  for (const auto& e : env.Events("demo")) {
    s += e.involved_kind + "/" + e.involved_name + " " + e.type + " " + e.reason + " x" +
         std::to_string(e.count) + ": " + e.message + "\n";
  }
  return s;
}

TEST(PushE2E, PushesOnCreateAndAnEditOfTheSecretThroughTheWatch) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  auto op = env->StartOperator();
  ASSERT_NE(op.process, nullptr);
  env->Apply(SecretJson("app", {{"username", "admin"}, {"password", "p1"}}));
  CreateVps(*env, "app",
            R"({"secretName":"app","mount":"secret","path":"pushed/app","refreshAfter":"1h"})");

  // 1. Pushed on create.
  ASSERT_TRUE(WaitFor([&] { return VaultValue(*env, "pushed/app", "password") == "p1"; }, 20s))
      << op.process->Stderr();
  EXPECT_EQ(VaultValue(*env, "pushed/app", "username"), "admin");
  ASSERT_TRUE(WaitFor([&] { return Ready(*env, "app") == "True/Synced"; }, 10s))
      << Ready(*env, "app");
  EXPECT_EQ(env->ObjectInt(VpsPath("app"), {"status", "destinationVersion"}), 1);
  EXPECT_TRUE(env->ObjectString(VpsPath("app"), {"status", "lastPushTime"}).has_value());
  // The Secrets vaultsync writes itself never cross the push watch: the server filters them.
  // (The watch starts after the informer's list, which may be what pushed: wait for it.)
  auto secret_watches = [&] {
    int n = 0;
    for (const auto& r : env->KubeRequests()) {
      if (r.path.find("/secrets") == std::string::npos ||
          r.query.find("watch=") == std::string::npos)
        continue;
      std::string q;  // percent-decoded
      for (size_t i = 0; i < r.query.size(); ++i) {
        if (r.query[i] == '%' && i + 2 < r.query.size()) {
          q += static_cast<char>(std::stoi(r.query.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          q += r.query[i];
        }
      }
      n += q.find("labelSelector=app.kubernetes.io/managed-by!=vaultsync") != std::string::npos;
    }
    return n;
  };
  EXPECT_TRUE(WaitFor([&] { return secret_watches() >= 1; }, 15s))
      << "no Secret watch excludes vaultsync's own Secrets";
  auto table = env->Kubectl({"get", "vps", "-n", "demo", "--no-headers"});
  EXPECT_THAT(table.out,
              ::testing::MatchesRegex("app +True +Synced +pushed/app +app +[0-9]+s +[0-9]+s\n"))
      << table.out;

  // 2. An edit of the Secret is pushed through the watch: the re-check is an hour away
  //    (refreshAfter 1h, at least 54 min with jitter), so only the watch can bring it within
  //    the bounded wait, and Vault sees exactly one read and one write for it. The wait polls
  //    the API server, not Vault, so the emulator's counters hold the operator's requests only.
  env->ResetCounters();
  auto patch = env->Kube("PATCH", "/api/v1/namespaces/demo/secrets/app",
                         R"({"data":{"password":")" + base64::Encode("p2") + R"("}})",
                         "application/merge-patch+json");
  ASSERT_EQ(patch.status, 200) << patch.body;
  ASSERT_TRUE(WaitFor(
      [&] {
        return env->ObjectInt(VpsPath("app"), {"status", "destinationVersion"}) == 2;
      },
      20s))
      << "not pushed (with check-and-set on version 1) within 20 s: " << op.process->Stderr();
  auto vault_counts = env->VaultCounters();
  EXPECT_EQ(vault_counts["POST /v1/secret/data/pushed/app"], 1) << "one write for the edit";
  EXPECT_EQ(vault_counts["GET /v1/secret/data/pushed/app"], 1)
      << "one read (the check before the write), no periodic refresh";
  EXPECT_EQ(VaultValue(*env, "pushed/app", "password"), "p2");
  // From the edit (the API server's answer) to the start of the Vault write.
  std::string edited_at;
  for (const auto& r : env->KubeRequests()) {
    if (r.method == "PATCH" && r.path == "/api/v1/namespaces/demo/secrets/app") edited_at = r.time;
  }
  std::string written_at;
  for (const auto& r : env->VaultRequests()) {
    if (r.method == "POST" && r.path == "/v1/secret/data/pushed/app" && r.start_time > edited_at &&
        written_at.empty())
      written_at = r.start_time;
  }
  ASSERT_FALSE(edited_at.empty());
  ASSERT_FALSE(written_at.empty());
  auto t0 = ParseRfc3339(edited_at), t1 = ParseRfc3339(written_at);
  ASSERT_TRUE(t0.ok() && t1.ok());
  double ms = std::chrono::duration<double, std::milli>(*t1 - *t0).count();
  // Printed, not asserted: a test does not hold wall-clock speed against a shared machine.
  std::cout << "[ figures  ] Secret edit to Vault write: " << ms << " ms" << std::endl;
  ::testing::Test::RecordProperty("edit_to_vault_write_ms", std::to_string(ms));

  // 3. A metadata-only change of the Secret (a label) writes nothing to Vault.
  env->ResetCounters();
  auto label = env->Kube("PATCH", "/api/v1/namespaces/demo/secrets/app",
                         R"({"metadata":{"labels":{"team":"a"}}})", "application/merge-patch+json");
  ASSERT_EQ(label.status, 200);
  // Positive event that must come after the label's handling: another data edit, pushed.
  auto again = env->Kube("PATCH", "/api/v1/namespaces/demo/secrets/app",
                         R"({"data":{"password":")" + base64::Encode("p3") + R"("}})",
                         "application/merge-patch+json");
  ASSERT_EQ(again.status, 200);
  ASSERT_TRUE(WaitFor([&] { return VaultValue(*env, "pushed/app", "password") == "p3"; }, 20s));
  EXPECT_EQ(env->VaultCounters()["POST /v1/secret/data/pushed/app"], 1) << "only the data edit";

  // 4. kv-v1: pushed too (no versions).
  ASSERT_EQ(
      env->Vault("POST", "/v1/sys/mounts/kv", R"({"type":"kv","options":{"version":"1"}})").status,
      204);
  CreateVps(
      *env, "legacy",
      R"({"secretName":"app","mount":"kv","path":"pushed/app","type":"kv-v1","keys":["username"]})");
  ASSERT_TRUE(WaitFor(
      [&] {
        return VaultField(*env, "/v1/kv/pushed/app", {"data", "username"}) == "admin";
      },
      20s))
      << Ready(*env, "legacy");
  EXPECT_EQ(VaultField(*env, "/v1/kv/pushed/app", {"data", "password"}), "") << "keys selects";
  EXPECT_TRUE(WaitFor([&] { return Ready(*env, "legacy") == "True/Synced"; }, 10s));
  EXPECT_FALSE(env->ObjectInt(VpsPath("legacy"), {"status", "destinationVersion"}).has_value());
  // Every result is exported from the start at 0: the values, not the series, tell.
  auto metrics = Env::HttpGet(op.metrics_port, "/metrics");
  EXPECT_EQ(MetricValue(metrics, R"(vaultsync_pushes_total{result="created"})"), 2)
      << "app and legacy were created in Vault";
  EXPECT_EQ(MetricValue(metrics, R"(vaultsync_pushes_total{result="updated"})"), 2)
      << "the two data edits";
  EXPECT_EQ(MetricValue(metrics, R"(vaultsync_pushes_total{result="conflict"})"), 0);
  EXPECT_EQ(op.process->Stop(), 0) << op.process->Stderr();
  EXPECT_THAT(op.process->Stderr(), ::testing::Not(HasSubstr("p3")));
}

TEST(PushE2E, AVersionWrittenInVaultBySomeoneElseIsReportedBeforeItIsReplaced) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  auto op = env->StartOperator();
  env->Apply(SecretJson("app", {{"password", "ours"}}));
  CreateVps(*env, "app",
            R"({"secretName":"app","mount":"secret","path":"pushed/app","refreshAfter":"2s"})");
  ASSERT_TRUE(WaitFor([&] { return Ready(*env, "app") == "True/Synced"; }, 20s))
      << op.process->Stderr();
  ASSERT_EQ(VaultValue(*env, "pushed/app", "password"), "ours");

  env->VaultPut("pushed/app", R"({"password":"by-hand"})");  // version 2
  // The operator's next write to the path (the replace: it cannot write before reporting,
  // which takes a status write and a second) is held 3 s inside the Vault emulator, after
  // the emulator has counted it. While it is held, the one reconcile of this resource is
  // waiting for it, so the status the API server holds then is the status written before
  // the write started.
  ASSERT_EQ(env->Vault("POST", "/__emulator/faults",
                       R"({"method":"POST","path_prefix":"/v1/secret/data/pushed/app",)"
                       R"("latency_ms":3000,"remaining":1})")
                .status,
            200);
  const int64_t writes_before = env->VaultCounters()["POST /v1/secret/data/pushed/app"];
  // Reported: a Warning Event and the condition (the re-check is every 2 s).
  ASSERT_TRUE(WaitFor([&] { return EventCount(*env, "app", "VaultChanged") >= 1; }, 20s))
      << DumpEvents(*env);
  for (const auto& e : env->Events("demo", "VaultPushSecret", "app")) {
    if (e.reason != "VaultChanged") continue;
    EXPECT_EQ(e.type, "Warning");
    EXPECT_THAT(e.message, HasSubstr("it is at version 2 (this resource last synced version 1)"));
  }
  // The replacing write has reached Vault (and is held there): the API server already has
  // the VaultChanged report in status.
  ASSERT_TRUE(WaitFor(
      [&] { return env->VaultCounters()["POST /v1/secret/data/pushed/app"] > writes_before; }, 20s))
      << "no replacing write";
  auto held = json::Parse(env->Kube("GET", VpsPath("app")).body);
  ASSERT_TRUE(held.ok());
  std::string held_ready, held_message;
  if (const json::Value* st = json::Find(*held, "status")) {
    if (const json::Value* conds = json::Find(*st, "conditions"); conds && conds->IsArray()) {
      for (const auto& c : conds->GetArray()) {
        if (json::View(c["type"]) != "Ready") continue;
        held_ready =
            std::string(json::View(c["status"])) + "/" + std::string(json::View(c["reason"]));
        held_message = std::string(json::View(c["message"]));
      }
    }
  }
  EXPECT_EQ(held_ready, "False/VaultChanged") << "the replacing write started before the report "
                                                 "was in status";
  EXPECT_THAT(held_message, HasSubstr("it is at version 2 (this resource last synced version 1)"));
  // Then replaced by that push, with check-and-set on the reported version.
  ASSERT_TRUE(WaitFor([&] { return VaultValue(*env, "pushed/app", "password") == "ours"; }, 20s));
  ASSERT_TRUE(WaitFor([&] { return Ready(*env, "app") == "True/Synced"; }, 10s));
  EXPECT_EQ(env->ObjectInt(VpsPath("app"), {"status", "destinationVersion"}), 3);
  EXPECT_EQ(EventCount(*env, "app", "VaultChanged"), 1) << DumpEvents(*env);
  EXPECT_TRUE(WaitFor(
      [&] {
        return Env::HttpGet(op.metrics_port, "/metrics")
                   .find("vaultsync_pushes_total{result=\"conflict\"} 0") == std::string::npos;
      },
      5s));
}

// refreshAfter is an hour, so only the annotation can make the operator look at Vault again
// within the bounded waits below; what it finds is then handled by the usual rules.
TEST(PushE2E, ForceSyncChecksVaultAtOnceAndAppliesThePushRules) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  auto op = env->StartOperator();
  env->Apply(SecretJson("app", {{"password", "ours"}}));
  CreateVps(*env, "app",
            R"({"secretName":"app","mount":"secret","path":"pushed/app","refreshAfter":"1h"})");
  ASSERT_TRUE(WaitFor([&] { return Ready(*env, "app") == "True/Synced"; }, 20s))
      << op.process->Stderr();
  ASSERT_EQ(env->ObjectInt(VpsPath("app"), {"status", "destinationVersion"}), 1);
  const auto generation = env->ObjectInt(VpsPath("app"), {"metadata", "generation"});

  env->VaultPut("pushed/app", R"({"password":"by-hand"})");  // version 2
  auto annotate = env->Kubectl({"annotate", "vaultpushsecret", "app", "-n", "demo",
                                "vaultsync.io/force-sync=1", "--overwrite"});
  ASSERT_EQ(annotate.exit_code, 0) << annotate.err;
  // Reported before anything replaces it, then replaced with check-and-set on version 2.
  ASSERT_TRUE(WaitFor([&] { return EventCount(*env, "app", "VaultChanged") >= 1; }, 20s))
      << DumpEvents(*env) << op.process->Stderr();
  ASSERT_TRUE(WaitFor([&] { return VaultValue(*env, "pushed/app", "password") == "ours"; }, 20s))
      << Ready(*env, "app");
  EXPECT_TRUE(WaitFor(
      [&] {
        return env->ObjectInt(VpsPath("app"), {"status", "destinationVersion"}) == 3;
      },
      10s));
  EXPECT_TRUE(WaitFor([&] { return Ready(*env, "app") == "True/Synced"; }, 10s));
  EXPECT_EQ(env->ObjectInt(VpsPath("app"), {"metadata", "generation"}), generation)
      << "not a spec change";
  EXPECT_EQ(op.process->Stop(), 0) << op.process->Stderr();
  EXPECT_THAT(op.process->Stderr(), ::testing::Not(HasSubstr("by-hand")));
}

// updatePolicy IfNotExists: a path someone else filled is left alone, and a path this
// resource created is never overwritten by a later edit of the Secret. Each step waits for
// the condition that says the operator handled it (AlreadyExists), then reads Vault.
TEST(PushE2E, IfNotExistsCreatesOnceAndNeverOverwrites) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  env->VaultPut("pushed/theirs", R"({"password":"their-value"})");
  auto op = env->StartOperator();
  env->Apply(SecretJson("app", {{"password", "p1"}}));
  CreateVps(*env, "theirs",
            R"({"secretName":"app","mount":"secret","path":"pushed/theirs",)"
            R"("updatePolicy":"IfNotExists","refreshAfter":"1h"})");
  CreateVps(*env, "once",
            R"({"secretName":"app","mount":"secret","path":"pushed/once",)"
            R"("updatePolicy":"IfNotExists","refreshAfter":"1h"})");
  ASSERT_TRUE(WaitFor([&] { return Ready(*env, "theirs") == "True/AlreadyExists"; }, 20s))
      << Ready(*env, "theirs") << op.process->Stderr();
  EXPECT_EQ(VaultValue(*env, "pushed/theirs", "password"), "their-value");
  ASSERT_TRUE(WaitFor([&] { return Ready(*env, "once") == "True/Synced"; }, 20s))
      << op.process->Stderr();
  EXPECT_EQ(VaultValue(*env, "pushed/once", "password"), "p1");

  // The Secret changes: the watch brings the check, which finds the path taken.
  auto patch = env->Kube("PATCH", "/api/v1/namespaces/demo/secrets/app",
                         R"({"data":{"password":")" + base64::Encode("p2") + R"("}})",
                         "application/merge-patch+json");
  ASSERT_EQ(patch.status, 200) << patch.body;
  ASSERT_TRUE(WaitFor([&] { return Ready(*env, "once") == "True/AlreadyExists"; }, 20s))
      << Ready(*env, "once") << op.process->Stderr();
  EXPECT_EQ(VaultValue(*env, "pushed/once", "password"), "p1");
  EXPECT_EQ(VaultValue(*env, "pushed/theirs", "password"), "their-value");
  auto counts = env->VaultCounters();
  EXPECT_EQ(counts["POST /v1/secret/data/pushed/once"], 1) << "created once, never replaced";
  EXPECT_EQ(counts["POST /v1/secret/data/pushed/theirs"], 1) << "only the hand-written version";
  EXPECT_EQ(op.process->Stop(), 0) << op.process->Stderr();
  EXPECT_THAT(op.process->Stderr(), ::testing::Not(HasSubstr("their-value")));
}

TEST(PushE2E, TheYoungerOfTwoResourcesOnOnePathWritesNothing) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  auto op = env->StartOperator();
  env->Apply(SecretJson("a", {{"who", "first"}}));
  env->Apply(SecretJson("b", {{"who", "second"}}));
  CreateVps(*env, "first", R"({"secretName":"a","mount":"secret","path":"pushed/shared"})");
  ASSERT_TRUE(WaitFor([&] { return Ready(*env, "first") == "True/Synced"; }, 20s))
      << op.process->Stderr();
  // creationTimestamp has second precision: make the second one clearly younger.
  std::this_thread::sleep_for(1100ms);
  CreateVps(*env, "second", R"({"secretName":"b","mount":"secret","path":"pushed/shared"})");
  ASSERT_TRUE(WaitFor([&] { return Ready(*env, "second") == "False/PathConflict"; }, 20s))
      << Ready(*env, "second");
  EXPECT_EQ(VaultValue(*env, "pushed/shared", "who"), "first");
  EXPECT_EQ(env->VaultCounters()["POST /v1/secret/data/pushed/shared"], 1);
  EXPECT_TRUE(WaitFor([&] { return EventCount(*env, "second", "PathConflict") >= 1; }, 10s))
      << DumpEvents(*env);
  // The older one goes (Retain: Vault keeps its data); the younger takes the path over.
  ASSERT_EQ(env->Kubectl({"delete", "vps", "first", "-n", "demo"}).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return VaultValue(*env, "pushed/shared", "who") == "second"; }, 20s))
      << Ready(*env, "second");
  EXPECT_TRUE(WaitFor([&] { return Ready(*env, "second") == "True/Synced"; }, 10s));
}

TEST(PushE2E, DeletionPoliciesAndPermissions) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  // Two tokens: one that may write but not delete, one that may only read.
  ASSERT_EQ(
      env->Vault(
             "PUT", "/v1/sys/policies/acl/push-no-delete",
             R"({"policy":"path \"secret/data/pushed/*\" { capabilities = [\"create\", \"update\", \"read\"] }"})")
          .status,
      204);
  ASSERT_EQ(
      env->Vault("PUT", "/v1/sys/policies/acl/read-only",
                 R"({"policy":"path \"secret/data/pushed/*\" { capabilities = [\"read\"] }"})")
          .status,
      204);
  auto token = [&](const std::string& policy) {
    auto r = env->Vault("POST", "/v1/auth/token/create",
                        R"({"policies":[")" + policy + R"("],"ttl":"1h"})");
    EXPECT_EQ(r.status, 200) << r.body;
    auto doc = json::Parse(r.body);
    return std::string(json::View((*doc)["auth"]["client_token"]));
  };
  env->Apply(SecretJson("no-delete-token", {{"token", token("push-no-delete")}}));
  env->Apply(SecretJson("read-only-token", {{"token", token("read-only")}}));
  for (const char* name : {"no-delete", "read-only"}) {
    env->Apply(R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultAuth",
        "metadata":{"name":")" +
               std::string(name) + R"(","namespace":"demo"},
        "spec":{"method":"token","token":{"secretRef":")" +
               name + R"(-token"}}})");
  }
  env->Apply(SecretJson("app", {{"password", "p1"}}));
  auto op = env->StartOperator();
  CreateVps(
      *env, "removed",
      R"({"secretName":"app","mount":"secret","path":"pushed/removed","deletionPolicy":"Delete"})");
  CreateVps(
      *env, "refused",
      R"({"vaultAuthRef":"no-delete","secretName":"app","mount":"secret","path":"pushed/refused",
                "deletionPolicy":"Delete"})");
  CreateVps(
      *env, "denied",
      R"({"vaultAuthRef":"read-only","secretName":"app","mount":"secret","path":"pushed/denied"})");
  for (const char* name : {"removed", "refused"}) {
    ASSERT_TRUE(WaitFor([&] { return Ready(*env, name) == "True/Synced"; }, 20s))
        << name << " " << Ready(*env, name) << op.process->Stderr();
    auto fin =
        env->Kubectl({"get", "vps", name, "-n", "demo", "-o", "jsonpath={.metadata.finalizers}"});
    EXPECT_EQ(fin.out, R"(["vaultsync.io/push-cleanup"])");
  }
  // A policy without write: PermissionDenied, nothing written, nothing else in status.
  ASSERT_TRUE(WaitFor([&] { return Ready(*env, "denied") == "False/PermissionDenied"; }, 20s))
      << Ready(*env, "denied");
  EXPECT_EQ(env->Vault("GET", "/v1/secret/data/pushed/denied").status, 404);
  EXPECT_FALSE(env->ObjectString(VpsPath("denied"), {"status", "lastPushTime"}).has_value());
  EXPECT_FALSE(env->ObjectString(VpsPath("denied"), {"status", "secretMAC"}).has_value());
  auto denied_fin =
      env->Kubectl({"get", "vps", "denied", "-n", "demo", "-o", "jsonpath={.metadata.finalizers}"});
  EXPECT_EQ(denied_fin.out, "") << "Retain: no finalizer";

  // Delete: the Vault secret (metadata and every version) goes, then the object.
  ASSERT_EQ(env->Kubectl({"delete", "vps", "removed", "-n", "demo", "--wait=false"}).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return env->Kube("GET", VpsPath("removed")).status == 404; }, 20s))
      << Ready(*env, "removed");
  EXPECT_EQ(env->Vault("GET", "/v1/secret/metadata/pushed/removed").status, 404);

  // A Vault that refuses the delete: the finalizer stays, the condition says why and how to
  // let go by hand.
  ASSERT_EQ(env->Kubectl({"delete", "vps", "refused", "-n", "demo", "--wait=false"}).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return Ready(*env, "refused") == "False/DeleteFailed"; }, 20s))
      << Ready(*env, "refused");
  std::string message;
  auto conds = env->Kube("GET", VpsPath("refused"));
  auto doc = json::Parse(conds.body);
  ASSERT_TRUE(doc.ok());
  for (const auto& c : (*doc)["status"]["conditions"].GetArray())
    if (json::View(c["type"]) == "Ready") message = std::string(json::View(c["message"]));
  EXPECT_THAT(message, HasSubstr("permission denied"));
  EXPECT_THAT(message, HasSubstr("kubectl patch vaultpushsecret refused -n demo --type=merge -p "
                                 "'{\"metadata\":{\"finalizers\":null}}'"));
  EXPECT_TRUE(json::Find((*doc)["metadata"], "deletionTimestamp") != nullptr);
  EXPECT_EQ(VaultValue(*env, "pushed/refused", "password"), "p1");
  EXPECT_TRUE(WaitFor([&] { return EventCount(*env, "refused", "DeleteFailed") >= 1; }, 10s))
      << DumpEvents(*env);
  // The README's way out.
  auto by_hand = env->Kubectl({"patch", "vaultpushsecret", "refused", "-n", "demo", "--type=merge",
                               "-p", R"({"metadata":{"finalizers":null}})"});
  ASSERT_EQ(by_hand.exit_code, 0) << by_hand.err;
  ASSERT_TRUE(WaitFor([&] { return env->Kube("GET", VpsPath("refused")).status == 404; }, 10s));
  EXPECT_EQ(VaultValue(*env, "pushed/refused", "password"), "p1") << "left in Vault";

  // Every Event reason this kind gave here (the Normal Pushed and the Warnings) is named in
  // the README's VaultPushSecret section.
  std::ifstream in(std::string(VAULTSYNC_SOURCE_DIR) + "/README.md");
  std::stringstream readme;
  readme << in.rdbuf();
  const std::string text = readme.str();
  const size_t from = text.find("\n### VaultPushSecret");
  ASSERT_NE(from, std::string::npos) << "README.md has no VaultPushSecret section";
  const std::string section = text.substr(from, text.find("\n### ", from + 1) - from);
  std::set<std::string> reasons;
  for (const auto& e : env->Events("demo", "VaultPushSecret")) reasons.insert(e.reason);
  for (const char* r : {"Pushed", "PermissionDenied", "DeleteFailed"})
    EXPECT_TRUE(reasons.count(r)) << r << " not seen: " << DumpEvents(*env);
  for (const std::string& r : reasons)
    EXPECT_THAT(section, HasSubstr("`" + r + "`")) << "the README does not name Event reason " << r;
  EXPECT_EQ(op.process->Stop(), 0) << op.process->Stderr();
}

}  // namespace
}  // namespace vaultsync::e2e
