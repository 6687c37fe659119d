// The CRDs of crds/ in a (emulated) API server, driven with the real kubectl as a user
// would: the samples apply on an empty cluster in their numbered order; the admission rules
// (x-kubernetes-validations) reject a bad path and a version with kv-v1 with their own
// messages, not a raw regular expression; `kubectl explain` shows the field descriptions.
// The last two need an API server that evaluates CEL rules and serves the CRDs' OpenAPI, as a
// real kube-apiserver 1.26 does.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "process.h"

namespace vaultsync {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using vaultsync::testing::CommandResult;
using vaultsync::testing::RunCommand;

class CrdAdmission : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vaultsync-crd-admission-XXXXXX";
    dir_ = mkdtemp(tmpl);
    kubeconfig_ = dir_ + "/kubeconfig";
    auto kube = testing::StartEmulator("kube-emulator",
                                       {"--tls-self-signed", "--write-kubeconfig", kubeconfig_});
    ASSERT_TRUE(kube.ok()) << kube.status().ToString();
    kube_ = std::move(*kube);
    auto crds = Kubectl({"apply", "-f", VAULTSYNC_TOP_CRDS_DIR});
    ASSERT_EQ(crds.exit_code, 0) << crds.out << crds.err;
  }

  void TearDown() override {
    if (kube_.process) kube_.process->Stop();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  CommandResult Kubectl(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    std::vector<std::string> full = {"--kubeconfig", kubeconfig_, "--cache-dir",
                                     dir_ + "/kube-cache"};
    full.insert(full.end(), args.begin(), args.end());
    return RunCommand("kubectl", full, {{"HOME", dir_}}, stdin_data, std::chrono::seconds(60));
  }

  // kubectl apply of a VaultStaticSecret in namespace demo with `spec` (YAML flow mapping).
  CommandResult ApplyVss(const std::string& name, const std::string& spec) {
    return Kubectl(
        {"apply", "-f", "-"},
        "apiVersion: vaultsync.io/v1alpha1\nkind: VaultStaticSecret\nmetadata:\n  name: " + name +
            "\n  namespace: demo\nspec: " + spec + "\n");
  }

  std::string dir_, kubeconfig_;
  testing::RunningEmulator kube_;
};

TEST_F(CrdAdmission, SamplesApplyInOrderOnAnEmptyCluster) {
  auto r = Kubectl({"apply", "-f", std::string(VAULTSYNC_TOP_CRDS_DIR) + "/samples/"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("namespace/demo created"));
  EXPECT_THAT(r.out, HasSubstr("vaultconnection.vaultsync.io/vault created"));
  EXPECT_THAT(r.out, HasSubstr("vaultauth.vaultsync.io/app created"));
  EXPECT_THAT(r.out, HasSubstr("vaultstaticsecret.vaultsync.io/db-creds created"));
  EXPECT_THAT(r.out, HasSubstr("vaultstaticsecret.vaultsync.io/app-config created"));
}

TEST_F(CrdAdmission, BadPathAndVersionWithKvV1AreRejectedWithTheirMessages) {
  ASSERT_EQ(Kubectl({"create", "namespace", "demo"}).exit_code, 0);
  const std::string dest = ", destination: {name: s}}";
  auto ok = ApplyVss("ok", "{mount: secret, path: app/db, version: 3" + dest);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;

  auto leading = ApplyVss("leading", "{mount: secret, path: /app/db" + dest);
  EXPECT_NE(leading.exit_code, 0);
  EXPECT_THAT(leading.err, HasSubstr("path must not start with '/'"));
  EXPECT_THAT(leading.err, ::testing::Not(HasSubstr("should match")));

  auto dots = ApplyVss("dots", "{mount: secret, path: app/../sys" + dest);
  EXPECT_NE(dots.exit_code, 0);
  EXPECT_THAT(dots.err, HasSubstr("path must not contain '.' or '..' segments"));

  auto trailing = ApplyVss("trailing", "{mount: secret, path: app/db/" + dest);
  EXPECT_NE(trailing.exit_code, 0);
  EXPECT_THAT(trailing.err, HasSubstr("path must not end with '/'"));

  auto version =
      ApplyVss("versioned", "{mount: secret, path: app/db, type: kv-v1, version: 2" + dest);
  EXPECT_NE(version.exit_code, 0);
  EXPECT_THAT(version.err, HasSubstr("version is only valid with type kv-v2"));

  auto stored = Kubectl({"get", "vss", "-n", "demo", "-o", "name"});
  EXPECT_EQ(stored.out, "vaultstaticsecret.vaultsync.io/ok\n");
}

TEST_F(CrdAdmission, KubectlExplainShowsTheDescriptions) {
  auto spec = Kubectl({"explain", "vaultstaticsecret.spec"});
  ASSERT_EQ(spec.exit_code, 0) << spec.err;
  EXPECT_THAT(spec.out, HasSubstr("Which Vault secret to read and which Secret to write."));
  EXPECT_THAT(spec.out, HasSubstr("refreshAfter"));
  auto path = Kubectl({"explain", "vaultstaticsecret.spec.path"});
  ASSERT_EQ(path.exit_code, 0) << path.err;
  EXPECT_THAT(path.out, HasSubstr("Path of the secret inside the mount"));
  auto auth = Kubectl({"explain", "vaultauth.spec.appRole.secretRef"});
  ASSERT_EQ(auth.exit_code, 0) << auth.err;
  EXPECT_THAT(auth.out, HasSubstr("whose key id holds the secret_id"));
}

}  // namespace
}  // namespace vaultsync
