// End-to-end tests of VaultDynamicSecret and VaultPKISecret (issue #16): the real
// vaultsync-operator against the kube and Vault emulators, Vault set up over its HTTP API as
// an administrator would (database engine with a connection and a role, PKI engine with a
// root CA and a role), resources applied with the real kubectl and read back with
// `kubectl get vds` / `kubectl get vpki`. Counts come from the Vault emulator: credentials
// issued per path (GET /__emulator/leases) and requests per path (counters); restarts from
// the kube emulator (a Deployment's generation moves with each pod-template change).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>

#include "controller/certificate_pem.h"
#include "e2e_env.h"
#include "util/json.h"
#include "util/time_format.h"

namespace vaultsync::e2e {
namespace {
using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr const char* kVdsPath = "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultdynamicsecrets/";
constexpr const char* kVpkiPath = "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultpkisecrets/";
constexpr const char* kCredsPath = "database/creds/app";

constexpr const char* kDeployment = R"({"apiVersion":"apps/v1","kind":"Deployment",
  "metadata":{"name":"web","namespace":"demo"},
  "spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
  "template":{"metadata":{"labels":{"app":"web"}},
  "spec":{"containers":[{"name":"web","image":"nginx:1.25"}]}}}})";

std::unique_ptr<Env> StartEnv() {
  auto env = Env::Start();
  if (env == nullptr) return nullptr;
  const std::string crds = std::string(VAULTSYNC_SOURCE_DIR) + "/crds/";
  auto applied = env->Kubectl(
      {"apply", "-f", crds + "vaultdynamicsecret.yaml", "-f", crds + "vaultpkisecret.yaml"});
  EXPECT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_TRUE(WaitFor(
      [&] { return env->Kube("GET", "/apis/vaultsync.io/v1alpha1/vaultpkisecrets").status == 200; },
      10s));
  return env;
}

void VaultOk(Env& env, const std::string& method, const std::string& path,
             const std::string& body) {
  auto r = env.Vault(method, path, body);
  EXPECT_TRUE(r.status == 200 || r.status == 204) << method << " " << path << ": " << r.body;
}

// `vault secrets enable database`, a PostgreSQL connection that allows role "app", and the
// role with the given TTLs.
void SetUpDatabase(Env& env, const std::string& ttl, const std::string& max_ttl) {
  VaultOk(env, "POST", "/v1/sys/mounts/database", R"({"type":"database"})");
  VaultOk(env, "POST", "/v1/database/config/pg",
          R"({"plugin_name":"postgresql-database-plugin","allowed_roles":"app",
              "connection_url":"postgresql://{{username}}:{{password}}@db.demo.svc:5432/app",
              "username":"vault","password":"vault-admin-password"})");
  VaultOk(
      env, "POST", "/v1/database/roles/app",
      R"({"db_name":"pg","default_ttl":")" + ttl + R"(","max_ttl":")" + max_ttl +
          R"(","creation_statements":["CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';"]})");
}

// `vault secrets enable pki`, a root CA, and role "web" for *.demo.svc.
void SetUpPki(Env& env) {
  VaultOk(env, "POST", "/v1/sys/mounts/pki",
          R"({"type":"pki","config":{"max_lease_ttl":"87600h"}})");
  VaultOk(env, "POST", "/v1/pki/root/generate/internal",
          R"({"common_name":"vaultsync e2e root","ttl":"87600h"})");
  VaultOk(env, "POST", "/v1/pki/roles/web",
          R"({"allowed_domains":"demo.svc","allow_subdomains":true,"allow_bare_domains":true,
              "max_ttl":"72h"})");
}

// The emulator's lease table: credentials issued for `path`, leases revoked, leases alive.
struct Leases {
  int64_t issued = 0;
  int64_t revoked = 0;
  size_t live = 0;
};
Leases LeaseTable(Env& env, const std::string& path) {
  Leases out;
  auto r = env.Vault("GET", "/__emulator/leases");
  auto doc = json::Parse(r.body);
  if (!doc.ok()) return out;
  if (const json::Value* issued = json::Find(*doc, "issued"); issued != nullptr) {
    if (const json::Value* n = json::Find(*issued, path); n != nullptr && n->IsInt64())
      out.issued = n->GetInt64();
  }
  if (const json::Value* n = json::Find(*doc, "revoked"); n != nullptr && n->IsInt64())
    out.revoked = n->GetInt64();
  if (const json::Value* l = json::Find(*doc, "leases"); l != nullptr && l->IsArray())
    out.live = l->Size();
  return out;
}

// data.revocation_time of `pki/cert/<serial>` (Unix seconds; 0: not revoked), or -1 when the
// lookup does not answer 200 with that field (an unknown serial, a sealed Vault).
int64_t RevocationTime(Env& env, const std::string& serial) {
  auto r = env.Vault("GET", "/v1/pki/cert/" + serial);
  if (r.status != 200) return -1;
  auto d = json::Parse(r.body);
  if (!d.ok()) return -1;
  const json::Value* data = json::Find(*d, "data");
  const json::Value* t = data ? json::Find(*data, "revocation_time") : nullptr;
  return t != nullptr && t->IsInt64() ? t->GetInt64() : -1;
}

// The value of the sample `metric{...}` of the Prometheus text `exposition` whose labels are
// exactly namespace="<ns>" and name="<name>" (in any order); nullopt when there is none.
std::optional<double> GaugeOf(const std::string& exposition, const std::string& metric,
                              const std::string& ns, const std::string& name) {
  const std::set<std::string> want = {"namespace=\"" + ns + "\"", "name=\"" + name + "\""};
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(metric + "{", 0) != 0) continue;
    const size_t open = metric.size(), close = line.find('}', open);
    if (close == std::string::npos) continue;
    std::set<std::string> labels;
    std::istringstream parts(line.substr(open + 1, close - open - 1));
    for (std::string l; std::getline(parts, l, ',');) labels.insert(l);
    if (labels != want) continue;
    try {
      return std::stod(line.substr(close + 1));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

double UnixSeconds(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// The chart's VaultsyncLeaseExpiring rule, evaluated for one resource as Prometheus would on
// one scrape of the operator: (expiry - time()) < 0.1 * duration. The rule's text is read from
// the chart and must be this expression, so the chart and this evaluation cannot drift apart.
// nullopt when a series is missing (the rule then has nothing to fire on).
std::optional<bool> LeaseExpiringFires(const std::string& exposition, const std::string& ns,
                                       const std::string& name) {
  auto expiry = GaugeOf(exposition, "vaultsync_lease_expiry_timestamp_seconds", ns, name);
  auto duration = GaugeOf(exposition, "vaultsync_lease_duration_seconds", ns, name);
  if (!expiry || !duration) return std::nullopt;
  return *expiry - UnixSeconds(std::chrono::system_clock::now()) < 0.1 * *duration;
}

std::string LeaseExpiringRule() {
  YAML::Node doc = YAML::LoadFile(std::string(VAULTSYNC_SOURCE_DIR) +
                                  "/charts/vaultsync/prometheus/prometheusrule.yaml");
  for (const auto& g : doc["spec"]["groups"]) {
    for (const auto& r : g["rules"]) {
      if (r["alert"].as<std::string>("") != "VaultsyncLeaseExpiring") continue;
      std::string expr, word;
      std::istringstream in(r["expr"].as<std::string>(""));
      while (in >> word) expr += (expr.empty() ? "" : " ") + word;
      return expr;
    }
  }
  return "";
}

void ApplyVds(Env& env, const std::string& name, const std::string& spec) {
  env.Apply(
      R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultDynamicSecret","metadata":{"name":")" +
      name + R"(","namespace":"demo"},"spec":)" + spec + "}");
}

void ApplyVpki(Env& env, const std::string& name, const std::string& spec) {
  env.Apply(
      R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultPKISecret","metadata":{"name":")" +
      name + R"(","namespace":"demo"},"spec":)" + spec + "}");
}

std::string Field(Env& env, const std::string& path, const std::vector<std::string>& keys) {
  return env.ObjectString(path, keys).value_or("");
}

// The DNS names of the first certificate of a PEM bundle.
std::set<std::string> DnsNames(const std::string& pem) {
  std::set<std::string> out;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (x == nullptr) return out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS) {
      const ASN1_STRING* s = n->d.dNSName;
      out.emplace(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                  static_cast<size_t>(ASN1_STRING_length(s)));
    }
  }
  GENERAL_NAMES_free(names);
  X509_free(x);
  return out;
}

// The header and the row of `kubectl get <kind> <name> -n demo`, split in columns.
std::pair<std::vector<std::string>, std::vector<std::string>> KubectlRow(Env& env,
                                                                         const std::string& kind,
                                                                         const std::string& name) {
  auto r = env.Kubectl({"get", kind, name, "-n", "demo"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::vector<std::string>> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string x; words >> x;) w.push_back(x);
    if (!w.empty()) lines.push_back(w);
  }
  if (lines.size() < 2) return {};
  return {lines[0], lines[1]};
}

TEST(DynamicSecretE2E, OneSetOfCredentialsAcrossFiveOperatorRestarts) {
  auto env = StartEnv();
  ASSERT_NE(env, nullptr);
  SetUpDatabase(*env, "1h", "24h");
  ApplyVds(*env, "app-db", R"({"mount":"database","path":"creds/app",
                              "destination":{"name":"app-db-creds"}})");
  auto op = env->StartOperator();
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultdynamicsecrets", "demo", "app-db") == "True/Synced"; }, 30s))
      << op.process->Stderr();
  auto data = env->SecretData("demo", "app-db-creds");
  ASSERT_TRUE(data.has_value());
  const std::string username = (*data)["username"];
  EXPECT_THAT(username, ::testing::StartsWith("v-"));
  EXPECT_FALSE((*data)["password"].empty());
  EXPECT_EQ((*data)["_ttl"], "3600");
  const std::string lease =
      Field(*env, std::string(kVdsPath) + "app-db", {"status", "lease", "id"});
  EXPECT_THAT(lease, ::testing::StartsWith("database/creds/app/"));
  const std::string expires =
      Field(*env, std::string(kVdsPath) + "app-db", {"status", "lease", "expireTime"});
  EXPECT_FALSE(expires.empty());

  // The printer columns, with the real kubectl.
  auto [header, row] = KubectlRow(*env, "vds", "app-db");
  EXPECT_EQ(header, (std::vector<std::string>{"NAME", "READY", "REASON", "PATH", "SECRET",
                                              "EXPIRES", "AGE"}));
  ASSERT_EQ(row.size(), 7u);
  EXPECT_EQ(row[0], "app-db");
  EXPECT_EQ(row[1], "True");
  EXPECT_EQ(row[3], "creds/app");
  EXPECT_EQ(row[4], "app-db-creds");
  EXPECT_EQ(row[5], expires);

  // The lease's expiry is exported: the lease's end, within its 1 h TTL from now (Unix
  // seconds), and the same second status names.
  const double now = UnixSeconds(std::chrono::system_clock::now());
  const std::string metrics = Env::HttpGet(op.metrics_port, "/metrics");
  auto expiry = GaugeOf(metrics, "vaultsync_lease_expiry_timestamp_seconds", "demo", "app-db");
  ASSERT_TRUE(expiry.has_value()) << metrics;
  EXPECT_GT(*expiry, now);
  EXPECT_LE(*expiry, now + 3600 + 5);
  auto status_expiry = ParseRfc3339(expires);
  ASSERT_TRUE(status_expiry.ok()) << expires;
  EXPECT_NEAR(*expiry, UnixSeconds(*status_expiry), 1.0);

  for (int i = 0; i < 5; ++i) {
    op.process->Stop();
    env->ResetCounters();
    op = env->StartOperator();
    // The new process looks the lease up in Vault and keeps it.
    ASSERT_TRUE(op.process->WaitForOutput("kept the lease named in status", 30s))
        << op.process->Stderr();
    EXPECT_EQ(env->VaultCounters()["PUT /v1/sys/leases/lookup"], 1) << i;
    EXPECT_EQ(env->Ready("vaultdynamicsecrets", "demo", "app-db"), "True/Synced");
  }
  EXPECT_EQ(LeaseTable(*env, kCredsPath).issued, 1);
  EXPECT_EQ((*env->SecretData("demo", "app-db-creds"))["username"], username);
  EXPECT_EQ(Field(*env, std::string(kVdsPath) + "app-db", {"status", "lease", "id"}), lease);
  // Secret values never reach the operator's output.
  EXPECT_THAT(op.process->Stdout() + op.process->Stderr(),
              ::testing::Not(HasSubstr((*data)["password"])));
}

TEST(DynamicSecretE2E, VaultOutageAcrossTheLeaseEndKeepsTheSecretThenGetsNewCredentials) {
  auto env = StartEnv();
  ASSERT_NE(env, nullptr);
  SetUpDatabase(*env, "6s", "1h");
  ApplyVds(*env, "app-db", R"({"mount":"database","path":"creds/app","renewalPercent":50,
                              "destination":{"name":"app-db-creds"}})");
  auto op = env->StartOperator();
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultdynamicsecrets", "demo", "app-db") == "True/Synced"; }, 30s))
      << op.process->Stderr();
  const auto before = *env->SecretData("demo", "app-db-creds");
  // The alert the chart ships for a lease near its end, evaluated on the operator's metrics:
  // quiet while the lease is renewed.
  ASSERT_EQ(LeaseExpiringRule(),
            "(vaultsync_lease_expiry_timestamp_seconds - time()) < 0.1 * "
            "vaultsync_lease_duration_seconds");
  EXPECT_EQ(LeaseExpiringFires(Env::HttpGet(op.metrics_port, "/metrics"), "demo", "app-db"),
            std::optional<bool>(false));

  VaultOk(*env, "PUT", "/v1/sys/seal", "");
  // The renewal due at 3 s fails: the lease is expiring; at 6 s it has expired.
  std::vector<std::string> seen;
  ASSERT_TRUE(WaitFor(
      [&] {
        std::string r = env->Ready("vaultdynamicsecrets", "demo", "app-db");
        if (seen.empty() || seen.back() != r) seen.push_back(r);
        return r == "False/LeaseExpired";
      },
      30s))
      << op.process->Stderr();
  EXPECT_THAT(seen, ::testing::Contains("False/LeaseExpiring"));
  // LeaseExpiring came before LeaseExpired, and nothing went back to Synced meanwhile.
  auto expiring = std::find(seen.begin(), seen.end(), "False/LeaseExpiring");
  EXPECT_EQ(std::find(expiring, seen.end(), "True/Synced"), seen.end());
  EXPECT_EQ(*env->SecretData("demo", "app-db-creds"), before);
  // The lease ran out unrenewed: the alert fires.
  EXPECT_EQ(LeaseExpiringFires(Env::HttpGet(op.metrics_port, "/metrics"), "demo", "app-db"),
            std::optional<bool>(true));

  // Vault answers again: new credentials at once.
  auto key = json::Parse(env->Vault("GET", "/__emulator/unseal-key").body);
  ASSERT_TRUE(key.ok());
  VaultOk(*env, "PUT", "/v1/sys/unseal",
          "{\"key\":" + json::Quote(json::View((*key)["key"])) + "}");
  ASSERT_TRUE(WaitFor(
      [&] {
        auto d = env->SecretData("demo", "app-db-creds");
        return d && (*d)["username"] != before.at("username") &&
               env->Ready("vaultdynamicsecrets", "demo", "app-db") == "True/Synced";
      },
      45s))
      << op.process->Stderr();
  EXPECT_EQ(LeaseTable(*env, kCredsPath).issued, 2);
  EXPECT_EQ(env->ObjectInt(std::string(kVdsPath) + "app-db", {"status", "rotations"}), 1);
  // New credentials, a new 6 s lease renewed at half of it: the alert is quiet again.
  EXPECT_EQ(LeaseExpiringFires(Env::HttpGet(op.metrics_port, "/metrics"), "demo", "app-db"),
            std::optional<bool>(false));
}

TEST(DynamicSecretE2E, RotationAtTheMaxTtlRestartsTheTargetAndRevokesTheOldLease) {
  auto env = StartEnv();
  ASSERT_NE(env, nullptr);
  // Renewals every second (10 % of 10 s); the third is capped by the 12 s max TTL, so new
  // credentials come 5 s before the end and the old lease is revoked 2 s after that, while
  // Vault still holds it.
  SetUpDatabase(*env, "10s", "12s");
  env->Apply(kDeployment);
  ApplyVds(*env, "app-db", R"({"mount":"database","path":"creds/app","renewalPercent":10,
                              "rotateBefore":"5s","revokeAfterRotation":"2s",
                              "destination":{"name":"app-db-creds"},
                              "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  auto op = env->StartOperator({"--rollout-restart-coalesce", "500ms"});
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultdynamicsecrets", "demo", "app-db") == "True/Synced"; }, 30s))
      << op.process->Stderr();
  const std::string first = (*env->SecretData("demo", "app-db-creds"))["username"];
  const std::string deployment = "/apis/apps/v1/namespaces/demo/deployments/web";
  const std::vector<std::string> annotation = {"spec", "template", "metadata", "annotations",
                                               "vaultsync.io/restartedAt"};
  // Renewals restart nothing.
  ASSERT_TRUE(WaitFor(
      [&] {
        return env->ObjectString(std::string(kVdsPath) + "app-db", {"status", "lastRenewalTime"})
            .has_value();
      },
      20s));
  EXPECT_FALSE(env->ObjectString(deployment, annotation).has_value());
  // Then new credentials before the lease's end, the Deployment restarted onto them, and the
  // replaced lease revoked a second later.
  ASSERT_TRUE(
      WaitFor([&] { return (*env->SecretData("demo", "app-db-creds"))["username"] != first; }, 20s))
      << op.process->Stderr();
  ASSERT_TRUE(WaitFor([&] { return env->ObjectString(deployment, annotation).has_value(); }, 10s));
  // RFC 3339 with nanoseconds: two restarts in one second both happen.
  EXPECT_EQ(Rfc3339FractionDigits(*env->ObjectString(deployment, annotation)), 9);
  ASSERT_TRUE(WaitFor([&] { return LeaseTable(*env, kCredsPath).revoked >= 1; }, 15s))
      << op.process->Stderr();
  EXPECT_GE(env->ObjectInt(std::string(kVdsPath) + "app-db", {"status", "rotations"}).value_or(0),
            1);
}

// A VaultDynamicSecret's rotation and a VaultStaticSecret's change that reach one Deployment
// within --rollout-restart-coalesce give it ONE restart: both kinds hand their restarts to the
// restarter they share, each records the restart owed in status first and clears it once done.
TEST(DynamicSecretE2E, ARotationAndAStaticSecretChangeWithinTheWindowGiveOneRestart) {
  auto env = StartEnv();
  ASSERT_NE(env, nullptr);
  // The first lease reaches its 12 s max TTL and is replaced 5 s before its end; the role is
  // then made long-lived, so the credentials replacing it are the last of the test.
  SetUpDatabase(*env, "10s", "12s");
  env->VaultPut("app/web", R"({"greeting":"v1"})");
  env->Apply(kDeployment);
  ApplyVds(*env, "app-db", R"({"mount":"database","path":"creds/app","renewalPercent":10,
                              "rotateBefore":"5s","destination":{"name":"app-db-creds"},
                              "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  env->CreateVss("web-config", R"({"mount":"secret","path":"app/web","refreshAfter":"1s",
                                  "destination":{"name":"web-config"},
                                  "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  // A 10 s window: the static secret's change (a poll, a Vault write, a 1 s refresh and a
  // reconcile) must land inside it even on a slow sanitizer build.
  auto op = env->StartOperator({"--rollout-restart-coalesce", "10s"});
  ASSERT_TRUE(WaitFor(
      [&] {
        return env->Ready("vaultdynamicsecrets", "demo", "app-db") == "True/Synced" &&
               env->Ready("vaultstaticsecrets", "demo", "web-config") == "True/Synced";
      },
      30s))
      << op.process->Stderr();
  VaultOk(*env, "POST", "/v1/database/roles/app", R"({"default_ttl":"1h","max_ttl":"24h"})");
  const std::string first = (*env->SecretData("demo", "app-db-creds"))["username"];
  const std::string deployment = "/apis/apps/v1/namespaces/demo/deployments/web";
  auto generation = [&] { return env->ObjectInt(deployment, {"metadata", "generation"}); };
  auto owed = [&](const std::string& path) {
    return env->ObjectString(path, {"status", "rolloutRestartMAC"}).has_value();
  };
  const std::string vds = std::string(kVdsPath) + "app-db";
  const std::string vss =
      "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultstaticsecrets/web-config";
  ASSERT_EQ(generation(), 1);  // first credentials, first sync: no restart
  env->ResetCounters();
  // The rotation; then, within its window, the static secret's change.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto d = env->SecretData("demo", "app-db-creds");
        return d && (*d)["username"] != first;
      },
      20s))
      << op.process->Stderr();
  env->VaultPut("app/web", R"({"greeting":"v2"})");
  // Both Secrets changed (each recorded its restart before) and both restarts are done.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto d = env->SecretData("demo", "web-config");
        return d && (*d)["greeting"] == "v2" && !owed(vds) && !owed(vss);
      },
      40s))
      << op.process->Stderr();
  EXPECT_EQ(generation(), 2);
  EXPECT_EQ(env->KubeCounters()["PATCH deployments"], 1);
  EXPECT_EQ(LeaseTable(*env, kCredsPath).issued, 2);
  // Both owners are told, and the count is by the workload's kind.
  EXPECT_TRUE(WaitFor(
      [&] {
        int64_t n = 0;
        for (const auto& e : env->Events("demo")) {
          if (e.reason == "RolloutRestarted" &&
              (e.involved_kind == "VaultDynamicSecret" || e.involved_kind == "VaultStaticSecret"))
            n += e.count;
        }
        return n == 2;
      },
      10s));
  const std::string metrics = Env::HttpGet(op.metrics_port, "/metrics");
  const std::string series =
      R"(vaultsync_rollout_restarts_total{kind="Deployment",result="success"} )";
  const size_t at = metrics.find("\n" + series);
  ASSERT_NE(at, std::string::npos) << metrics;
  EXPECT_EQ(std::stod(metrics.substr(at + 1 + series.size())), 1);
}

// `kubectl annotate` with the force-sync annotation: new credentials at once, by the path of a
// rotation, and only once for the value (a restarted operator sees it for the first time).
TEST(DynamicSecretE2E, ForceSyncGetsNewCredentialsOnceAcrossARestart) {
  auto env = StartEnv();
  ASSERT_NE(env, nullptr);
  SetUpDatabase(*env, "1h", "24h");
  env->Apply(kDeployment);
  ApplyVds(*env, "app-db", R"({"mount":"database","path":"creds/app","revokeAfterRotation":"1s",
                              "destination":{"name":"app-db-creds"},
                              "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  auto op = env->StartOperator({"--rollout-restart-coalesce", "500ms"});
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultdynamicsecrets", "demo", "app-db") == "True/Synced"; }, 30s))
      << op.process->Stderr();
  const std::string vds = std::string(kVdsPath) + "app-db";
  const std::string first = (*env->SecretData("demo", "app-db-creds"))["username"];
  const std::string first_lease = Field(*env, vds, {"status", "lease", "id"});
  ASSERT_EQ(LeaseTable(*env, kCredsPath).issued, 1);

  auto annotated = env->Kubectl({"annotate", "vaultdynamicsecret", "app-db", "-n", "demo",
                                 "vaultsync.io/force-sync=first", "--overwrite"});
  ASSERT_EQ(annotated.exit_code, 0) << annotated.err;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto d = env->SecretData("demo", "app-db-creds");
        return d && (*d)["username"] != first &&
               Field(*env, vds, {"status", "forceSync"}) == "first";
      },
      20s))
      << op.process->Stderr();
  EXPECT_EQ(LeaseTable(*env, kCredsPath).issued, 2);
  EXPECT_NE(Field(*env, vds, {"status", "lease", "id"}), first_lease);
  EXPECT_EQ(env->ObjectInt(vds, {"metadata", "generation"}), 1);  // not a spec change
  // As a rotation: the Deployment restarted, the replaced lease revoked a second later.
  ASSERT_TRUE(WaitFor(
      [&] {
        return env
            ->ObjectString(
                "/apis/apps/v1/namespaces/demo/deployments/web",
                {"spec", "template", "metadata", "annotations", "vaultsync.io/restartedAt"})
            .has_value();
      },
      10s))
      << op.process->Stderr();
  ASSERT_TRUE(WaitFor([&] { return LeaseTable(*env, kCredsPath).revoked == 1; }, 10s))
      << op.process->Stderr();
  EXPECT_EQ(LeaseTable(*env, kCredsPath).live, 1u);

  // The same value seen by a restarted operator: the lease is kept, nothing minted.
  op.process->Stop();
  op = env->StartOperator({"--rollout-restart-coalesce", "500ms"});
  ASSERT_TRUE(op.process->WaitForOutput("kept the lease named in status", 30s))
      << op.process->Stderr();
  EXPECT_EQ(LeaseTable(*env, kCredsPath).issued, 2);
  EXPECT_THAT(op.process->Stderr() + op.process->Stdout(),
              ::testing::Not(HasSubstr("sync forced by annotation")));
}

TEST(DynamicSecretE2E, DeletionRevokesTheLeaseAndARefusedRevocationHoldsTheFinalizer) {
  auto env = StartEnv();
  ASSERT_NE(env, nullptr);
  SetUpDatabase(*env, "1h", "24h");
  ApplyVds(*env, "a", R"({"mount":"database","path":"creds/app","destination":{"name":"a"}})");
  ApplyVds(*env, "b", R"({"mount":"database","path":"creds/app","destination":{"name":"b"}})");
  auto op = env->StartOperator();
  ASSERT_TRUE(WaitFor(
      [&] {
        return env->Ready("vaultdynamicsecrets", "demo", "a") == "True/Synced" &&
               env->Ready("vaultdynamicsecrets", "demo", "b") == "True/Synced";
      },
      30s))
      << op.process->Stderr();
  auto fins =
      env->Kubectl({"get", "vds", "a", "-n", "demo", "-o", "jsonpath={.metadata.finalizers}"});
  EXPECT_EQ(fins.out, "[\"vaultsync.io/lease-revoke\"]");
  EXPECT_EQ(LeaseTable(*env, kCredsPath).live, 2u);

  auto deleted = env->Kubectl({"delete", "vds", "a", "-n", "demo", "--wait=true", "--timeout=30s"});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(LeaseTable(*env, kCredsPath).revoked, 1);
  EXPECT_EQ(LeaseTable(*env, kCredsPath).live, 1u);
  // The expiry series goes with the resource.
  ASSERT_TRUE(WaitFor(
      [&] {
        return Env::HttpGet(op.metrics_port, "/metrics").find("name=\"a\"") == std::string::npos;
      },
      10s));

  // A Vault that cannot revoke holds the finalizer, and the condition says how to let go.
  VaultOk(*env, "PUT", "/v1/sys/seal", "");
  auto pending = env->Kubectl({"delete", "vds", "b", "-n", "demo", "--wait=false"});
  EXPECT_EQ(pending.exit_code, 0) << pending.err;
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultdynamicsecrets", "demo", "b") == "False/RevokeFailed"; }, 30s))
      << op.process->Stderr();
  auto got = env->Kubectl(
      {"get", "vds", "b", "-n", "demo", "-o", "jsonpath={.status.conditions[0].message}"});
  EXPECT_THAT(got.out, HasSubstr("kubectl patch vaultdynamicsecret b -n demo --type merge -p"));
  // The documented way out.
  auto patched = env->Kubectl({"patch", "vaultdynamicsecret", "b", "-n", "demo", "--type", "merge",
                               "-p", R"({"metadata":{"finalizers":null}})"});
  EXPECT_EQ(patched.exit_code, 0) << patched.err;
  EXPECT_TRUE(
      WaitFor([&] { return env->Kube("GET", std::string(kVdsPath) + "b").status == 404; }, 10s));
}

TEST(PkiSecretE2E, OneCertificateAcrossFiveRestartsANewOneForANewAltName) {
  auto env = StartEnv();
  ASSERT_NE(env, nullptr);
  SetUpPki(*env);
  ApplyVpki(*env, "web", R"({"role":"web","commonName":"web.demo.svc","altNames":["api.demo.svc"],
                           "ttl":"24h","destination":{"name":"web-tls"}})");
  auto op = env->StartOperator();
  ASSERT_TRUE(
      WaitFor([&] { return env->Ready("vaultpkisecrets", "demo", "web") == "True/Synced"; }, 30s))
      << op.process->Stderr();
  auto secret = env->Kube("GET", "/api/v1/namespaces/demo/secrets/web-tls");
  auto doc = json::Parse(secret.body);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(json::View((*doc)["type"]), "kubernetes.io/tls");
  auto data = *env->SecretData("demo", "web-tls");
  EXPECT_EQ(DnsNames(data["tls.crt"]), (std::set<std::string>{"web.demo.svc", "api.demo.svc"}));
  EXPECT_TRUE(controller::KeyMatchesCertificate(data["tls.crt"], data["tls.key"]));
  EXPECT_THAT(data["tls.key"], HasSubstr("BEGIN PRIVATE KEY"));
  // Issued straight from the root: tls.crt is the certificate then the CA, ca.crt the CA.
  EXPECT_NE(data["tls.crt"].find(data["ca.crt"]), std::string::npos);
  auto info = controller::ParseFirstCertificate(data["tls.crt"]);
  ASSERT_TRUE(info.ok());
  const std::string not_after = Field(*env, std::string(kVpkiPath) + "web", {"status", "notAfter"});
  EXPECT_EQ(not_after, FormatRfc3339(info->not_after));
  EXPECT_EQ(Field(*env, std::string(kVpkiPath) + "web", {"status", "serialNumber"}),
            info->serial_number);

  auto [header, row] = KubectlRow(*env, "vpki", "web");
  EXPECT_EQ(header, (std::vector<std::string>{"NAME", "READY", "REASON", "COMMON-NAME", "SECRET",
                                              "NOT-AFTER", "AGE"}));
  ASSERT_EQ(row.size(), 7u);
  EXPECT_EQ(row[3], "web.demo.svc");
  EXPECT_EQ(row[4], "web-tls");
  EXPECT_EQ(row[5], not_after);
  // The certificate's expiry is exported: its notAfter, in Unix seconds.
  const std::string metrics = Env::HttpGet(op.metrics_port, "/metrics");
  auto expiry = GaugeOf(metrics, "vaultsync_certificate_expiry_timestamp_seconds", "demo", "web");
  ASSERT_TRUE(expiry.has_value()) << metrics;
  EXPECT_NEAR(*expiry, UnixSeconds(info->not_after), 1.0);

  for (int i = 0; i < 5; ++i) {
    op.process->Stop();
    op = env->StartOperator();
    ASSERT_TRUE(op.process->WaitForOutput("kept the certificate the Secret holds", 30s))
        << op.process->Stderr();
  }
  EXPECT_EQ(env->VaultCounters()["POST /v1/pki/issue/web"], 1);
  EXPECT_EQ((*env->SecretData("demo", "web-tls"))["tls.crt"], data["tls.crt"]);

  // A new altName: a new certificate at once, with it.
  ApplyVpki(*env, "web", R"({"role":"web","commonName":"web.demo.svc",
                           "altNames":["api.demo.svc","admin.demo.svc"],"ttl":"24h",
                           "destination":{"name":"web-tls"}})");
  ASSERT_TRUE(WaitFor(
      [&] {
        return DnsNames((*env->SecretData("demo", "web-tls"))["tls.crt"]).count("admin.demo.svc") ==
               1;
      },
      20s))
      << op.process->Stderr();
  EXPECT_EQ(env->VaultCounters()["POST /v1/pki/issue/web"], 2);
}

// `kubectl annotate` with the force-sync annotation: a new certificate at once, by the path of
// a renewal, and only once for the value (a restarted operator sees it for the first time).
TEST(PkiSecretE2E, ForceSyncIssuesANewCertificateOnceAcrossARestart) {
  auto env = StartEnv();
  ASSERT_NE(env, nullptr);
  SetUpPki(*env);
  env->Apply(kDeployment);
  ApplyVpki(*env, "web", R"({"role":"web","commonName":"web.demo.svc","ttl":"24h","revoke":true,
                           "destination":{"name":"web-tls"},
                           "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  auto op = env->StartOperator({"--rollout-restart-coalesce", "500ms"});
  ASSERT_TRUE(
      WaitFor([&] { return env->Ready("vaultpkisecrets", "demo", "web") == "True/Synced"; }, 30s))
      << op.process->Stderr();
  const std::string vpki = std::string(kVpkiPath) + "web";
  const std::string first = Field(*env, vpki, {"status", "serialNumber"});
  ASSERT_FALSE(first.empty());
  ASSERT_EQ(env->VaultCounters()["POST /v1/pki/issue/web"], 1);

  auto annotated = env->Kubectl({"annotate", "vaultpkisecret", "web", "-n", "demo",
                                 "vaultsync.io/force-sync=first", "--overwrite"});
  ASSERT_EQ(annotated.exit_code, 0) << annotated.err;
  ASSERT_TRUE(WaitFor(
      [&] {
        std::string s = Field(*env, vpki, {"status", "serialNumber"});
        return !s.empty() && s != first && Field(*env, vpki, {"status", "forceSync"}) == "first";
      },
      20s))
      << op.process->Stderr();
  EXPECT_EQ(env->VaultCounters()["POST /v1/pki/issue/web"], 2);
  auto info = controller::ParseFirstCertificate((*env->SecretData("demo", "web-tls"))["tls.crt"]);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->serial_number, Field(*env, vpki, {"status", "serialNumber"}));
  // As a renewal: the Deployment restarted, the replaced certificate revoked.
  ASSERT_TRUE(WaitFor(
      [&] {
        return env
            ->ObjectString(
                "/apis/apps/v1/namespaces/demo/deployments/web",
                {"spec", "template", "metadata", "annotations", "vaultsync.io/restartedAt"})
            .has_value();
      },
      10s))
      << op.process->Stderr();
  ASSERT_TRUE(WaitFor([&] { return RevocationTime(*env, first) > 0; }, 10s))
      << op.process->Stderr();

  // The same value seen by a restarted operator: the certificate is kept, nothing issued.
  op.process->Stop();
  op = env->StartOperator({"--rollout-restart-coalesce", "500ms"});
  ASSERT_TRUE(op.process->WaitForOutput("kept the certificate the Secret holds", 30s))
      << op.process->Stderr();
  EXPECT_EQ(env->VaultCounters()["POST /v1/pki/issue/web"], 2);
  EXPECT_THAT(op.process->Stderr() + op.process->Stdout(),
              ::testing::Not(HasSubstr("sync forced by annotation")));
}

TEST(PkiSecretE2E, RenewalRestartsTheTargetAndRevokesTheReplacedCertificate) {
  auto env = StartEnv();
  ASSERT_NE(env, nullptr);
  SetUpPki(*env);
  env->Apply(kDeployment);
  ApplyVpki(*env, "web", R"({"role":"web","commonName":"web.demo.svc","ttl":"9s","revoke":true,
                           "destination":{"name":"web-tls"},
                           "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  auto op = env->StartOperator({"--rollout-restart-coalesce", "500ms"});
  ASSERT_TRUE(
      WaitFor([&] { return env->Ready("vaultpkisecrets", "demo", "web") == "True/Synced"; }, 30s))
      << op.process->Stderr();
  const std::string first = Field(*env, std::string(kVpkiPath) + "web", {"status", "serialNumber"});
  ASSERT_FALSE(first.empty());
  // A third of the 9 s lifetime before notAfter: 6 s after issue, the next certificate.
  ASSERT_TRUE(WaitFor(
      [&] {
        std::string s = Field(*env, std::string(kVpkiPath) + "web", {"status", "serialNumber"});
        return !s.empty() && s != first;
      },
      30s))
      << op.process->Stderr();
  ASSERT_TRUE(WaitFor(
      [&] {
        return env
            ->ObjectString(
                "/apis/apps/v1/namespaces/demo/deployments/web",
                {"spec", "template", "metadata", "annotations", "vaultsync.io/restartedAt"})
            .has_value();
      },
      10s));
  // The replaced certificate is revoked in Vault.
  ASSERT_TRUE(WaitFor([&] { return RevocationTime(*env, first) > 0; }, 10s))
      << op.process->Stderr();
  // Deleting the resource revokes the current one too (finalizer).
  const std::string current =
      Field(*env, std::string(kVpkiPath) + "web", {"status", "serialNumber"});
  auto deleted = env->Kubectl({"delete", "vpki", "web", "-n", "demo", "--timeout=30s"});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  // The finalizer let go only after Vault revoked it: the lookup answers, with a time.
  EXPECT_GT(RevocationTime(*env, current), 0);
}

// An operator started while Vault is sealed has no memory of the resources and cannot ask
// Vault anything: it still exports the lease's end (from status.lease) and the certificate's
// notAfter (from the Secret's tls.crt), so the expiry alerts can fire.
TEST(ExpiryE2E, GaugesAfterAnOperatorRestartDuringAVaultOutage) {
  auto env = StartEnv();
  ASSERT_NE(env, nullptr);
  SetUpDatabase(*env, "1h", "24h");
  SetUpPki(*env);
  ApplyVds(*env, "app-db", R"({"mount":"database","path":"creds/app",
                              "destination":{"name":"app-db-creds"}})");
  ApplyVpki(*env, "web", R"({"role":"web","commonName":"web.demo.svc","ttl":"9s",
                           "destination":{"name":"web-tls"}})");
  auto op = env->StartOperator();
  ASSERT_TRUE(WaitFor(
      [&] {
        return env->Ready("vaultdynamicsecrets", "demo", "app-db") == "True/Synced" &&
               env->Ready("vaultpkisecrets", "demo", "web") == "True/Synced";
      },
      30s))
      << op.process->Stderr();
  auto lease_end = ParseRfc3339(
      Field(*env, std::string(kVdsPath) + "app-db", {"status", "lease", "expireTime"}));
  ASSERT_TRUE(lease_end.ok());
  VaultOk(*env, "PUT", "/v1/sys/seal", "");
  // The certificate's renewal (6 s after issue) fails: the next operator finds it due.
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultpkisecrets", "demo", "web") == "False/VaultUnavailable"; },
      30s))
      << op.process->Stderr();
  auto info = controller::ParseFirstCertificate((*env->SecretData("demo", "web-tls"))["tls.crt"]);
  ASSERT_TRUE(info.ok());
  op.process->Stop();
  op = env->StartOperator();
  std::optional<double> lease, certificate;
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::string m = Env::HttpGet(op.metrics_port, "/metrics");
        lease = GaugeOf(m, "vaultsync_lease_expiry_timestamp_seconds", "demo", "app-db");
        certificate = GaugeOf(m, "vaultsync_certificate_expiry_timestamp_seconds", "demo", "web");
        return lease.has_value() && certificate.has_value();
      },
      20s))
      << op.process->Stderr();
  EXPECT_NEAR(*lease, UnixSeconds(*lease_end), 1.0);
  EXPECT_NEAR(*certificate, UnixSeconds(info->not_after), 1.0);
  // Nothing new was minted: the gauges describe what the Secrets still hold.
  auto held = controller::ParseFirstCertificate((*env->SecretData("demo", "web-tls"))["tls.crt"]);
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->serial_number, info->serial_number);
  EXPECT_EQ(LeaseTable(*env, kCredsPath).issued, 1);
}

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::string(VAULTSYNC_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// crds/samples/60-vaultpkisecret.yaml asks for names the README's PKI role allows: Vault,
// set up as the README's "Vault side" says, issues with the sample's request.
TEST(PkiSecretE2E, TheSampleIssuesWithTheReadmeRole) {
  YAML::Node sample =
      YAML::LoadFile(std::string(VAULTSYNC_SOURCE_DIR) + "/crds/samples/60-vaultpkisecret.yaml");
  const YAML::Node spec = sample["spec"];
  ASSERT_TRUE(spec.IsMap());
  const std::string mount = spec["mount"] ? spec["mount"].as<std::string>() : "pki";
  const std::string role = spec["role"].as<std::string>();
  // The README's `vault write <mount>/roles/<role> k=v ...` line, as a JSON body.
  const std::string readme = ReadSourceFile("README.md");
  const std::string command = "vault write " + mount + "/roles/" + role + " ";
  const size_t at = readme.find(command);
  ASSERT_NE(at, std::string::npos) << "README.md has no `" << command << "`";
  std::istringstream words(
      readme.substr(at + command.size(), readme.find('\n', at) - at - command.size()));
  std::string body;
  for (std::string w; words >> w;) {
    const size_t eq = w.find('=');
    ASSERT_NE(eq, std::string::npos) << w;
    body += std::string(body.empty() ? "{" : ",") + json::Quote(w.substr(0, eq)) + ":" +
            json::Quote(w.substr(eq + 1));
  }
  ASSERT_FALSE(body.empty());
  body += "}";

  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  VaultOk(*env, "POST", "/v1/sys/mounts/" + mount,
          R"({"type":"pki","config":{"max_lease_ttl":"87600h"}})");
  VaultOk(*env, "POST", "/v1/" + mount + "/root/generate/internal",
          R"({"common_name":"demo root CA","ttl":"87600h"})");
  VaultOk(*env, "POST", "/v1/" + mount + "/roles/" + role, body);

  auto joined = [&](const char* field) {
    std::string out;
    for (const auto& n : spec[field]) out += (out.empty() ? "" : ",") + n.as<std::string>();
    return out;
  };
  std::string request = "{\"common_name\":" + json::Quote(spec["commonName"].as<std::string>());
  if (spec["altNames"]) request += ",\"alt_names\":" + json::Quote(joined("altNames"));
  if (spec["ipSans"]) request += ",\"ip_sans\":" + json::Quote(joined("ipSans"));
  if (spec["uriSans"]) request += ",\"uri_sans\":" + json::Quote(joined("uriSans"));
  if (spec["ttl"]) request += ",\"ttl\":" + json::Quote(spec["ttl"].as<std::string>());
  request += "}";
  auto r = env->Vault("POST", "/v1/" + mount + "/issue/" + role, request);
  ASSERT_EQ(r.status, 200) << request << ": " << r.body;
  auto doc = json::Parse(r.body);
  ASSERT_TRUE(doc.ok());
  std::set<std::string> want = {spec["commonName"].as<std::string>()};
  for (const auto& n : spec["altNames"]) want.insert(n.as<std::string>());
  EXPECT_EQ(DnsNames(std::string(json::View((*doc)["data"]["certificate"]))), want);
}

}  // namespace
}  // namespace vaultsync::e2e
