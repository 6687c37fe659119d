// Unit tests of the VaultDynamicSecret reconciler against in-memory fakes and a fake clock:
// issue, renewal, rotation at the max TTL, delayed revocation of replaced leases, restarts
// that keep the lease, Vault outages across the lease's end, spec and Secret changes, and
// the finalizer, and the rollout restarts owed for new credentials (recorded in status before
// the Secret changes, coalesced by the shared restarter, carried out by a restarted operator).
#include "controller/vault_dynamic_secret_reconciler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "object_harness.h"
#include "util/time_format.h"

namespace vaultsync::controller {
namespace {
using namespace std::chrono_literals;
using testing::FakeCluster;
using testing::FakeEvents;
using testing::FakeExpiry;
using testing::FakeLeaseSource;
using testing::FakeLister;
using testing::FakeMetrics;
using ::testing::HasSubstr;
using testing::ObjectHarness;

constexpr const char* kSpec = R"({"mount":"database","path":"creds/app",
  "destination":{"name":"app-db-creds"},
  "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})";

class DynamicSecretTest : public ::testing::Test {
 protected:
  DynamicSecretTest() {
    options_.hmac_key = hmac_key_;
    options_.defaults.vault_address = "http://vault:8200";
    options_.defaults.auth_method = AuthMethod::kToken;
    options_.defaults.vault_token = "root";
    writer_ = std::make_unique<DestinationWriter>(
        managed_, cluster_, hmac_key_,
        [this](std::string_view kind, const std::string& key) -> std::optional<std::string> {
          if (kind != kKindVaultDynamicSecret) return std::nullopt;
          auto v = list_.Get(key);
          return v ? std::optional<std::string>(v->meta.uid) : std::nullopt;
        });
    Restart();
  }

  // A reconciler with no memory, as after an operator restart or a change of leader (whose
  // rollout restarter starts empty too).
  void Restart() {
    RolloutRestarterOptions ro;
    ro.coalesce = 5s;
    restarter_ =
        std::make_unique<RolloutRestarter>(cluster_, events_, clock_, ro, nullptr, &logger_);
    VaultDynamicSecretReconcilerDeps d;
    d.secrets = &list_;
    d.auths = &auths_;
    d.connections = &conns_;
    d.managed = &managed_;
    d.cluster = &cluster_;
    d.writer = writer_.get();
    d.events = &events_;
    d.leases = &leases_;
    d.restarter = restarter_.get();
    d.clock = &clock_;
    d.expiry = &expiry_;
    d.metrics = &metrics_;
    d.logger = &logger_;
    reconciler_ = std::make_unique<VaultDynamicSecretReconciler>(d, options_);
  }

  runtime::ReconcileResult Run() {
    return object_.Run([this](const std::string& k) { return reconciler_->Reconcile(k); });
  }
  // Lets the coalescing window pass and carries out the restarts that are due.
  void RunRestarts() {
    clock_.Advance(5s);
    restarter_->RunDue();
  }
  // Reconciles on the fake clock (as the work queue would) until Vault has handed out `n`
  // sets of credentials, bounded.
  void RunUntilReads(int n) {
    for (int i = 0; i < 50 && leases_.reads < n; ++i) {
      auto r = Run();
      if (leases_.reads >= n) break;
      clock_.Advance(r.requeue_after.value_or(1s));
    }
    ASSERT_EQ(leases_.reads, n);
  }
  // Position in the cluster's write log of the first write starting with `prefix` (-1: none).
  int WriteIndex(const std::string& prefix) {
    for (size_t i = 0; i < cluster_.write_log.size(); ++i) {
      if (cluster_.write_log[i].rfind(prefix, 0) == 0) return static_cast<int>(i);
    }
    return -1;
  }
  std::map<std::string, std::string> Data() {
    return cluster_.SecretDataOf("demo", "app-db-creds");
  }
  std::chrono::milliseconds After(const runtime::ReconcileResult& r) {
    EXPECT_TRUE(r.error.ok()) << r.error.ToString();
    EXPECT_TRUE(r.requeue_after.has_value());
    return r.requeue_after.value_or(0ms);
  }
  // Runs reconciles until none is due before `until` on the fake clock (as the work queue
  // would bring the key back), bounded.
  void RunUntil(TimePoint until) {
    for (int i = 0; i < 50; ++i) {
      auto r = Run();
      auto wait = r.requeue_after.value_or(1s);
      if (clock_.Now() + wait > until) break;
      clock_.Advance(wait);
    }
  }

  const std::string hmac_key_ = "test-hmac-key";
  FakeClock clock_;
  FakeLister<VaultDynamicSecret> list_;
  FakeLister<VaultAuth> auths_;
  FakeLister<VaultConnection> conns_;
  FakeLister<ManagedSecret> managed_;
  FakeCluster cluster_;
  FakeEvents events_;
  FakeMetrics metrics_;
  FakeExpiry expiry_;
  FakeLeaseSource leases_{&clock_};
  std::ostringstream log_;
  log::Logger logger_{&log_};
  VaultDynamicSecretReconcilerOptions options_;
  std::unique_ptr<DestinationWriter> writer_;
  std::unique_ptr<RolloutRestarter> restarter_;
  std::unique_ptr<VaultDynamicSecretReconciler> reconciler_;
  ObjectHarness<VaultDynamicSecret> object_{
      kKindVaultDynamicSecret, DecodeVaultDynamicSecret, list_, cluster_, managed_, hmac_key_};
};

TEST_F(DynamicSecretTest, IssuesCredentialsIntoTheSecretWithTtlAndRecordsTheLease) {
  object_.Create("app-db", kSpec, "app-db-creds");
  auto r = Run();
  EXPECT_EQ(After(r), 2412s);  // 67 % of the hour
  EXPECT_EQ(leases_.reads, 1);
  auto data = Data();
  EXPECT_EQ(data["username"], "user-1");
  EXPECT_EQ(data["password"], "pw-1");
  EXPECT_EQ(data["_ttl"], "3600");
  EXPECT_EQ(object_.Ready(), "True/Synced");
  EXPECT_EQ(object_.Status({"lease", "id"}), "database/creds/app/lease-1");
  EXPECT_EQ(object_.Status({"lease", "duration"}), "3600");
  EXPECT_EQ(object_.Status({"lease", "renewable"}), "true");
  EXPECT_EQ(object_.Status({"lease", "expireTime"}), FormatRfc3339(clock_.Now() + 1h));
  EXPECT_EQ(object_.Status({"rotations"}), "0");
  EXPECT_EQ(object_.Finalizers(), "[\"vaultsync.io/lease-revoke\"]");
  ASSERT_TRUE(expiry_.leases.count("demo/app-db"));
  EXPECT_EQ(expiry_.leases["demo/app-db"].second, 3600s);
  EXPECT_EQ(cluster_.workload_patches, 0);  // never on the first credentials
  // Nothing due: a reconcile (a watch event) changes nothing and asks Vault nothing.
  int writes = cluster_.writes();
  After(Run());
  EXPECT_EQ(cluster_.writes(), writes);
  EXPECT_EQ(leases_.reads + leases_.lookups + leases_.renewals, 1);
  // Secret values never reach status, Events or logs.
  for (const auto& e : events_.events) EXPECT_THAT(e.message, ::testing::Not(HasSubstr("pw-1")));
  EXPECT_THAT(log_.str(), ::testing::Not(HasSubstr("pw-1")));
  EXPECT_THAT(json::Serialize(object_.obj()), ::testing::Not(HasSubstr("pw-1")));
}

TEST_F(DynamicSecretTest, RenewsAtRenewalPercentWithoutTouchingTheSecretOrRestarting) {
  object_.Create("app-db", kSpec, "app-db-creds");
  clock_.Advance(After(Run()));
  int updates = cluster_.updates + cluster_.creates;
  auto r = Run();
  EXPECT_EQ(leases_.renewals, 1);
  EXPECT_EQ(leases_.increments.back(), 3600s);
  EXPECT_EQ(After(r), 2412s);
  EXPECT_EQ(cluster_.updates + cluster_.creates, updates);
  EXPECT_EQ(object_.Status({"rolloutRestartMAC"}), "");
  EXPECT_EQ(restarter_->pending(), 0u);
  EXPECT_EQ(object_.Status({"lastRenewalTime"}), FormatRfc3339(clock_.Now()));
  EXPECT_EQ(object_.Status({"lease", "expireTime"}), FormatRfc3339(clock_.Now() + 1h));
  EXPECT_EQ(Data()["password"], "pw-1");
  EXPECT_EQ(leases_.reads, 1);
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 0);
}

TEST_F(DynamicSecretTest, RotatesBeforeTheMaxTtlRestartsTargetsAndRevokesTheOldLeaseLater) {
  leases_.max_ttl = 5400s;  // 1.5 h: the second renewal is capped
  object_.Create("app-db",
                 R"({"mount":"database","path":"creds/app","rotateBefore":"2m",
                     "revokeAfterRotation":"5m","destination":{"name":"app-db-creds"},
                     "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})",
                 "app-db-creds");
  const TimePoint t0 = clock_.Now();
  clock_.Advance(After(Run()));
  auto r = Run();  // renewed at 40 min 12 s: capped at the max TTL (49 min 48 s left)
  EXPECT_EQ(leases_.renewals, 1);
  EXPECT_EQ(leases_.increments.back(), 3600s);
  EXPECT_EQ(object_.Status({"lease", "duration"}), "3600");  // as issued
  EXPECT_EQ(object_.Status({"lease", "expireTime"}), FormatRfc3339(t0 + 5400s));
  EXPECT_EQ(expiry_.leases["demo/app-db"].second, 2988s);  // the capped grant
  // The end is final: rotation 2 minutes before it (more than 10 % of 2988 s would be
  // 298.8 s, so 10 % wins).
  EXPECT_EQ(clock_.Now() + After(r), t0 + 5400s - 298800ms);
  const std::string first = leases_.LastLeaseId();
  clock_.Advance(After(r));
  r = Run();
  EXPECT_EQ(leases_.reads, 2);
  EXPECT_EQ(leases_.renewals, 1);
  EXPECT_EQ(Data()["username"], "user-2");
  EXPECT_EQ(object_.Status({"rotations"}), "1");
  EXPECT_NE(object_.Status({"rolloutRestartMAC"}), "");
  EXPECT_EQ(cluster_.workload_patches, 0);  // within the coalescing window
  restarter_->RunDue();
  EXPECT_EQ(cluster_.workload_patches, 0);
  // The old lease lives on for revokeAfterRotation, so pods can roll.
  EXPECT_TRUE(leases_.Alive(first));
  EXPECT_THAT(object_.Status({"pendingRevocations"}), HasSubstr(first));
  EXPECT_EQ(After(r), 5min);
  clock_.Advance(5min);
  restarter_->RunDue();
  EXPECT_EQ(cluster_.workload_patch_targets, std::vector<std::string>{"Deployment demo/web"});
  r = Run();
  EXPECT_EQ(object_.Status({"rolloutRestartMAC"}), "");  // done: cleared
  EXPECT_EQ(leases_.revoked, std::vector<std::string>{first});
  EXPECT_EQ(object_.Status({"pendingRevocations"}), "[]");
  EXPECT_EQ(leases_.reads, 2);
}

TEST_F(DynamicSecretTest, FiveRestartsWithinOneLeaseIssueOneSetOfCredentials) {
  object_.Create("app-db", kSpec, "app-db-creds");
  After(Run());
  int writes = cluster_.creates + cluster_.updates;
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(5min);
    Restart();
    auto r = Run();
    EXPECT_EQ(object_.Ready(), "True/Synced");
    EXPECT_GT(After(r), 0ms);
  }
  EXPECT_EQ(leases_.reads, 1);
  EXPECT_EQ(leases_.lookups, 5);
  EXPECT_EQ(cluster_.creates + cluster_.updates, writes);
  EXPECT_EQ(Data()["username"], "user-1");
  // The restarted reconciler renews the lease it took over on schedule.
  Restart();
  RunUntil(clock_.Now() + 2h);
  EXPECT_EQ(leases_.reads, 1);
  EXPECT_GE(leases_.renewals, 2);
}

// Moved to another shard label: the Secret follows with one metadata-only update, and the
// credentials (and their lease) are kept.
TEST_F(DynamicSecretTest, ARelabelledResourceRelabelsItsSecretAndKeepsTheCredentials) {
  object_.Create("app-db", kSpec, "app-db-creds");
  After(Run());
  const int updates = cluster_.updates;
  object_.Label("sharding.vaultsync.io/key", "shard-7");
  After(Run());
  EXPECT_EQ(leases_.reads, 1);
  EXPECT_EQ(cluster_.updates, updates + 1);
  EXPECT_NE(
      cluster_.SecretJson("demo", "app-db-creds")->find(R"("sharding.vaultsync.io/key":"shard-7")"),
      std::string::npos);
  EXPECT_EQ(Data()["username"], "user-1");
  After(Run());
  EXPECT_EQ(cluster_.updates, updates + 1) << "in line now: nothing more";
}

TEST_F(DynamicSecretTest, RestartAfterTheLeaseEndedIssuesNewCredentials) {
  object_.Create("app-db", kSpec, "app-db-creds");
  After(Run());
  clock_.Advance(2h);  // the operator was down past the lease's end
  Restart();
  After(Run());
  EXPECT_EQ(leases_.lookups, 1);
  EXPECT_EQ(leases_.reads, 2);
  EXPECT_EQ(Data()["username"], "user-2");
  EXPECT_EQ(object_.Status({"rotations"}), "1");
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 1);
  EXPECT_EQ(object_.Status({"pendingRevocations"}), "[]");  // nothing left to revoke
}

TEST_F(DynamicSecretTest, VaultDownAcrossTheLeaseEndKeepsTheSecretAndSaysExpiringThenExpired) {
  object_.Create("app-db", kSpec, "app-db-creds");
  const TimePoint t0 = clock_.Now();
  clock_.Advance(After(Run()));
  leases_.down = Status(StatusCode::kUnavailable, "Vault is sealed", 503);
  auto r = Run();
  EXPECT_FALSE(r.error.ok());
  EXPECT_EQ(object_.Ready(), "False/LeaseExpiring");
  EXPECT_THAT(object_.Message(), HasSubstr("stay valid until " + FormatRfc3339(t0 + 1h)));
  EXPECT_EQ(Data()["password"], "pw-1");
  // Retries are bounded by the lease's end, so LeaseExpired is reported when it happens.
  for (int i = 0; i < 100 && clock_.Now() < t0 + 1h; ++i) {
    ASSERT_TRUE(r.requeue_after.has_value());
    EXPECT_LE(*r.requeue_after, 30s);
    clock_.Advance(*r.requeue_after);
    r = Run();
  }
  EXPECT_GE(clock_.Now(), t0 + 1h);
  EXPECT_LT(clock_.Now(), t0 + 1h + 1s);
  EXPECT_EQ(object_.Ready(), "False/LeaseExpired");
  EXPECT_EQ(Data()["password"], "pw-1");  // the last credentials stay
  // Vault answers again: new credentials at the next reconcile.
  leases_.down = Status::Ok();
  clock_.Advance(*r.requeue_after);
  After(Run());
  EXPECT_EQ(object_.Ready(), "True/Synced");
  EXPECT_EQ(Data()["password"], "pw-2");
  EXPECT_EQ(leases_.reads, 2);
}

TEST_F(DynamicSecretTest, RestartDuringAVaultOutageExportsTheLeaseEndFromStatus) {
  object_.Create("app-db", kSpec, "app-db-creds");
  const TimePoint t0 = clock_.Now();
  After(Run());
  // A new process (no gauges yet) while Vault is down: the lease lookup fails, and the alert
  // still needs the lease's end.
  clock_.Advance(10min);
  Restart();
  expiry_.leases.clear();
  leases_.down = Status(StatusCode::kUnavailable, "Vault is sealed", 503);
  auto r = Run();
  EXPECT_FALSE(r.error.ok());
  EXPECT_EQ(object_.Ready(), "False/VaultUnavailable");
  ASSERT_EQ(expiry_.leases.count("demo/app-db"), 1u);
  EXPECT_EQ(expiry_.leases["demo/app-db"].first, t0 + 1h);
  EXPECT_EQ(expiry_.leases["demo/app-db"].second, 3600s);
  // Also when the reconcile stops before Vault (a VaultAuth that is gone).
  Restart();
  expiry_.leases.clear();
  object_.SetSpec(R"({"mount":"database","path":"creds/app","vaultAuthRef":"missing",
                      "destination":{"name":"app-db-creds"}})");
  EXPECT_FALSE(Run().error.ok());
  ASSERT_EQ(expiry_.leases.count("demo/app-db"), 1u);
  EXPECT_EQ(expiry_.leases["demo/app-db"].first, t0 + 1h);
}

TEST_F(DynamicSecretTest, VaultDownBeforeTheRenewalIsDueSaysVaultUnavailable) {
  object_.Create("app-db", kSpec, "app-db-creds");
  After(Run());
  leases_.down = Status(StatusCode::kUnavailable, "connection refused");
  clock_.Advance(1min);
  Restart();  // must look the lease up
  auto r = Run();
  EXPECT_FALSE(r.error.ok());
  EXPECT_EQ(object_.Ready(), "False/VaultUnavailable");
  EXPECT_THAT(object_.Message(), HasSubstr("stay valid until"));
  EXPECT_EQ(Data()["password"], "pw-1");
}

TEST_F(DynamicSecretTest, SpecChangeGetsNewCredentialsAtOnce) {
  object_.Create("app-db", kSpec, "app-db-creds");
  After(Run());
  object_.SetSpec(R"({"mount":"database","path":"creds/readonly",
                      "destination":{"name":"app-db-creds"}})");
  After(Run());
  EXPECT_EQ(leases_.reads, 2);
  EXPECT_EQ(leases_.requests.back().path, "creds/readonly");
  EXPECT_EQ(object_.Status({"rotations"}), "1");
}

TEST_F(DynamicSecretTest, SecretDeletedByHandGetsNewCredentials) {
  object_.Create("app-db", kSpec, "app-db-creds");
  After(Run());
  cluster_.DeleteSecret("demo", "app-db-creds");
  object_.Sync();
  After(Run());
  EXPECT_EQ(leases_.reads, 2);
  EXPECT_EQ(Data()["username"], "user-2");
}

TEST_F(DynamicSecretTest, PostSendsParams) {
  object_.Create("app-db",
                 R"({"mount":"aws","path":"sts/deploy","method":"POST","params":{"ttl":"15m"},
                     "destination":{"name":"app-db-creds"}})",
                 "app-db-creds");
  After(Run());
  ASSERT_EQ(leases_.requests.size(), 1u);
  EXPECT_TRUE(leases_.requests[0].post);
  EXPECT_EQ(leases_.requests[0].params, (std::map<std::string, std::string>{{"ttl", "15m"}}));
}

TEST_F(DynamicSecretTest, TransformationAppliesAndCanDropTtl) {
  object_.Create("app-db",
                 R"({"mount":"database","path":"creds/app","destination":{"name":"app-db-creds",
                     "transformation":{"excludes":["_ttl"],"templates":{"url":{
                     "text":"postgresql://{{ .username }}:{{ .password }}@db:5432/app"}}}}})",
                 "app-db-creds");
  After(Run());
  auto data = Data();
  EXPECT_EQ(data.count("_ttl"), 0u);
  EXPECT_EQ(data["url"], "postgresql://user-1:pw-1@db:5432/app");
}

TEST_F(DynamicSecretTest, AnswerWithoutLeaseIsReadAgainOnSchedule) {
  leases_.with_lease = false;
  leases_.ttl = 600s;
  object_.Create("app-db", R"({"mount":"database","path":"static-creds/app",
                              "destination":{"name":"app-db-creds"},"revoke":false})",
                 "app-db-creds");
  auto r = Run();
  EXPECT_EQ(object_.Status({"lease", "id"}), "");
  EXPECT_EQ(After(r), 540s);  // with at least 10 % of the 600 s left
  EXPECT_EQ(object_.Finalizers(), "");
  clock_.Advance(After(r));
  After(Run());
  EXPECT_EQ(leases_.reads, 2);
  EXPECT_EQ(leases_.lookups + leases_.renewals, 0);
}

TEST_F(DynamicSecretTest, DeletionRevokesTheLeaseThenLetsTheObjectGo) {
  object_.Create("app-db", kSpec, "app-db-creds");
  After(Run());
  const std::string id = leases_.LastLeaseId();
  object_.MarkDeleted();
  auto r = Run();
  EXPECT_TRUE(r.error.ok());
  EXPECT_EQ(leases_.revoked, std::vector<std::string>{id});
  EXPECT_EQ(list_.Get("demo/app-db"), nullptr);  // finalizer removed: gone
  Run();
  EXPECT_EQ(expiry_.leases.count("demo/app-db"), 0u);
}

TEST_F(DynamicSecretTest, RefusedRevocationHoldsTheFinalizerAndSaysHowToLetGo) {
  object_.Create("app-db", kSpec, "app-db-creds");
  After(Run());
  leases_.refuse_revoke = Status(StatusCode::kPermissionDenied, "permission denied", 403);
  object_.MarkDeleted();
  auto r = Run();
  EXPECT_FALSE(r.error.ok());
  EXPECT_EQ(object_.Ready(), "False/RevokeFailed");
  EXPECT_THAT(object_.Message(), HasSubstr("kubectl patch vaultdynamicsecret app-db -n demo"));
  EXPECT_EQ(object_.Finalizers(), "[\"vaultsync.io/lease-revoke\"]");
  EXPECT_NE(list_.Get("demo/app-db"), nullptr);
  leases_.refuse_revoke = Status::Ok();
  Run();
  EXPECT_EQ(list_.Get("demo/app-db"), nullptr);
}

TEST_F(DynamicSecretTest, ForeignSecretIsNotTakenAndNoCredentialsAreMinted) {
  cluster_.PutSecret("demo", R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":
    "app-db-creds","namespace":"demo","resourceVersion":"7"},"data":{"x":"eQ=="}})");
  object_.Create("app-db", kSpec, "app-db-creds");
  auto r = Run();
  EXPECT_FALSE(r.error.ok());
  EXPECT_EQ(object_.Ready(), "False/SecretConflict");
  EXPECT_EQ(leases_.reads, 0);
}

TEST_F(DynamicSecretTest, InvalidSpecIsTerminal) {
  object_.Create("app-db", R"({"mount":"database","path":"creds/app","renewalPercent":95,
                              "destination":{"name":"app-db-creds"}})",
                 "app-db-creds");
  auto r = Run();
  EXPECT_TRUE(r.terminal);
  EXPECT_EQ(object_.Ready(), "False/InvalidSpec");
  EXPECT_THAT(object_.Message(), HasSubstr("spec.renewalPercent"));
  object_.Create("bad", R"({"mount":"database","path":"creds/app","params":{"a":"b"},
                           "destination":{"name":"x"}})",
                 "x");
  auto decoded = list_.Get("demo/bad");
  ASSERT_NE(decoded, nullptr);
  EXPECT_THAT(decoded->spec_error.message(), HasSubstr("only with method POST"));
}

}  // namespace
}  // namespace vaultsync::controller

namespace vaultsync::controller {
namespace {

// Rotates the credentials of demo/app-db once (max TTL 1.5 h: renewal, then rotation).
class DynamicRestartTest : public DynamicSecretTest {
 protected:
  void SetUp() override {
    leases_.max_ttl = 5400s;
    object_.Create("app-db", kSpec, "app-db-creds");
    After(Run());
    RunRestarts();
    ASSERT_EQ(cluster_.workload_patches, 0);  // never on the first credentials
    ASSERT_EQ(object_.Status({"rolloutRestartMAC"}), "");
  }
};

TEST_F(DynamicRestartTest, NewCredentialsMarkStatusBeforeTheSecretThenRestartOnceAfterTheWindow) {
  cluster_.write_log.clear();
  RunUntilReads(2);
  EXPECT_EQ(Data()["username"], "user-2");
  // The owed restart reached status before the Secret changed.
  const int mark = WriteIndex(R"(status {"status":{"rolloutRestartMAC":")");
  const int write = WriteIndex("update demo/app-db-creds");
  ASSERT_GE(mark, 0);
  ASSERT_GE(write, 0);
  EXPECT_LT(mark, write);
  // It names the new data: the same MAC as status.secretMAC.
  EXPECT_EQ(object_.Status({"rolloutRestartMAC"}), object_.Status({"secretMAC"}));
  EXPECT_EQ(list_.Get("demo/app-db")->status.rollout_restart_mac,
            ShortDigest(object_.Status({"secretMAC"})));
  EXPECT_EQ(cluster_.workload_patches, 0);  // within the coalescing window
  After(Run());                             // a reconcile in the window restarts nothing
  EXPECT_EQ(cluster_.workload_patches, 0);
  RunRestarts();
  ASSERT_EQ(cluster_.workload_patch_targets, std::vector<std::string>{"Deployment demo/web"});
  EXPECT_GT(WriteIndex("workload Deployment demo/web"), write);
  EXPECT_EQ(events_.events.back().reason, "RolloutRestarted");
  // Done (the restarter's Done event brings the key back): the mark is cleared.
  After(Run());
  EXPECT_EQ(cluster_.status_patch_bodies.back(), R"({"status":{"rolloutRestartMAC":null}})");
  EXPECT_EQ(object_.Status({"rolloutRestartMAC"}), "");
  // Nothing more: no second restart, no status write.
  const int patches = cluster_.status_patches;
  After(Run());
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 1);
  EXPECT_EQ(cluster_.status_patches, patches);
}

TEST_F(DynamicRestartTest, AnOwedRestartSurvivesAnOperatorRestartAndHappensExactlyOnce) {
  RunUntilReads(2);
  ASSERT_NE(object_.Status({"rolloutRestartMAC"}), "");
  Restart();  // the process dies within the coalescing window: its restarter goes with it
  EXPECT_EQ(cluster_.workload_patches, 0);
  const int writes = cluster_.creates + cluster_.updates;
  After(Run());
  EXPECT_EQ(leases_.reads, 2);  // the lease is kept: no new credentials
  EXPECT_EQ(cluster_.creates + cluster_.updates, writes);
  EXPECT_EQ(restarter_->pending(), 1u);
  RunRestarts();
  ASSERT_EQ(cluster_.workload_patches, 1);
  After(Run());
  EXPECT_EQ(object_.Status({"rolloutRestartMAC"}), "");
  // Another restart of the operator owes nothing.
  Restart();
  After(Run());
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 1);
  EXPECT_EQ(restarter_->pending(), 0u);
}

TEST_F(DynamicRestartTest, AnOwedRestartGoesAheadWhileVaultIsDown) {
  RunUntilReads(2);
  Restart();
  leases_.down = Status(StatusCode::kUnavailable, "Vault is sealed", 503);
  auto r = Run();  // the lease cannot be looked up
  EXPECT_FALSE(r.error.ok());
  RunRestarts();
  ASSERT_EQ(cluster_.workload_patches, 1);
  Run();
  EXPECT_EQ(object_.Status({"rolloutRestartMAC"}), "");
  EXPECT_EQ(Data()["username"], "user-2");
}

TEST_F(DynamicRestartTest, AMarkForCredentialsThatNeverReachedTheSecretIsDropped) {
  // The operator died between recording the restart and writing the Secret: status names
  // data the Secret never held, and the workloads already read what it holds.
  auto& a = object_.obj().GetAllocator();
  object_.obj()["status"].AddMember("rolloutRestartMAC", "never-written-mac", a);
  object_.Sync();
  ASSERT_NE(list_.Get("demo/app-db")->status.rollout_restart_mac, 0u);
  Restart();
  After(Run());
  EXPECT_EQ(object_.Status({"rolloutRestartMAC"}), "");
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 0);
  EXPECT_EQ(leases_.reads, 1);
  EXPECT_THAT(log_.str(), HasSubstr("dropped a rollout restart owed"));
}

TEST_F(DynamicSecretTest, ForceSyncMintsNewCredentialsAsARotationOncePerValue) {
  object_.Create("app-db", kSpec, "app-db-creds");
  After(Run());
  RunRestarts();
  ASSERT_EQ(cluster_.workload_patches, 0);
  const std::string first = leases_.LastLeaseId();
  const int generation = 1;
  // Long before the renewal is due.
  clock_.Advance(1min);
  object_.Annotate("vaultsync.io/force-sync", "2026-12-05T06:00:00Z");
  auto r = Run();
  EXPECT_EQ(leases_.reads, 2);
  EXPECT_EQ(leases_.renewals, 0);
  EXPECT_EQ(Data()["username"], "user-2");
  EXPECT_EQ(object_.Ready(), "True/Synced");
  EXPECT_EQ(object_.Status({"lease", "id"}), leases_.LastLeaseId());
  EXPECT_EQ(object_.Status({"lease", "expireTime"}), FormatRfc3339(clock_.Now() + 1h));
  EXPECT_EQ(object_.Status({"rotations"}), "1");
  EXPECT_EQ(object_.Status({"forceSync"}), "2026-12-05T06:00:00Z");
  EXPECT_EQ(list_.Get("demo/app-db")->meta.generation, generation);  // not a spec change
  EXPECT_EQ(expiry_.leases["demo/app-db"].first, clock_.Now() + 1h);
  // As a rotation: the targets restart, the old lease lives revokeAfterRotation (5 min).
  EXPECT_NE(object_.Status({"rolloutRestartMAC"}), "");
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patch_targets, std::vector<std::string>{"Deployment demo/web"});
  EXPECT_TRUE(leases_.Alive(first));
  EXPECT_THAT(object_.Status({"pendingRevocations"}), HasSubstr(first));
  EXPECT_LE(After(r), 5min);
  clock_.Advance(5min);
  After(Run());
  EXPECT_EQ(leases_.revoked, std::vector<std::string>{first});
  // The same value again (a watch event, then five restarts of the operator, each seeing the
  // annotation for the first time): no new credentials.
  After(Run());
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(1min);
    Restart();
    After(Run());
    EXPECT_EQ(object_.Ready(), "True/Synced");
  }
  EXPECT_EQ(leases_.reads, 2);
  EXPECT_EQ(Data()["username"], "user-2");
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 1);
  // A new value: new credentials again.
  object_.Annotate("vaultsync.io/force-sync", "2026-12-05T06:10:00Z");
  After(Run());
  EXPECT_EQ(leases_.reads, 3);
  EXPECT_EQ(Data()["username"], "user-3");
  EXPECT_EQ(object_.Status({"forceSync"}), "2026-12-05T06:10:00Z");
}

// A status without forceSync was written by a version that did not have it (or is kept by a
// CRD that drops the field): an upgrade or a restart takes the annotation already there as
// answered and mints nothing; a new value still forces; a CRD that drops the field does not
// make every reconcile write status again.
TEST_F(DynamicSecretTest, AStatusWithoutForceSyncTakesTheValueThereAsAnswered) {
  object_.Create("app-db", kSpec, "app-db-creds");
  After(Run());
  ASSERT_EQ(leases_.reads, 1);
  auto drop = [&] {
    object_.obj()["status"].RemoveMember("forceSync");
    object_.Sync();
  };
  drop();
  object_.Annotate("vaultsync.io/force-sync", "left-from-before");
  Restart();
  After(Run());
  drop();
  EXPECT_EQ(leases_.reads, 1);
  EXPECT_EQ(object_.Ready(), "True/Synced");
  const int patches = cluster_.status_patches;
  for (int i = 0; i < 3; ++i) {
    After(Run());
    drop();
  }
  EXPECT_LE(cluster_.status_patches, patches + 1) << cluster_.status_patch_bodies.back();
  // A new value forces in this process...
  object_.Annotate("vaultsync.io/force-sync", "new");
  After(Run());
  drop();
  EXPECT_EQ(leases_.reads, 2);
  EXPECT_EQ(Data()["username"], "user-2");
  // ...and a restart under the same CRD takes it as answered.
  Restart();
  After(Run());
  EXPECT_EQ(leases_.reads, 2);
}

TEST_F(DynamicSecretTest, ForceSyncSetWhileTheOperatorIsDownOrVaultFailsIsStillCarriedOut) {
  // Created with the annotation: the first credentials answer it.
  object_.Create("app-db", kSpec, "app-db-creds");
  object_.Annotate("vaultsync.io/force-sync", "1");
  After(Run());
  EXPECT_EQ(object_.Status({"forceSync"}), "1");
  Restart();
  After(Run());
  EXPECT_EQ(leases_.reads, 1);
  // A new value while the operator is down: the restarted one mints for it.
  object_.Annotate("vaultsync.io/force-sync", "2");
  Restart();
  After(Run());
  EXPECT_EQ(leases_.reads, 2);
  EXPECT_EQ(Data()["username"], "user-2");
  // A forced read that fails is not forgotten: the retry mints once Vault answers.
  object_.Annotate("vaultsync.io/force-sync", "3");
  leases_.down = Status(StatusCode::kUnavailable, "Vault is sealed", 503);
  auto r = Run();
  EXPECT_FALSE(r.error.ok());
  EXPECT_EQ(object_.Status({"forceSync"}), "2");
  leases_.down = Status::Ok();
  clock_.Advance(r.requeue_after.value_or(1s));
  After(Run());
  EXPECT_EQ(leases_.reads, 3);
  EXPECT_EQ(Data()["username"], "user-3");
  EXPECT_EQ(object_.Status({"forceSync"}), "3");
  // Removing the annotation forces nothing.
  object_.obj()["metadata"]["annotations"].RemoveMember("vaultsync.io/force-sync");
  object_.Sync();
  After(Run());
  Restart();
  After(Run());
  EXPECT_EQ(leases_.reads, 3);
}

TEST_F(DynamicRestartTest, ANewRotationWhileARestartIsOwedGivesOneRestartForTheNewest) {
  RunUntilReads(2);
  // A spec change within the window: new credentials again, the mark moves to them.
  object_.SetSpec(R"({"mount":"database","path":"creds/readonly",
                      "destination":{"name":"app-db-creds"},
                      "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  After(Run());
  EXPECT_EQ(leases_.reads, 3);
  EXPECT_EQ(object_.Status({"rolloutRestartMAC"}), object_.Status({"secretMAC"}));
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 1);
  After(Run());
  EXPECT_EQ(object_.Status({"rolloutRestartMAC"}), "");
}

TEST_F(DynamicSecretTest, CredentialsReadAgainWithTheSameDataRestartNothing) {
  leases_.with_lease = false;
  leases_.ttl = 600s;
  object_.Create("app-db", R"({"mount":"database","path":"static-creds/app","revoke":false,
      "destination":{"name":"app-db-creds","transformation":{
        "excludes":["username","password","_ttl"],"templates":{"host":{"text":"db:5432"}}}},
      "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})",
                 "app-db-creds");
  clock_.Advance(After(Run()));
  After(Run());
  EXPECT_EQ(leases_.reads, 2);
  EXPECT_EQ(Data(), (std::map<std::string, std::string>{{"host", "db:5432"}}));
  EXPECT_EQ(object_.Status({"rolloutRestartMAC"}), "");
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 0);
}

}  // namespace
}  // namespace vaultsync::controller
