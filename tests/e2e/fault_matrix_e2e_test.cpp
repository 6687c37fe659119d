// The fault matrix, end to end: the real operator binary against both emulators, one fault per
// test case, injected through the emulators' fault rules. Three VaultStaticSecrets (refresh 1 s)
// are synced first; then the fault starts and Vault gets new values. Every case asserts the
// same promises:
//   (a) no managed Secret is ever deleted, blanked or written with partial data — a watcher
//       reads all three every 50 ms and each must hold exactly its old or its new data (only
//       the case that deletes one by hand lets that one be absent), and the operator sends no
//       DELETE of a Secret;
//   (b) the Ready condition has the reason the fault calls for, and a Warning Event says it
//       (cases the operator absorbs without an error say "" and wait for the fault to be hit);
//       most cases use the operator's own identity, some a VaultAuth they set up;
//   (c) when the fault is cleared, every resource is Synced with the new values on its own;
//   (d) no storm: requests to the faulted endpoint during the fault stay within what the
//       backoff allows for the time the fault lasted (log2 of it, a few retries per attempt);
// and the canary: no value of any Secret, old or new, appears in the operator's debug log, an
// Event, a resource's status or the metrics, whatever the failure path.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <tuple>

#include "e2e_env.h"
#include "kubernetes_auth_setup.h"
#include "util/base64.h"
#include "util/json.h"

namespace vaultsync::e2e {
namespace {
using namespace std::chrono_literals;
using Data = std::map<std::string, std::string>;

constexpr int kResources = 3;

std::string Old(int i) { return "cnry-old-" + std::to_string(i) + "-7f3a"; }
std::string New(int i) { return "cnry-new-" + std::to_string(i) + "-c1d9"; }
Data OldData(int i) { return {{"user", "u-" + Old(i)}, {"pass", "p-" + Old(i)}}; }
Data NewData(int i) { return {{"user", "u-" + New(i)}, {"pass", "p-" + New(i)}}; }
std::string Json(const Data& d) {
  return R"({"user":")" + d.at("user") + R"(","pass":")" + d.at("pass") + R"("})";
}
std::string Name(int i) { return "r" + std::to_string(i); }

std::string KubeStatus(int code, const std::string& reason, const std::string& message) {
  return json::Serialize(*json::Parse(
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)" +
      json::Quote(message) + R"(,"reason":")" + reason + R"(","code":)" + std::to_string(code) +
      "}"));
}

std::string VaultRule(const std::string& path_prefix, int status, const std::string& body,
                      const std::string& extra = "") {
  std::string rule = R"({"method":"GET","path_prefix":")" + path_prefix + R"(","status":)" +
                     std::to_string(status);
  if (!body.empty()) rule += ",\"body\":" + json::Quote(body);
  return rule + extra + "}";
}

std::string KubeRule(const std::string& method, int status, const std::string& body,
                     const std::string& extra = "") {
  std::string rule = R"({"method":")" + method +
                     R"(","path_prefix":"/api/v1/namespaces/demo/secrets","status":)" +
                     std::to_string(status);
  if (!body.empty()) rule += ",\"body\":" + json::Quote(body);
  return rule + extra + "}";
}

struct Scenario {
  std::string name;
  // Starts the fault (after the first sync). The new values are written to Vault after it.
  std::function<void(Env&)> inject;
  // The Ready reason of the affected resources during the fault ("" = absorbed, no error).
  std::string reason;
  // Which resources the fault affects (the others must follow Vault all along).
  std::vector<int> affected = {0, 1, 2};
  // Requests that hit the faulted endpoint, for (d) and to see the fault take effect.
  bool vault_side = true;  // Vault KV reads, else Kubernetes Secret writes
  // Extra action once the fault is in effect (e.g. a Secret deleted by hand).
  std::function<void(Env&)> during;
  int may_be_absent = -1;  // a resource whose Secret the scenario deletes by hand
  // Ends the fault; by default every fault rule of both emulators is removed.
  std::function<void(Env&)> clear;
  // r0's new value is written to Vault only when the fault clears (the fault is its absence).
  bool r0_written_at_clear = false;
  // Vault is stopped (connections refused) and a fresh one started at the clear: nothing can
  // be written to it meanwhile, and its request log starts again (no storm count: while it is
  // down the breaker holds every call and one sys/health probe knocks every 2 s).
  bool vault_down = false;
  // Whether an absorbed fault (no reason) shows as requests to the faulted endpoint; a cut
  // watch does not.
  bool hits_endpoint = true;
  // A part the condition's message must contain during the fault ("" = not checked).
  std::string message_part;
  // Before the resources are created: objects the scenario needs (default: none), and the
  // VaultAuth the resources name ("" = the operator's own identity).
  std::function<void(Env&)> setup;
  std::string auth_ref;
};

void Post(Env& env, bool vault, const std::string& control, const std::string& body) {
  auto r = vault ? env.Vault("POST", "/__emulator/" + control, body)
                 : env.Kube("POST", "/__emulator/" + control, body);
  ASSERT_EQ(r.status, 200) << control << " " << body << ": " << r.body;
}

std::vector<Scenario> Scenarios() {
  const std::string kv = "/v1/secret/data/app/";
  auto vault_fault = [](std::string rule) {
    return [rule](Env& env) { Post(env, true, "faults", rule); };
  };
  auto kube_fault = [](std::string rule) {
    return [rule](Env& env) { Post(env, false, "faults", rule); };
  };
  std::vector<Scenario> s;
  s.push_back({"VaultSealed503",
               vault_fault(VaultRule(kv, 503, R"({"errors":["Vault is sealed"]})")),
               "VaultUnavailable"});
  s.push_back({"Vault502", vault_fault(VaultRule(kv, 502, "")), "VaultUnavailable"});
  s.push_back({"Vault500", vault_fault(VaultRule(kv, 500, R"({"errors":["internal error"]})")),
               "VaultUnavailable"});
  s.push_back(
      {"Vault429Burst",
       vault_fault(VaultRule(
           kv, 429, R"({"errors":["request path \"secret/data/app\": rate limit quota exceeded"]})",
           R"(,"retry_after_seconds":1)")),
       "VaultUnavailable"});
  s.push_back(
      {"Vault403OnePath",
       vault_fault(VaultRule(kv + "r0", 403,
                             R"({"errors":["1 error occurred:\n\t* permission denied\n\n"]})")),
       "PermissionDenied",
       {0}});
  s.push_back({"Vault404ThenCreated",
               vault_fault(VaultRule(kv + "r0", 404, R"({"errors":[]})")),
               "NotFound",
               {0}});
  s.push_back({"VaultMalformedJson",
               vault_fault(VaultRule(kv, 200, R"({"request_id":"x","data":{"data":)")),
               "VaultUnavailable"});
  s.back().message_part = "invalid JSON from Vault";
  s.push_back({"VaultTruncatedBody", vault_fault(VaultRule(kv, 200, "", R"(,"drop":true)")),
               "VaultUnavailable"});
  Scenario soft;
  soft.name = "VaultKvV2SoftDeletedThenWritten";
  soft.inject = [](Env& env) {
    ASSERT_EQ(env.Vault("DELETE", "/v1/secret/data/app/r0").status, 204);
  };
  soft.reason = "NotFound";
  soft.message_part = "deleted";
  soft.affected = {0};
  soft.r0_written_at_clear = true;
  s.push_back(soft);
  Scenario destroyed = soft;
  destroyed.name = "VaultKvV2DestroyedThenWritten";
  destroyed.message_part = "destroyed";
  destroyed.inject = [](Env& env) {
    ASSERT_EQ(env.Vault("POST", "/v1/secret/destroy/app/r0", R"({"versions":[1]})").status, 204);
  };
  s.push_back(destroyed);
  Scenario down;
  down.name = "VaultDownConnectionRefused";
  down.inject = [](Env& env) { env.StopVault(); };
  down.reason = "VaultUnavailable";
  down.vault_down = true;
  down.clear = [](Env& env) {
    ASSERT_TRUE(env.RestartVault());
    for (int i = 0; i < kResources; ++i) env.VaultPut("app/" + Name(i), Json(NewData(i)));
  };
  s.push_back(down);
  // Vault answers, but later than the VaultConnection's timeout (1 s here; 30 s by default).
  Scenario slow_vault;
  slow_vault.name = "VaultSlowerThanTheRequestTimeout";
  slow_vault.setup = [](Env& env) {
    std::ifstream in(env.vault_ca_file());
    std::stringstream ca;
    ca << in.rdbuf();
    auto secret = [](const std::string& name, const std::string& key, const std::string& value) {
      return R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":")" + name +
             R"(","namespace":"demo"},"data":{")" + key + R"(":")" + base64::Encode(value) +
             R"("}})";
    };
    env.Apply(secret("vault-ca", "ca.crt", ca.str()));
    env.Apply(secret("vault-token", "token", kRootToken));
    env.Apply(R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultConnection",
        "metadata":{"name":"impatient","namespace":"demo"},"spec":{"address":")" +
              env.vault_url() + R"(","caCertSecretRef":"vault-ca","timeout":"1s"}})");
    env.Apply(R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultAuth",
        "metadata":{"name":"impatient","namespace":"demo"},"spec":{"vaultConnectionRef":
        "impatient","method":"token","token":{"secretRef":"vault-token"}}})");
  };
  slow_vault.auth_ref = "impatient";
  slow_vault.inject =
      vault_fault(R"({"method":"GET","path_prefix":")" + kv + R"(","latency_ms":2500})");
  slow_vault.reason = "VaultUnavailable";
  slow_vault.message_part = "timed out";
  s.push_back(slow_vault);
  // The token of a tenant identity (kubernetes auth) dies behind the operator's back:
  // absorbed by one lookup-self and one new login, the refused read repeated.
  Scenario revoked;
  revoked.name = "VaultTokenRevokedBehindOurBack";
  revoked.setup = [](Env& env) {
    ASSERT_NO_FATAL_FAILURE(SetUpKubernetesAuth(env, R"("token_ttl":3600,"token_max_ttl":7200)"));
  };
  revoked.auth_ref = "app";
  revoked.inject = [](Env& env) { ASSERT_EQ(RevokeTokensWithPolicy(env, "app-read"), 1); };
  s.push_back(revoked);
  Scenario past_max = revoked;
  past_max.name = "VaultTokenPastItsMaxTtl";
  past_max.inject = [](Env& env) {  // two hours and more go by on Vault's clock
    ASSERT_EQ(env.Vault("POST", "/__emulator/time", R"({"advance_seconds":7300})").status, 200);
  };
  s.push_back(past_max);
  Scenario deleted_by_hand;
  deleted_by_hand.name = "SecretDeletedByHandWhileVaultIsDown";
  deleted_by_hand.inject = vault_fault(VaultRule(kv, 503, R"({"errors":["Vault is sealed"]})"));
  deleted_by_hand.reason = "VaultUnavailable";
  deleted_by_hand.during = [](Env& env) {
    ASSERT_EQ(env.Kube("DELETE", "/api/v1/namespaces/demo/secrets/r0").status, 200);
  };
  deleted_by_hand.may_be_absent = 0;
  s.push_back(deleted_by_hand);

  // Kubernetes: the Secret writes refused or slowed; status writes still go through.
  const std::string conflict = KubeStatus(
      409, "Conflict",
      "Operation cannot be fulfilled on secrets \"r0\": the object has been modified; please "
      "apply your changes to the latest version and try again");
  Scenario k409;
  k409.name = "Kube409OnTheFirstUpdates";
  k409.inject = kube_fault(KubeRule("PUT", 409, conflict, R"(,"remaining":3)"));
  k409.vault_side = false;
  s.push_back(k409);
  auto write_failed = [&](const std::string& name, int code, const std::string& reason,
                          const std::string& message, const std::string& extra = "") {
    Scenario k;
    k.name = name;
    k.inject = kube_fault(KubeRule("PUT", code, KubeStatus(code, reason, message), extra));
    k.reason = "SecretWriteFailed";
    k.message_part = message.substr(0, 40);  // the server's own words reach the condition
    k.vault_side = false;
    s.push_back(k);
  };
  write_failed("Kube500Burst", 500, "InternalError",
               "Internal error occurred: etcdserver: leader changed");
  write_failed("Kube503Burst", 503, "ServiceUnavailable",
               "the server is currently unable to handle the request");
  write_failed("Kube403Quota", 403, "Forbidden",
               "secrets \"r0\" is forbidden: exceeded quota: secrets, requested: secrets=1, "
               "used: secrets=10, limited: secrets=10");
  write_failed("Kube422Admission", 422, "Invalid",
               "admission webhook \"policy.example.com\" denied the request: secrets must carry "
               "label team");
  // Bursts that come and go: the Secret writes meet 503, 500 and successes interleaved, in
  // a fixed order (rules are consumed first to last; status 0 lets one request through). The
  // third success is the last rule, so the three Secrets are written only once every failure
  // was met; the fault lasts until then.
  Scenario flaky;
  flaky.name = "Kube5xxIntermittentBursts";
  {
    const std::string unavailable = KubeStatus(
        503, "ServiceUnavailable", "the server is currently unable to handle the request");
    const std::string leader =
        KubeStatus(500, "InternalError", "Internal error occurred: etcdserver: leader changed");
    const std::vector<std::tuple<int, std::string, int>> bursts = {
        {503, unavailable, 1}, {0, "", 1}, {503, unavailable, 1}, {500, leader, 1}, {0, "", 1},
        {500, leader, 1},      {0, "", 1}};
    std::string rules;
    for (const auto& [status, body, times] : bursts) {
      if (!rules.empty()) rules += ',';
      rules += KubeRule("PUT", status, body, R"(,"remaining":)" + std::to_string(times));
    }
    flaky.inject = kube_fault(R"({"rules":[)" + rules + "]}");
  }
  flaky.during = [](Env& env) {
    auto failed_writes = [&] {
      int n = 0;
      for (const auto& r : env.KubeRequests()) {
        n += r.method == "PUT" && r.path.rfind("/api/v1/namespaces/demo/secrets/", 0) == 0 &&
             r.status >= 500;
      }
      return n;
    };
    EXPECT_TRUE(WaitFor([&] { return failed_writes() >= 4; }, 45s)) << failed_writes();
  };
  flaky.vault_side = false;
  s.push_back(flaky);
  Scenario k429;
  k429.name = "Kube429WithRetryAfter";
  k429.inject = kube_fault(KubeRule(
      "PUT", 429, KubeStatus(429, "TooManyRequests", "Too many requests, please try again later."),
      R"(,"retry_after_seconds":1,"remaining":6)"));
  k429.vault_side = false;
  s.push_back(k429);
  Scenario slow;
  slow.name = "KubeSlowSecretWrites";
  slow.inject = kube_fault(R"({"method":"PUT","path_prefix":"/api/v1/namespaces/demo/secrets",)"
                           R"("latency_ms":1500})");
  slow.vault_side = false;
  s.push_back(slow);
  Scenario cut;
  cut.name = "KubeWatchCutAndHistoryCompacted";
  cut.inject = [](Env& env) {
    Post(env, false, "cut-watches", "{}");
    Post(env, false, "compact", "{}");
  };
  cut.during = [](Env& env) {
    // A hand edit while the watches are cut and their history is gone: found by the relist.
    ASSERT_EQ(env.Kube("DELETE", "/api/v1/namespaces/demo/secrets/r1").status, 200);
    Post(env, false, "cut-watches", "{}");
    Post(env, false, "compact", "{}");
    Post(env, false, "cut-watches", "{}");
  };
  cut.may_be_absent = 1;
  cut.hits_endpoint = false;
  cut.vault_side = false;
  cut.clear = [](Env&) {};
  s.push_back(cut);
  // The API server restarted with its state kept (etcd's): while it is away the operator's
  // connections, watches included, end unanswered; it comes back with the same objects and
  // resourceVersions but a fresh watch cache (history compacted: old watches get 410 Gone).
  // The test's own requests still go through, to watch the Secrets.
  Scenario restarted;
  restarted.name = "KubeApiServerRestartedWithItsStateKept";
  restarted.inject = [](Env& env) {
    Post(env, false, "faults",
         R"({"path_prefix":"/api","user_agent":"vaultsync-operator","drop":true})");
    Post(env, false, "cut-watches", "{}");
    Post(env, false, "compact", "{}");
  };
  restarted.during = [](Env& env) {
    // Away until the operator, with Vault's new values read, has tried to write each Secret
    // (its watches and other requests meet the outage too), then back.
    auto unanswered_secret_requests = [&] {
      int n = 0;
      for (const auto& r : env.KubeRequests()) {
        n += r.status == 0 && r.user_agent.rfind("vaultsync-operator", 0) == 0 &&
             r.path.rfind("/api/v1/namespaces/demo/secrets/", 0) == 0;
      }
      return n;
    };
    if (!WaitFor([&] { return unanswered_secret_requests() >= kResources; }, 30s)) {
      // What the operator asked of the API server meanwhile, to see where it stalled.
      std::map<std::string, int> asked;
      const auto log = env.KubeRequests();
      for (const auto& r : log) {
        if (r.user_agent.rfind("vaultsync-operator", 0) == 0)
          ++asked[r.method + " " + r.path + " -> " + std::to_string(r.status)];
      }
      ADD_FAILURE() << "the operator tried to write " << unanswered_secret_requests()
                    << " Secrets during the outage; of the " << log.size()
                    << " requests in the emulator's log (seq " << (log.empty() ? 0 : log[0].seq)
                    << ".." << (log.empty() ? 0 : log.back().seq)
                    << "), the operator's were: " << ::testing::PrintToString(asked);
    }
    Post(env, false, "compact", "{}");
  };
  restarted.hits_endpoint = false;
  restarted.vault_side = false;
  s.push_back(restarted);
  return s;
}

void PrintTo(const Scenario& s, std::ostream* os) { *os << s.name; }

class FaultMatrix : public ::testing::TestWithParam<Scenario> {};

// Whether every Secret holds exactly its old or new data (or is absent when allowed).
class SecretWatcher {
 public:
  SecretWatcher(Env& env, int may_be_absent) : env_(env), may_be_absent_(may_be_absent) {
    thread_ = std::thread([this] {
      // Bounded: the test stops it; 20 minutes is far beyond any case.
      for (int n = 0; n < 24000 && !stop_; ++n) {
        for (int i = 0; i < kResources; ++i) {
          auto d = env_.SecretData("demo", Name(i));
          std::string bad;
          if (!d) {
            if (i != may_be_absent_) bad = Name(i) + " absent";
          } else if (*d != OldData(i) && *d != NewData(i)) {
            bad = Name(i) + " holds neither its old nor its new data (" +
                  std::to_string(d->size()) + " keys)";
          }
          if (!bad.empty()) {
            std::lock_guard<std::mutex> lock(mu_);
            violations_.push_back(bad);
          }
        }
        std::this_thread::sleep_for(50ms);
      }
    });
  }
  std::vector<std::string> Stop() {
    stop_ = true;
    thread_.join();
    std::lock_guard<std::mutex> lock(mu_);
    return violations_;
  }
  ~SecretWatcher() {
    if (thread_.joinable()) Stop();
  }

 private:
  Env& env_;
  int may_be_absent_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> violations_;
};

// The message of a resource's Ready condition ("" when none).
std::string ReadyMessage(Env& env, const std::string& name) {
  auto r =
      env.Kube("GET", "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultstaticsecrets/" + name);
  auto doc = json::Parse(r.body);
  if (r.status != 200 || !doc.ok()) return "";
  const json::Value* status = json::Find(*doc, "status");
  const json::Value* conds = status ? json::Find(*status, "conditions") : nullptr;
  if (conds == nullptr || !conds->IsArray()) return "";
  for (const auto& c : conds->GetArray()) {
    const json::Value* type = json::Find(c, "type");
    const json::Value* message = json::Find(c, "message");
    if (type && type->IsString() && json::View(*type) == "Ready" && message && message->IsString())
      return std::string(json::View(*message));
  }
  return "";
}

// Waits (bounded) until every resource is Synced and its Secret holds data(i).
bool AllSyncedWith(Env& env, Data (*data)(int), std::chrono::seconds timeout) {
  return WaitFor(
      [&] {
        for (int i = 0; i < kResources; ++i) {
          if (env.SecretData("demo", Name(i)) != data(i)) return false;
          if (env.Ready("vaultstaticsecrets", "demo", Name(i)) != "True/Synced") return false;
        }
        return true;
      },
      timeout);
}

int64_t LastSeq(const std::vector<Env::LoggedRequest>& log) {
  return log.empty() ? 0 : log.back().seq;
}

TEST_P(FaultMatrix, NothingLostAClearErrorRecoveryAndNoStorm) {
  const Scenario& sc = GetParam();
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  for (int i = 0; i < kResources; ++i) env->VaultPut("app/" + Name(i), Json(OldData(i)));
  auto op = env->StartOperator({"--log-level", "debug"});
  ASSERT_NE(op.process, nullptr);
  if (sc.setup) {
    ASSERT_NO_FATAL_FAILURE(sc.setup(*env));
  }
  const std::string auth = sc.auth_ref.empty() ? "" : R"("vaultAuthRef":")" + sc.auth_ref + R"(",)";
  for (int i = 0; i < kResources; ++i) {
    env->CreateVss(Name(i), "{" + auth + R"("mount":"secret","path":"app/)" + Name(i) +
                                R"(","refreshAfter":"1s","destination":{"name":")" + Name(i) +
                                R"("}})");
  }
  ASSERT_TRUE(AllSyncedWith(*env, OldData, 20s)) << op.process->Stderr();

  SecretWatcher watcher(*env, sc.may_be_absent);
  const int64_t vault_seq0 = LastSeq(env->VaultRequests());
  const int64_t kube_seq0 = LastSeq(env->KubeRequests());
  const auto t0 = std::chrono::steady_clock::now();
  sc.inject(*env);
  for (int i = 0; i < kResources; ++i) {
    if ((i == 0 && sc.r0_written_at_clear) || sc.vault_down) continue;
    env->VaultPut("app/" + Name(i), Json(NewData(i)));
  }

  // How many requests hit the faulted endpoint since the fault started.
  auto hits = [&] {
    int64_t n = 0;
    if (sc.vault_side) {
      for (const auto& r : env->VaultRequests())
        if (r.seq > vault_seq0 && r.method == "GET" && r.path.rfind("/v1/secret/data/app/", 0) == 0)
          ++n;
    } else {
      for (const auto& r : env->KubeRequests())
        if (r.seq > kube_seq0 && r.method == "PUT" &&
            r.path.rfind("/api/v1/namespaces/demo/secrets/", 0) == 0)
          ++n;
    }
    return n;
  };

  // (b) the condition and a Warning Event say what is wrong.
  if (!sc.reason.empty()) {
    for (int i : sc.affected) {
      EXPECT_TRUE(WaitFor(
          [&] { return env->Ready("vaultstaticsecrets", "demo", Name(i)) == "False/" + sc.reason; },
          20s))
          << Name(i) << ": " << ReadyMessage(*env, Name(i)) << "\n"
          << op.process->Stderr();
      EXPECT_TRUE(WaitFor(
          [&] {
            for (const auto& e : env->Events("demo", "VaultStaticSecret", Name(i)))
              if (e.type == "Warning" && e.reason == sc.reason) return true;
            return false;
          },
          10s))
          << Name(i);
    }
    if (!sc.message_part.empty()) {
      for (int i : sc.affected) {
        EXPECT_NE(ReadyMessage(*env, Name(i)).find(sc.message_part), std::string::npos)
            << Name(i) << ": " << ReadyMessage(*env, Name(i));
      }
    }
    // The resources the fault does not touch follow Vault meanwhile.
    for (int i = 0; i < kResources; ++i) {
      if (std::find(sc.affected.begin(), sc.affected.end(), i) != sc.affected.end()) continue;
      EXPECT_TRUE(WaitFor([&] { return env->SecretData("demo", Name(i)) == NewData(i); }, 10s))
          << Name(i);
    }
    // Nothing of the affected ones changed (a Vault-side fault: not one Secret write for them).
    for (int i : sc.affected) {
      if (i == sc.may_be_absent) continue;
      EXPECT_EQ(env->SecretData("demo", Name(i)), OldData(i)) << Name(i);
    }
  } else if (sc.hits_endpoint) {
    // Absorbed faults: wait until the fault was really met.
    EXPECT_TRUE(WaitFor([&] { return hits() >= 2; }, 20s)) << op.process->Stderr();
  }
  if (sc.during) sc.during(*env);
  if (HasFailure()) std::printf("operator log so far:\n%s\n", op.process->Stderr().c_str());
  // Let the fault last: as many more attempts as affected resources reach the faulted
  // endpoint (their backoff grows meanwhile; where the Vault breaker opens, its probe finds
  // sys/health fine and the resources keep their own backoff), so (d) measures retries under
  // the fault, not one first failure.
  if (!sc.reason.empty() && !sc.vault_down) {
    const int64_t at_error = hits();
    EXPECT_TRUE(
        WaitFor([&] { return hits() >= at_error + static_cast<int64_t>(sc.affected.size()); }, 45s))
        << "no retries during the fault: " << hits() - at_error;
  }

  // (d) no storm while it lasted.
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const int64_t n = hits();
  const double budget = double(kResources) * 4.0 * (std::log2(seconds + 1.0) + 2.0) + 10.0;
  std::printf("fault %s: %lld requests to the faulted endpoint in %.1f s (budget %.0f)\n",
              sc.name.c_str(), static_cast<long long>(n), seconds, budget);
  EXPECT_LE(double(n), budget) << "a request storm during " << sc.name;

  // (c) recovery on its own once the fault clears.
  if (sc.clear) {
    sc.clear(*env);
  } else {
    ASSERT_EQ(env->Vault("DELETE", "/__emulator/faults").status, 200);
    ASSERT_EQ(env->Kube("DELETE", "/__emulator/faults").status, 200);
  }
  if (sc.r0_written_at_clear) env->VaultPut("app/r0", Json(NewData(0)));
  EXPECT_TRUE(AllSyncedWith(*env, NewData, 40s)) << op.process->Stderr();

  // (a) nothing lost, blanked or half-written, and no Secret deleted by the operator.
  auto violations = watcher.Stop();
  EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
  for (const auto& r : env->KubeRequests()) {
    if (r.seq > kube_seq0 && r.method == "DELETE" &&
        r.user_agent.rfind("vaultsync-operator", 0) == 0) {
      ADD_FAILURE() << "the operator deleted " << r.path;
    }
  }

  // The canary: no value, old or new, anywhere but in the Secrets.
  std::string seen = Env::HttpGet(op.metrics_port, "/metrics");
  for (const auto& e : env->Events("demo")) seen += e.reason + " " + e.message + "\n";
  seen += env->Kube("GET", "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultstaticsecrets").body;
  EXPECT_EQ(op.process->Stop(), 0);
  seen += op.process->Stdout() + op.process->Stderr();
  for (int i = 0; i < kResources; ++i) {
    for (const std::string& v : {Old(i), New(i)}) {
      EXPECT_EQ(seen.find(v), std::string::npos) << "value " << v << " leaked";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Faults, FaultMatrix, ::testing::ValuesIn(Scenarios()),
                         [](const ::testing::TestParamInfo<Scenario>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace vaultsync::e2e
