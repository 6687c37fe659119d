// Unit tests of the VaultStaticSecret reconciler against in-memory fakes: every branch of
// the sync, ownership, failure, drift, rollout and namespace-safety rules.
#include "controller/vault_static_secret_reconciler.h"

#include <algorithm>
#include <cctype>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "controller/secret_object.h"
#include "fakes.h"

namespace vaultsync::controller {
namespace {
using namespace std::chrono_literals;
using testing::FakeCluster;
using testing::FakeEvents;
using testing::FakeLister;
using testing::FakeMetrics;
using testing::FakeSource;
using ::testing::HasSubstr;

constexpr const char* kHmacKey = "test-hmac-key";

class ReconcilerTest : public ::testing::Test {
 protected:
  ReconcilerTest() {
    options_.hmac_key = kHmacKey;
    options_.defaults.vault_address = "http://vault:8200";
    options_.defaults.auth_role = "operator";
    options_.defaults.jwt_file = "/var/run/secrets/token";
    source_.clock = &clock_;
    source_.Set(
        "secret/app/db",
        {{"password", true, "s3cr3t"}, {"port", false, "5432"}, {"username", true, "admin"}}, 3);
  }

  VaultStaticSecretReconciler Make() {
    VaultStaticSecretReconcilerDeps d;
    d.secrets = &vss_;
    d.auths = &auths_;
    d.connections = &conns_;
    writer_ = std::make_unique<DestinationWriter>(
        managed_, cluster_, hmac_key_,
        [this](std::string_view kind, const std::string& key) -> std::optional<std::string> {
          if (kind != kKindVaultStaticSecret) return std::nullopt;
          auto v = vss_.Get(key);
          return v ? std::optional<std::string>(v->meta.uid) : std::nullopt;
        });
    d.writer = writer_.get();
    d.cluster = &cluster_;
    d.events = &events_;
    d.vault = &source_;
    d.managed = &managed_;
    if (!restarter_) {
      RolloutRestarterOptions ro;
      ro.coalesce = 5s;
      restarter_ =
          std::make_unique<RolloutRestarter>(cluster_, events_, clock_, ro, nullptr, &logger_);
    }
    d.restarter = restarter_.get();
    d.clock = &clock_;
    d.metrics = &metrics_;
    d.logger = &logger_;
    return VaultStaticSecretReconciler(d, options_);
  }

  // Lets the coalescing window pass and carries out the restarts that are due.
  void RunRestarts() {
    clock_.Advance(5s);
    restarter_->RunDue();
  }

  // Adds (or replaces) a VaultStaticSecret given its spec JSON (and annotations JSON).
  void PutVss(const std::string& spec_json, const std::string& name = "db",
              const std::string& ns = "demo", const std::string& uid = "uid-vss-db",
              int64_t generation = 1, const std::string& annotations = "{}") {
    vss_json_[ns + "/" + name] =
        R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultStaticSecret","metadata":{"name":")" +
        name + R"(","namespace":")" + ns + R"(","uid":")" + uid + R"(","generation":)" +
        std::to_string(generation) + R"(,"annotations":)" + annotations + R"(},"spec":)" +
        spec_json + "}";
    Redecode(ns + "/" + name);
  }

  void Redecode(const std::string& key) {
    auto doc = json::Parse(vss_json_[key]);
    ASSERT_TRUE(doc.ok());
    auto v = DecodeVaultStaticSecret(*doc);
    ASSERT_TRUE(v.ok());
    vss_.Put(key, *v);
  }

  // Plays the API server: applies the status patches the reconciler sent, and refreshes
  // the Secret cache from the cluster, as the informers would.
  // (Status patches are JSON merge patches: a member set replaces, null removes, others stay.)
  void Settle(const std::string& key = "demo/db") {
    for (const std::string& patch : cluster_.status_patch_bodies) {
      auto p = json::Parse(patch);
      auto d = json::Parse(vss_json_[key]);
      auto& a = d->GetAllocator();
      if (!d->HasMember("status")) d->AddMember("status", json::Value(rapidjson::kObjectType), a);
      json::Value& st = (*d)["status"];
      for (auto it = (*p)["status"].MemberBegin(); it != (*p)["status"].MemberEnd(); ++it) {
        const std::string name(json::View(it->name));
        st.RemoveMember(name.c_str());
        if (it->value.IsNull()) continue;
        json::Value v;
        v.CopyFrom(it->value, a);
        st.AddMember(json::StringValue(name, a), v, a);
      }
      vss_json_[key] = json::Serialize(*d);
    }
    cluster_.status_patch_bodies.clear();
    Redecode(key);
    RefreshSecretCache("demo", "db-creds");
  }

  void RefreshSecretCache(const std::string& ns, const std::string& name) {
    auto text = cluster_.SecretJson(ns, name);
    if (!text ||
        text->find("\"app.kubernetes.io/managed-by\":\"vaultsync\"") == std::string::npos) {
      managed_.Remove(ns + "/" + name);
      return;
    }
    std::string key = kHmacKey;
    auto decoded = ManagedSecretDecoder(&key)(*json::Parse(*text));
    ASSERT_TRUE(decoded.ok());
    managed_.Put(ns + "/" + name, *decoded);
  }

  // The Ready condition's message as last written (the cache keeps only its digest).
  std::string LastMessage(const std::string& key = "demo/db") {
    auto d = json::Parse(vss_json_[key]);
    const json::Value* conds = d.ok() ? json::Find(*d, "status") : nullptr;
    conds = conds != nullptr ? json::Find(*conds, "conditions") : nullptr;
    if (conds == nullptr || !conds->IsArray()) return "";
    for (const auto& c : conds->GetArray()) {
      if (json::View(c["type"]) == "Ready") return std::string(json::View(c["message"]));
    }
    return "";
  }

  // A string field of the resource's status as last written ("" when absent).
  std::string StatusField(const std::string& field, const std::string& key = "demo/db") {
    auto d = json::Parse(vss_json_[key]);
    const json::Value* st = d.ok() ? json::Find(*d, "status") : nullptr;
    const json::Value* v = st != nullptr ? json::Find(*st, field) : nullptr;
    return v != nullptr && v->IsString() ? std::string(json::View(*v)) : "";
  }

  std::string LastReason() const {
    auto v = vss_.Get("demo/db");
    return v ? v->status.ready.reason : "";
  }

  static constexpr const char* kSpec =
      R"({"mount":"secret","path":"app/db","refreshAfter":"30s","destination":{"name":"db-creds"}})";

  FakeLister<VaultStaticSecret> vss_;
  FakeLister<VaultAuth> auths_;
  FakeLister<VaultConnection> conns_;
  FakeLister<ManagedSecret> managed_;
  FakeCluster cluster_;
  FakeEvents events_;
  FakeSource source_;
  FakeMetrics metrics_;
  FakeClock clock_;
  std::ostringstream log_;
  log::Logger logger_{&log_};
  VaultStaticSecretReconcilerOptions options_;
  std::map<std::string, std::string> vss_json_;
  const std::string hmac_key_ = kHmacKey;
  std::unique_ptr<DestinationWriter> writer_;
  std::unique_ptr<RolloutRestarter> restarter_;
};

TEST_F(ReconcilerTest, CreatesSecretWithDataOwnerAndLabels) {
  PutVss(kSpec);
  auto r = Make().Reconcile("demo/db");
  ASSERT_TRUE(r.error.ok()) << r.error.ToString();
  ASSERT_TRUE(r.requeue_after.has_value());
  // At the read's slot in the 30 s period: never later than 30 s, never sooner than 15 s.
  EXPECT_GE(*r.requeue_after, 15s);
  EXPECT_LE(*r.requeue_after, 30s);
  // Absent from the managed cache: created straight away, no live read first.
  EXPECT_EQ(cluster_.gets, 0);
  EXPECT_EQ(cluster_.creates, 1);
  auto data = cluster_.SecretDataOf("demo", "db-creds");
  EXPECT_EQ(data, (std::map<std::string, std::string>{
                      {"password", "s3cr3t"}, {"port", "5432"}, {"username", "admin"}}));
  std::string secret = *cluster_.SecretJson("demo", "db-creds");
  EXPECT_THAT(secret, HasSubstr(R"("app.kubernetes.io/managed-by":"vaultsync")"));
  EXPECT_THAT(secret, HasSubstr(R"("vaultsync.io/owner":"db")"));
  EXPECT_THAT(
      secret,
      HasSubstr(R"("kind":"VaultStaticSecret","name":"db","uid":"uid-vss-db","controller":true)"));
  EXPECT_THAT(secret, HasSubstr(R"("type":"Opaque")"));
  EXPECT_EQ(cluster_.creates, 1);
  ASSERT_EQ(cluster_.status_patch_bodies.size(), 1u);
  EXPECT_THAT(cluster_.status_patch_bodies[0], HasSubstr(R"("status":"True")"));
  EXPECT_THAT(cluster_.status_patch_bodies[0], HasSubstr(R"("reason":"Synced")"));
  EXPECT_THAT(cluster_.status_patch_bodies[0], HasSubstr(R"("sourceVersion":3)"));
  EXPECT_THAT(cluster_.status_patch_bodies[0], HasSubstr(R"("secretMAC":")"));
  EXPECT_EQ(metrics_.syncs["created"], 1);
  EXPECT_TRUE(metrics_.last_sync.count("demo/db"));
  ASSERT_EQ(events_.events.size(), 1u);
  EXPECT_EQ(events_.events[0].reason, "SecretCreated");
  // The operator's own identity (no vaultAuthRef) with the default role.
  ASSERT_EQ(source_.identities.size(), 1u);
  EXPECT_EQ(source_.identities[0].role, "operator");
  EXPECT_EQ(source_.identities[0].jwt_file, "/var/run/secrets/token");
}

TEST_F(ReconcilerTest, SteadyStateWritesNothing) {
  PutVss(kSpec);
  auto rec = Make();
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  int writes = cluster_.writes();
  int gets = cluster_.gets;
  for (int i = 0; i < 3; ++i) {
    auto r = rec.Reconcile("demo/db");
    ASSERT_TRUE(r.error.ok()) << r.error.ToString();
  }
  EXPECT_EQ(cluster_.writes(), writes);
  EXPECT_EQ(cluster_.gets, gets);  // no live reads either: the cache answered
  EXPECT_EQ(metrics_.syncs["unchanged"], 3);
  EXPECT_EQ(events_.events.size(), 1u);  // only the creation
}

TEST_F(ReconcilerTest, VaultChangeUpdatesAndRestartsTargetsButNotOnFirstSync) {
  PutVss(R"({"mount":"secret","path":"app/db","destination":{"name":"db-creds"},
             "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  auto rec = Make();
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 0);  // first sync: no restart
  EXPECT_EQ(vss_.Get("demo/db")->status.rollout_restart_mac, 0u);
  source_.Set("secret/app/db", {{"password", true, "rotated"}, {"username", true, "admin"}}, 4);
  auto r = rec.Reconcile("demo/db");
  ASSERT_TRUE(r.error.ok()) << r.error.ToString();
  EXPECT_EQ(cluster_.SecretDataOf("demo", "db-creds"),
            (std::map<std::string, std::string>{{"password", "rotated"}, {"username", "admin"}}));
  EXPECT_EQ(cluster_.updates, 1);
  EXPECT_EQ(metrics_.syncs["updated"], 1);
  // The owed restart was recorded before the Secret was written (the first status patch),
  // and stays recorded until the restart is done.
  ASSERT_GE(cluster_.status_patch_bodies.size(), 2u);
  EXPECT_THAT(cluster_.status_patch_bodies[0], HasSubstr(R"({"status":{"rolloutRestartMAC":")"));
  Settle();
  EXPECT_NE(vss_.Get("demo/db")->status.rollout_restart_mac, 0u);
  // It holds the MAC of the new data: the same as status.secretMAC.
  EXPECT_EQ(vss_.Get("demo/db")->status.rollout_restart_mac, ShortDigest(StatusField("secretMAC")));
  EXPECT_EQ(cluster_.workload_patches, 0);  // within the coalescing window
  RunRestarts();
  ASSERT_EQ(cluster_.workload_patch_targets.size(), 1u);
  EXPECT_EQ(cluster_.workload_patch_targets[0], "Deployment demo/web");
  // RFC 3339 with nine fractional digits on the pod template.
  EXPECT_THAT(cluster_.workload_patch_bodies[0],
              ::testing::MatchesRegex(R"(\{"spec":\{"template":\{"metadata":\{"annotations":\{)"
                                      R"("vaultsync\.io/restartedAt":"[0-9]{4}-[0-9]{2}-[0-9]{2}T)"
                                      R"([0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z"\}\}\}\}\})"));
  // Done: the next reconcile clears the owed mark, and restarts nothing more.
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  EXPECT_THAT(cluster_.status_patch_bodies.back(), HasSubstr(R"("rolloutRestartMAC":null)"));
  Settle();
  EXPECT_EQ(vss_.Get("demo/db")->status.rollout_restart_mac, 0u);
  int patches = cluster_.status_patches;
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 1);  // unchanged data: no second restart
  EXPECT_EQ(cluster_.status_patches, patches);
}

TEST_F(ReconcilerTest, ARestartThatFailedForAPassingReasonIsRetried) {
  PutVss(R"({"mount":"secret","path":"app/db","destination":{"name":"db-creds"},
             "rolloutRestartTargets":[{"kind":"Deployment","name":"web"},
                                      {"kind":"StatefulSet","name":"db"},
                                      {"kind":"Deployment","name":"missing"}]})");
  auto rec = Make();
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  cluster_.fail_workload["StatefulSet db"] = Status(StatusCode::kUnavailable, "apiserver down");
  cluster_.fail_workload["Deployment missing"] =
      Status(StatusCode::kNotFound, R"(NotFound: deployments.apps "missing" not found)");
  source_.Set("secret/app/db", {{"password", true, "rotated"}}, 4);
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 3);
  EXPECT_EQ(LastReason(), "Synced");  // a failed restart does not fail the sync
  // Still owed (one target waits for its retry): the mark stays.
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  EXPECT_NE(vss_.Get("demo/db")->status.rollout_restart_mac, 0u);
  // Data unchanged: only the restart that may pass is tried again, when its backoff is over.
  cluster_.fail_workload.erase("StatefulSet db");
  RunRestarts();
  ASSERT_EQ(cluster_.workload_patches, 4);
  EXPECT_EQ(cluster_.workload_patch_targets.back(), "StatefulSet demo/db");
  EXPECT_EQ(events_.events.back().reason, "RolloutRestarted");
  // Done: nothing is owed any more, and the missing workload was never retried.
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  EXPECT_EQ(vss_.Get("demo/db")->status.rollout_restart_mac, 0u);
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 4);
}

TEST_F(ReconcilerTest, AnOwedRestartInStatusIsCarriedOutByANewProcess) {
  PutVss(R"({"mount":"secret","path":"app/db","destination":{"name":"db-creds"},
             "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  {
    auto rec = Make();
    ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
    Settle();
    source_.Set("secret/app/db", {{"password", true, "rotated"}}, 4);
    ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
    Settle();
  }
  // The process dies before the window ends: its restarter goes with it.
  restarter_.reset();
  EXPECT_EQ(cluster_.workload_patches, 0);
  ASSERT_NE(vss_.Get("demo/db")->status.rollout_restart_mac, 0u);
  // A new process (or leader) reconciles from the status it finds.
  auto rec = Make();
  int updates = cluster_.updates;
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  EXPECT_EQ(cluster_.updates, updates);  // the Secret already holds the data
  RunRestarts();
  ASSERT_EQ(cluster_.workload_patches, 1);
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  EXPECT_EQ(vss_.Get("demo/db")->status.rollout_restart_mac, 0u);
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 1);  // exactly once
}

TEST_F(ReconcilerTest, AnOwedRestartIsCarriedOutEvenWhileVaultIsDown) {
  PutVss(R"({"mount":"secret","path":"app/db","destination":{"name":"db-creds"},
             "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  {
    auto rec = Make();
    ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
    Settle();
    source_.Set("secret/app/db", {{"password", true, "rotated"}}, 4);
    ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
    Settle();
  }
  restarter_.reset();  // the process dies within the window
  ASSERT_NE(vss_.Get("demo/db")->status.rollout_restart_mac, 0u);
  // The new leader cannot read Vault: the restart owed for the data already in the Secret
  // still happens, and its mark goes with the failure's status patch.
  source_.SetError("secret/app/db", Status(StatusCode::kUnavailable, "sealed"));
  auto rec = Make();
  EXPECT_FALSE(rec.Reconcile("demo/db").error.ok());
  RunRestarts();
  ASSERT_EQ(cluster_.workload_patches, 1);
  EXPECT_FALSE(rec.Reconcile("demo/db").error.ok());
  EXPECT_THAT(cluster_.status_patch_bodies.back(), HasSubstr(R"("rolloutRestartMAC":null)"));
  Settle();
  EXPECT_EQ(vss_.Get("demo/db")->status.rollout_restart_mac, 0u);
  EXPECT_EQ(LastReason(), "VaultUnavailable");
  // Vault back with the same data: nothing more to restart.
  source_.Set("secret/app/db", {{"password", true, "rotated"}}, 4);
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 1);
}

TEST_F(ReconcilerTest, AnOwedRestartWaitsForItsDataToBeInTheSecret) {
  PutVss(R"({"mount":"secret","path":"app/db","destination":{"name":"db-creds"},
             "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  auto rec = Make();
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  // The mark is written, then the Secret write fails: nothing is restarted for data the
  // Secret does not hold, and the mark stays.
  source_.Set("secret/app/db", {{"password", true, "rotated"}}, 4);
  cluster_.fail_secret_writes = Status(StatusCode::kUnavailable, "apiserver down");
  EXPECT_FALSE(rec.Reconcile("demo/db").error.ok());
  Settle();
  EXPECT_EQ(LastReason(), "SecretWriteFailed");
  ASSERT_NE(vss_.Get("demo/db")->status.rollout_restart_mac, 0u);
  EXPECT_FALSE(rec.Reconcile("demo/db").error.ok());
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 0);
  // Written at last: restarted after it, once.
  cluster_.fail_secret_writes = Status::Ok();
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 1);
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  EXPECT_EQ(vss_.Get("demo/db")->status.rollout_restart_mac, 0u);
}

TEST_F(ReconcilerTest, TheOwedRestartIsRecordedBeforeTheSecretIsWritten) {
  PutVss(R"({"mount":"secret","path":"app/db","destination":{"name":"db-creds"},
             "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  auto rec = Make();
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  std::string before = *cluster_.SecretJson("demo", "db-creds");
  // Status cannot be written: then the Secret is not written either (nothing would be owed).
  source_.Set("secret/app/db", {{"password", true, "rotated"}}, 4);
  cluster_.fail_writes = Status(StatusCode::kUnavailable, "apiserver down");
  auto r = rec.Reconcile("demo/db");
  EXPECT_FALSE(r.error.ok());
  cluster_.fail_writes = Status::Ok();
  EXPECT_EQ(*cluster_.SecretJson("demo", "db-creds"), before);
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 1);
}

TEST_F(ReconcilerTest, UndoingAHandEditRestartsNothing) {
  PutVss(R"({"mount":"secret","path":"app/db","destination":{"name":"db-creds"},
             "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  auto rec = Make();
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  std::string edited = *cluster_.SecretJson("demo", "db-creds");
  size_t pos = edited.find("czNjcjN0");  // base64("s3cr3t")
  ASSERT_NE(pos, std::string::npos);
  edited.replace(pos, 8, "aGFja2Vk");
  cluster_.PutSecret("demo", edited);
  RefreshSecretCache("demo", "db-creds");
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  EXPECT_EQ(cluster_.SecretDataOf("demo", "db-creds")["password"], "s3cr3t");
  Settle();
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 0);  // the workloads never had other Vault data
}

// A reconcile woken by the Secret's own watch event may see the resource as it was before
// its status write (no lastSyncTime, no secretMAC): a change of Vault data read then is still
// a change, judged by the Secret this resource wrote (cached, or read live when the Secret
// cache is behind too). Found by an e2e run on a loaded CI machine.
TEST_F(ReconcilerTest, AChangeSeenThroughAResourceCacheBehindItsOwnStatusStillRestarts) {
  const std::string spec = R"({"mount":"secret","path":"app/db","destination":{"name":"db-creds"},
             "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})";
  PutVss(spec);
  auto rec = Make();
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  ASSERT_TRUE(vss_.Get("demo/db")->status.synced_before);
  for (bool secret_cached : {true, false}) {
    SCOPED_TRACE(secret_cached ? "Secret cached" : "Secret cache behind too");
    PutVss(spec);  // the resource as cached before its status write
    ASSERT_FALSE(vss_.Get("demo/db")->status.synced_before);
    if (!secret_cached) managed_.Remove("demo/db-creds");
    const int patches = cluster_.workload_patches;
    source_.Set("secret/app/db", {{"password", true, secret_cached ? "one" : "two"}}, 4);
    ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
    ASSERT_FALSE(cluster_.status_patch_bodies.empty());
    EXPECT_THAT(cluster_.status_patch_bodies[0], HasSubstr(R"({"status":{"rolloutRestartMAC":")"));
    Settle();
    RunRestarts();
    EXPECT_EQ(cluster_.workload_patches, patches + 1);
    ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
    Settle();
  }
  // A genuine first sync (no Secret of this resource anywhere) still restarts nothing.
  PutVss(R"({"mount":"secret","path":"app/db","destination":{"name":"fresh-creds"},
             "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})",
         "fresh", "demo", "uid-fresh");
  const int patches = cluster_.workload_patches;
  ASSERT_TRUE(rec.Reconcile("demo/fresh").error.ok());
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, patches);
}

TEST_F(ReconcilerTest, DriftIsUndone) {
  PutVss(kSpec);
  auto rec = Make();
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  // Someone edits the Secret's data by hand.
  std::string edited = *cluster_.SecretJson("demo", "db-creds");
  size_t pos = edited.find("czNjcjN0");  // base64("s3cr3t")
  ASSERT_NE(pos, std::string::npos);
  edited.replace(pos, 8, "aGFja2Vk");
  cluster_.PutSecret("demo", edited);
  RefreshSecretCache("demo", "db-creds");
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  EXPECT_EQ(cluster_.SecretDataOf("demo", "db-creds")["password"], "s3cr3t");
  EXPECT_EQ(cluster_.workload_patches, 0);
}

TEST_F(ReconcilerTest, DeletedSecretIsRecreated) {
  PutVss(kSpec);
  auto rec = Make();
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  cluster_.DeleteSecret("demo", "db-creds");
  RefreshSecretCache("demo", "db-creds");
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  EXPECT_EQ(cluster_.creates, 2);
  EXPECT_EQ(cluster_.SecretDataOf("demo", "db-creds")["username"], "admin");
}

struct VaultFailureCase {
  StatusCode code;
  const char* reason;
};

// Test names and listings show the code and the reason, not the struct's raw bytes (which
// held a pointer and so changed between builds).
void PrintTo(const VaultFailureCase& c, std::ostream* os) {
  *os << StatusCodeName(c.code) << " -> " << c.reason;
}
std::string VaultFailureName(const ::testing::TestParamInfo<VaultFailureCase>& info) {
  std::string name(StatusCodeName(info.param.code));
  name.erase(std::remove_if(name.begin(), name.end(), [](char ch) { return !std::isalnum(ch); }),
             name.end());
  return name.empty() ? std::to_string(info.index) : name;
}

class VaultFailureTest : public ReconcilerTest,
                         public ::testing::WithParamInterface<VaultFailureCase> {};

TEST_P(VaultFailureTest, LeavesSecretAloneAndSaysWhy) {
  PutVss(kSpec);
  auto rec = Make();
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  std::string before = *cluster_.SecretJson("demo", "db-creds");
  int updates = cluster_.updates, creates = cluster_.creates;
  source_.SetError("secret/app/db", Status(GetParam().code, "vault says no"));
  auto r = rec.Reconcile("demo/db");
  EXPECT_FALSE(r.error.ok());
  EXPECT_FALSE(r.terminal);  // retried with backoff
  EXPECT_EQ(*cluster_.SecretJson("demo", "db-creds"), before);
  EXPECT_EQ(cluster_.updates, updates);
  EXPECT_EQ(cluster_.creates, creates);
  Settle();
  EXPECT_EQ(LastReason(), GetParam().reason);
  EXPECT_EQ(vss_.Get("demo/db")->status.ready.state, ReadyCondition::State::kFalse);
  EXPECT_THAT(LastMessage(), HasSubstr("vault says no"));
  EXPECT_EQ(vss_.Get("demo/db")->status.ready.message_digest, MessageDigest(LastMessage()));
  EXPECT_EQ(metrics_.syncs["error"], 1);
  EXPECT_TRUE(events_.events.back().warning);
  EXPECT_EQ(events_.events.back().reason, GetParam().reason);
  // The same failure again does not rewrite the status.
  int patches = cluster_.status_patches;
  EXPECT_FALSE(rec.Reconcile("demo/db").error.ok());
  EXPECT_EQ(cluster_.status_patches, patches);
  // Recovery.
  source_.Set("secret/app/db",
              {{"password", true, "s3cr3t"}, {"port", false, "5432"}, {"username", true, "admin"}},
              3);
  EXPECT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  EXPECT_EQ(LastReason(), "Synced");
  EXPECT_EQ(cluster_.updates, updates);  // data was never lost, so nothing to rewrite
}

INSTANTIATE_TEST_SUITE_P(
    Reasons, VaultFailureTest,
    ::testing::Values(VaultFailureCase{StatusCode::kUnavailable, "VaultUnavailable"},
                      VaultFailureCase{StatusCode::kDeadlineExceeded, "VaultUnavailable"},
                      VaultFailureCase{StatusCode::kInternal, "VaultUnavailable"},
                      VaultFailureCase{StatusCode::kRateLimited, "VaultUnavailable"},
                      VaultFailureCase{StatusCode::kPermissionDenied, "PermissionDenied"},
                      VaultFailureCase{StatusCode::kUnauthenticated, "AuthFailed"},
                      VaultFailureCase{StatusCode::kNotFound, "NotFound"},
                      VaultFailureCase{StatusCode::kFailedPrecondition, "NotFound"}),
    VaultFailureName);

TEST_F(ReconcilerTest, InvalidSpecIsTerminalAndTouchesNothing) {
  PutVss(
      R"({"mount":"secret","path":"app/db","type":"kv-v1","version":2,"destination":{"name":"db-creds"}})");
  auto r = Make().Reconcile("demo/db");
  EXPECT_TRUE(r.terminal);
  EXPECT_EQ(source_.reads, 0);
  EXPECT_EQ(cluster_.creates, 0);
  Settle();
  EXPECT_EQ(LastReason(), "InvalidSpec");
  EXPECT_THAT(LastMessage(), HasSubstr("spec.version"));
}

TEST_F(ReconcilerTest, InvalidVaultKeyNamesTheKeyNotTheValue) {
  source_.Set("secret/app/db", {{"bad key!", true, "canary-value"}, {"ok", true, "v"}});
  PutVss(kSpec);
  auto r = Make().Reconcile("demo/db");
  EXPECT_FALSE(r.error.ok());
  EXPECT_THAT(r.error.message(), HasSubstr("\"bad key!\""));
  EXPECT_EQ(r.error.message().find("canary-value"), std::string::npos);
  EXPECT_EQ(cluster_.creates, 0);
  Settle();
  EXPECT_EQ(LastReason(), "InvalidSpec");
  // Excluding it fixes the sync.
  PutVss(R"({"mount":"secret","path":"app/db","destination":{"name":"db-creds",
             "transformation":{"excludes":["^bad"]}}})");
  EXPECT_TRUE(Make().Reconcile("demo/db").error.ok());
  EXPECT_EQ(cluster_.SecretDataOf("demo", "db-creds"),
            (std::map<std::string, std::string>{{"ok", "v"}}));
}

TEST_F(ReconcilerTest, OversizedDataFails) {
  source_.Set("secret/app/db", {{"big", true, std::string(kMaxSecretBytes, 'x')}});
  PutVss(kSpec);
  auto r = Make().Reconcile("demo/db");
  EXPECT_FALSE(r.error.ok());
  EXPECT_THAT(r.error.message(), HasSubstr("1 MiB"));
  EXPECT_EQ(cluster_.creates, 0);
}

TEST_F(ReconcilerTest, TemplatesAndIncludes) {
  PutVss(R"({"mount":"secret","path":"app/db","destination":{"name":"db-creds","transformation":{
             "includes":["^user"],
             "templates":{"url":{"text":"postgresql://{{ .username }}:{{ .password }}@db:{{ .port }}"}}}}})");
  ASSERT_TRUE(Make().Reconcile("demo/db").error.ok());
  EXPECT_EQ(cluster_.SecretDataOf("demo", "db-creds"),
            (std::map<std::string, std::string>{{"url", "postgresql://admin:s3cr3t@db:5432"},
                                                {"username", "admin"}}));
}

TEST_F(ReconcilerTest, UnownedSecretIsAConflictUnlessOverwrite) {
  const char* foreign =
      R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"db-creds","namespace":"demo","resourceVersion":"7",
          "labels":{"team":"x"}},"type":"Opaque","data":{"old":"b2xk"}})";
  cluster_.PutSecret("demo", foreign);
  PutVss(kSpec);
  auto r = Make().Reconcile("demo/db");
  EXPECT_FALSE(r.error.ok());
  ASSERT_TRUE(r.requeue_after.has_value());  // polled: unmanaged Secrets are not watched
  EXPECT_EQ(*cluster_.SecretJson("demo", "db-creds"), foreign);
  EXPECT_EQ(cluster_.gets, 1);  // the create met AlreadyExists, then the live read decided
  Settle();
  EXPECT_EQ(LastReason(), "SecretConflict");

  PutVss(
      R"({"mount":"secret","path":"app/db","destination":{"name":"db-creds","overwrite":true}})");
  ASSERT_TRUE(Make().Reconcile("demo/db").error.ok());
  std::string adopted = *cluster_.SecretJson("demo", "db-creds");
  EXPECT_EQ(cluster_.SecretDataOf("demo", "db-creds").count("old"), 0u);
  EXPECT_THAT(adopted, HasSubstr(R"("team":"x")"));  // other people's labels kept
  EXPECT_THAT(adopted, HasSubstr(R"("vaultsync.io/owner-uid":"uid-vss-db")"));
  // Adopted, not owned: no ownerReference, so deleting the resource keeps the Secret.
  EXPECT_EQ(adopted.find("ownerReferences"), std::string::npos);
}

TEST_F(ReconcilerTest, NeverTakesASecretManagedByAnotherLiveResource) {
  PutVss(kSpec, "other", "demo", "uid-other");
  ASSERT_TRUE(Make().Reconcile("demo/other").error.ok());
  PutVss(
      R"({"mount":"secret","path":"app/db","destination":{"name":"db-creds","overwrite":true}})");
  int updates = cluster_.updates;
  auto r = Make().Reconcile("demo/db");
  EXPECT_FALSE(r.error.ok());
  EXPECT_THAT(r.error.message(), HasSubstr("managed by VaultStaticSecret other"));
  EXPECT_EQ(cluster_.updates, updates);
}

TEST_F(ReconcilerTest, CreateFalseDoesNotCreate) {
  PutVss(R"({"mount":"secret","path":"app/db","destination":{"name":"db-creds","create":false}})");
  auto r = Make().Reconcile("demo/db");
  EXPECT_FALSE(r.error.ok());
  EXPECT_EQ(cluster_.creates, 0);
  Settle();
  EXPECT_EQ(LastReason(), "DestinationNotFound");
}

TEST_F(ReconcilerTest, VaultAuthMustAllowTheNamespace) {
  auto auth = DecodeVaultAuth(*json::Parse(
      R"({"metadata":{"name":"shared","namespace":"platform","uid":"a1","generation":1},
          "spec":{"method":"kubernetes","kubernetes":{"role":"r","serviceAccount":"sync"},"allowedNamespaces":["team-b"]}})"));
  auths_.Put("platform/shared", *auth);
  PutVss(
      R"({"vaultAuthRef":"platform/shared","mount":"secret","path":"app/db","destination":{"name":"db-creds"}})");
  auto r = Make().Reconcile("demo/db");
  EXPECT_TRUE(r.terminal);
  EXPECT_EQ(source_.reads, 0);
  Settle();
  EXPECT_EQ(LastReason(), "NamespaceNotAllowed");
}

TEST_F(ReconcilerTest, TenantIdentityIsAlwaysInTheResourcesNamespace) {
  auto auth = DecodeVaultAuth(*json::Parse(
      R"({"metadata":{"name":"shared","namespace":"platform","uid":"a1","generation":1},
          "spec":{"kubernetes":{"role":"r","serviceAccount":"sync","audiences":["vault"]},"allowedNamespaces":["*"]}})"));
  auths_.Put("platform/shared", *auth);
  PutVss(
      R"({"vaultAuthRef":"platform/shared","mount":"secret","path":"app/db","destination":{"name":"db-creds"}})");
  ASSERT_TRUE(Make().Reconcile("demo/db").error.ok());
  ASSERT_EQ(source_.identities.size(), 1u);
  EXPECT_EQ(source_.identities[0].token_sa_namespace, "demo");  // never "platform"
  EXPECT_EQ(source_.identities[0].token_sa_name, "sync");
  EXPECT_EQ(source_.identities[0].metrics_label, "platform/shared");
}

TEST_F(ReconcilerTest, OperatorIdentityCanBeForbidden) {
  options_.defaults.allow_operator_identity = false;
  PutVss(kSpec);
  auto r = Make().Reconcile("demo/db");
  EXPECT_TRUE(r.terminal);
  EXPECT_THAT(r.error.message(), HasSubstr("--allow-operator-identity"));
  EXPECT_EQ(source_.reads, 0);
}

TEST_F(ReconcilerTest, OperatorIdentityForbiddenForTheTokenMethodToo) {
  options_.defaults.allow_operator_identity = false;
  options_.defaults.auth_method = AuthMethod::kToken;
  options_.defaults.vault_token = "operator-token";
  PutVss(kSpec);
  auto r = Make().Reconcile("demo/db");
  EXPECT_TRUE(r.terminal);
  EXPECT_EQ(source_.reads, 0);
}

TEST_F(ReconcilerTest, MissingVaultAuthIsRetried) {
  PutVss(
      R"({"vaultAuthRef":"nope","mount":"secret","path":"app/db","destination":{"name":"db-creds"}})");
  auto r = Make().Reconcile("demo/db");
  EXPECT_FALSE(r.error.ok());
  EXPECT_FALSE(r.terminal);
  Settle();
  EXPECT_EQ(LastReason(), "AuthNotFound");
}

TEST_F(ReconcilerTest, KvV1TtlIsTheDefaultRefresh) {
  source_.Set("kv/app/config", {{"a", true, "b"}}, std::nullopt, 1800s);
  PutVss(R"({"mount":"kv","path":"app/config","type":"kv-v1","destination":{"name":"db-creds"}})");
  auto r = Make().Reconcile("demo/db");
  ASSERT_TRUE(r.requeue_after.has_value());
  EXPECT_GE(*r.requeue_after, 900s);
  EXPECT_LE(*r.requeue_after, 1800s);
}

TEST_F(ReconcilerTest, ResourcesSharingAReadShareTheSchedule) {
  PutVss(R"({"mount":"secret","path":"app/db","refreshAfter":"30s","destination":{"name":"da"}})",
         "a", "demo", "uid-a");
  PutVss(R"({"mount":"secret","path":"app/db","refreshAfter":"30s","destination":{"name":"db"}})",
         "b", "demo", "uid-b");
  PutVss(R"({"mount":"secret","path":"app/other","refreshAfter":"30s","destination":{"name":"o"}})",
         "c", "demo", "uid-c");
  source_.Set("secret/app/other", {{"k", true, "v"}});
  auto rec = Make();
  auto a = rec.Reconcile("demo/a");
  auto b = rec.Reconcile("demo/b");
  auto c = rec.Reconcile("demo/c");
  ASSERT_TRUE(a.error.ok() && b.error.ok() && c.error.ok());
  ASSERT_TRUE(a.requeue_after && b.requeue_after && c.requeue_after);
  EXPECT_EQ(*a.requeue_after, *b.requeue_after);  // same identity and path: same schedule
  EXPECT_NE(*a.requeue_after, *c.requeue_after);  // another path: spread
}

TEST_F(ReconcilerTest, DeletedResourceDropsItsMetricSeries) {
  PutVss(kSpec);
  auto rec = Make();
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  EXPECT_TRUE(metrics_.last_sync.count("demo/db"));
  vss_.Remove("demo/db");
  EXPECT_TRUE(rec.Reconcile("demo/db").error.ok());
  EXPECT_FALSE(metrics_.last_sync.count("demo/db"));
}

TEST_F(ReconcilerTest, NoSecretValueInLogsEventsOrStatus) {
  source_.Set("secret/app/db",
              {{"password", true, "CANARY-7f3a"}, {"bad key", true, "CANARY-7f3a"}});
  PutVss(kSpec);
  auto rec = Make();
  (void)rec.Reconcile("demo/db");
  source_.Set("secret/app/db", {{"password", true, "CANARY-7f3a"}});
  (void)rec.Reconcile("demo/db");
  source_.SetError("secret/app/db", Status(StatusCode::kUnavailable, "sealed"));
  (void)rec.Reconcile("demo/db");
  for (const auto& p : cluster_.status_patch_bodies)
    EXPECT_EQ(p.find("CANARY"), std::string::npos) << p;
  for (const auto& e : events_.events)
    EXPECT_EQ(e.message.find("CANARY"), std::string::npos) << e.message;
  EXPECT_EQ(log_.str().find("CANARY"), std::string::npos) << log_.str();
  EXPECT_NE(cluster_.SecretJson("demo", "db-creds")->find("Q0FOQVJZLTdmM2E="), std::string::npos);
}

TEST_F(ReconcilerTest, SeveralSourcesMergeAndTemplatesSeeEveryKey) {
  source_.Set("secret/shared/common", {{"region", true, "eu"}}, 9);
  source_.Set("secret/team/cache", {{"url", true, "redis://c"}});
  PutVss(R"({"mount":"secret","path":"app/db","refreshAfter":"30s","destination":{"name":"db-creds",
             "transformation":{"excludes":["^port$"],
               "templates":{"dsn":{"text":"{{ .DB_username }}@{{ .region }}/{{ index . \"cache\" }}"}}}},
             "sources":[{"path":"shared/common"},{"path":"app/db","keyPrefix":"DB_"},
                        {"path":"not/there","optional":true}],
             "find":[{"path":"team"}]})");
  auto r = Make().Reconcile("demo/db");
  ASSERT_TRUE(r.error.ok()) << r.error.ToString();
  EXPECT_EQ(cluster_.SecretDataOf("demo", "db-creds"),
            (std::map<std::string, std::string>{{"DB_password", "s3cr3t"},
                                                {"DB_port", "5432"},
                                                {"DB_username", "admin"},
                                                {"cache", R"({"url":"redis://c"})"},
                                                {"dsn", R"(admin@eu/{"url":"redis://c"})"},
                                                {"password", "s3cr3t"},
                                                {"region", "eu"},
                                                {"username", "admin"}}));
  Settle();
  EXPECT_EQ(LastReason(), "Synced");
  EXPECT_EQ(LastMessage(),
            "Secret db-creds is in sync with secret/app/db (version 3) and 4 more sources");
  EXPECT_THAT(cluster_.SecretJson("demo", "db-creds").value_or(""), HasSubstr("db-creds"));
  EXPECT_EQ(events_.events.back().message,
            "Created Secret db-creds from secret/app/db and 4 more sources");
}

TEST_F(ReconcilerTest, AFailingSourceLeavesTheSecretExactlyAsItWas) {
  source_.Set("secret/shared/common", {{"region", true, "eu"}});
  PutVss(R"({"mount":"secret","path":"app/db","destination":{"name":"db-creds"},
             "sources":[{"path":"shared/common"}]})");
  auto rec = Make();
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  Settle();
  const std::string before = *cluster_.SecretJson("demo", "db-creds");
  const int updates = cluster_.updates;
  // A source Vault refuses.
  source_.SetError("secret/shared/common", Status(StatusCode::kPermissionDenied, "denied"));
  source_.Set("secret/app/db", {{"password", true, "new"}}, 4);
  auto r = rec.Reconcile("demo/db");
  EXPECT_FALSE(r.error.ok());
  EXPECT_FALSE(r.terminal);
  Settle();
  EXPECT_EQ(LastReason(), "PermissionDenied");
  EXPECT_THAT(LastMessage(), HasSubstr("sources[0] secret/shared/common"));
  EXPECT_EQ(*cluster_.SecretJson("demo", "db-creds"), before);
  // Two sources giving one key: KeyConflict, retried at the next refresh, nothing written.
  source_.Set("secret/shared/common", {{"password", true, "dup"}});
  r = rec.Reconcile("demo/db");
  EXPECT_FALSE(r.error.ok());
  ASSERT_TRUE(r.requeue_after.has_value());
  Settle();
  EXPECT_EQ(LastReason(), "KeyConflict");
  EXPECT_THAT(LastMessage(), HasSubstr("key \"password\""));
  EXPECT_EQ(*cluster_.SecretJson("demo", "db-creds"), before);
  EXPECT_EQ(cluster_.updates, updates);
  EXPECT_EQ(events_.events.back().reason, "KeyConflict");
}

TEST_F(ReconcilerTest, FindFollowsSecretsAddedAndRemovedAndRefusesTooMany) {
  source_.Set("secret/team/a", {{"k", true, "1"}});
  PutVss(R"({"mount":"secret","destination":{"name":"db-creds"},
             "find":[{"path":"team/","maxSecrets":2,"keyFormat":"flatten"}]})");
  auto rec = Make();
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  EXPECT_EQ(cluster_.SecretDataOf("demo", "db-creds"),
            (std::map<std::string, std::string>{{"a_k", "1"}}));
  Settle();
  EXPECT_EQ(LastMessage(), "Secret db-creds is in sync with the secrets under secret/team/");
  source_.Set("secret/team/sub/b", {{"k", true, "2"}});
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  EXPECT_EQ(cluster_.SecretDataOf("demo", "db-creds"),
            (std::map<std::string, std::string>{{"a_k", "1"}, {"sub_b_k", "2"}}));
  Settle();
  source_.Delete("secret/team/a");
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  EXPECT_EQ(cluster_.SecretDataOf("demo", "db-creds"),
            (std::map<std::string, std::string>{{"sub_b_k", "2"}}));
  Settle();
  const std::string before = *cluster_.SecretJson("demo", "db-creds");
  source_.Set("secret/team/c", {{"k", true, "3"}});
  source_.Set("secret/team/d", {{"k", true, "4"}});
  auto r = rec.Reconcile("demo/db");
  EXPECT_FALSE(r.error.ok());
  Settle();
  EXPECT_EQ(LastReason(), "TooManySecrets");
  EXPECT_EQ(*cluster_.SecretJson("demo", "db-creds"), before);
  // No path: no sourceVersion.
  EXPECT_EQ(vss_.Get("demo/db")->status.source_version, std::nullopt);
}

TEST_F(ReconcilerTest, ASpecWithoutAnySourceIsInvalid) {
  PutVss(R"({"mount":"secret","destination":{"name":"db-creds"}})");
  auto r = Make().Reconcile("demo/db");
  EXPECT_TRUE(r.terminal);
  Settle();
  EXPECT_EQ(LastReason(), "InvalidSpec");
  EXPECT_EQ(source_.reads, 0);
}

TEST_F(ReconcilerTest, AForcedSyncBypassesTheSharedCacheOnce) {
  PutVss(kSpec);
  auto rec = Make();
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  ASSERT_EQ(source_.requests.size(), 2u);
  EXPECT_FALSE(source_.requests[0].force);
  EXPECT_FALSE(source_.requests[1].force);
  EXPECT_EQ(source_.requests[1].max_age, 15s);  // half of refreshAfter: shared
  // `kubectl annotate vss db vaultsync.io/force-sync=$(date +%s) --overwrite`: no new generation.
  PutVss(kSpec, "db", "demo", "uid-vss-db", 1, R"({"vaultsync.io/force-sync":"1700000000"})");
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  EXPECT_TRUE(source_.requests.back().force);
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());  // the refresh after it is ordinary
  EXPECT_FALSE(source_.requests.back().force);
  PutVss(kSpec, "db", "demo", "uid-vss-db", 1, R"({"vaultsync.io/force-sync":"1700000001"})");
  ASSERT_TRUE(rec.Reconcile("demo/db").error.ok());
  EXPECT_TRUE(source_.requests.back().force);
}

TEST_F(ReconcilerTest, SeveralSourcesRefreshAtTheShortestIntervalTheyWant) {
  source_.Set("kv/a", {{"a", true, "1"}}, std::nullopt, 1800s);
  source_.Set("kv/b", {{"b", true, "2"}}, std::nullopt, 600s);
  source_.Set("kv/c", {{"c", true, "3"}});  // no ttl: the default (60 s)
  PutVss(R"({"mount":"kv","type":"kv-v1","path":"a","destination":{"name":"db-creds"},
             "sources":[{"path":"b"}]})");
  auto r = Make().Reconcile("demo/db");
  ASSERT_TRUE(r.requeue_after.has_value()) << r.error.ToString();
  EXPECT_GE(*r.requeue_after, 300s);  // at its slot in the 600 s period
  EXPECT_LE(*r.requeue_after, 600s);
  PutVss(R"({"mount":"kv","type":"kv-v1","path":"a","destination":{"name":"db-creds"},
             "sources":[{"path":"b"},{"path":"c"}]})");
  r = Make().Reconcile("demo/db");
  ASSERT_TRUE(r.requeue_after.has_value());
  EXPECT_LE(*r.requeue_after, 60s);
  // refreshAfter wins over every ttl.
  PutVss(
      R"({"mount":"kv","type":"kv-v1","path":"a","refreshAfter":"2h","destination":{"name":"db-creds"},
             "sources":[{"path":"b"}]})");
  r = Make().Reconcile("demo/db");
  ASSERT_TRUE(r.requeue_after.has_value());
  EXPECT_GE(*r.requeue_after, 3600s);
  EXPECT_LE(*r.requeue_after, 7200s);
}

TEST_F(ReconcilerTest, ResourcesWhoseSourcesOverlapShareTheirSchedule) {
  source_.Set("secret/p1", {{"a", true, "1"}});
  source_.Set("secret/p2", {{"b", true, "2"}});
  PutVss(R"({"mount":"secret","path":"p1","refreshAfter":"30s","destination":{"name":"x"},
             "sources":[{"path":"p2"}]})",
         "x", "demo", "uid-x");
  PutVss(R"({"mount":"secret","path":"p2","refreshAfter":"30s","destination":{"name":"y"},
             "sources":[{"path":"p1"}]})",
         "y", "demo", "uid-y");
  PutVss(R"({"mount":"secret","refreshAfter":"30s","destination":{"name":"z"},
             "sources":[{"path":"p1"},{"path":"p2"}]})",
         "z", "demo", "uid-z");
  auto rec = Make();
  auto x = rec.Reconcile("demo/x"), y = rec.Reconcile("demo/y"), z = rec.Reconcile("demo/z");
  ASSERT_TRUE(x.requeue_after && y.requeue_after && z.requeue_after);
  EXPECT_EQ(*x.requeue_after, *y.requeue_after);
  EXPECT_EQ(*x.requeue_after, *z.requeue_after);
}

}  // namespace
}  // namespace vaultsync::controller
