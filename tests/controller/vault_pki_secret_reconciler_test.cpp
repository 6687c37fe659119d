// Unit tests of the VaultPKISecret reconciler against in-memory fakes that issue real X.509
// certificates on a fake clock: the kubernetes.io/tls Secret, renewal renewBefore notAfter,
// restarts that keep a valid certificate (read back from tls.crt), a new certificate at once
// for a new altName, revocation of replaced certificates, Vault outages, the finalizer, and
// the rollout restarts owed for new certificates (recorded in status before the Secret
// changes, coalesced by the shared restarter, carried out by a restarted operator).
#include "controller/vault_pki_secret_reconciler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "controller/certificate_pem.h"
#include "object_harness.h"
#include "util/time_format.h"

namespace vaultsync::controller {
namespace {
using namespace std::chrono_literals;
using testing::FakeCertificateSource;
using testing::FakeCluster;
using testing::FakeEvents;
using testing::FakeExpiry;
using testing::FakeLister;
using testing::FakeMetrics;
using ::testing::HasSubstr;
using testing::ObjectHarness;

constexpr const char* kSpec = R"({"role":"web","commonName":"web.demo.svc","ttl":"72h",
  "altNames":["web"],"destination":{"name":"web-tls"},
  "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})";

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

class PkiSecretTest : public ::testing::Test {
 protected:
  PkiSecretTest() {
    options_.hmac_key = hmac_key_;
    options_.defaults.vault_address = "http://vault:8200";
    options_.defaults.auth_method = AuthMethod::kToken;
    options_.defaults.vault_token = "root";
    writer_ = std::make_unique<DestinationWriter>(
        managed_, cluster_, hmac_key_,
        [this](std::string_view kind, const std::string& key) -> std::optional<std::string> {
          if (kind != kKindVaultPKISecret) return std::nullopt;
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
    VaultPkiSecretReconcilerDeps d;
    d.secrets = &list_;
    d.auths = &auths_;
    d.connections = &conns_;
    d.managed = &managed_;
    d.cluster = &cluster_;
    d.writer = writer_.get();
    d.events = &events_;
    d.pki = &pki_;
    d.restarter = restarter_.get();
    d.clock = &clock_;
    d.expiry = &expiry_;
    d.metrics = &metrics_;
    d.logger = &logger_;
    reconciler_ = std::make_unique<VaultPkiSecretReconciler>(d, options_);
  }

  runtime::ReconcileResult Run() {
    return object_.Run([this](const std::string& k) { return reconciler_->Reconcile(k); });
  }
  std::map<std::string, std::string> Data() { return cluster_.SecretDataOf("demo", "web-tls"); }
  // Lets the coalescing window pass and carries out the restarts that are due.
  void RunRestarts() {
    clock_.Advance(5s);
    restarter_->RunDue();
  }
  // Position in the cluster's write log of the first write starting with `prefix` (-1: none).
  int WriteIndex(const std::string& prefix) {
    for (size_t i = 0; i < cluster_.write_log.size(); ++i) {
      if (cluster_.write_log[i].rfind(prefix, 0) == 0) return static_cast<int>(i);
    }
    return -1;
  }
  std::chrono::milliseconds After(const runtime::ReconcileResult& r) {
    EXPECT_TRUE(r.error.ok()) << r.error.ToString();
    EXPECT_TRUE(r.requeue_after.has_value());
    return r.requeue_after.value_or(0ms);
  }

  const std::string hmac_key_ = "test-hmac-key";
  FakeClock clock_;
  FakeLister<VaultPkiSecret> list_;
  FakeLister<VaultAuth> auths_;
  FakeLister<VaultConnection> conns_;
  FakeLister<ManagedSecret> managed_;
  FakeCluster cluster_;
  FakeEvents events_;
  FakeMetrics metrics_;
  FakeExpiry expiry_;
  FakeCertificateSource pki_{&clock_};
  std::ostringstream log_;
  log::Logger logger_{&log_};
  VaultPkiSecretReconcilerOptions options_;
  std::unique_ptr<DestinationWriter> writer_;
  std::unique_ptr<RolloutRestarter> restarter_;
  std::unique_ptr<VaultPkiSecretReconciler> reconciler_;
  ObjectHarness<VaultPkiSecret> object_{
      kKindVaultPKISecret, DecodeVaultPkiSecret, list_, cluster_, managed_, hmac_key_};
};

TEST_F(PkiSecretTest, IssuesIntoATlsSecretWithTheChainAndRenewsAtAThirdOfTheLifetime) {
  object_.Create("web", kSpec, "web-tls");
  auto r = Run();
  ASSERT_EQ(pki_.issued, 1);
  const auto& req = pki_.requests[0];
  EXPECT_EQ(req.mount, "pki");
  EXPECT_EQ(req.role, "web");
  EXPECT_EQ(req.common_name, "web.demo.svc");
  EXPECT_EQ(req.alt_names, std::vector<std::string>{"web"});
  EXPECT_EQ(req.ttl, std::chrono::seconds(72h));
  EXPECT_FALSE(req.pkcs1);
  auto data = Data();
  EXPECT_EQ(data.size(), 3u);
  // No ca_chain (issued straight from the root): tls.crt is the certificate, then the CA.
  EXPECT_EQ(Count(data["tls.crt"], "BEGIN CERTIFICATE"), 2);
  EXPECT_EQ(Count(data["ca.crt"], "BEGIN CERTIFICATE"), 1);
  EXPECT_NE(data["tls.crt"].find(data["ca.crt"]), std::string::npos);
  EXPECT_THAT(data["tls.key"], HasSubstr("BEGIN PRIVATE KEY"));  // PKCS #8
  EXPECT_TRUE(KeyMatchesCertificate(data["tls.crt"], data["tls.key"]));
  auto secret = json::Parse(*cluster_.SecretJson("demo", "web-tls"));
  EXPECT_EQ(json::View((*secret)["type"]), "kubernetes.io/tls");
  auto info = ParseFirstCertificate(data["tls.crt"]);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(object_.Status({"serialNumber"}), info->serial_number);
  EXPECT_EQ(object_.Status({"notAfter"}), FormatRfc3339(clock_.Now() + 72h));
  // A third of the lifetime from issue (not from notBefore, which Vault backdates 30 s).
  const TimePoint renew = clock_.Now() + 48h;
  EXPECT_EQ(object_.Status({"nextRenewalTime"}), FormatRfc3339(renew));
  EXPECT_EQ(clock_.Now() + After(r), renew);
  EXPECT_EQ(object_.Ready(), "True/Synced");
  ASSERT_TRUE(expiry_.certificates.count("demo/web"));
  EXPECT_EQ(expiry_.certificates["demo/web"].first, info->not_after);
  EXPECT_EQ(cluster_.workload_patches, 0);
  // The private key never reaches status, Events or logs.
  const std::string key_body = data["tls.key"].substr(30, 40);
  EXPECT_THAT(json::Serialize(object_.obj()), ::testing::Not(HasSubstr(key_body)));
  for (const auto& e : events_.events) EXPECT_THAT(e.message, ::testing::Not(HasSubstr(key_body)));
  EXPECT_THAT(log_.str(), ::testing::Not(HasSubstr(key_body)));
}

TEST_F(PkiSecretTest, FiveRestartsKeepTheCertificate) {
  object_.Create("web", kSpec, "web-tls");
  After(Run());
  const std::string crt = Data()["tls.crt"];
  int writes = cluster_.creates + cluster_.updates;
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(1h);
    Restart();
    After(Run());
    EXPECT_EQ(object_.Ready(), "True/Synced");
  }
  EXPECT_EQ(pki_.issued, 1);
  EXPECT_EQ(cluster_.creates + cluster_.updates, writes);
  EXPECT_EQ(Data()["tls.crt"], crt);
}

// Moved to another shard label (within this replica, or handed to another shard): the Secret
// follows with one metadata-only update, and the certificate is kept.
TEST_F(PkiSecretTest, ARelabelledResourceRelabelsItsSecretAndKeepsTheCertificate) {
  object_.Create("web", kSpec, "web-tls");
  After(Run());
  const std::string crt = Data()["tls.crt"];
  const int updates = cluster_.updates;
  object_.Label("sharding.vaultsync.io/key", "shard-7");
  After(Run());
  EXPECT_EQ(pki_.issued, 1);
  EXPECT_EQ(cluster_.updates, updates + 1);
  EXPECT_NE(
      cluster_.SecretJson("demo", "web-tls")->find(R"("sharding.vaultsync.io/key":"shard-7")"),
      std::string::npos);
  EXPECT_EQ(Data()["tls.crt"], crt);
  After(Run());
  EXPECT_EQ(cluster_.updates, updates + 1) << "in line now: nothing more";
}

TEST_F(PkiSecretTest, RestartReadsNotAfterFromTheSecretAndRenewsOnTime) {
  object_.Create("web", kSpec, "web-tls");
  TimePoint renew = clock_.Now() + After(Run());
  Restart();
  const std::string not_after = object_.Status({"notAfter"});
  // Status says otherwise: the certificate in the Secret is what counts.
  object_.obj()["status"]["notAfter"].SetString("2099-01-01T00:00:00Z");
  object_.Sync();
  auto r = Run();
  EXPECT_EQ(clock_.Now() + After(r), renew);
  EXPECT_EQ(pki_.issued, 1);
  EXPECT_EQ(object_.Status({"notAfter"}), not_after);  // corrected from tls.crt
  // A status that no longer describes the certificate (another serial): the renewal time
  // comes from the certificate's own validity.
  Restart();
  object_.obj()["status"]["serialNumber"].SetString("00:01");
  object_.Sync();
  r = Run();
  EXPECT_EQ(pki_.issued, 1);
  EXPECT_LE(clock_.Now() + After(r), renew);
}

TEST_F(PkiSecretTest, RenewalIssuesANewCertificateRestartsTargetsAndRevokesTheOldOne) {
  object_.Create("web",
                 R"({"role":"web","commonName":"web.demo.svc","ttl":"72h","revoke":true,
                     "renewBefore":"12h","destination":{"name":"web-tls"},
                     "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})",
                 "web-tls");
  auto r = Run();
  EXPECT_EQ(After(r), 60h);
  EXPECT_EQ(object_.Finalizers(), "[\"vaultsync.io/certificate-revoke\"]");
  const std::string first = pki_.serials[0];
  clock_.Advance(After(r));
  r = Run();
  EXPECT_EQ(pki_.issued, 2);
  EXPECT_EQ(object_.Status({"serialNumber"}), pki_.serials[1]);
  EXPECT_EQ(pki_.revoked, std::vector<std::string>{first});
  EXPECT_EQ(After(r), 60h);
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patch_targets, std::vector<std::string>{"Deployment demo/web"});
}

TEST_F(PkiSecretTest, NewAltNameIssuesANewCertificateAtOnce) {
  object_.Create("web", kSpec, "web-tls");
  After(Run());
  object_.SetSpec(R"({"role":"web","commonName":"web.demo.svc","ttl":"72h",
                      "altNames":["web","web.demo"],"destination":{"name":"web-tls"},
                      "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  After(Run());
  ASSERT_EQ(pki_.issued, 2);
  EXPECT_EQ(pki_.requests[1].alt_names, (std::vector<std::string>{"web", "web.demo"}));
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 1);
  // A spec change that does not touch the request (restart targets) issues nothing.
  object_.SetSpec(R"({"role":"web","commonName":"web.demo.svc","ttl":"72h",
                      "altNames":["web","web.demo"],"destination":{"name":"web-tls"}})");
  After(Run());
  EXPECT_EQ(pki_.issued, 2);
}

TEST_F(PkiSecretTest, ChainFromVaultFollowsTheCertificateAndPkcs1KeysWhenAsked) {
  pki_.chain = {"-----BEGIN CERTIFICATE-----\nINTERMEDIATE\n-----END CERTIFICATE-----"};
  object_.Create("web",
                 R"({"role":"web","commonName":"web.demo.svc","privateKeyFormat":"pkcs1",
                     "destination":{"name":"web-tls"}})",
                 "web-tls");
  After(Run());
  auto data = Data();
  EXPECT_EQ(Count(data["tls.crt"], "BEGIN CERTIFICATE"), 2);
  EXPECT_THAT(data["tls.crt"], HasSubstr("INTERMEDIATE"));
  EXPECT_THAT(data["tls.key"], HasSubstr("BEGIN EC PRIVATE KEY"));
  EXPECT_TRUE(pki_.requests[0].pkcs1);
  EXPECT_FALSE(pki_.requests[0].ttl.has_value());  // the role's
}

TEST_F(PkiSecretTest, EditedSecretGetsANewCertificate) {
  object_.Create("web", kSpec, "web-tls");
  After(Run());
  auto text = cluster_.SecretJson("demo", "web-tls");
  auto doc = json::Parse(*text);
  (*doc)["data"]["tls.key"].SetString("Z2FyYmFnZQ==");
  cluster_.DeleteSecret("demo", "web-tls");
  cluster_.PutSecret("demo", json::Serialize(*doc));
  object_.Sync();
  After(Run());
  EXPECT_EQ(pki_.issued, 2);
  EXPECT_TRUE(KeyMatchesCertificate(Data()["tls.crt"], Data()["tls.key"]));
}

TEST_F(PkiSecretTest, VaultDownKeepsTheCertificateThenReportsItExpired) {
  object_.Create("web", R"({"role":"web","commonName":"web.demo.svc","ttl":"1h",
                           "destination":{"name":"web-tls"}})",
                 "web-tls");
  const TimePoint t0 = clock_.Now();
  clock_.Advance(After(Run()));
  pki_.down = Status(StatusCode::kUnavailable, "Vault is sealed", 503);
  auto r = Run();
  EXPECT_FALSE(r.error.ok());
  EXPECT_EQ(object_.Ready(), "False/VaultUnavailable");
  EXPECT_THAT(object_.Message(), HasSubstr("stays valid until " + FormatRfc3339(t0 + 1h)));
  for (int i = 0; i < 100 && clock_.Now() < t0 + 1h; ++i) {
    ASSERT_TRUE(r.requeue_after.has_value());
    clock_.Advance(*r.requeue_after);
    r = Run();
  }
  EXPECT_EQ(object_.Ready(), "False/CertificateExpired");
  EXPECT_EQ(pki_.issued, 1);
  pki_.down = Status::Ok();
  After(Run());
  EXPECT_EQ(pki_.issued, 2);
  EXPECT_EQ(object_.Ready(), "True/Synced");
}

TEST_F(PkiSecretTest, RestartDuringAVaultOutageWithTheRenewalDueExportsNotAfterFromTheSecret) {
  object_.Create("web", kSpec, "web-tls");
  clock_.Advance(After(Run()));  // the renewal is due
  auto info = ParseFirstCertificate(Data()["tls.crt"]);
  ASSERT_TRUE(info.ok());
  // A new process (no gauges yet) while Vault is down: the issue fails, and the alerts still
  // need the certificate's end and its renewal time.
  Restart();
  expiry_.certificates.clear();
  pki_.down = Status(StatusCode::kUnavailable, "Vault is sealed", 503);
  auto r = Run();
  EXPECT_FALSE(r.error.ok());
  EXPECT_EQ(pki_.issued, 1);
  ASSERT_EQ(expiry_.certificates.count("demo/web"), 1u);
  EXPECT_EQ(expiry_.certificates["demo/web"].first, info->not_after);
  EXPECT_EQ(expiry_.certificates["demo/web"].second, clock_.Now());  // due now
  // Also when the reconcile stops before Vault (a VaultAuth that is gone).
  Restart();
  expiry_.certificates.clear();
  object_.SetSpec(R"({"role":"web","commonName":"web.demo.svc","ttl":"72h","altNames":["web"],
      "vaultAuthRef":"missing","destination":{"name":"web-tls"}})");
  EXPECT_FALSE(Run().error.ok());
  ASSERT_EQ(expiry_.certificates.count("demo/web"), 1u);
  EXPECT_EQ(expiry_.certificates["demo/web"].first, info->not_after);
}

// As for VaultDynamicSecret: a status without forceSync (an older version's, or a CRD that
// drops the field) takes the annotation already there as answered.
TEST_F(PkiSecretTest, AStatusWithoutForceSyncTakesTheValueThereAsAnswered) {
  object_.Create("web", R"({"role":"web","commonName":"web.demo.svc","ttl":"72h",
                            "destination":{"name":"web-tls"}})",
                 "web-tls");
  After(Run());
  ASSERT_EQ(pki_.issued, 1);
  auto drop = [&] {
    object_.obj()["status"].RemoveMember("forceSync");
    object_.Sync();
  };
  drop();
  object_.Annotate("vaultsync.io/force-sync", "left-from-before");
  Restart();
  After(Run());
  drop();
  EXPECT_EQ(pki_.issued, 1);
  EXPECT_EQ(object_.Ready(), "True/Synced");
  const int patches = cluster_.status_patches;
  for (int i = 0; i < 3; ++i) {
    After(Run());
    drop();
  }
  EXPECT_LE(cluster_.status_patches, patches + 1);
  object_.Annotate("vaultsync.io/force-sync", "new");
  After(Run());
  drop();
  EXPECT_EQ(pki_.issued, 2);
  Restart();
  After(Run());
  EXPECT_EQ(pki_.issued, 2);
}

TEST_F(PkiSecretTest, ForceSyncIssuesANewCertificateAsARenewalOncePerValue) {
  object_.Create("web",
                 R"({"role":"web","commonName":"web.demo.svc","ttl":"72h","revoke":true,
                     "destination":{"name":"web-tls"},
                     "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})",
                 "web-tls");
  After(Run());
  RunRestarts();
  ASSERT_EQ(cluster_.workload_patches, 0);
  const std::string first = pki_.serials[0];
  clock_.Advance(1h);  // long before the renewal
  object_.Annotate("vaultsync.io/force-sync", "2026-12-05T06:00:00Z");
  auto r = Run();
  ASSERT_EQ(pki_.issued, 2);
  EXPECT_EQ(object_.Status({"serialNumber"}), pki_.serials[1]);
  EXPECT_EQ(object_.Status({"notAfter"}), FormatRfc3339(clock_.Now() + 72h));
  EXPECT_EQ(object_.Status({"forceSync"}), "2026-12-05T06:00:00Z");
  EXPECT_EQ(clock_.Now() + After(r), clock_.Now() + 48h);
  EXPECT_EQ(object_.Ready(), "True/Synced");
  // As a renewal: the replaced certificate revoked (spec.revoke), the targets restarted.
  EXPECT_EQ(pki_.revoked, std::vector<std::string>{first});
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patch_targets, std::vector<std::string>{"Deployment demo/web"});
  // The same value again: a watch event, then five restarts of the operator.
  After(Run());
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(1min);
    Restart();
    After(Run());
    EXPECT_EQ(object_.Ready(), "True/Synced");
  }
  EXPECT_EQ(pki_.issued, 2);
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 1);
  // A new value set while the operator is down, and Vault failing at first: issued once
  // Vault answers.
  object_.Annotate("vaultsync.io/force-sync", "2026-12-05T07:00:00Z");
  Restart();
  pki_.down = Status(StatusCode::kUnavailable, "Vault is sealed", 503);
  r = Run();
  EXPECT_FALSE(r.error.ok());
  pki_.down = Status::Ok();
  clock_.Advance(r.requeue_after.value_or(1s));
  After(Run());
  EXPECT_EQ(pki_.issued, 3);
  EXPECT_EQ(object_.Status({"forceSync"}), "2026-12-05T07:00:00Z");
  Restart();
  After(Run());
  EXPECT_EQ(pki_.issued, 3);
}

TEST_F(PkiSecretTest, DeletionRevokesWhenAskedAndLetsGo) {
  object_.Create("web", R"({"role":"web","commonName":"web.demo.svc","revoke":true,
                           "destination":{"name":"web-tls"}})",
                 "web-tls");
  After(Run());
  object_.MarkDeleted();
  EXPECT_TRUE(Run().error.ok());
  EXPECT_EQ(pki_.revoked, pki_.serials);
  EXPECT_EQ(list_.Get("demo/web"), nullptr);
}

TEST_F(PkiSecretTest, InvalidSpecNamesTheField) {
  object_.Create("web", R"({"role":"web","commonName":"web.demo.svc","privateKeyFormat":"der",
                           "destination":{"name":"web-tls"}})",
                 "web-tls");
  auto r = Run();
  EXPECT_TRUE(r.terminal);
  EXPECT_THAT(object_.Message(), HasSubstr("spec.privateKeyFormat"));
  EXPECT_EQ(pki_.issued, 0);
  object_.Create("comma", R"({"role":"web","commonName":"a","altNames":["b,c"],
                             "destination":{"name":"x"}})",
                 "x");
  auto decoded = list_.Get("demo/comma");
  ASSERT_NE(decoded, nullptr);
  EXPECT_THAT(decoded->spec_error.message(), HasSubstr("spec.altNames"));
}

}  // namespace
}  // namespace vaultsync::controller

namespace vaultsync::controller {
namespace {

// demo/web with its first certificate (72 h, renewed at 48 h), restart targets, no restart yet.
class PkiRestartTest : public PkiSecretTest {
 protected:
  void SetUp() override {
    object_.Create("web", kSpec, "web-tls");
    renewal_ = After(Run());
    RunRestarts();
    ASSERT_EQ(cluster_.workload_patches, 0);  // never on the first certificate
    ASSERT_EQ(object_.Status({"rolloutRestartMAC"}), "");
  }
  // Reaches the renewal time and issues the next certificate.
  void Renew() {
    clock_.Advance(renewal_);
    After(Run());
    ASSERT_EQ(pki_.issued, 2);
  }
  std::chrono::milliseconds renewal_{0};
};

TEST_F(PkiRestartTest, ANewCertificateMarksStatusBeforeTheSecretThenRestartsOnceAfterTheWindow) {
  cluster_.write_log.clear();
  Renew();
  const int mark = WriteIndex(R"(status {"status":{"rolloutRestartMAC":")");
  const int write = WriteIndex("update demo/web-tls");
  ASSERT_GE(mark, 0);
  ASSERT_GE(write, 0);
  EXPECT_LT(mark, write);
  EXPECT_EQ(object_.Status({"rolloutRestartMAC"}), object_.Status({"secretMAC"}));
  EXPECT_EQ(cluster_.workload_patches, 0);  // within the coalescing window
  RunRestarts();
  ASSERT_EQ(cluster_.workload_patch_targets, std::vector<std::string>{"Deployment demo/web"});
  EXPECT_GT(WriteIndex("workload Deployment demo/web"), write);
  After(Run());
  EXPECT_EQ(cluster_.status_patch_bodies.back(), R"({"status":{"rolloutRestartMAC":null}})");
  EXPECT_EQ(object_.Status({"rolloutRestartMAC"}), "");
  const int patches = cluster_.status_patches;
  After(Run());
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 1);
  EXPECT_EQ(cluster_.status_patches, patches);
}

TEST_F(PkiRestartTest, AnOwedRestartSurvivesAnOperatorRestartAndHappensExactlyOnce) {
  Renew();
  ASSERT_NE(object_.Status({"rolloutRestartMAC"}), "");
  Restart();  // the process dies within the coalescing window
  After(Run());
  EXPECT_EQ(pki_.issued, 2);  // the certificate in the Secret is kept
  RunRestarts();
  ASSERT_EQ(cluster_.workload_patches, 1);
  After(Run());
  EXPECT_EQ(object_.Status({"rolloutRestartMAC"}), "");
  Restart();
  After(Run());
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 1);
}

TEST_F(PkiRestartTest, AnOwedRestartGoesAheadWhileVaultIsDownAndAnIdentityIsMissing) {
  Renew();
  Restart();
  pki_.down = Status(StatusCode::kUnavailable, "Vault is sealed", 503);
  After(Run());  // the certificate is valid: Vault is not needed
  RunRestarts();
  ASSERT_EQ(cluster_.workload_patches, 1);
  // The restart clears its mark even when the rest of the reconcile fails.
  object_.SetSpec(R"({"role":"web","commonName":"web.demo.svc","ttl":"72h","altNames":["web"],
      "vaultAuthRef":"missing","destination":{"name":"web-tls"},
      "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  EXPECT_FALSE(Run().error.ok());
  EXPECT_EQ(object_.Status({"rolloutRestartMAC"}), "");
}

TEST_F(PkiRestartTest, AMarkForACertificateThatNeverReachedTheSecretIsDropped) {
  auto& a = object_.obj().GetAllocator();
  object_.obj()["status"].AddMember("rolloutRestartMAC", "never-written-mac", a);
  object_.Sync();
  Restart();
  After(Run());
  EXPECT_EQ(pki_.issued, 1);
  EXPECT_EQ(object_.Status({"rolloutRestartMAC"}), "");
  RunRestarts();
  EXPECT_EQ(cluster_.workload_patches, 0);
}

}  // namespace
}  // namespace vaultsync::controller
