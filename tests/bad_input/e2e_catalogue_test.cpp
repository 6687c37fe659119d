// The bad-input catalogue, end-to-end half (README "Reliability"):
//  - admission: bad custom resources the CRD schema rejects, sent to the kube-apiserver
//    emulator (which enforces schemas, patterns and CEL rules as a v1.26 server does), each
//    with its exact 422 message, and never stored;
//  - configuration: the real operator binary started with a bad kubeconfig, a missing token
//    file, an unreadable or wrong CA, bad flags: each must exit by itself with its exit code and
//    a clear message, never crash, and never write to the API server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "e2e_env.h"
#include "process.h"
#include "util/json.h"

namespace vaultsync::e2e {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

struct Admission {
  const char* name;
  const char* plural;
  std::string spec;
  std::string message;  // the Status message, exactly
};

std::ostream& operator<<(std::ostream& os, const Admission& a) { return os << a.name; }

const char* KindOf(const std::string& plural) {
  if (plural == "vaultstaticsecrets") return "VaultStaticSecret";
  if (plural == "vaultauths") return "VaultAuth";
  return "VaultConnection";
}

class AdmissionCatalogue : public ::testing::TestWithParam<Admission> {
 protected:
  static void SetUpTestSuite() {
    env_ = Env::Start().release();
    ASSERT_NE(env_, nullptr);
  }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }
  static Env* env_;
};
Env* AdmissionCatalogue::env_ = nullptr;

TEST_P(AdmissionCatalogue, IsRejectedWithItsMessageAndNotStored) {
  const Admission& a = GetParam();
  ASSERT_NE(env_, nullptr);
  const std::string base = std::string("/apis/vaultsync.io/v1alpha1/namespaces/demo/") + a.plural;
  const std::string name = "bad-" + std::string(a.name).substr(0, 40);
  std::string lower;
  for (char c : name) lower += char(std::tolower(static_cast<unsigned char>(c)));
  const std::string body = R"({"apiVersion":"vaultsync.io/v1alpha1","kind":")" +
                           std::string(KindOf(a.plural)) + R"(","metadata":{"name":")" + lower +
                           R"(","namespace":"demo"},"spec":)" + a.spec + "}";
  auto resp = env_->Kube("POST", base, body);
  EXPECT_EQ(resp.status, 422) << resp.body;
  auto doc = json::Parse(resp.body);
  ASSERT_TRUE(doc.ok()) << resp.body;
  EXPECT_EQ(json::View((*doc)["reason"]), "Invalid");
  EXPECT_EQ(json::View((*doc)["message"]), a.message);
  EXPECT_EQ(env_->Kube("GET", base + "/" + lower).status, 404) << "stored anyway";
}

std::vector<Admission> AdmissionCases() {
  const std::string dest = R"("destination":{"name":"s"})";
  auto vss = [&](const std::string& rest) {
    return R"({"mount":"secret","path":"app/db",)" + rest + "}";
  };
  const std::string vss_invalid = "VaultStaticSecret.vaultsync.io \"";
  // A v1.26 server does not evaluate the CEL rules of an object whose schema check failed,
  // and says so after the schema errors (the enum failures below).
  const std::string kCelSkipped =
      ", <nil>: Invalid value: \"null\": some validation rules were not checked because the "
      "object was invalid; correct the existing errors to complete validation]";
  return {
      {"MissingMount", "vaultstaticsecrets", R"({"path":"app/db",)" + dest + "}",
       vss_invalid + "bad-missingmount\" is invalid: spec.mount: Required value"},
      {"PathWithLeadingSlash", "vaultstaticsecrets",
       R"({"mount":"secret","path":"/app/db",)" + dest + "}",
       vss_invalid +
           "bad-pathwithleadingslash\" is invalid: spec.path: Invalid value: \"string\": path "
           "must not start with '/': it is relative to the mount, e.g. myapp/database"},
      {"PathWithDotDot", "vaultstaticsecrets",
       R"({"mount":"secret","path":"app/../sys",)" + dest + "}",
       vss_invalid +
           "bad-pathwithdotdot\" is invalid: spec.path: Invalid value: \"string\": path must not "
           "contain '.' or '..' segments"},
      {"EmptyPath", "vaultstaticsecrets", R"({"mount":"secret","path":"",)" + dest + "}",
       vss_invalid +
           "bad-emptypath\" is invalid: spec.path: Invalid value: \"\": spec.path in body should "
           "be at least 1 chars long"},
      {"UnknownKvType", "vaultstaticsecrets", vss(R"("type":"kv-v3",)" + dest),
       vss_invalid +
           "bad-unknownkvtype\" is invalid: [spec.type: Unsupported value: \"kv-v3\": supported "
           "values: \"kv-v1\", \"kv-v2\"" +
           kCelSkipped},
      {"NegativeVersion", "vaultstaticsecrets", vss(R"("version":-1,)" + dest),
       vss_invalid +
           "bad-negativeversion\" is invalid: spec.version: Invalid value: -1: spec.version in "
           "body should be greater than or equal to 1"},
      {"VersionWithKvV1", "vaultstaticsecrets", vss(R"("type":"kv-v1","version":2,)" + dest),
       vss_invalid +
           "bad-versionwithkvv1\" is invalid: spec: Invalid value: \"object\": version is only "
           "valid with type kv-v2 (kv-v1 secrets have no versions)"},
      {"BadDuration", "vaultstaticsecrets", vss(R"("refreshAfter":"30 seconds",)" + dest),
       vss_invalid +
           "bad-badduration\" is invalid: spec.refreshAfter: Invalid value: \"30 seconds\": "
           "spec.refreshAfter in body should match '^\\d+(\\.\\d+)?(s|m|h)$'"},
      {"OverlongDuration", "vaultstaticsecrets",
       vss(R"("refreshAfter":")" + std::string(40, '9') + R"(s",)" + dest),
       vss_invalid + "bad-overlongduration\" is invalid: spec.refreshAfter: Too long: may not be "
                     "longer than 32"},
      {"InvalidDestinationName", "vaultstaticsecrets", vss(R"("destination":{"name":"Bad_Name"})"),
       vss_invalid +
           "bad-invaliddestinationname\" is invalid: spec.destination.name: Invalid value: "
           "\"Bad_Name\": spec.destination.name in body should match "
           "'^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$'"},
      {"MissingDestination", "vaultstaticsecrets", vss(R"("refreshAfter":"30s")"),
       vss_invalid + "bad-missingdestination\" is invalid: spec.destination: Required value"},
      {"MalformedAuthRef", "vaultstaticsecrets", vss(R"("vaultAuthRef":"a/b/c",)" + dest),
       vss_invalid +
           "bad-malformedauthref\" is invalid: spec.vaultAuthRef: Invalid value: \"a/b/c\": "
           "spec.vaultAuthRef in body should match "
           "'^([a-z0-9]([-a-z0-9]*[a-z0-9])?/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$'"},
      {"UnknownRolloutTargetKind", "vaultstaticsecrets",
       vss(dest + R"(,"rolloutRestartTargets":[{"kind":"Pod","name":"web"}])"),
       vss_invalid +
           "bad-unknownrollouttargetkind\" is invalid: [spec.rolloutRestartTargets[0].kind: "
           "Unsupported value: \"Pod\": supported values: \"Deployment\", \"StatefulSet\", "
           "\"DaemonSet\", \"argoproj.io/Rollout\"" +
           kCelSkipped},
      {"OverlongIncludeRegex", "vaultstaticsecrets",
       vss(R"("destination":{"name":"s","transformation":{"includes":[")" + std::string(1025, 'a') +
           R"("]}})"),
       vss_invalid +
           "bad-overlongincluderegex\" is invalid: spec.destination.transformation.includes[0]: "
           "Too long: may not be longer than 1024"},
      {"VaultTokenHeader", "vaultconnections",
       R"({"address":"https://vault:8200","headers":{"X-Vault-Token":"s.abc"}})",
       "VaultConnection.vaultsync.io \"bad-vaulttokenheader\" is invalid: spec.headers: Invalid "
       "value: \"object\": X-Vault-Token cannot be set in headers: the token comes from a "
       "VaultAuth"},
      {"AddressWithoutScheme", "vaultconnections", R"({"address":"vault:8200"})",
       "VaultConnection.vaultsync.io \"bad-addresswithoutscheme\" is invalid: spec.address: "
       "Invalid value: \"vault:8200\": spec.address in body should match "
       "'^https?://[^/\\s]+/?$'"},
      {"UnknownAuthMethod", "vaultauths", R"({"method":"ldap"})",
       "VaultAuth.vaultsync.io \"bad-unknownauthmethod\" is invalid: spec.method: Unsupported "
       "value: \"ldap\": supported values: \"kubernetes\", \"appRole\", \"token\""},
      {"TokenTooShortLived", "vaultauths",
       R"({"kubernetes":{"role":"r","tokenExpirationSeconds":60}})",
       "VaultAuth.vaultsync.io \"bad-tokentooshortlived\" is invalid: "
       "spec.kubernetes.tokenExpirationSeconds: Invalid value: 60: "
       "spec.kubernetes.tokenExpirationSeconds in body should be greater than or equal to 600"},
  };
}

INSTANTIATE_TEST_SUITE_P(BadInput, AdmissionCatalogue, ::testing::ValuesIn(AdmissionCases()),
                         [](const ::testing::TestParamInfo<Admission>& i) { return i.param.name; });

// ---- configuration ------------------------------------------------------------------------

struct Config {
  const char* name;
  // Writes what the case needs into `dir` and returns the operator's extra args and env.
  std::function<void(Env& env, const std::string& dir, std::vector<std::string>& args,
                     testing::Env& vars)>
      setup;
  int exit_code;
  std::string message;  // a line of the operator's stderr contains it
};

std::ostream& operator<<(std::ostream& os, const Config& c) { return os << c.name; }

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

// The emulator's kubeconfig with its CA replaced by `ca_line` (a whole YAML line, or "" to
// drop it).
std::string KubeconfigWithCa(Env& env, const std::string& ca_line) {
  std::ifstream in(env.kubeconfig());
  std::string out, line;
  while (std::getline(in, line)) {
    if (line.find("certificate-authority") != std::string::npos) {
      if (!ca_line.empty()) out += ca_line + "\n";
      continue;
    }
    out += line + "\n";
  }
  return out;
}

class ConfigCatalogue : public ::testing::TestWithParam<Config> {};

TEST_P(ConfigCatalogue, ExitsWithItsCodeAndMessageAndWritesNothing) {
  const Config& c = GetParam();
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  const std::string dir = env->dir() + "/case";
  std::filesystem::create_directories(dir);
  std::vector<std::string> args = {"--default-vault-address",
                                   env->vault_url(),
                                   "--default-auth-method",
                                   "token",
                                   "--metrics-bind-address",
                                   "0",
                                   "--health-probe-bind-address",
                                   "0",
                                   "--log-format",
                                   "text"};
  testing::Env vars = {{"VAULT_TOKEN", kRootToken},
                       {"VAULTSYNC_SERVICEACCOUNT_DIR", dir + "/no-sa"},
                       {"KUBECONFIG", ""}};
  c.setup(*env, dir, args, vars);
  env->ResetCounters();
  auto p = testing::Process::Start(testing::BinaryPath("vaultsync-operator"), args, vars);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  int code = (*p)->Wait(60s);
  // The exit can be seen before the last lines are read from the pipe.
  (*p)->WaitForOutputClosed(5s);
  std::string err = (*p)->Stderr();
  EXPECT_EQ(code, c.exit_code) << err;
  EXPECT_LT(code, 128) << "killed by a signal (a crash): " << err;
  std::string message = c.message;
  if (size_t at = message.find("<dir>"); at != std::string::npos) message.replace(at, 5, dir);
  if (size_t at = message.find("<server>"); at != std::string::npos) {
    message.replace(at, 8, env->kube_url());
  }
  EXPECT_THAT(err, HasSubstr(message));
  int64_t writes = 0;
  for (const auto& [k, v] : env->KubeCounters()) {
    if (k.rfind("GET", 0) != 0 && k.rfind("LIST", 0) != 0 && k.rfind("WATCH", 0) != 0) writes += v;
  }
  EXPECT_EQ(writes, 0) << "a misconfigured operator wrote to the API server";
  (*p)->Stop();
}

std::vector<Config> ConfigCases() {
  using Args = std::vector<std::string>;
  return {
      {"KubeconfigDoesNotExist",
       [](Env&, const std::string& dir, Args& a, testing::Env&) {
         a.insert(a.end(), {"--kubeconfig", dir + "/nope"});
       },
       1,
       "error cannot configure the Kubernetes client error=\"kubeconfig <dir>/nope does not "
       "exist\""},
      {"KubeconfigNotYaml",
       [](Env&, const std::string& dir, Args& a, testing::Env&) {
         Write(dir + "/kubeconfig", "clusters: [unclosed\n");
         a.insert(a.end(), {"--kubeconfig", dir + "/kubeconfig"});
       },
       1,
       "error=\"kubeconfig <dir>/kubeconfig is not valid YAML: yaml-cpp: error at line 2, column "
       "1: end of sequence flow not found\""},
      {"KubeconfigNamesAMissingContext",
       [](Env& env, const std::string& dir, Args& a, testing::Env&) {
         std::ifstream in(env.kubeconfig());
         std::string out, line;
         while (std::getline(in, line)) {
           out += (line.rfind("current-context:", 0) == 0 ? "current-context: nope" : line) + "\n";
         }
         Write(dir + "/kubeconfig", out);
         a.insert(a.end(), {"--kubeconfig", dir + "/kubeconfig"});
       },
       1, "error=\"kubeconfig context \\\"nope\\\" not found\""},
      {"CaFileMissing",
       [](Env& env, const std::string& dir, Args& a, testing::Env&) {
         Write(dir + "/kubeconfig",
               KubeconfigWithCa(env, "    certificate-authority: " + dir + "/missing-ca.crt"));
         a.insert(a.end(), {"--kubeconfig", dir + "/kubeconfig"});
       },
       1, "error=\"CA file <dir>/missing-ca.crt does not exist\""},
      {"CaNotAPem",
       [](Env& env, const std::string& dir, Args& a, testing::Env&) {
         Write(dir + "/bad-ca.crt", "this is not a certificate\n");
         Write(dir + "/kubeconfig",
               KubeconfigWithCa(env, "    certificate-authority: " + dir + "/bad-ca.crt"));
         a.insert(a.end(), {"--kubeconfig", dir + "/kubeconfig"});
       },
       1,
       "error operator stopped with an error error=\"cannot connect to the Kubernetes API server "
       "<server>: the CA PEM holds no certificate\""},
      {"WrongCa",
       [](Env& env, const std::string& dir, Args& a, testing::Env&) {
         // A CA of its own, made now, which did not sign the emulator's certificate.
         auto made = testing::RunCommand(
             "openssl",
             {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
              "-keyout", dir + "/other-ca.key", "-out", dir + "/other-ca.crt", "-subj",
              "/CN=other-ca", "-days", "1"},
             {}, "", 30s);
         ASSERT_EQ(made.exit_code, 0) << made.err;
         Write(dir + "/kubeconfig",
               KubeconfigWithCa(env, "    certificate-authority: " + dir + "/other-ca.crt"));
         a.insert(a.end(), {"--kubeconfig", dir + "/kubeconfig"});
       },
       1,
       "error operator stopped with an error error=\"TLS handshake with <server> failed (is the "
       "server's certificate signed by a trusted CA and valid for its name?)"},
      {"TokenFileMissingInCluster",
       [](Env& env, const std::string& dir, Args&, testing::Env& v) {
         std::filesystem::create_directories(dir + "/sa");
         Write(dir + "/sa/ca.crt", env.KubeCaPem());
         for (auto& [k, val] : v) {
           if (k == "VAULTSYNC_SERVICEACCOUNT_DIR") val = dir + "/sa";
         }
         std::string host = env.kube_url();
         size_t colon = host.rfind(':');
         v.push_back({"KUBERNETES_SERVICE_HOST", host.substr(0, colon)});
         v.push_back({"KUBERNETES_SERVICE_PORT", host.substr(colon + 1)});
       },
       1, "error=\"service account token file <dir>/sa/token does not exist\""},
      {"VaultCaMissing",
       [](Env& env, const std::string& dir, Args& a, testing::Env& v) {
         a.insert(a.end(), {"--kubeconfig", env.kubeconfig()});
         v.push_back({"VAULT_CACERT", dir + "/no-vault-ca.pem"});
       },
       2, "vaultsync-operator: VAULT_CACERT: cannot read <dir>/no-vault-ca.pem\n"},
      {"UnknownFlag",
       [](Env& env, const std::string&, Args& a, testing::Env&) {
         a.insert(a.end(), {"--kubeconfig", env.kubeconfig(), "--no-such-flag", "x"});
       },
       2, "vaultsync-operator: unknown flag --no-such-flag\n"},
  };
}

INSTANTIATE_TEST_SUITE_P(BadInput, ConfigCatalogue, ::testing::ValuesIn(ConfigCases()),
                         [](const ::testing::TestParamInfo<Config>& i) { return i.param.name; });

}  // namespace
}  // namespace vaultsync::e2e
