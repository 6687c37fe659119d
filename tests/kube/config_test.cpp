// Tests of configuration loading: kubeconfig variants, in-cluster files and env, SPEC's
// lookup order, and bearer-token file rotation.
#include "kube/config.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "kube/token_source.h"
#include "temp_dir.h"
#include "util/base64.h"

namespace vaultsync::kube {
namespace {

using testing::ScopedEnv;
using testing::TempDir;
using namespace std::chrono_literals;

const char kCaPem[] = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

std::string TwoContexts(const std::string& ca_line) {
  return R"(apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster:
    server: https://dev.example:6443
)" + ca_line +
         R"(
- name: prod-cluster
  cluster:
    server: https://prod.example
    insecure-skip-tls-verify: true
    tls-server-name: api.prod.internal
users:
- name: dev-user
  user:
    token: dev-token
- name: prod-user
  user:
    tokenFile: tokens/prod
contexts:
- name: dev
  context:
    cluster: dev-cluster
    user: dev-user
    namespace: team-a
- name: prod
  context:
    cluster: prod-cluster
    user: prod-user
)";
}

TEST(KubeconfigTest, CurrentContextWithTokenAndCaData) {
  TempDir dir;
  std::string path =
      dir.Write("config", TwoContexts("    certificate-authority-data: " + base64::Encode(kCaPem)));
  auto cfg = FromKubeconfig(path);
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->server, "https://dev.example:6443");
  EXPECT_EQ(cfg->bearer_token, "dev-token");
  EXPECT_EQ(cfg->token_file, "");
  EXPECT_EQ(cfg->tls.ca_pem, kCaPem);
  EXPECT_FALSE(cfg->tls.skip_verify);
  EXPECT_EQ(cfg->namespace_, "team-a");
}

TEST(KubeconfigTest, ExplicitContextResolvesRelativeTokenFileAndDefaultsNamespace) {
  TempDir dir;
  std::string path = dir.Write("sub/config", TwoContexts("    certificate-authority: ca.pem"));
  auto cfg = FromKubeconfig(path, "prod");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->server, "https://prod.example");
  EXPECT_TRUE(cfg->tls.skip_verify);
  EXPECT_EQ(cfg->tls.server_name, "api.prod.internal");
  EXPECT_EQ(cfg->token_file, dir.path() + "/sub/tokens/prod");
  EXPECT_EQ(cfg->namespace_, "default");
}

TEST(KubeconfigTest, CaFileIsReadRelativeToTheKubeconfig) {
  TempDir dir;
  dir.Write("sub/ca.pem", kCaPem);
  std::string path = dir.Write("sub/config", TwoContexts("    certificate-authority: ca.pem"));
  auto cfg = FromKubeconfig(path);
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->tls.ca_pem, kCaPem);
}

TEST(KubeconfigTest, MissingCaFileIsAnError) {
  TempDir dir;
  std::string path = dir.Write("config", TwoContexts("    certificate-authority: nope.pem"));
  auto cfg = FromKubeconfig(path);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("nope.pem"), std::string::npos);
}

TEST(KubeconfigTest, ClientCertificateFromDataAndFile) {
  TempDir dir;
  dir.Write("key.pem", "KEY");
  std::string path = dir.Write("config", R"(current-context: c
clusters: [{name: k, cluster: {server: "https://k:443"}}]
users:
- name: u
  user:
    client-certificate-data: )" + base64::Encode("CERT") +
                                             R"(
    client-key: key.pem
contexts: [{name: c, context: {cluster: k, user: u}}]
)");
  auto cfg = FromKubeconfig(path);
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->tls.client_cert_pem, "CERT");
  EXPECT_EQ(cfg->tls.client_key_pem, "KEY");
  EXPECT_EQ(cfg->bearer_token, "");
}

TEST(KubeconfigTest, RejectsWhatItCannotHonour) {
  TempDir dir;
  auto exec = FromKubeconfig(dir.Write("exec", R"(current-context: c
clusters: [{name: k, cluster: {server: "https://k"}}]
users: [{name: u, user: {exec: {command: aws}}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
)"));
  ASSERT_FALSE(exec.ok());
  EXPECT_EQ(exec.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(exec.status().message().find("plugin"), std::string::npos);

  auto no_ctx = FromKubeconfig(dir.Write("noctx", "clusters: []\n"));
  EXPECT_EQ(no_ctx.status().code(), StatusCode::kInvalidArgument);

  std::string two = dir.Write("two", TwoContexts(""));
  EXPECT_EQ(FromKubeconfig(two, "staging").status().code(), StatusCode::kInvalidArgument);

  auto bad_yaml = FromKubeconfig(dir.Write("bad", "clusters: [unclosed\n"));
  EXPECT_EQ(bad_yaml.status().code(), StatusCode::kInvalidArgument);

  auto half_cert = FromKubeconfig(dir.Write("half", R"(current-context: c
clusters: [{name: k, cluster: {server: "https://k"}}]
users: [{name: u, user: {client-certificate-data: Q0VSVA==}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
)"));
  EXPECT_EQ(half_cert.status().code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(FromKubeconfig(dir.path() + "/absent").status().code(), StatusCode::kNotFound);
}

TEST(KubeconfigTest, MergedFilesFirstDefinitionWins) {
  TempDir dir;
  std::string a = dir.Write("a", R"(current-context: shared
clusters: [{name: k, cluster: {server: "https://first"}}]
)");
  std::string b = dir.Write("b", R"(current-context: ignored
clusters: [{name: k, cluster: {server: "https://second"}}]
users: [{name: u, user: {token: from-b}}]
contexts: [{name: shared, context: {cluster: k, user: u}}]
)");
  auto cfg = FromKubeconfigFiles({dir.path() + "/missing", a, b});
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->server, "https://first");
  EXPECT_EQ(cfg->bearer_token, "from-b");
}

class InClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.Set("KUBERNETES_SERVICE_HOST", "10.96.0.1");
    env_.Set("KUBERNETES_SERVICE_PORT", "443");
    env_.Set("VAULTSYNC_SERVICEACCOUNT_DIR", std::nullopt);
    dir_.Write("token", "sa-token\n");
    dir_.Write("ca.crt", kCaPem);
    dir_.Write("namespace", "vaultsync-system\n");
  }
  ScopedEnv env_;
  TempDir dir_;
};

TEST_F(InClusterTest, ReadsServiceAccountFiles) {
  auto cfg = InCluster(dir_.path());
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->server, "https://10.96.0.1:443");
  EXPECT_EQ(cfg->token_file, dir_.path() + "/token");
  EXPECT_EQ(cfg->tls.ca_pem, kCaPem);
  EXPECT_EQ(cfg->namespace_, "vaultsync-system");
}

TEST_F(InClusterTest, EnvOverridesDirectoryAndHostForms) {
  env_.Set("VAULTSYNC_SERVICEACCOUNT_DIR", dir_.path());
  env_.Set("KUBERNETES_SERVICE_HOST", "fd00::1");
  auto cfg = InCluster("/nonexistent");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->server, "https://[fd00::1]:443");
  env_.Set("KUBERNETES_SERVICE_HOST", "http://127.0.0.1");
  env_.Set("KUBERNETES_SERVICE_PORT", "8001");
  EXPECT_EQ(InCluster("/nonexistent")->server, "http://127.0.0.1:8001");
}

TEST_F(InClusterTest, MissingPiecesAreReported) {
  std::filesystem::remove(dir_.path() + "/namespace");
  std::filesystem::remove(dir_.path() + "/ca.crt");
  auto cfg = InCluster(dir_.path());
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->namespace_, "default");
  EXPECT_EQ(cfg->tls.ca_pem, "");
  std::filesystem::remove(dir_.path() + "/token");
  EXPECT_EQ(InCluster(dir_.path()).status().code(), StatusCode::kFailedPrecondition);
  env_.Set("KUBERNETES_SERVICE_HOST", std::nullopt);
  EXPECT_EQ(InCluster(dir_.path()).status().code(), StatusCode::kNotFound);
}

TEST_F(InClusterTest, LoadFollowsSpecOrder) {
  TempDir home;
  home.Write(".kube/config", R"(current-context: c
clusters: [{name: k, cluster: {server: "https://from-home"}}]
contexts: [{name: c, context: {cluster: k}}]
)");
  std::string env_file = home.Write("envconfig", R"(current-context: c
clusters: [{name: k, cluster: {server: "https://from-env"}}]
contexts: [{name: c, context: {cluster: k}}]
)");
  std::string flag_file = home.Write("flagconfig", R"(current-context: c
clusters: [{name: k, cluster: {server: "https://from-flag"}}]
contexts: [{name: c, context: {cluster: k}}]
)");
  env_.Set("VAULTSYNC_SERVICEACCOUNT_DIR", dir_.path());
  env_.Set("KUBECONFIG", env_file);
  env_.Set("HOME", home.path());
  EXPECT_EQ(Load(flag_file)->server, "https://from-flag");
  EXPECT_EQ(Load("")->server, "https://10.96.0.1:443");
  env_.Set("KUBERNETES_SERVICE_HOST", std::nullopt);
  EXPECT_EQ(Load("")->server, "https://from-env");
  env_.Set("KUBECONFIG", std::nullopt);
  EXPECT_EQ(Load("")->server, "https://from-home");
  env_.Set("HOME", dir_.path());
  EXPECT_EQ(Load("").status().code(), StatusCode::kNotFound);
}

TEST(TokenSourceTest, FixedTokenAndNone) {
  EXPECT_EQ(*TokenSource("abc", "").Token(), "abc");
  EXPECT_EQ(*TokenSource("", "").Token(), "");
}

TEST(TokenSourceTest, RereadsARotatedFileAfterTheRecheckInterval) {
  TempDir dir;
  FakeClock clock;
  std::string file = dir.Write("token", "first\n");
  TokenSource ts("ignored-fixed", file, 5s, clock);
  EXPECT_EQ(*ts.Token(), "first");
  // The kubelet swaps the projected token: a new file under the same name.
  std::string tmp = dir.Write("token.new", "second-token");
  std::filesystem::rename(tmp, file);
  clock.Advance(1s);
  EXPECT_EQ(*ts.Token(), "first") << "re-read before the recheck interval";
  clock.Advance(5s);
  EXPECT_EQ(*ts.Token(), "second-token");
  // A file that vanishes keeps the last good token.
  std::filesystem::remove(file);
  clock.Advance(6s);
  EXPECT_EQ(*ts.Token(), "second-token");
}

TEST(TokenSourceTest, NeverReadableFails) {
  TokenSource ts("", "/nonexistent/token", 0s);
  auto t = ts.Token();
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace vaultsync::kube
